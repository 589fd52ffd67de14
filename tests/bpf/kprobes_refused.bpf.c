// SPDX-License-Identifier: BSD-2-Clause
/* kprobe.multi, ksyscall and usdt programs: they load on this kernel (the kprobe program type
 * serves uprobes too) but cannot attach (no fprobe, no kprobe PMU); __attach must say why. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 hits;

SEC("kprobe.multi/do_unlinkat*")
int kmulti(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("ksyscall/unlinkat")
int ksys(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("kretsyscall/unlinkat")
int kretsys(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("usdt//proc/self/exe:lskel:probe")
int usdt_probe(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
