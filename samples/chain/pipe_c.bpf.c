// SPDX-License-Identifier: BSD-2-Clause
/* Pipeline stage C: counts and decides: long packets are dropped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "pipe_common.h"

const volatile __u32 max_len = 100;

SEC("xdp")
int stage_c(struct xdp_md *ctx)
{
	pipe_hit(2);
	return ctx->data_end - ctx->data > max_len ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
