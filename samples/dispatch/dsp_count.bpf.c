// SPDX-License-Identifier: BSD-2-Clause
/* Component 3: counts packets and bytes, always 0. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "dsp_common.h"

__u64 runs = 0;
__u64 bytes = 0;

SEC("xdp")
int count(struct xdp_md *ctx)
{
	runs++;
	bytes += ctx->data_end - ctx->data;
	dsp_step(3);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
