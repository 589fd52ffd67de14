// SPDX-License-Identifier: BSD-2-Clause
/* Test input: declares lib_score with a long second parameter: a prototype mismatch. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int lib_score(struct xdp_md *ctx, long bonus);

SEC("xdp")
int caller_m(struct xdp_md *ctx)
{
	return lib_score(ctx, 3) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
