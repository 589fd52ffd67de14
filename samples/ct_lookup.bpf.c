// SPDX-License-Identifier: BSD-2-Clause
/* Conntrack lookups from XDP through kfuncs. nf_conntrack is a module on most distribution
 * kernels: there bpf_xdp_ct_lookup and bpf_ct_release resolve in its module BTF at load time
 * (the fd goes into fd_array, one lookup and one fd per symbol per load, closed after the
 * last program using it is loaded); on a kernel with conntrack built in they resolve in
 * vmlinux. Both programs use the same kfuncs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ct_opts.h"

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

__u64 lookups = 0;
__u64 found = 0;
__s32 last_error = 0;

static __always_inline int ct_lookup(struct xdp_md *ctx, __u8 proto, __u16 dport)
{
	struct ct_opts12 opts = { .netns_id = -1, .l4proto = proto };
	struct bpf_sock_tuple tup = {};
	struct nf_conn *ct;

	tup.ipv4.saddr = bpf_htonl(0x7f000001);
	tup.ipv4.daddr = bpf_htonl(0x7f000001);
	tup.ipv4.sport = bpf_htons(40000);
	tup.ipv4.dport = bpf_htons(dport);
	ct = bpf_xdp_ct_lookup(ctx, &tup, sizeof(tup.ipv4), (struct bpf_ct_opts *)&opts,
			       CT_OPTS_SZ);
	__sync_fetch_and_add(&lookups, 1);
	if (ct) {
		__sync_fetch_and_add(&found, 1);
		bpf_ct_release(ct);
		return 1;
	}
	last_error = opts.error;
	return 0;
}

SEC("xdp")
int ct_tcp(struct xdp_md *ctx)
{
	ct_lookup(ctx, IPPROTO_TCP, 9);
	return XDP_PASS;
}

SEC("xdp")
int ct_udp(struct xdp_md *ctx)
{
	ct_lookup(ctx, IPPROTO_UDP, 9);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
