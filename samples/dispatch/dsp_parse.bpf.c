// SPDX-License-Identifier: BSD-2-Clause
/* Component 1: XDP_PASS for IPv4, XDP_DROP for a frame too short for Ethernet + IPv4,
 * 7 for IPv6 (the spec sends it to its default), XDP_DROP for anything else. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#include "dsp_common.h"

__u64 runs = 0;

SEC("xdp")
int parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	runs++;
	dsp_step(1);
	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return 7;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || data + 34 > end)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
