// SPDX-License-Identifier: BSD-2-Clause
/* Programs attached one by one through NAME__PROG__attach: getppid() calls of one process,
 * counted from a raw tracepoint (bpftool 7.1 attaches those too) and from a tracepoint
 * (lskel only: bpftool 7.1's NAME__PROG__attach returns 0 for it, attaching nothing). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NR_GETPPID 110	/* x86_64 */

const volatile int target_pid;
long raw_hits;
long tp_hits;

static int mine(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == (__u32)target_pid;
}

SEC("raw_tp/sys_enter")
int on_raw(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] == NR_GETPPID && mine())
		raw_hits++;
	return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int on_tp(void *ctx)
{
	if (mine())
		tp_hits++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
