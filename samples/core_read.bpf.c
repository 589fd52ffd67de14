// SPDX-License-Identifier: BSD-2-Clause
/* CO-RE reads: field offsets, field existence and type existence relocated by the kernel. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___old {
	int pid_that_never_existed;
} __attribute__((preserve_access_index));

struct type_that_never_existed {
	int x;
};

__s32 seen_pid = 0;
__s32 seen_tgid = 0;
__u32 has_pid_field = 0;
__u32 has_bogus_field = 0;
__u32 has_task_type = 0;
__u32 has_bogus_type = 0;
__u32 pid_field_size = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int core_probe(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	seen_pid = BPF_CORE_READ(task, pid);
	seen_tgid = BPF_CORE_READ(task, group_leader, tgid);
	has_pid_field = bpf_core_field_exists(task->pid);
	has_bogus_field = bpf_core_field_exists(((struct task_struct___old *)task)->pid_that_never_existed);
	has_task_type = bpf_core_type_exists(struct task_struct);
	has_bogus_type = bpf_core_type_exists(struct type_that_never_existed);
	pid_field_size = bpf_core_field_size(task->pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
