// SPDX-License-Identifier: BSD-2-Clause
/* A typeless ksym (function address via kallsyms) and typed kernel functions (kfuncs),
 * one of them weak and absent from every kernel. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lskel_compat.bpf.h"

extern const void bpf_prog_put __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void lskel_kfunc_that_never_existed(void) __ksym __weak;

__u64 prog_put_addr = 0;
__s32 acquired_pid = -1;
__u32 missing_kfunc_exists = 1;

SEC("syscall")
int ksym_probe(void *ctx)
{
	struct task_struct *t;

	prog_put_addr = (__u64)&bpf_prog_put;
	missing_kfunc_exists = bpf_ksym_exists(lskel_kfunc_that_never_existed);
	bpf_rcu_read_lock();
	t = bpf_task_acquire(bpf_get_current_task_btf());
	bpf_rcu_read_unlock();
	if (!t)
		return 1;
	acquired_pid = t->pid;
	bpf_task_release(t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
