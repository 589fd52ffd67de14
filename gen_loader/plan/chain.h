/* SPDX-License-Identifier: BSD-2-Clause */
/* Chained loads: several objects in one trace. Resolves what objects share or name of each
 * other (same-named maps, prog-array / map-in-map slots, freplace targets, declared slots and
 * map values) and the order to load them in. */
#ifndef LSK_CHAIN_H
#define LSK_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include "obj.h"
#include "plan.h"

/* A slot filled across objects: map (obj, map) slot <- program or map (tobj, tidx). */
struct lsk_chain_slot {
	int obj, map;
	__u32 slot;
	int tobj, tidx;
};

/* A map value declared in the manifest. */
struct lsk_chain_value {
	int obj, map;
	__u32 key;
	__u64 value;
};

/* freplace: program (obj, prog) replaces function `func` of program (tobj, tprog). */
struct lsk_chain_target {
	int obj, prog;
	int tobj, tprog;
	__u32 btf_id;		/* FUNC id in the target object's BTF */
};

struct lsk_chain {
	size_t n;
	int *order;		/* objects in load order (indices into the caller's array) */
	int **alias;		/* per object, per map: index of the owner's map, or -1 */
	int **alias_obj;	/* per object, per map: owner object, or -1 */
	struct lsk_chain_slot *slots;
	size_t nr_slots;
	struct lsk_chain_value *values;
	size_t nr_values;
	struct lsk_chain_target *targets;
	size_t nr_targets;
};

/* Resolve the plan's chain over @objs (opened in the order of the plan's objects): shared
 * maps, slots, values, freplace targets, load order. @plan may be NULL (no directives). A
 * plan with 'replace' directives needs lsk_plan_retype_replaced first. */
int lsk_chain_resolve(struct lsk_obj **objs, size_t n, const struct lsk_plan *plan,
		      struct lsk_chain **cp);
/* The plan step that rewrites the object model: each program a 'replace' directive names
 * becomes an freplace (BPF_PROG_TYPE_EXT) of the directive's function. */
int lsk_plan_retype_replaced(const struct lsk_plan *plan, struct lsk_obj **objs, size_t n);
/* Free a resolved chain (NULL is fine). */
void lsk_chain_free(struct lsk_chain *c);
/* The freplace target of program @prog of object @obj, NULL if none. */
const struct lsk_chain_target *lsk_chain_target_of(const struct lsk_chain *c, int obj, int prog);

#endif
