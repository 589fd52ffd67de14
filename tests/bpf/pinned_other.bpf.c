// SPDX-License-Identifier: BSD-2-Clause
/* Test input: pins a map under the same name as pinned.bpf.c with another size, so loading it
 * next to pinned.bpf.c's pin must be refused. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lsk_test_counts SEC(".maps");

SEC("xdp")
int other_pkt(struct xdp_md *ctx)
{
	__u32 k = 1;
	__u64 one = 1;

	bpf_map_update_elem(&lsk_test_counts, &k, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
