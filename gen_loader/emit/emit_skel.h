/* SPDX-License-Identifier: BSD-2-Clause */
/* NAME.lskel.h: a self-contained light skeleton around a compiled loader. */
#ifndef LSK_EMIT_SKEL_H
#define LSK_EMIT_SKEL_H

#include <stdbool.h>
#include <stdio.h>
#include "compile.h"
#include "trace.h"

/* Write the skeleton named @name for @t/@l to @f. */
int lsk_emit_skel(FILE *f, const char *name, const struct lsk_trace *t,
		  const struct lsk_loader *l);

/* A global data section the skeleton shows as skel->bss etc. (mmapable: it has a
 * non-static variable, as libbpf decides) with its BTF. */
bool lsk_map_exposed(const struct lsk_map *m);

/* C identifier from a map or section name: ".data.custom" -> "data_custom". */
void lsk_c_ident(char *out, size_t n, const char *name);

/* The manifest tables NAME__syms and NAME__handles (emit_subskel.c); returns how many
 * symbols, or a negative errno. */
int lsk_emit_manifest(FILE *f, const char *name, const struct lsk_trace *t);

/* NAME.subskel.h for library object @obj (emit_subskel.c). */
int lsk_emit_subskel(FILE *f, const char *name, const struct lsk_obj *obj);

#endif
