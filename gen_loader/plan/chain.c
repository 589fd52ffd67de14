// SPDX-License-Identifier: BSD-2-Clause
/* Chain resolution of a load plan: shared maps (with a definition check), cross-object slots,
 * the plan's directives, freplace targets, and a dependency order (freplace programs load
 * after their targets); and the plan step that retypes 'replace'd programs as freplace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "chain.h"
#include "map_def.h"
#include "err.h"

static int find_map(const struct lsk_obj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++)
		if (o->maps[i].kind == LSK_MAP_USER && !strcmp(o->maps[i].name, name))
			return i;
	return -1;
}

static int find_prog(const struct lsk_obj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nr_progs; i++)
		if (lsk_prog_is_entry(&o->progs[i]) && !strcmp(o->progs[i].name, name))
			return i;
	return -1;
}

static int find_obj(struct lsk_obj **objs, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(objs[i]->name) == len && !strncmp(objs[i]->name, name, len))
			return i;
	return -1;
}

struct ctx {
	struct lsk_obj **objs;
	size_t n;
	struct lsk_chain *c;	/* NULL while retyping (no maps resolved) */
	const struct lsk_plan *p;
	char where[1200];	/* "manifest:3: " for messages */
};

/* A reference's object: -1 when it names none. */
static int split_ref(struct ctx *x, const struct lsk_plan_ref *ref, int *obj)
{
	*obj = -1;
	if (!ref->obj)
		return 0;
	*obj = find_obj(x->objs, x->n, ref->obj, strlen(ref->obj));
	if (*obj < 0)
		return lsk_err(ENOENT, "%sno object named '%s' in the chain", x->where, ref->obj);
	return 0;
}

/* "[obj:]name" of a map (is_map) or program: unique in the chain, or in the named object.
 * A map shared by several objects counts once, at its owner, and resolves to it. */
static int ref_lookup(struct ctx *x, const struct lsk_plan_ref *ref, bool is_map, int *obj,
		      int *idx)
{
	const char *name = ref->name, *what = is_map ? "map" : "program";
	int want, err = split_ref(x, ref, &want), found = 0;
	size_t i;

	if (err)
		return err;
	for (i = 0; i < x->n; i++) {
		int k;

		if (want >= 0 && (int)i != want)
			continue;
		k = is_map ? find_map(x->objs[i], name) : find_prog(x->objs[i], name);
		if (k < 0)
			continue;
		if (is_map && x->c->alias[i][k] >= 0 && want < 0)
			continue;	/* counted at its owner */
		if (found++)
			return lsk_err(EINVAL, "%s%s '%s' is defined by several objects: name one "
				       "as OBJECT:%s", x->where, what, name, name);
		if (is_map && x->c->alias[i][k] >= 0) {
			*obj = x->c->alias_obj[i][k];
			*idx = x->c->alias[i][k];
		} else {
			*obj = i;
			*idx = k;
		}
	}
	if (!found)
		return lsk_err(ENOENT, "%sno %s '%s' in the chain", x->where, what, name);
	return 0;
}

static int map_ref(struct ctx *x, const struct lsk_plan_ref *ref, int *obj, int *map)
{
	return ref_lookup(x, ref, true, obj, map);
}

static int prog_ref(struct ctx *x, const struct lsk_plan_ref *ref, int *obj, int *prog)
{
	return ref_lookup(x, ref, false, obj, prog);
}

static int add_slot(struct ctx *x, int obj, int map, __u32 slot, int tobj, int tidx)
{
	struct lsk_chain_slot *ns = realloc(x->c->slots, (x->c->nr_slots + 1) * sizeof(*ns));

	if (!ns)
		return lsk_err(ENOMEM, "out of memory");
	x->c->slots = ns;
	ns[x->c->nr_slots++] = (struct lsk_chain_slot){ obj, map, slot, tobj, tidx };
	return 0;
}

static int share_maps(struct ctx *x)
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
				int oi = x->c->order[k], mi = find_map(x->objs[oi], m->name);
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
static int extern_slots(struct ctx *x)
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
					int idx = m->slot_kind == LSK_SLOT_PROG ?
						  find_prog(x->objs[k], name) : find_map(x->objs[k], name);

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

/* A reference as written, for messages. */
static const char *ref_text(const struct lsk_plan_ref *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", r->obj ?: "", r->obj ? ":" : "", r->name);
	return buf;
}

static int apply_slot(struct ctx *x, const struct lsk_dir_slot *d)
{
	int obj, map, tobj, tidx, err = map_ref(x, &d->map, &obj, &map);
	const struct lsk_map *m;
	char a[256];

	if (err)
		return err;
	m = &x->objs[obj]->maps[map];
	ref_text(&d->map, a, sizeof(a));
	if (m->slot_kind == LSK_SLOT_NONE && m->type != BPF_MAP_TYPE_PROG_ARRAY)
		return lsk_err(EINVAL, "%smap '%s' is not a prog array or map-in-map", x->where, a);
	if (d->index >= m->max_entries)
		return lsk_err(ERANGE, "%sslot %llu of map '%s' is beyond max_entries %u", x->where,
			       (unsigned long long)d->index, a, m->max_entries);
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY)
		err = prog_ref(x, &d->to, &tobj, &tidx);
	else
		err = map_ref(x, &d->to, &tobj, &tidx);
	return err ?: add_slot(x, obj, map, d->index, tobj, tidx);
}

static int apply_value(struct ctx *x, const struct lsk_dir_value *d)
{
	int obj, map, err = map_ref(x, &d->map, &obj, &map);
	struct lsk_chain_value *nv;
	const struct lsk_map *m;
	__u64 n = d->value;
	char a[256];

	if (err)
		return err;
	m = &x->objs[obj]->maps[map];
	ref_text(&d->map, a, sizeof(a));
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

/* A 'replace' directive's program must have been retyped (lsk_plan_retype_replaced). */
static int check_retyped(struct ctx *x, const struct lsk_dir_freplace *d)
{
	const struct lsk_prog *p;
	int obj, prog, err = prog_ref(x, &d->prog, &obj, &prog);

	if (err)
		return err;
	p = &x->objs[obj]->progs[prog];
	if (p->type != BPF_PROG_TYPE_EXT || !p->replace_func || strcmp(p->replace_func, d->func))
		return lsk_err(EINVAL, "%sprogram '%s' was not made an freplace of '%s' before the "
			       "chain was resolved (lsk_plan_retype_replaced)", x->where, p->name,
			       d->func);
	return 0;
}

static int apply_directive(struct ctx *x, const struct lsk_directive *d)
{
	lsk_plan_where(d, x->where, sizeof(x->where));
	switch (d->kind) {
	case LSK_DIR_SLOT:
		return apply_slot(x, &d->slot);
	case LSK_DIR_VALUE:
		return apply_value(x, &d->value);
	case LSK_DIR_REPLACE:
		return check_retyped(x, &d->fr);
	case LSK_DIR_TARGET:
		return 0;	/* taken when freplace programs are resolved */
	}
	return lsk_err(EINVAL, "%sdirective kind %d is none of slot, value, target, replace",
		       x->where, d->kind);
}

/* Does entry program @p of @o contain function @func (itself or a linked subprogram)? */
static bool prog_has_func(const struct lsk_obj *o, const struct lsk_prog *p, const char *func)
{
	size_t i;

	if (!strcmp(p->name, func))
		return true;
	if (!o->btf)
		return false;
	for (i = 0; i < p->nr_func_info; i++) {
		const struct btf_type *t = btf__type_by_id(o->btf, p->func_info[i].type_id);

		if (t && !strcmp(btf__name_by_offset(o->btf, t->name_off), func))
			return true;
	}
	return false;
}

/* 'replace OBJ:PROG = OBJ:PROG:FUNC': an ordinary program loaded as an freplace of FUNC of
 * another object's program, as libxdp loads its components into the dispatcher's slots. */
static int retype(struct ctx *x, const struct lsk_dir_freplace *d)
{
	struct lsk_prog *p;
	int so, sp, err = prog_ref(x, &d->prog, &so, &sp);
	char a[256];

	if (err)
		return err;
	p = &x->objs[so]->progs[sp];
	if (p->type == BPF_PROG_TYPE_EXT)
		return lsk_err(EINVAL, "%sprogram '%s' is an freplace program already: use 'target'",
			       x->where, ref_text(&d->prog, a, sizeof(a)));
	free(p->replace_func);
	p->replace_func = strdup(d->func);
	if (!p->replace_func)
		return lsk_err(ENOMEM, "out of memory");
	p->type = BPF_PROG_TYPE_EXT;
	p->expected_attach_type = 0;
	p->attach_target = p->replace_func;
	p->attach_btf = false;
	return 0;
}

int lsk_plan_retype_replaced(const struct lsk_plan *plan, struct lsk_obj **objs, size_t n)
{
	struct ctx x = { .objs = objs, .n = n, .p = plan };
	size_t i;
	int err = 0;

	for (i = 0; !err && i < plan->nr_dirs; i++) {
		if (plan->dirs[i].kind != LSK_DIR_REPLACE)
			continue;
		lsk_plan_where(&plan->dirs[i], x.where, sizeof(x.where));
		err = retype(&x, &plan->dirs[i].fr);
	}
	return err;
}

/* The target program a 'target A:P = B:Q' or 'replace A:P = B:Q:FUNC' directive gives (obj
 * i, prog j); *want_obj stays -1 when none names one. */
static int wanted_target(struct ctx *x, size_t i, size_t j, int *want_obj, int *want_prog)
{
	const struct lsk_prog *p = &x->objs[i]->progs[j];
	size_t l;

	if (p->dyn_target) {	/* --dynamic: the program that calls it */
		*want_obj = p->dyn_tobj;
		*want_prog = p->dyn_tprog;
		return 0;
	}
	for (l = 0; l < x->p->nr_dirs; l++) {
		const struct lsk_directive *d = &x->p->dirs[l];
		int so, sp, err;

		if (d->kind != LSK_DIR_TARGET && d->kind != LSK_DIR_REPLACE)
			continue;
		lsk_plan_where(d, x->where, sizeof(x->where));
		err = prog_ref(x, &d->fr.prog, &so, &sp);
		if (err)
			return err;
		if (so == (int)i && sp == (int)j) {
			err = prog_ref(x, &d->fr.target, want_obj, want_prog);
			if (err)
				return err;
		}
	}
	return 0;
}

static int resolve_freplace(struct ctx *x)
{
	size_t i, j, k, l;

	for (i = 0; i < x->n; i++) {
		const struct lsk_obj *o = x->objs[i];

		for (j = 0; j < o->nr_progs; j++) {
			const struct lsk_prog *p = &o->progs[j];
			struct lsk_chain_target t = { (int)i, (int)j, -1, -1, 0 }, *nt;
			int want_obj = -1, want_prog = -1, found = 0, id, err;
			char cand[512] = "";

			if (!lsk_prog_is_entry(p) || p->type != BPF_PROG_TYPE_EXT)
				continue;
			err = wanted_target(x, i, j, &want_obj, &want_prog);
			if (err)
				return err;
			for (k = 0; k < x->n; k++) {
				const struct lsk_obj *to = x->objs[k];

				for (l = 0; l < to->nr_progs && k != i; l++) {
					const struct lsk_prog *tp = &to->progs[l];

					if (!lsk_prog_is_entry(tp) || tp->type == BPF_PROG_TYPE_EXT ||
					    !prog_has_func(to, tp, p->attach_target))
						continue;
					if (want_obj >= 0 && (want_obj != (int)k || want_prog != (int)l))
						continue;
					found++;
					snprintf(cand + strlen(cand), sizeof(cand) - strlen(cand),
						 " %s:%s", to->name, tp->name);
					t.tobj = k;
					t.tprog = l;
				}
			}
			if (!found)
				return lsk_err(ENOENT, "program '%s' of object '%s' replaces function '%s', "
					       "which no program of another object in the chain has",
					       p->name, o->name, p->attach_target);
			if (found > 1)
				return lsk_err(EINVAL, "program '%s' of object '%s' replaces function '%s', "
					       "found in several programs:%s; choose one with 'target "
					       "%s:%s = OBJ:PROG'", p->name, o->name, p->attach_target,
					       cand, o->name, p->name);
			/* libbpf too needs an freplace's target loaded (it takes the target's
			 * fd); a SEC("?...") target may be left out at load time */
			if (x->objs[t.tobj]->progs[t.tprog].optional)
				return lsk_err(EINVAL, "program '%s' of object '%s' replaces function "
					       "'%s' of program '%s' of object '%s', which is "
					       "SEC(\"%s\"): it may be left out of the load (autoload "
					       "off), and an freplace needs its target loaded; drop "
					       "the '?' of '%s'", p->name, o->name, p->attach_target,
					       x->objs[t.tobj]->progs[t.tprog].name,
					       x->objs[t.tobj]->name,
					       x->objs[t.tobj]->progs[t.tprog].sec_name,
					       x->objs[t.tobj]->progs[t.tprog].name);
			id = x->objs[t.tobj]->btf ?
			     btf__find_by_name_kind(x->objs[t.tobj]->btf, p->attach_target,
						    BTF_KIND_FUNC) : -ENOENT;
			if (id <= 0)
				return lsk_err(ENOENT, "object '%s' has no BTF for function '%s'",
					       x->objs[t.tobj]->name, p->attach_target);
			t.btf_id = id;
			nt = realloc(x->c->targets, (x->c->nr_targets + 1) * sizeof(*nt));
			if (!nt)
				return lsk_err(ENOMEM, "out of memory");
			x->c->targets = nt;
			nt[x->c->nr_targets++] = t;
		}
	}
	return 0;
}

/* Object @i's programs hold code of another object @j not placed yet (compose.c): -1 if
 * none. The composed code names @j's maps, so @j loads first. */
static int composed_dep(struct ctx *x, size_t i, const bool *placed)
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
static int order_objects(struct ctx *x)
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
	struct ctx x = { .objs = objs, .n = n, .c = c, .p = plan ?: &none };
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
	err = resolve_freplace(&x);
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
