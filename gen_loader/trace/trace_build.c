// SPDX-License-Identifier: BSD-2-Clause
/* Object model -> trace. Order per object: BTF, maps (inner templates, creation, initial
 * values, freeze), map-in-map slots, programs (with their load-time resolutions), prog-array
 * slots; the same order libbpf uses, so kernel state compares one to one. This file drives
 * the objects; maps, programs and struct_ops values have their own files, the helpers they
 * share are in trace_builder.c. The trace is append-only: an op that must run first is
 * added first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace_builder.h"
#include "err.h"

static int alloc_obj_tables(struct lsk_tb *b)
{
	struct lsk_obj *obj = b->to->obj;
	size_t i;

	b->to->map_op = malloc((obj->nr_maps + 1) * sizeof(int));
	b->to->map_input = malloc((obj->nr_maps + 1) * sizeof(int));
	b->to->max_input = malloc((obj->nr_maps + 1) * sizeof(int));
	b->to->prog_input = malloc((obj->nr_progs + 1) * sizeof(int));
	b->to->prog_op = malloc((obj->nr_progs + 1) * sizeof(int));
	if (!b->to->map_op || !b->to->prog_op || !b->to->map_input || !b->to->max_input ||
	    !b->to->prog_input)
		return lsk_tb_nomem(b);
	for (i = 0; i < obj->nr_maps; i++)
		b->to->map_op[i] = b->to->map_input[i] = b->to->max_input[i] = -1;
	for (i = 0; i < obj->nr_progs; i++) {
		b->to->prog_op[i] = -1;
		/* SEC("?...") programs: the caller's autoload flag is an input of the load */
		b->to->prog_input[i] = lsk_prog_is_entry(&obj->progs[i]) &&
				       obj->progs[i].optional ? (int)b->t->nr_inputs++ : -1;
	}
	return 0;
}

static int build_obj(struct lsk_tb *b)
{
	struct lsk_obj *obj = b->to->obj;
	size_t i;
	int err;

	err = alloc_obj_tables(b);
	err = err ?: lsk_tb_add_btf(b);
	err = err ?: lsk_tb_add_maps(b);
	err = err ?: lsk_tb_add_slots(b, LSK_SLOT_MAP);
	for (i = 0; !err && i < obj->nr_progs; i++) {
		int skip;

		if (!lsk_prog_is_entry(&obj->progs[i]))
			continue;
		skip = lsk_tb_skip_unless_asked(b->t, b->oi, i, "its load");
		if (skip < -1)
			return skip;
		err = lsk_tb_add_prog(b, i);
		if (skip >= 0)
			b->t->ops[skip].skip.skip_to = b->t->nr_ops;
	}
	err = err ?: lsk_tb_add_slots(b, LSK_SLOT_PROG);
	err = err ?: lsk_tb_add_st_ops_values(b);
	return err;
}

/* Slot @s naming a map or program of another object. */
static int add_chain_slot(struct lsk_trace *t, struct lsk_obj **objs, const struct lsk_chain *c,
			  const struct lsk_chain_slot *s)
{
	const struct lsk_map *m = &objs[s->obj]->maps[s->map];
	bool prog = m->type == BPF_MAP_TYPE_PROG_ARRAY;
	struct lsk_tb b = { .t = t, .to = &t->objs[s->obj], .oi = s->obj, .c = c };
	int src = prog ? t->objs[s->tobj].prog_op[s->tidx] : t->objs[s->tobj].map_op[s->tidx];
	int skip = prog ? lsk_tb_skip_unless_asked(t, s->tobj, s->tidx, "its prog-array slot") :
			  -1;
	char what[256];
	__u32 zero = 0;
	int err;

	if (skip < -1)
		return skip;
	snprintf(what, sizeof(what), "slot %u of map '%s' of object '%s' <- %s '%s' of object "
		 "'%s'", s->slot, m->name, objs[s->obj]->name, prog ? "program" : "map",
		 prog ? objs[s->tobj]->progs[s->tidx].name : objs[s->tobj]->maps[s->tidx].name,
		 objs[s->tobj]->name);
	err = lsk_tb_map_update(&b, t->objs[s->obj].map_op[s->map], what, s->slot, &zero, 4, src,
				0, NULL);
	if (!err && skip >= 0)
		t->ops[skip].skip.skip_to = t->nr_ops;
	return err;
}

/* Slots naming other objects and declared map values: after every object is loaded. */
static int add_chain_updates(struct lsk_trace *t, struct lsk_obj **objs, const struct lsk_chain *c)
{
	size_t i;
	int err;

	for (i = 0; i < c->nr_slots; i++) {
		err = add_chain_slot(t, objs, c, &c->slots[i]);
		if (err)
			return err;
	}
	for (i = 0; i < c->nr_values; i++) {
		const struct lsk_chain_value *v = &c->values[i];
		const struct lsk_map *m = &objs[v->obj]->maps[v->map];
		struct lsk_tb b = { .t = t, .to = &t->objs[v->obj], .oi = v->obj, .c = c };
		char what[256];

		snprintf(what, sizeof(what), "value of key %u of map '%s' of object '%s'", v->key,
			 m->name, objs[v->obj]->name);
		err = lsk_tb_map_update(&b, t->objs[v->obj].map_op[v->map], what, v->key,
					&v->value, m->value_size, -1, 0, NULL);
		if (err)
			return err;
	}
	return 0;
}

int lsk_trace_build(struct lsk_obj **objs, size_t nr, struct lsk_trace **tp)
{
	struct lsk_chain *c;
	int err;

	err = lsk_chain_resolve(objs, nr, NULL, &c);
	if (err)
		return err;
	err = lsk_trace_build_chain(objs, nr, c, tp);
	lsk_chain_free(c);
	return err;
}

int lsk_trace_build_chain(struct lsk_obj **objs, size_t nr, const struct lsk_chain *c,
			  struct lsk_trace **tp)
{
	struct lsk_trace *t = calloc(1, sizeof(*t));
	struct lsk_ksym_share ks;
	size_t i;
	int err = 0;

	if (!t)
		return lsk_err(ENOMEM, "out of memory");
	err = lsk_ksym_share_init(&ks, objs, nr);
	if (err) {
		free(t);
		return err;
	}
	t->objs = calloc(nr ? nr : 1, sizeof(*t->objs));
	if (!t->objs) {
		lsk_ksym_share_free(&ks);
		free(t);
		return lsk_err(ENOMEM, "out of memory");
	}
	t->nr_objs = nr;
	for (i = 0; i < nr; i++) {
		t->objs[i].obj = objs[i];
		t->objs[i].btf_op = -1;
	}
	for (i = 0; i < nr && !err; i++) {
		int oi = c->order[i];
		struct lsk_tb b = { .t = t, .to = &t->objs[oi], .oi = oi, .c = c, .ks = &ks };

		err = build_obj(&b);
	}
	lsk_ksym_share_free(&ks);
	if (!err)
		err = add_chain_updates(t, objs, c);
	if (err) {
		lsk_trace_free(t);
		return err;
	}
	*tp = t;
	return 0;
}
