/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the three pipeline objects: one counter map, defined identically in each, which
 * a chained load turns into one kernel map. */
#ifndef PIPE_COMMON_H
#define PIPE_COMMON_H

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pipe_hits SEC(".maps");

static __always_inline void pipe_hit(__u32 stage)
{
	__u64 *v = bpf_map_lookup_elem(&pipe_hits, &stage);

	if (v)
		__sync_fetch_and_add(v, 1);
}

#endif
