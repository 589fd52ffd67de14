// SPDX-License-Identifier: BSD-2-Clause
/* Test input: defines 'shared_cnt' with 4 entries (mismatch_b.bpf.c has 8). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} shared_cnt SEC(".maps");

SEC("xdp")
int use_a(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&shared_cnt, &k) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
