/* SPDX-License-Identifier: BSD-2-Clause */
/* The manifest (loader_abi.h): built once from the trace and the blob layout, appended to
 * the blob so a signed loader's blob hash covers it. The runtime, lskel-run and lskel verify
 * read it from the blob; skeleton tables must agree with it (runtime.h, lskel_mf_agrees). */
#ifndef LSK_MANIFEST_H
#define LSK_MANIFEST_H

#include "blob.h"
#include "trace.h"

/* Append the manifest of @t, named @name, with the loader's @btf and @func_info, to the
 * blob (before its zero tail) and set manifest_off. Names the runtime would refuse are
 * refused here, by name. Returns 0 or a negative errno with lsk_errmsg() set. */
int lsk_manifest_append(const struct lsk_trace *t, const char *name, struct lsk_blob *b,
			const void *btf, __u32 btf_size, const struct bpf_func_info *func_info,
			__u32 nr_func_info);

#endif
