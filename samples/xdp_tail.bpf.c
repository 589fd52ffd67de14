// SPDX-License-Identifier: BSD-2-Clause
/* XDP program with a statically initialised tail-call prog array. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int tail_pass(struct xdp_md *ctx)
{
	bump(1);
	return XDP_PASS;
}

SEC("xdp")
int tail_drop(struct xdp_md *ctx)
{
	bump(2);
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = {
		[0] = (void *)&tail_pass,
		[2] = (void *)&tail_drop,
	},
};

/* Slot chosen by packet length parity: even -> pass (slot 0), odd -> drop (slot 2). */
SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	bump(0);
	bpf_tail_call(ctx, &jmp_table, (len & 1) ? 2 : 0);
	bump(3);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
