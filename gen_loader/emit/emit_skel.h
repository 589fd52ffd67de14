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

#endif
