// SPDX-License-Identifier: BSD-2-Clause
/* Chain resolution of a load plan: shared maps (with a definition check), cross-object slots,
 * the plan's directives, freplace targets (chain_freplace.c), and a dependency order
 * (freplace programs load after their targets). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "chain_ref.h"
#include "map_def.h"
#include "err.h"

static int add_slot(struct lsk_chain_ctx *x, int obj, int map, __u32 slot, int tobj, int tidx)
{
	struct lsk_chain_slot *ns = realloc(x->c->slots, (x->c->nr_slots + 1) * sizeof(*ns));

	if (!ns)
		return lsk_err(ENOMEM, "out of memory");
	x->c->slots = ns;
	ns[x->c->nr_slots++] = (struct lsk_chain_slot){ obj, map, slot, tobj, tidx };
	return 0;
}

static int share_maps(struct lsk_chain_ctx *x)
{
	size_t i, j, k;

	for (i = 0; i < x->n; i++) {
		const struct lsk_obj *o = x->objs[x->c->order[i]];

		for (j = 0; j < o->nr_maps; j++) {
			const struct lsk_map *m = &o->maps[j];
			char detail[256];

			if (m->kind != LSK_MAP_USER || x->p->separate_maps)
				continue;
			for (k = 0; k < i; k++) {
				int oi = x->c->order[k];
				int mi = lsk_chain_find_map(x->objs[oi], m->name);
				const char *d;

				if (mi < 0 || x->c->alias[oi][mi] >= 0)
					continue;
				d = lsk_map_def_differs(x->objs[oi], &x->objs[oi]->maps[mi], o, m,
							 detail, sizeof(detail));
				if (d)
					return lsk_err(EINVAL, "map '%s' is shared by objects '%s' and '%s' "
						       "but defined differently: %s (use --separate-maps "
						       "to keep them apart)", m->name, x->objs[oi]->name,
						       o->name, d);
				x->c->alias[x->c->order[i]][j] = mi;
				x->c->alias_obj[x->c->order[i]][j] = oi;
				break;
			}
		}
	}
	return 0;
}

/* Slots of static initialisers that name programs/maps of other objects. */
static int extern_slots(struct lsk_chain_ctx *x)
{
	size_t i, j;
	int s;

	x->where[0] = '\0';
	for (i = 0; i < x->n; i++) {
		const struct lsk_obj *o = x->objs[i];

		for (j = 0; j < o->nr_maps; j++) {
			const struct lsk_map *m = &o->maps[j];

			for (s = 0; s < m->nr_init_slots; s++) {
				const char *name = m->init_slot_names ? m->init_slot_names[s] : NULL;
				int tobj = -1, tidx = -1, err;
				size_t k, found = 0;

				if (!name)
					continue;
				for (k = 0; k < x->n; k++) {
					const struct lsk_obj *to = x->objs[k];
					int idx = m->slot_kind == LSK_SLOT_PROG ?
						  lsk_chain_find_prog(to, name) :
						  lsk_chain_find_map(to, name);

					if (k == i || idx < 0)
						continue;
					if (found++)
						return lsk_err(EINVAL, "map '%s' of object '%s': slot %d names "
							       "'%s', defined by both '%s' and '%s'", m->name,
							       o->name, s, name, x->objs[tobj]->name,
							       x->objs[k]->name);
					tobj = k;
					tidx = idx;
				}
				if (!found)
					return lsk_err(ENOENT, "map '%s' of object '%s': slot %d names %s '%s', "
						       "which no object of the chain defines", m->name,
						       o->name, s, m->slot_kind == LSK_SLOT_PROG ?
						       "program" : "map", name);
				if (m->slot_kind == LSK_SLOT_MAP && x->c->alias[tobj][tidx] >= 0) {
					int a = x->c->alias[tobj][tidx];

					tobj = x->c->alias_obj[tobj][tidx];
					tidx = a;
				}
				err = add_slot(x, i, j, s, tobj, tidx);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

static int apply_slot(struct lsk_chain_ctx *x, const struct lsk_dir_slot *d)
{
	int obj, map, tobj, tidx, err = lsk_chain_map_ref(x, &d->map, &obj, &map);
	const struct lsk_map *m;
	char a[256];

	if (err)
		return err;
	m = &x->objs[obj]->maps[map];
	lsk_chain_ref_text(&d->map, a, sizeof(a));
	if (m->slot_kind == LSK_SLOT_NONE && m->type != BPF_MAP_TYPE_PROG_ARRAY)
		return lsk_err(EINVAL, "%smap '%s' is not a prog array or map-in-map", x->where, a);
	if (d->index >= m->max_entries)
		return lsk_err(ERANGE, "%sslot %llu of map '%s' is beyond max_entries %u", x->where,
			       (unsigned long long)d->index, a, m->max_entries);
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY)
		err = lsk_chain_prog_ref(x, &d->to, &tobj, &tidx);
	else
		err = lsk_chain_map_ref(x, &d->to, &tobj, &tidx);
	return err ?: add_slot(x, obj, map, d->index, tobj, tidx);
}

static int apply_value(struct lsk_chain_ctx *x, const struct lsk_dir_value *d)
{
	int obj, map, err = lsk_chain_map_ref(x, &d->map, &obj, &map);
	struct lsk_chain_value *nv;
	const struct lsk_map *m;
	__u64 n = d->value;
	char a[256];

	if (err)
		return err;
	m = &x->objs[obj]->maps[map];
	lsk_chain_ref_text(&d->map, a, sizeof(a));
	if (m->key_size != 4 || (m->value_size != 1 && m->value_size != 2 &&
				 m->value_size != 4 && m->value_size != 8))
		return lsk_err(EINVAL, "%smap '%s': values are set for 4-byte keys and 1/2/4/8-byte "
			       "values", x->where, a);
	if (m->value_size < 8 && n >> (m->value_size * 8))
		return lsk_err(ERANGE, "%svalue %llu does not fit map '%s' (%u bytes)", x->where,
			       (unsigned long long)n, a, m->value_size);
	if ((m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
	    d->key >= m->max_entries)
		return lsk_err(ERANGE, "%skey %llu is beyond max_entries %u of map '%s'", x->where,
			       (unsigned long long)d->key, m->max_entries, a);
	if (d->key > 0xffffffffULL)
		return lsk_err(ERANGE, "%skey %llu does not fit the map's 4-byte key", x->where,
			       (unsigned long long)d->key);
	nv = realloc(x->c->values, (x->c->nr_values + 1) * sizeof(*nv));
	if (!nv)
		return lsk_err(ENOMEM, "out of memory");
	x->c->values = nv;
	nv[x->c->nr_values++] = (struct lsk_chain_value){ obj, map, (__u32)d->key, n };
	return 0;
}

static int apply_directive(struct lsk_chain_ctx *x, const struct lsk_directive *d)
{
	lsk_plan_where(d, x->where, sizeof(x->where));
	switch (d->kind) {
	case LSK_DIR_SLOT:
		return apply_slot(x, &d->slot);
	case LSK_DIR_VALUE:
		return apply_value(x, &d->value);
	case LSK_DIR_REPLACE:
		return lsk_chain_check_retyped(x, &d->fr);
	case LSK_DIR_TARGET:
		return 0;	/* taken when freplace programs are resolved */
	}
	return lsk_err(EINVAL, "%sdirective kind %d is none of slot, value, target, replace",
		       x->where, d->kind);
}

/* Object @i's programs hold code of another object @j not placed yet (compose.c): -1 if
 * none. The composed code names @j's maps, so @j loads first. */
static int composed_dep(struct lsk_chain_ctx *x, size_t i, const bool *placed)
{
	const struct lsk_obj *o = x->objs[i];
	size_t p, r;

	for (p = 0; p < o->nr_progs; p++) {
		if (!lsk_prog_is_entry(&o->progs[p]))
			continue;
		for (r = 0; r < o->progs[p].nr_refs; r++) {
			int j = o->progs[p].refs[r].obj;

			if (j >= 0 && (size_t)j != i && !placed[j])
				return j;
		}
	}
	return -1;
}

/* Kahn's algorithm over "freplace program's object after its target's" and "a caller of
 * another object's program after that object", stable. */
static int order_objects(struct lsk_chain_ctx *x)
{
	size_t i, j, done = 0;
	bool *placed = calloc(x->n, sizeof(bool));

	if (!placed)
		return lsk_err(ENOMEM, "out of memory");
	while (done < x->n) {
		bool progress = false;

		for (i = 0; i < x->n; i++) {
			bool ready = !placed[i];

			for (j = 0; ready && j < x->c->nr_targets; j++)
				if (x->c->targets[j].obj == (int)i && x->c->targets[j].tobj != (int)i &&
				    !placed[x->c->targets[j].tobj])
					ready = false;
			if (ready && composed_dep(x, i, placed) >= 0)
				ready = false;
			if (ready) {
				placed[i] = true;
				x->c->order[done++] = i;
				progress = true;
				break;
			}
		}
		if (!progress) {
			char cyc[512] = "";

			for (i = 0; i < x->c->nr_targets; i++) {
				const struct lsk_chain_target *t = &x->c->targets[i];

				if (!placed[t->obj])
					snprintf(cyc + strlen(cyc), sizeof(cyc) - strlen(cyc),
						 "%s'%s' needs '%s' (%s '%s')", cyc[0] ? ", " : "",
						 x->objs[t->obj]->name, x->objs[t->tobj]->name,
						 x->objs[t->obj]->progs[t->prog].dyn_target ?
						 "dynamic link of" : "freplace target of",
						 x->objs[t->obj]->progs[t->prog].attach_target);
			}
			for (i = 0; i < x->n; i++) {
				int j = placed[i] ? -1 : composed_dep(x, i, placed);

				if (j >= 0)
					snprintf(cyc + strlen(cyc), sizeof(cyc) - strlen(cyc),
						 "%s'%s' needs '%s' (calls its program)",
						 cyc[0] ? ", " : "", x->objs[i]->name, x->objs[j]->name);
			}
			free(placed);
			return lsk_err(ELOOP, "dependency cycle between objects: %s", cyc);
		}
	}
	free(placed);
	return 0;
}

int lsk_chain_resolve(struct lsk_obj **objs, size_t n, const struct lsk_plan *plan,
		      struct lsk_chain **cp)
{
	static const struct lsk_plan none;
	struct lsk_chain *c = calloc(1, sizeof(*c));
	struct lsk_chain_ctx x = { .objs = objs, .n = n, .c = c, .p = plan ?: &none };
	size_t i, j;
	int err = 0;

	if (!c)
		return lsk_err(ENOMEM, "out of memory");
	c->n = n;
	c->order = calloc(n + 1, sizeof(int));
	c->alias = calloc(n + 1, sizeof(int *));
	c->alias_obj = calloc(n + 1, sizeof(int *));
	if (!c->order || !c->alias || !c->alias_obj) {
		err = lsk_err(ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(objs[i]->name, objs[j]->name)) {
				err = lsk_err(EINVAL, "two objects are named '%s' (%s and %s): the "
					      "skeleton names objects by file name", objs[i]->name,
					      objs[j]->path, objs[i]->path);
				goto out;
			}
		c->alias[i] = malloc((objs[i]->nr_maps + 1) * sizeof(int));
		c->alias_obj[i] = malloc((objs[i]->nr_maps + 1) * sizeof(int));
		if (!c->alias[i] || !c->alias_obj[i]) {
			err = lsk_err(ENOMEM, "out of memory");
			goto out;
		}
		for (j = 0; j < objs[i]->nr_maps; j++)
			c->alias[i][j] = c->alias_obj[i][j] = -1;
	}
	err = lsk_chain_freplace(&x);
	err = err ?: order_objects(&x);
	err = err ?: share_maps(&x);
	err = err ?: extern_slots(&x);
	for (i = 0; !err && i < x.p->nr_dirs; i++)
		err = apply_directive(&x, &x.p->dirs[i]);
out:
	if (err) {
		lsk_chain_free(c);
		return err;
	}
	*cp = c;
	return 0;
}

void lsk_chain_free(struct lsk_chain *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		if (c->alias)
			free(c->alias[i]);
		if (c->alias_obj)
			free(c->alias_obj[i]);
	}
	free(c->alias);
	free(c->alias_obj);
	free(c->order);
	free(c->slots);
	free(c->values);
	free(c->targets);
	free(c);
}

const struct lsk_chain_target *lsk_chain_target_of(const struct lsk_chain *c, int obj, int prog)
{
	size_t i;

	for (i = 0; c && i < c->nr_targets; i++)
		if (c->targets[i].obj == obj && c->targets[i].prog == prog)
			return &c->targets[i];
	return NULL;
}
