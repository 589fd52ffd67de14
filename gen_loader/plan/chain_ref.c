// SPDX-License-Identifier: BSD-2-Clause
/* The chain's "[obj:]name" references (chain_ref.h): a map or program unique in the chain,
 * or in the object a reference names, with messages that quote the directive. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "chain_ref.h"
#include "err.h"

int lsk_chain_find_map(const struct lsk_obj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++)
		if (o->maps[i].kind == LSK_MAP_USER && !strcmp(o->maps[i].name, name))
			return i;
	return -1;
}

int lsk_chain_find_prog(const struct lsk_obj *o, const char *name)
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

/* A reference's object: -1 when it names none. */
static int split_ref(struct lsk_chain_ctx *x, const struct lsk_plan_ref *ref, int *obj)
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
static int ref_lookup(struct lsk_chain_ctx *x, const struct lsk_plan_ref *ref, bool is_map, int *obj,
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
		k = is_map ? lsk_chain_find_map(x->objs[i], name) :
			     lsk_chain_find_prog(x->objs[i], name);
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

int lsk_chain_map_ref(struct lsk_chain_ctx *x, const struct lsk_plan_ref *ref, int *obj,
		      int *map)
{
	return ref_lookup(x, ref, true, obj, map);
}

int lsk_chain_prog_ref(struct lsk_chain_ctx *x, const struct lsk_plan_ref *ref, int *obj,
		       int *prog)
{
	return ref_lookup(x, ref, false, obj, prog);
}

/* A reference as written, for messages. */
const char *lsk_chain_ref_text(const struct lsk_plan_ref *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", r->obj ?: "", r->obj ? ":" : "", r->name);
	return buf;
}
