// SPDX-License-Identifier: BSD-2-Clause
/* Counts packets; the verdict is configured from user space before load. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 packets;
volatile const __u32 verdict = XDP_PASS;

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	packets++;
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
