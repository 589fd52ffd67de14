// SPDX-License-Identifier: BSD-2-Clause
/* SEC("?...") programs (libbpf: autoload off): in the skeleton, loaded only when the user
 * side asks between open and load. 'missing' could not load on any kernel (its attach
 * target does not exist): left out, it costs nothing. 'fast' is reached by a tail call
 * through a statically initialised prog array. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long fast_runs;

SEC("?xdp")
int fast(struct xdp_md *ctx)
{
	fast_runs++;
	return XDP_DROP;
}

SEC("?tp_btf/lskel_no_such_tracepoint")
int missing(void *ctx)
{
	return 0;
}

SEC("?raw_tp/sys_enter")
int optional_raw(void *ctx)
{
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int (void *));
} jmp SEC(".maps") = {
	.values = { [0] = (void *)&fast },
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
