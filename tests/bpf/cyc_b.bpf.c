// SPDX-License-Identifier: BSD-2-Clause
/* Test input: replaces fa of cyc_a while cyc_a replaces fb of this object: a cycle. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__noinline int fb(struct xdp_md *ctx)
{
	return ctx ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int main_b(struct xdp_md *ctx)
{
	return fb(ctx);
}

SEC("freplace/fa")
int repl_fa(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
