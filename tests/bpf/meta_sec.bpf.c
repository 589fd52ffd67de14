// SPDX-License-Identifier: BSD-2-Clause
/* Test input: data in a section of the object's own naming that no program refers to
 * (libxdp's 'features' style metadata, read by tools from the file): not loaded, and said. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__attribute__((used)) int table[4] SEC(".mytable") = { 1, 2, 3, 4 };

SEC("xdp")
int meta_sec(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
