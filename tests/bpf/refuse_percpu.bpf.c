// SPDX-License-Identifier: BSD-2-Clause
/* Test input: per-CPU global data (.data..percpu, libbpf 1.6's per-CPU array). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

int hits SEC(".data..percpu") = 1;

SEC("xdp")
int percpu(struct xdp_md *ctx)
{
	hits++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
