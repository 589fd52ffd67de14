// SPDX-License-Identifier: BSD-2-Clause
/* A libxdp-style dispatcher: the root calls placeholder global functions in order; chained
 * objects replace them with SEC("freplace/slotN") programs (EXT, attached by freplace links). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define SLOT(n) \
__noinline int slot##n(struct xdp_md *ctx) \
{ \
	volatile int ret = XDP_PASS; \
	return ctx ? ret : XDP_ABORTED; \
}
SLOT(0)
SLOT(1)
SLOT(2)

SEC("xdp")
int xdisp(struct xdp_md *ctx)
{
	int ret = slot0(ctx);

	if (ret != XDP_PASS)
		return ret;
	ret = slot1(ctx);
	if (ret != XDP_PASS)
		return ret;
	return slot2(ctx);
}

char LICENSE[] SEC("license") = "GPL";
