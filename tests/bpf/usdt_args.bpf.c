// SPDX-License-Identifier: BSD-2-Clause
/* USDT programs on tests/usdt/target.c (found through $PATH as lskel_usdt_target, as libbpf
 * resolves a bare name), written with libbpf's usdt.bpf.h: each records how many arguments
 * its probe has and every argument's value, as bpf_usdt_arg() decodes them from the spec the
 * runtime wrote (tests/test_usdt.c compares them with what the target passed). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

char LICENSE[] SEC("license") = "GPL";

struct rec {
	__u64 hits;
	long nr;
	long args[12];
};

struct rec consts, regs, mem, frame, guarded;
long twice[3];
__u64 twice_hits;

static __always_inline int record(struct pt_regs *ctx, struct rec *r)
{
	long v;
	int i, n = bpf_usdt_arg_cnt(ctx);

	r->nr = n;
	for (i = 0; i < 12 && i < n; i++) {
		v = 0;
		if (bpf_usdt_arg(ctx, i, &v))
			v = 0x5eadbeef;	/* unreadable: a value no probe passes */
		r->args[i] = v;
	}
	__sync_fetch_and_add(&r->hits, 1);
	return 0;
}

SEC("usdt/lskel_usdt_target:lskel_test:consts")
int usdt_consts(struct pt_regs *ctx)
{
	return record(ctx, &consts);
}

SEC("usdt/lskel_usdt_target:lskel_test:regs")
int usdt_regs(struct pt_regs *ctx)
{
	return record(ctx, &regs);
}

SEC("usdt/lskel_usdt_target:lskel_test:mem")
int usdt_mem(struct pt_regs *ctx)
{
	return record(ctx, &mem);
}

SEC("usdt/lskel_usdt_target:lskel_test:frame")
int usdt_frame(struct pt_regs *ctx)
{
	return record(ctx, &frame);
}

SEC("usdt/lskel_usdt_target:lskel_test:guarded")
int usdt_guarded(struct pt_regs *ctx)
{
	return record(ctx, &guarded);
}

/* Two sites, two specs: BPF_USDT() names the arguments. */
SEC("usdt/lskel_usdt_target:lskel_test:twice")
int BPF_USDT(usdt_twice, int which, long v)
{
	if (which == 1 || which == 2)
		twice[which & 3] = v;
	__sync_fetch_and_add(&twice_hits, 1);
	return 0;
}
