// SPDX-License-Identifier: BSD-2-Clause
/* Test input: a pre-BTF "maps" section (struct bpf_map_def), which libbpf 1.x dropped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct legacy_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

struct legacy_def old_map SEC("maps") = { BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0 };

SEC("xdp")
int uses_nothing(void *ctx)
{
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
