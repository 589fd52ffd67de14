// SPDX-License-Identifier: BSD-2-Clause
/* Socket filter: keeps short packets, counts what it sees in a per-CPU array. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pkt_stats SEC(".maps");

const volatile __u32 snap_len = 64;

SEC("socket")
int short_only(struct __sk_buff *skb)
{
	__u32 key = skb->len > snap_len;
	__u64 *v = bpf_map_lookup_elem(&pkt_stats, &key);

	if (v)
		*v += 1;
	return key ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
