// SPDX-License-Identifier: BSD-2-Clause
/* The library object of the dispatcher sample: a global function other objects declare
 * extern and get linked in statically. IPv4 protocol of an Ethernet frame, or -1. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

__attribute__((noinline)) int dsp_ipv4_proto(struct xdp_md *ctx, int want_port)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	if (!want_port)
		return ip->protocol;
	if (ip->protocol != IPPROTO_UDP || (void *)(udp + 1) > end)
		return -1;
	return bpf_ntohs(udp->dest);
}

char LICENSE[] SEC("license") = "GPL";
