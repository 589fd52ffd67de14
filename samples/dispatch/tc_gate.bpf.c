// SPDX-License-Identifier: BSD-2-Clause
/* A tc component (tc.spec): TC_ACT_OK for packets up to 100 bytes, TC_ACT_SHOT above. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

__u64 runs = 0;

SEC("tc")
int tc_gate(struct __sk_buff *skb)
{
	runs++;
	return skb->len > 100 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
