/* SPDX-License-Identifier: BSD-2-Clause */
/* The skeleton's C tables (emit_skel_tables.c): the manifest serialised as labelled rows. */
#ifndef LSK_EMIT_SKEL_TABLES_H
#define LSK_EMIT_SKEL_TABLES_H

#include <stdio.h>
#include "compile.h"
#include "trace.h"

/* Prefixes: single objects keep bpftool's flat layout (skel->maps.M); in a chain every
 * object is a member (skel->OBJ.maps.M) and its types are named NAME__OBJ__bss etc. */
struct lsk_skel_names {
	char type[160];		/* NAME or NAME__OBJ */
	char member[96];	/* "" or "OBJ." */
};

/* The names of object @oi of @t in the skeleton named @name. */
void lsk_skel_names_of(const char *name, const struct lsk_trace *t, size_t oi,
		       struct lsk_skel_names *n);

/* NAME__op_cmd ... NAME__handles and NAME__desc, from @l's manifest. */
int lsk_emit_skel_tables(FILE *f, const char *name, const struct lsk_trace *t,
			 const struct lsk_loader *l);

#endif
