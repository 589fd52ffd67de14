// SPDX-License-Identifier: BSD-2-Clause
/* Component 2: UDP to the port in .rodata (9, "discard") is XDP_DROP, the rest XDP_PASS. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "chain_common.h"

const volatile __u16 blocked_port = 9;

SEC("xdp")
int filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) <= end && ip->protocol == 17 && ip->ihl == 5 &&
	    udp->dest == bpf_htons(blocked_port))
		return chain_next(ctx, 2, XDP_DROP);
	return chain_next(ctx, 2, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
