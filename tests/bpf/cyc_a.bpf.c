// SPDX-License-Identifier: BSD-2-Clause
/* Test input: replaces fb of cyc_b while cyc_b replaces fa of this object: a cycle. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__noinline int fa(struct xdp_md *ctx)
{
	return ctx ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int main_a(struct xdp_md *ctx)
{
	return fa(ctx);
}

SEC("freplace/fb")
int repl_fb(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
