// SPDX-License-Identifier: BSD-2-Clause
/* A second object using the conntrack kfuncs of samples/ct_lookup.bpf.c: chained after it,
 * its references reuse the first object's lookups and the module BTF fds are closed after
 * its program, the last user. XDP_PASS when the lookup answered "no such connection". */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ct_opts.h"

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

SEC("xdp")
int ct_absent(struct xdp_md *ctx)
{
	struct ct_opts12 opts = { .netns_id = -1, .l4proto = IPPROTO_TCP };
	struct bpf_sock_tuple tup = {};
	struct nf_conn *ct;

	tup.ipv4.saddr = bpf_htonl(0x7f000001);
	tup.ipv4.daddr = bpf_htonl(0x7f000001);
	tup.ipv4.sport = bpf_htons(40001);
	tup.ipv4.dport = bpf_htons(9);
	ct = bpf_xdp_ct_lookup(ctx, &tup, sizeof(tup.ipv4), (struct bpf_ct_opts *)&opts,
			       CT_OPTS_SZ);
	if (ct) {
		bpf_ct_release(ct);
		return XDP_DROP;
	}
	return opts.error == -2 ? XDP_PASS : XDP_ABORTED;	/* -ENOENT */
}

char LICENSE[] SEC("license") = "GPL";
