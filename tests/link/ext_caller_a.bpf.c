// SPDX-License-Identifier: BSD-2-Clause
/* Test input: calls lib_score of ext_lib.bpf.c, declared extern. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int lib_score(struct xdp_md *ctx, int bonus);

int a_last;

SEC("xdp")
int caller_a(struct xdp_md *ctx)
{
	a_last = lib_score(ctx, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
