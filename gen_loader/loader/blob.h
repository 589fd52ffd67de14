/* SPDX-License-Identifier: BSD-2-Clause */
/* Trace -> data blob: header, step table, fd table, input area, chunks (loader_abi.h). */
#ifndef LSK_BLOB_H
#define LSK_BLOB_H

#include <stddef.h>
#include <lskel/loader_abi.h>
#include <lskel/runtime.h>
#include "trace.h"

struct lsk_blob {
	unsigned char *data;
	__u32 size;		/* mask + 1 + LSKEL_BLOB_TAIL */
	__u32 mask;		/* 2^k - 1 covering every offset a step names */
	__u32 nr_steps, steps_off;
	__u32 nr_ops, fdtab_off;
	__u32 inputs_off, inputs_size;
	__u32 *chunk_off;	/* per trace chunk */
	__u32 *kcfg_input_off;	/* per trace op: offset of its kconfig values in the input area */
	__u32 kcfg_inputs_off;	/* start of the kconfig part of the input area (after slots) */
};

/* Lay out @t as a blob. Returns 0 or a negative errno with lsk_errmsg() set. */
int lsk_blob_build(const struct lsk_trace *t, struct lsk_blob **bp);
void lsk_blob_free(struct lsk_blob *b);

#endif
