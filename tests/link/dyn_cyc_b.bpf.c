// SPDX-License-Identifier: BSD-2-Clause
/* Test input: calls dyn_cyc_a's cyc_fa and defines cyc_fb, which dyn_cyc_a calls: linked
 * dynamically both ways, each object's freplace needs the other's program first. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int cyc_fa(struct xdp_md *ctx);

__noinline int cyc_fb(struct xdp_md *ctx)
{
	return ctx ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int cyc_pb(struct xdp_md *ctx)
{
	return cyc_fa(ctx);
}

char LICENSE[] SEC("license") = "GPL";
