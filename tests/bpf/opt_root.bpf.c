// SPDX-License-Identifier: BSD-2-Clause
/* A SEC("?...") program (autoload off: left out unless asked) beside one always loaded.
 * The optional one calls a global function, slot0, so that an freplace could name it
 * (samples/chain/xdisp_comp_a.bpf.c): a chain with that freplace is refused at generation,
 * and lskel-run reports the optional program as not loaded. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 kept_runs = 0;

__noinline int slot0(struct xdp_md *ctx)
{
	volatile int ret = XDP_PASS;

	return ctx ? ret : XDP_ABORTED;
}

SEC("?xdp")
int opt_root(struct xdp_md *ctx)
{
	return slot0(ctx);
}

SEC("xdp")
int kept(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&kept_runs, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
