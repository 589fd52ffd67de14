/* SPDX-License-Identifier: BSD-2-Clause */
/* The runtime's description of a compiled loader, built in memory: what a generated header
 * embeds, for tools that load without generating one (bench, tests, lskel-run). */
#ifndef LSK_LOADER_DESC_H
#define LSK_LOADER_DESC_H

#include <lskel/runtime.h>
#include "compile.h"
#include "trace.h"

/* Fill @d (op tables and kconfig descriptors are allocated: lsk_loader_desc_free). No map
 * or program bindings: callers read the fd table by op. */
int lsk_loader_desc(const struct lsk_trace *t, const struct lsk_loader *l, struct lskel_desc *d);
void lsk_loader_desc_free(struct lskel_desc *d);

#endif
