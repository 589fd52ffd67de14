// SPDX-License-Identifier: BSD-2-Clause
/* Component 1: only IPv4 goes on (XDP_PASS); anything else is XDP_DROP. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "chain_common.h"

SEC("xdp")
int parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(0x0800))
		return chain_next(ctx, 1, XDP_DROP);
	return chain_next(ctx, 1, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
