// SPDX-License-Identifier: BSD-2-Clause
/* A BPF library with a user-space half (tests/subskel/lib_user.c): counters in .bss, a
 * config in .rodata, a hash map and a helper function, linked statically into programs that
 * know nothing of its layout. -DLIB_V2 builds the next version, whose lib_calls is 64-bit. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct lib_stats {
	__u64 packets;
	__u64 bytes;
};

struct lib_stats lib_stats;
#ifdef LIB_V2
__u64 lib_calls;
#else
__u32 lib_calls;
#endif
volatile const __u32 lib_min_len = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} lib_seen SEC(".maps");

/* 1: shorter than the configured minimum (the caller drops it); 0: counted. */
__noinline int lib_account(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u64 one = 1, *v;

	lib_calls++;
	if (len < lib_min_len)
		return 1;
	__sync_fetch_and_add(&lib_stats.packets, 1);
	__sync_fetch_and_add(&lib_stats.bytes, len);
	v = bpf_map_lookup_elem(&lib_seen, &len);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&lib_seen, &len, &one, BPF_ANY);
	return 0;
}
