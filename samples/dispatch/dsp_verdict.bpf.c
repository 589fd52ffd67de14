// SPDX-License-Identifier: BSD-2-Clause
/* Component 4: by UDP destination port: even XDP_PASS, odd XDP_DROP, port 7 answers 9
 * (the spec lets it continue past the end: the dispatcher's final verdict). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "dsp_common.h"

extern int dsp_ipv4_proto(struct xdp_md *ctx, int want_port);

__u64 runs = 0;

SEC("xdp")
int verdict(struct xdp_md *ctx)
{
	int port = dsp_ipv4_proto(ctx, 1);

	runs++;
	dsp_step(4);
	if (port == 7)
		return 9;
	return port % 2 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
