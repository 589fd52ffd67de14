/* SPDX-License-Identifier: BSD-2-Clause */
/* A minimal Reno congestion control in BPF, its callbacks counted in .bss (struct_ops tests).
 * The including file declares the struct_ops variable in .struct_ops or .struct_ops.link. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* calls[0] init, [1] ssthresh, [2] cong_avoid, [3] undo_cwnd */
__u64 calls[4];

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

SEC("struct_ops/cc_init")
void BPF_PROG(cc_init, struct sock *sk)
{
	__sync_fetch_and_add(&calls[0], 1);
}

SEC("struct_ops/cc_ssthresh")
__u32 BPF_PROG(cc_ssthresh, struct sock *sk)
{
	__sync_fetch_and_add(&calls[1], 1);
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/cc_cong_avoid")
void BPF_PROG(cc_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	__sync_fetch_and_add(&calls[2], 1);
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/cc_undo_cwnd")
__u32 BPF_PROG(cc_undo_cwnd, struct sock *sk)
{
	__sync_fetch_and_add(&calls[3], 1);
	return tcp_reno_undo_cwnd(sk);
}
