// SPDX-License-Identifier: BSD-2-Clause
/* Trampoline-based programs (this kernel refuses them with EPERM): fentry, fexit and an LSM
 * hook, auto-attached by __attach where the kernel allows them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 unlinks = 0, opens = 0, exits = 0;

SEC("fentry/do_unlinkat")
int BPF_PROG(on_unlink, int dfd, struct filename *name)
{
	__sync_fetch_and_add(&unlinks, 1);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(after_unlink, int dfd, struct filename *name, long ret)
{
	__sync_fetch_and_add(&exits, 1);
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(on_open, struct file *file)
{
	__sync_fetch_and_add(&opens, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
