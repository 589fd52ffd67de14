// SPDX-License-Identifier: BSD-2-Clause
/* bpf_loop with a static callback (ld_imm64 BPF_PSEUDO_FUNC) and a callback context. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct loop_ctx {
	__u64 sum;
	__u32 limit;
};

__u32 iterations = 10;
__u64 result = 0;

static long add_index(__u32 index, void *data)
{
	struct loop_ctx *lc = data;

	if (index >= lc->limit)
		return 1;
	lc->sum += index;
	return 0;
}

SEC("xdp")
int loop_sum(struct xdp_md *ctx)
{
	struct loop_ctx lc = { .sum = 0, .limit = iterations };

	bpf_loop(64, add_index, &lc, 0);
	result = lc.sum;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
