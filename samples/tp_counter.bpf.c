// SPDX-License-Identifier: BSD-2-Clause
/* Tracepoint counter: global data in every section kind, a const-volatile config in .rodata,
 * struct-typed globals in .rodata and .bss, custom .data.X / .rodata.X sections. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct cfg {
	__u32 tgid_filter;
	__u32 step;
	char tag[8];
};

struct stats {
	__u64 hits;
	__u64 last_pid;
	__u32 seen_filtered;
};

const volatile struct cfg settings = { .tgid_filter = 0, .step = 1, .tag = "lskel" };
const volatile __u64 scale = 3;
struct stats stats = {};
__u64 total_hits = 0;
__u64 data_seed = 0x1234;
__u32 custom_counter SEC(".data.custom") = 7;
const volatile __u32 custom_limit SEC(".rodata.limits") = 1000;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int count_getpid(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *v;

	if (settings.tgid_filter && tgid != settings.tgid_filter) {
		__sync_fetch_and_add(&stats.seen_filtered, 1);
		return 0;
	}
	v = bpf_map_lookup_elem(&counts, &tgid);
	if (v)
		__sync_fetch_and_add(v, settings.step);
	else
		bpf_map_update_elem(&counts, &tgid, &one, BPF_NOEXIST);
	__sync_fetch_and_add(&stats.hits, 1);
	stats.last_pid = tgid;
	total_hits += scale;
	data_seed ^= tgid;
	if (custom_counter < custom_limit)
		custom_counter++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
