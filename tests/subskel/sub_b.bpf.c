// SPDX-License-Identifier: BSD-2-Clause
/* Another program linked with sublib.bpf.c (before it), with globals of another shape. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int lib_account(struct xdp_md *ctx);

char b_scratch[100];
__u32 b_seen;
volatile const __u64 b_tag = 0xb;
volatile const __u16 b_small = 1;

SEC("xdp")
int prog_b(struct xdp_md *ctx)
{
	b_seen++;
	b_scratch[b_seen & 63] = (char)b_tag;
	return lib_account(ctx) ? XDP_DROP : XDP_PASS + b_small - 1;
}

char LICENSE[] SEC("license") = "GPL";
