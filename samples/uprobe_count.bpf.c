// SPDX-License-Identifier: BSD-2-Clause
/* A uprobe and a uretprobe on a function of the process that attaches them, auto-attached
 * by __attach (the runtime finds the function's file offset in the ELF itself). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 calls = 0;
__s64 last_arg = 0;
__s64 last_ret = 0;

SEC("uprobe//proc/self/exe:lskel_uprobe_target")
int BPF_KPROBE(on_call, int x)
{
	__sync_fetch_and_add(&calls, 1);
	last_arg = x;
	return 0;
}

SEC("uretprobe//proc/self/exe:lskel_uprobe_target")
int BPF_KRETPROBE(on_return, int ret)
{
	last_ret = ret;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
