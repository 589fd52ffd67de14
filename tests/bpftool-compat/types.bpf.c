// SPDX-License-Identifier: BSD-2-Clause
/* Global data of C's base types: the user side prints them with the formats C gives them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long hits;
unsigned int calls;
unsigned long bytes;
short level = -2;
char tag[8] = "compat";
_Bool seen;
const volatile long long limit = 1000;

SEC("xdp")
int types(struct xdp_md *ctx)
{
	hits++;
	calls += 2;
	bytes += ctx->data_end - ctx->data;
	seen = hits < limit;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
