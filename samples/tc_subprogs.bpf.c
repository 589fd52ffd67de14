// SPDX-License-Identifier: BSD-2-Clause
/* TC classifier built from several global (independently verified) and static subprograms. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

__u64 classified[3] = {};
const volatile __u32 drop_above = 1000;

__noinline int len_class(__u32 len)
{
	if (len < 100)
		return 0;
	if (len < drop_above)
		return 1;
	return 2;
}

static __noinline int verdict_for(int class)
{
	return class == 2 ? TC_ACT_SHOT : TC_ACT_OK;
}

__noinline int account(struct __sk_buff *skb)
{
	__u32 c;

	if (!skb)
		return 0;
	c = len_class(skb->len);
	/* global functions are verified alone: their result is unknown to the verifier, so
	 * keep the bound check clang would otherwise drop */
	asm volatile("" : "+r"(c));
	if (c < 3)
		__sync_fetch_and_add(&classified[c], 1);
	return verdict_for(c);
}

SEC("tc")
int classify(struct __sk_buff *skb)
{
	return account(skb);
}

char LICENSE[] SEC("license") = "GPL";
