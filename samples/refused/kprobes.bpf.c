// SPDX-License-Identifier: BSD-2-Clause
/* A kprobe and a kretprobe on do_unlinkat, auto-attached by __attach through the kprobe PMU
 * (this kernel has no kprobes; Debian's 6.1 has). Counts the unlinks of one process. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 watch_tgid = 0;
__u64 unlinks = 0, returns = 0;
__s64 last_ret = 0;

static __always_inline bool watched(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == watch_tgid;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd)
{
	if (watched())
		__sync_fetch_and_add(&unlinks, 1);
	return 0;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(after_unlink, int ret)
{
	if (watched()) {
		__sync_fetch_and_add(&returns, 1);
		last_ret = ret;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
