/* SPDX-License-Identifier: BSD-2-Clause */
/* A load plan run: its objects opened (a dispatcher's root first, extern functions linked,
 * dynamic links composed), the freplace retyping step, the chain resolved and the trace
 * built. What `lskel gen/dump/exec` and the benchmarks do, in one place. */
#ifndef LSK_PLAN_OPEN_H
#define LSK_PLAN_OPEN_H

#include <stddef.h>
#include "obj.h"
#include "plan.h"
#include "trace.h"

/* What a plan opened: the objects in the plan's order and, once built, their trace. */
struct lsk_load {
	struct lsk_obj **objs;
	size_t n;
	struct lsk_trace *trace;	/* NULL until lsk_plan_trace */
};

/* Open the plan's objects into @l (l->trace stays NULL). */
int lsk_plan_open_objs(const struct lsk_plan *p, struct lsk_load *l);
/* The steps after opening: retype 'replace'd programs, resolve the chain, build l->trace. */
int lsk_plan_trace(const struct lsk_plan *p, struct lsk_load *l);
/* Both: the objects opened and the trace built; on error @l holds nothing. */
int lsk_plan_open(const struct lsk_plan *p, struct lsk_load *l);
/* Free the trace and the objects; @l is zeroed. */
void lsk_load_free(struct lsk_load *l);
/* Object names go into C strings of generated headers: a quote, backslash, '?' (trigraphs)
 * or control character becomes '_'. */
void lsk_objs_quotable_names(struct lsk_obj **objs, size_t n);

#endif
