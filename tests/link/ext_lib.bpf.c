// SPDX-License-Identifier: BSD-2-Clause
/* Test input: a library of global functions other objects declare extern; lib_score calls
 * a static helper of its own and keeps a counter of its own. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u32 lib_score_calls;

static __noinline int scale(int x)
{
	return x * 10;
}

__noinline int lib_score(struct xdp_md *ctx, int bonus)
{
	lib_score_calls++;
	return scale((int)(ctx->data_end - ctx->data)) + bonus;
}
