// SPDX-License-Identifier: BSD-2-Clause
/* Test input: also calls lib_score, with another bonus; its verdict depends on the score. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int lib_score(struct xdp_md *ctx, int bonus);

int b_last;

SEC("xdp")
int caller_b(struct xdp_md *ctx)
{
	b_last = lib_score(ctx, 2);
	return b_last > 1000 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
