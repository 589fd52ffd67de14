// SPDX-License-Identifier: BSD-2-Clause
/* Test input: calls nest_outer's program outer (which calls dsp_count's count); given
 * last, so outer has had count spliced into it before it is spliced here. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int outer(struct xdp_md *ctx);

__u64 root_runs = 0;

SEC("xdp")
int nest_root(struct xdp_md *ctx)
{
	root_runs++;
	return outer(ctx) == XDP_PASS ? XDP_TX : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
