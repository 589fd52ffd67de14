// SPDX-License-Identifier: BSD-2-Clause
/* USDT programs the runtime must refuse at attach, each with a message naming the binary, the
 * probe and what is wrong (tests/test_usdt.c attaches them one at a time). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

char LICENSE[] SEC("license") = "GPL";

__u64 hits;

#define REFUSED(fn, sec)				\
	SEC(sec)					\
	int fn(struct pt_regs *ctx)			\
	{						\
		long v = 0;				\
							\
		bpf_usdt_arg(ctx, 0, &v);		\
		__sync_fetch_and_add(&hits, 1);		\
		return 0;				\
	}

REFUSED(no_binary, "usdt/lskel_no_such_binary:lskel_test:consts")
REFUSED(no_probe, "usdt/lskel_usdt_target:lskel_test:nope")
REFUSED(no_provider, "usdt/lskel_usdt_target:other:consts")
REFUSED(bad_index, "usdt/lskel_usdt_target:lskel_test:bad_index")
REFUSED(bad_xmm, "usdt/lskel_usdt_target:lskel_test:bad_xmm")
REFUSED(bad_many, "usdt/lskel_usdt_target:lskel_test:bad_many")
REFUSED(no_notes, "usdt//proc/self/exe:lskel_test:consts")
REFUSED(not_elf, "usdt//proc/self/cmdline:lskel_test:consts")
REFUSED(bad_target, "usdt/lskel_usdt_target:lskel_test")
