// SPDX-License-Identifier: BSD-2-Clause
/* A library helper as libbpf's usdt.bpf.h writes bpf_usdt_arg(): __weak __hidden, writing
 * through a pointer argument without a NULL check. Verified as a global function it is
 * refused (R3 invalid mem access 'mem_or_null'); libbpf makes it static, so the verifier
 * checks it in its caller, where the pointer is the caller's stack. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __hidden __attribute__((visibility("hidden")))

struct arg_spec {
	long val[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct arg_spec);
} specs SEC(".maps");

long sum;

__weak __hidden int lib_arg(struct xdp_md *ctx, __u64 n, long *res)
{
	struct arg_spec *s;
	int zero = 0;

	*res = 0;
	s = bpf_map_lookup_elem(&specs, &zero);
	if (!s)
		return -3;
	if (n >= 4)
		return -2;
	*res = s->val[n] + (ctx->data_end - ctx->data);
	return 0;
}

SEC("xdp")
int hidden(struct xdp_md *ctx)
{
	long v;

	if (lib_arg(ctx, 1, &v))
		return XDP_ABORTED;
	sum += v;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
