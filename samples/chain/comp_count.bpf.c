// SPDX-License-Identifier: BSD-2-Clause
/* Component 3: counts packets per IP protocol in its own map, then XDP_PASS. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "chain_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_count SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 proto;
	__u64 *v;

	if ((void *)(ip + 1) <= end) {
		proto = ip->protocol;
		v = bpf_map_lookup_elem(&proto_count, &proto);
		if (v)
			__sync_fetch_and_add(v, 1);
	}
	return chain_next(ctx, 3, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
