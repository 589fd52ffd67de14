// SPDX-License-Identifier: BSD-2-Clause
/* Array-of-maps and hash-of-maps with static initialisers naming inner maps. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner inner_a SEC(".maps");
struct inner inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer_arr SEC(".maps") = {
	.values = { &inner_a, &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 16);
		__type(key, __u32);
		__type(value, __u32);
	});
} outer_hash SEC(".maps");

SEC("socket")
int mim_filter(struct __sk_buff *skb)
{
	__u32 slot = skb->len & 1, zero = 0;
	__u64 *v;
	void *in;

	in = bpf_map_lookup_elem(&outer_arr, &slot);
	if (!in)
		return 0;
	v = bpf_map_lookup_elem(in, &zero);
	if (v)
		__sync_fetch_and_add(v, 1);
	in = bpf_map_lookup_elem(&outer_hash, &slot);
	if (in) {
		__u32 *c = bpf_map_lookup_elem(in, &zero);

		if (c)
			__sync_fetch_and_add(c, 1);
	}
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
