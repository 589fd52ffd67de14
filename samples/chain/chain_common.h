/* SPDX-License-Identifier: BSD-2-Clause */
/* Chain-by-return-code: every component ends with chain_next(ctx, its id, its verdict). The
 * route map says, per (component, verdict), which prog-array slot runs next (slot + 1; 0:
 * stop and return the verdict). The loader fills the slots and the routes from the chain
 * manifest (dispatch.chain). Identical definitions in each object: one map each at run time. */
#ifndef CHAIN_COMMON_H
#define CHAIN_COMMON_H

#define CHAIN_MAX 8

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, CHAIN_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} chain_progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CHAIN_MAX * 8);
	__type(key, __u32);
	__type(value, __u32);
} chain_route SEC(".maps");

/* chain_stats[id]: runs of component id; chain_stats[CHAIN_MAX]: the path of the last
 * packet, one octal digit (id + 1) per component, in order. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CHAIN_MAX + 1);
	__type(key, __u32);
	__type(value, __u64);
} chain_stats SEC(".maps");

static __always_inline int chain_next(struct xdp_md *ctx, __u32 me, int verdict)
{
	__u32 key = me, path_key = CHAIN_MAX, *next;
	__u64 *v;

	v = bpf_map_lookup_elem(&chain_stats, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	v = bpf_map_lookup_elem(&chain_stats, &path_key);
	if (v)
		*v = *v * 8 + me + 1;
	key = me * 8 + (verdict & 7);
	next = bpf_map_lookup_elem(&chain_route, &key);
	if (next && *next)
		bpf_tail_call(ctx, &chain_progs, *next - 1);
	return verdict;
}

#endif
