/* SPDX-License-Identifier: BSD-2-Clause */
/* NAME.subskel.h: typed access to a BPF library's variables, maps and programs inside the
 * skeleton of any object it was linked into, bound by name through that skeleton's
 * manifest. */
#ifndef LSK_EMIT_SUBSKEL_H
#define LSK_EMIT_SUBSKEL_H

#include <stdio.h>
#include "obj.h"

/* Write the subskeleton named @name for library object @obj to @f. */
int lsk_emit_subskel(FILE *f, const char *name, const struct lsk_obj *obj);

#endif
