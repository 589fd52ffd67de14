// SPDX-License-Identifier: BSD-2-Clause
/* uprobe.multi: one link over every function of the test binary matching a glob
 * (lskel_um_target_*: four functions), and a uretprobe.multi over those matching '?'
 * (three). Calls counted per argument. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 entries[4], returns;

SEC("uprobe.multi//proc/self/exe:lskel_um_target_*")
int BPF_KPROBE(um_entry, int x)
{
	switch (x) {	/* constant indexes: clang 14's masked index does not verify */
	case 0: __sync_fetch_and_add(&entries[0], 1); break;
	case 1: __sync_fetch_and_add(&entries[1], 1); break;
	case 2: __sync_fetch_and_add(&entries[2], 1); break;
	case 3: __sync_fetch_and_add(&entries[3], 1); break;
	}
	return 0;
}

SEC("uretprobe.multi//proc/self/exe:lskel_um_target_?")
int BPF_KRETPROBE(um_return, int ret)
{
	__sync_fetch_and_add(&returns, 1);
	return 0;
}
