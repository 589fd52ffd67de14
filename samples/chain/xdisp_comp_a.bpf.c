// SPDX-License-Identifier: BSD-2-Clause
/* Replaces slot0 of the xdisp root: counts packets, lets them go on. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 seen = 0;

SEC("freplace/slot0")
int comp_a(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&seen, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
