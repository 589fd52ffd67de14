// SPDX-License-Identifier: BSD-2-Clause
/* A program linked with sublib.bpf.c (after it: its own globals come first). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int lib_account(struct xdp_md *ctx);

__u64 a_own[3];
volatile const __u32 a_verdict_pass = XDP_PASS;

SEC("xdp")
int prog_a(struct xdp_md *ctx)
{
	a_own[0]++;
	return lib_account(ctx) ? XDP_DROP : a_verdict_pass;
}

char LICENSE[] SEC("license") = "GPL";
