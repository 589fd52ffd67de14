// SPDX-License-Identifier: BSD-2-Clause
/* Replaces slot1 of the xdisp root: drops packets longer than 100 bytes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("freplace/slot1")
int comp_b(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data > 100 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
