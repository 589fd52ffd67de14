/* SPDX-License-Identifier: BSD-2-Clause */
/* What chain resolution (chain.c) and its freplace part (chain_freplace.c) share: the state of
 * one resolution and the lookup of the plan's "[obj:]name" references among its objects. */
#ifndef LSK_CHAIN_REF_H
#define LSK_CHAIN_REF_H

#include <stdbool.h>
#include <stddef.h>
#include "chain.h"

/* One resolution of a plan over its objects. */
struct lsk_chain_ctx {
	struct lsk_obj **objs;
	size_t n;
	struct lsk_chain *c;	/* NULL while retyping (no maps resolved) */
	const struct lsk_plan *p;
	char where[1200];	/* "manifest:3: " for messages */
};

/* Index of the map named @name in @o, or -1. */
int lsk_chain_find_map(const struct lsk_obj *o, const char *name);
/* Index of the entry program named @name in @o, or -1. */
int lsk_chain_find_prog(const struct lsk_obj *o, const char *name);
/* The map a reference names: unique in the chain or in its object; -errno with a message. */
int lsk_chain_map_ref(struct lsk_chain_ctx *x, const struct lsk_plan_ref *ref, int *obj,
		      int *map);
/* The program a reference names, as lsk_chain_map_ref. */
int lsk_chain_prog_ref(struct lsk_chain_ctx *x, const struct lsk_plan_ref *ref, int *obj,
		       int *prog);
/* A reference as written ("obj:name" or "name"), in @buf, for messages. */
const char *lsk_chain_ref_text(const struct lsk_plan_ref *r, char *buf, size_t n);
/* A 'replace' directive's program was retyped before the chain was resolved; -EINVAL if not. */
int lsk_chain_check_retyped(struct lsk_chain_ctx *x, const struct lsk_dir_freplace *d);
/* Every freplace program's target, into x->c->targets. */
int lsk_chain_freplace(struct lsk_chain_ctx *x);

#endif
