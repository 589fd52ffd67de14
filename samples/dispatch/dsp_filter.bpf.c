// SPDX-License-Identifier: BSD-2-Clause
/* Component 2: 0 accept (UDP), 1 reject (TCP), 2 bounce (ICMP), 3 anything else. Uses the
 * library's dsp_ipv4_proto (dsp_lib.bpf.o), an extern function linked in statically. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "dsp_common.h"

extern int dsp_ipv4_proto(struct xdp_md *ctx, int want_port);

__u64 runs = 0;

SEC("xdp")
int filter(struct xdp_md *ctx)
{
	int proto = dsp_ipv4_proto(ctx, 0);

	runs++;
	dsp_step(2);
	if (proto == IPPROTO_UDP)
		return 0;
	if (proto == IPPROTO_TCP)
		return 1;
	if (proto == IPPROTO_ICMP)
		return 2;
	return 3;
}

char LICENSE[] SEC("license") = "GPL";
