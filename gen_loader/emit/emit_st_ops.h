/* SPDX-License-Identifier: BSD-2-Clause */
/* The struct_ops part of a skeleton (emit_st_ops.c), called by emit_skel.c. */
#ifndef LSK_EMIT_ST_OPS_H
#define LSK_EMIT_ST_OPS_H

#include <stdbool.h>
#include <stdio.h>
#include "compile.h"
#include "trace.h"

/* @obj has a .struct_ops or .struct_ops.link variable. */
bool lsk_has_st_ops(const struct lsk_obj *obj);
/* The caller's view of each struct_ops variable: struct PREFIX__struct_ops__VAR. */
int lsk_emit_st_ops_types(FILE *f, const char *prefix, const struct lsk_obj *obj);
/* The skel->struct_ops member of one object. */
void lsk_emit_st_ops_members(FILE *f, const char *prefix, const struct lsk_obj *obj,
			     const char *ind);
/* links.NAME_fd lines of the .struct_ops.link maps (inside the links struct; @f NULL:
 * only check that no program has the name). */
int lsk_emit_st_ops_links(FILE *f, const struct lsk_obj *obj, const char *ind);
/* The NAME__st_members* and NAME__st_ops tables; returns how many maps (0: none emitted). */
int lsk_emit_st_ops_table(FILE *f, const char *name, const struct lsk_trace *t,
			  const struct lsk_loader *l);

#endif
