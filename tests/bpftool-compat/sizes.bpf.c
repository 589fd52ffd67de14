// SPDX-License-Identifier: BSD-2-Clause
/* Maps sized by the user side between open and load (skel->maps.M.max_entries): a ring
 * buffer declared without a size, a hash map sized by a tool's option, a counter array. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

int inserted;
int sent;

static __always_inline void put(__u32 k)
{
	__u64 v = k;

	if (!bpf_map_update_elem(&flows, &k, &v, BPF_ANY))
		inserted++;
}

SEC("xdp")
int sizes(struct xdp_md *ctx)
{
	__u64 v = 1;

	put(0); put(1); put(2); put(3); put(4); put(5); put(6); put(7); put(8); put(9);
	if (!bpf_ringbuf_output(&events, &v, sizeof(v), 0))
		sent++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
