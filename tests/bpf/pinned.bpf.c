// SPDX-License-Identifier: BSD-2-Clause
/* Test input: maps pinned by name (LIBBPF_PIN_BY_NAME), one of them a perf event array sized
 * by the number of CPUs, next to a private map; the XDP program counts packets in the
 * pinned hash so a second load that reuses the pin sees the first one's counts. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsk_test_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsk_test_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} private_total SEC(".maps");

__u64 seed = 7;

SEC("xdp")
int count_pkt(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&lsk_test_counts, &k), one = seed;

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&lsk_test_counts, &k, &one, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&private_total, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
