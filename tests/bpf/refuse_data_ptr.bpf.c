// SPDX-License-Identifier: BSD-2-Clause
/* Test input: global data initialised with an address (.rel.data): libbpf skips such a
 * relocation with an info line; lskel refuses it by name. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

int counter;
int *counter_ptr = &counter;

SEC("xdp")
int data_ptr(struct xdp_md *ctx)
{
	counter++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
