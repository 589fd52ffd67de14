// SPDX-License-Identifier: BSD-2-Clause
/* Pipeline stage A: counts, then tail-calls stage B, a program of another object. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "pipe_common.h"

extern int stage_b(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} a_next SEC(".maps") = {
	.values = { [0] = (void *)&stage_b },
};

SEC("xdp")
int stage_a(struct xdp_md *ctx)
{
	pipe_hit(0);
	bpf_tail_call(ctx, &a_next, 0);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
