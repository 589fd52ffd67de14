// SPDX-License-Identifier: BSD-2-Clause
/* Trampoline-based programs (this kernel refuses them with EPERM): fentry, fexit, an LSM hook
 * and fmod_ret, auto-attached by __attach where the kernel allows them (Debian's 6.1). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 watch_tgid = 0;
__u64 unlinks = 0, opens = 0, exits = 0, denied = 0;
__u32 deny_getsid = 0;

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

/* getsid() of the watched process fails with EPERM while deny_getsid is set: fmod_ret on a
 * security_ hook (kernels without error injection allow fmod_ret only there) */
SEC("fmod_ret/security_task_getsid")
int BPF_PROG(deny_sid, struct task_struct *p, int ret)
{
	if (!deny_getsid || (bpf_get_current_pid_tgid() >> 32) != watch_tgid)
		return ret;
	__sync_fetch_and_add(&denied, 1);
	return -1;	/* -EPERM */
}

char LICENSE[] SEC("license") = "GPL";
