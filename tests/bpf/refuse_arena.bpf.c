// SPDX-License-Identifier: BSD-2-Clause
/* Test input: arena global data (a section .addr_space.N, libbpf 1.4's arena map). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__attribute__((used)) int shared_counter SEC(".addr_space.1") = 1;

SEC("xdp")
int arena(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
