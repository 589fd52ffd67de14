// SPDX-License-Identifier: BSD-2-Clause
/* Test input: a program that calls another object's program (dsp_count's count) and is
 * itself called by nest_root: composition two levels deep, the inner one spliced first. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int count(struct xdp_md *ctx);

SEC("xdp")
int outer(struct xdp_md *ctx)
{
	return count(ctx) == 0 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
