// SPDX-License-Identifier: BSD-2-Clause
/* Test input: tp_btf without an attach target. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tp_btf")
int no_target(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
