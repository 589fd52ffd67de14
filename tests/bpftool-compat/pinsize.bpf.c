// SPDX-License-Identifier: BSD-2-Clause
/* A map pinned by name (LIBBPF_PIN_BY_NAME) whose size the user side sets. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, 1);	/* LIBBPF_PIN_BY_NAME */
} lsk_compat_sized SEC(".maps");

SEC("xdp")
int pinsize(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 one = 1;

	bpf_map_update_elem(&lsk_compat_sized, &k, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
