// SPDX-License-Identifier: BSD-2-Clause
/* CO-RE reads: field offsets, field existence and type existence relocated by the kernel. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* kconfig externs: filled at load time from the running kernel's config */
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_LSKEL_NEVER_SET __kconfig __weak;

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
__u32 kernel_version = 0;
__s32 config_hz = 0;
__u32 bpf_syscall = 0;
__u32 never_set = 7;

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
	kernel_version = LINUX_KERNEL_VERSION;
	config_hz = CONFIG_HZ;
	bpf_syscall = CONFIG_BPF_SYSCALL;
	never_set = CONFIG_LSKEL_NEVER_SET;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
