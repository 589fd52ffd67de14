// SPDX-License-Identifier: BSD-2-Clause
/* Root of the return-code dispatcher (component 0): starts a path, hands over on XDP_PASS. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "chain_common.h"

SEC("xdp")
int disp_root(struct xdp_md *ctx)
{
	__u32 path_key = CHAIN_MAX;
	__u64 *v = bpf_map_lookup_elem(&chain_stats, &path_key);

	if (v)
		*v = 0;
	return chain_next(ctx, 0, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
