// SPDX-License-Identifier: BSD-2-Clause
/* A CONFIG_* extern: its value comes from the kernel's config when the skeleton loads. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_HZ __kconfig;

int hz;

SEC("xdp")
int kconfig(struct xdp_md *ctx)
{
	hz = CONFIG_HZ;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
