// SPDX-License-Identifier: BSD-2-Clause
/* Test input: a .data section of three 4 KiB pages and a bit (the loader copies a caller's
 * initial value of it in 4 KiB steps), read by the program so the section is kept. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char big[3 * 4096 + 100] = { 1 };

SEC("xdp")
int read_big(struct xdp_md *ctx)
{
	return big[sizeof(big) - 1] ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
