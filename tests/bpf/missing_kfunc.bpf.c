// SPDX-License-Identifier: BSD-2-Clause
/* Test input: calls a kfunc no kernel has, declared strong: the load must fail naming it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern void lskel_kfunc_missing(void) __ksym;

SEC("syscall")
int calls_missing(void *ctx)
{
	lskel_kfunc_missing();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
