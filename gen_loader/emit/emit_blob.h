/* SPDX-License-Identifier: BSD-2-Clause */
/* NAME.lskel: the container file lskel-run loads (include/lskel/container.h). */
#ifndef LSK_EMIT_BLOB_H
#define LSK_EMIT_BLOB_H

#include <stdio.h>
#include "compile.h"
#include "trace.h"

int lsk_emit_container(FILE *f, const char *name, const struct lsk_trace *t,
		       const struct lsk_loader *l);

#endif
