// SPDX-License-Identifier: BSD-2-Clause
/* Counters for attach tests: XDP (per IP protocol), cgroup skb egress, and a raw tracepoint
 * that counts one process's getpid calls. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} xdp_proto SEC(".maps");

__u64 cgroup_egress = 0;
__u64 getpid_calls = 0;
const volatile __u32 watch_tgid = 0;

SEC("xdp")
int count_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 proto;
	__u64 *v;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(0x0800))
		return XDP_PASS;
	proto = ip->protocol;
	v = bpf_map_lookup_elem(&xdp_proto, &proto);
	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&cgroup_egress, 1);
	return 1;
}

SEC("raw_tp/sys_enter")
int count_getpid(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] == 39 /* __NR_getpid, x86-64 */ &&
	    bpf_get_current_pid_tgid() >> 32 == watch_tgid)
		__sync_fetch_and_add(&getpid_calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
