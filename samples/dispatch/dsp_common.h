/* SPDX-License-Identifier: BSD-2-Clause */
/* The components of the generated-dispatcher sample (dsp.spec). Each is an ordinary XDP
 * program: it builds and loads on its own, and `lskel gen --dispatcher` runs it as a step
 * of a generated root. Each counts its own runs (its .bss) and appends its id to
 * dsp_path (one map, shared by name across the objects): 1234 = parse, filter, count,
 * verdict in that order. */
#ifndef DSP_COMMON_H
#define DSP_COMMON_H

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dsp_path SEC(".maps");

static __always_inline void dsp_step(__u64 id)
{
	__u32 zero = 0;
	__u64 *p = bpf_map_lookup_elem(&dsp_path, &zero);

	if (p)
		*p = id == 1 ? 1 : *p * 10 + id;
}

#endif
