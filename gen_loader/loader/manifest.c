// SPDX-License-Identifier: BSD-2-Clause
/* The manifest built from the trace and the blob layout: the one place that decides what a
 * load exposes (see manifest.h). manifest_blob.c writes it into the blob; the skeleton,
 * subskeleton, container and loader descriptions serialise it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "manifest.h"
#include "emit_ctype.h"
#include "sec_def.h"
#include "err.h"

/* A global data section the skeleton maps as skel->bss etc.: mmapable (a non-static
 * variable, as libbpf decides) and described by BTF. */
static bool map_exposed(const struct lsk_map *m)
{
	return (m->kind == LSK_MAP_DATA || m->kind == LSK_MAP_RODATA || m->kind == LSK_MAP_BSS) &&
	       (m->map_flags & BPF_F_MMAPABLE) && m->btf_value_type_id;
}

static int nomem(void)
{
	return lsk_err(ENOMEM, "out of memory");
}

/* What the ops say about the maps, gathered in one pass: per op, whether a MAP_FREEZE
 * freezes the map it created; per map of the load (object order), the blob offset of its
 * initial value (the chunk its USER_INIT fills), ~0u: none. */
struct op_facts {
	bool *frozen;
	__u32 *init_off;
	size_t *first_map;	/* per object: index of its first map */
};

static int gather(const struct lsk_trace *t, const struct lsk_blob *b, struct op_facts *x)
{
	size_t i, j, n = 0;

	x->frozen = calloc(t->nr_ops + 1, sizeof(*x->frozen));
	x->first_map = calloc(t->nr_objs + 1, sizeof(*x->first_map));
	for (i = 0; x->first_map && i < t->nr_objs; i++) {
		x->first_map[i] = n;
		n += t->objs[i].obj->nr_maps;
	}
	x->init_off = malloc((n + 1) * sizeof(*x->init_off));
	if (!x->frozen || !x->first_map || !x->init_off)
		return nomem();
	memset(x->init_off, 0xff, (n + 1) * sizeof(*x->init_off));
	for (i = 0; i < t->nr_ops; i++) {
		const struct lsk_op *op = &t->ops[i];

		if (op->cmd == LSK_CMD_USER_INIT && op->subj == LSK_SUBJ_MAP)
			x->init_off[x->first_map[op->obj] + op->idx] =
				b->chunk_off[op->user_init.dst];
		for (j = 0; op->cmd == BPF_MAP_FREEZE && j < op->nr_fix; j++)
			if (op->fix[j].kind == LSK_FIX_FD)
				x->frozen[op->fix[j].src] = true;
	}
	return 0;
}

static void facts_free(struct op_facts *x)
{
	free(x->frozen);
	free(x->init_off);
	free(x->first_map);
}

/* Map @i of object @oi; @t and @x NULL: no load. */
static void add_map(struct lsk_manifest *mf, const struct lsk_trace *t,
		    const struct op_facts *x, const struct lsk_obj *obj, size_t oi, size_t i)
{
	const struct lsk_map *m = &obj->maps[i];
	const struct lsk_trace_obj *to = t ? &t->objs[oi] : NULL;
	struct lsk_mf_map *e = &mf->maps[mf->nr_maps++];

	e->m = m;
	e->obj = oi;
	e->name = m->kind == LSK_MAP_USER ? m->name : m->kname;
	lsk_c_ident(e->ident, sizeof(e->ident), m->name);
	e->slot = to ? to->map_op[i] : -1;
	e->shared = to && e->slot >= 0 && t->ops[e->slot].obj != (int)oi;
	e->rdonly = e->slot >= 0 && x->frozen[e->slot];	/* the loader freezes it */
	e->exposed = map_exposed(m);
	e->init_off = x ? x->init_off[x->first_map[oi] + i] : ~0u;
	e->input = to ? to->map_input[i] : -1;
	e->max_input = to ? to->max_input[i] : -1;
	if (m->kind == LSK_MAP_STRUCT_OPS)
		mf->has_struct_ops = true;
}

/* The non-static variables of exposed map @mi. */
static int add_vars(struct lsk_manifest *mf, const struct lsk_obj *obj, size_t mi)
{
	const struct lsk_map *m = mf->maps[mi].m;
	const struct btf_type *sec = btf__type_by_id(obj->btf, m->btf_value_type_id);
	const struct btf_var_secinfo *vs = btf_var_secinfos(sec);
	struct lsk_mf_var *nv;
	int i, err;

	nv = realloc(mf->vars, (mf->nr_vars + btf_vlen(sec) + 1) * sizeof(*nv));
	if (!nv)
		return nomem();
	mf->vars = nv;
	for (i = 0; i < btf_vlen(sec); i++) {
		const struct btf_type *v = btf__type_by_id(obj->btf, vs[i].type);
		struct lsk_mf_var *e = &mf->vars[mf->nr_vars];

		if (!btf_is_var(v) || btf_var(v)->linkage == BTF_VAR_STATIC)
			continue;
		e->name = btf__name_by_offset(obj->btf, v->name_off);
		e->obj = mf->maps[mi].obj;
		e->map = mi;
		e->off = vs[i].offset;
		e->size = vs[i].size;
		e->type = v->type;
		err = lsk_type_sig(obj->btf, v->type, &e->sig);
		if (err)
			return err;
		mf->nr_vars++;
	}
	return 0;
}

/* Object @oi's maps, entry programs and variables. */
static int add_obj(struct lsk_manifest *mf, const struct lsk_trace *t,
		   const struct op_facts *x, const struct lsk_obj *obj, size_t oi)
{
	size_t i, first = mf->nr_maps;
	int err;

	for (i = 0; i < obj->nr_maps; i++)
		add_map(mf, t, x, obj, oi, i);
	for (i = 0; i < obj->nr_progs; i++) {
		const struct lsk_prog *p = &obj->progs[i];
		struct lsk_mf_prog *e;

		if (!lsk_prog_is_entry(p))
			continue;
		e = &mf->progs[mf->nr_progs++];
		e->p = p;
		e->obj = oi;
		e->slot = t ? t->objs[oi].prog_op[i] : -1;
		e->attach = lsk_prog_attach_kind(p);
		e->autoload_input = t ? t->objs[oi].prog_input[i] : -1;
	}
	for (i = first; i < mf->nr_maps; i++) {
		if (!mf->maps[i].exposed || !obj->btf)
			continue;
		err = add_vars(mf, obj, i);
		if (err)
			return err;
	}
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct lsk_mf_sym *x = a, *y = b;

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The name table: maps by C identifier, programs, variables; one name per kind. */
static int build_syms(struct lsk_manifest *mf, const char *const *obj_names)
{
	size_t i, n = 0;

	mf->syms = calloc(mf->nr_maps + mf->nr_progs + mf->nr_vars + 1, sizeof(*mf->syms));
	if (!mf->syms)
		return nomem();
	for (i = 0; i < mf->nr_maps; i++)
		mf->syms[n++] = (struct lsk_mf_sym){ mf->maps[i].ident, mf->maps[i].obj,
						     LSKEL_SYM_MAP, i, NULL };
	for (i = 0; i < mf->nr_progs; i++)
		mf->syms[n++] = (struct lsk_mf_sym){ mf->progs[i].p->name, mf->progs[i].obj,
						     LSKEL_SYM_PROG, i, NULL };
	for (i = 0; i < mf->nr_vars; i++)
		mf->syms[n++] = (struct lsk_mf_sym){ mf->vars[i].name, mf->vars[i].obj,
						     LSKEL_SYM_VAR, mf->vars[i].map, &mf->vars[i] };
	mf->nr_syms = n;
	if (n)	/* an object with no map, program or variable: nothing to sort */
		qsort(mf->syms, n, sizeof(*mf->syms), cmp_sym);
	for (i = 0; i + 1 < n; i++)
		if (!cmp_sym(&mf->syms[i], &mf->syms[i + 1]))
			return lsk_err(EINVAL, "object '%s' has two %s named '%s'",
				       obj_names[mf->syms[i].obj],
				       mf->syms[i].kind == LSKEL_SYM_VAR ? "variables" :
				       mf->syms[i].kind == LSKEL_SYM_MAP ? "maps" : "programs",
				       mf->syms[i].name);
	return 0;
}

/* Every kconfig value of @t, in op order, and whether one is a CONFIG_* option. */
static int build_kcfg(struct lsk_manifest *mf, const struct lsk_trace *t, const struct lsk_blob *b)
{
	struct lsk_kcfg_entry *ne;
	size_t i, j;

	for (i = 0; i < t->nr_ops; i++) {
		const struct lsk_op *op = &t->ops[i];
		const struct lsk_kcfg_desc *d;
		size_t cnt;

		if (op->cmd != LSK_CMD_KCONFIG)
			continue;
		d = t->chunks[op->kconfig.descs].data;
		cnt = t->chunks[op->kconfig.descs].size / sizeof(*d);
		ne = realloc(mf->kcfg, (mf->nr_kcfg + cnt + 1) * sizeof(*ne));
		if (!ne)
			return nomem();
		mf->kcfg = ne;
		for (j = 0; j < cnt; j++) {
			ne[mf->nr_kcfg].d = &d[j];
			ne[mf->nr_kcfg++].input_off = b->kcfg_input_off[i] + d[j].off;
			if (!strncmp(d[j].name, "CONFIG_", 7))
				mf->uses_config = true;
		}
	}
	return 0;
}

/* Every LIBBPF_PIN_BY_NAME map of @t as the runtime describes it, in op order. */
static int build_pins(struct lsk_manifest *mf, const struct lsk_trace *t)
{
	size_t i;

	mf->pins = calloc(t->nr_ops + 1, sizeof(*mf->pins));
	if (!mf->pins)
		return nomem();
	for (i = 0; i < t->nr_ops; i++) {
		const struct lsk_op *op = &t->ops[i];
		const union bpf_attr *a;
		struct lskel_pin *e = &mf->pins[mf->nr_pins];

		if (op->cmd != LSK_CMD_MAP_REUSE)
			continue;
		a = t->chunks[t->ops[op->reuse.map_op].attr].data;	/* its MAP_CREATE */
		e->name = t->objs[op->obj].obj->maps[op->idx].name;
		e->op = i;
		e->slot = op->reuse.map_op;
		e->input = op->reuse.input;
		e->type = a->map_type;
		e->key_size = a->key_size;
		e->value_size = a->value_size;
		e->max_entries = a->max_entries;
		e->map_flags = a->map_flags;
		e->map_extra = a->map_extra;
		mf->nr_pins++;
	}
	return 0;
}

/* Room for the maps and programs of @nr objects. */
static struct lsk_manifest *mf_alloc(const struct lsk_obj *const *objs, size_t nr)
{
	struct lsk_manifest *mf = calloc(1, sizeof(*mf));
	size_t i, nm = 0, np = 0;

	if (!mf)
		return NULL;
	for (i = 0; i < nr; i++) {
		nm += objs[i]->nr_maps;
		np += objs[i]->nr_progs;
	}
	mf->maps = calloc(nm + 1, sizeof(*mf->maps));
	mf->progs = calloc(np + 1, sizeof(*mf->progs));
	if (!mf->maps || !mf->progs) {
		lsk_manifest_free(mf);
		return NULL;
	}
	return mf;
}

int lsk_manifest_build(const struct lsk_trace *t, const struct lsk_blob *b,
		       struct lsk_manifest **mfp)
{
	const struct lsk_obj **objs = calloc(t->nr_objs + 1, sizeof(*objs));
	const char **names = calloc(t->nr_objs + 1, sizeof(*names));
	struct lsk_manifest *mf = NULL;
	struct op_facts x = {};
	size_t oi;
	int err = 0;

	for (oi = 0; objs && names && oi < t->nr_objs; oi++) {
		objs[oi] = t->objs[oi].obj;
		names[oi] = objs[oi]->name;
	}
	mf = objs && names ? mf_alloc(objs, t->nr_objs) : NULL;
	err = mf ? gather(t, b, &x) : nomem();
	for (oi = 0; !err && oi < t->nr_objs; oi++)
		err = add_obj(mf, t, &x, objs[oi], oi);
	err = err ?: build_syms(mf, names);
	err = err ?: build_kcfg(mf, t, b);
	err = err ?: build_pins(mf, t);
	facts_free(&x);
	free(objs);
	free(names);
	if (err) {
		lsk_manifest_free(mf);
		return err;
	}
	*mfp = mf;
	return 0;
}

int lsk_manifest_of_obj(const struct lsk_obj *obj, struct lsk_manifest **mfp)
{
	struct lsk_manifest *mf = mf_alloc(&obj, 1);
	const char *name = obj->name;
	int err;

	if (!mf)
		return nomem();
	err = add_obj(mf, NULL, NULL, obj, 0);
	err = err ?: build_syms(mf, &name);
	if (err) {
		lsk_manifest_free(mf);
		return err;
	}
	*mfp = mf;
	return 0;
}

void lsk_manifest_free(struct lsk_manifest *mf)
{
	if (!mf)
		return;
	free(mf->maps);
	free(mf->progs);
	free(mf->vars);
	free(mf->syms);
	free(mf->kcfg);
	free(mf->pins);
	free(mf);
}
