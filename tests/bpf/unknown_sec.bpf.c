// SPDX-License-Identifier: BSD-2-Clause
/* Test input: a program in a section no loader knows. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("no_such_kind/x")
int mystery(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
