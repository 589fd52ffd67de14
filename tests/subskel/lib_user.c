// SPDX-License-Identifier: BSD-2-Clause
/* The library's user-space half (see lib_user.h). */
#include "lib_user.h"

struct sublib *lib_setup(struct lskel_handle *obj, __u32 min_len)
{
	struct sublib *lib = sublib__open(obj);

	if (!lib)
		return NULL;
	*lib->rodata.lib_min_len = min_len;
	return lib;
}

int lib_read(const struct sublib *lib, __u32 len, struct lib_report *r)
{
	union bpf_attr attr;

	r->packets = lib->bss.lib_stats->packets;
	r->bytes = lib->bss.lib_stats->bytes;
	r->calls = *lib->bss.lib_calls;
	r->seen = 0;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = lib->maps.lib_seen.map_fd;
	attr.key = lskel_ptr(&len);
	attr.value = lskel_ptr(&r->seen);
	return lskel_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)) ? -errno : 0;
}

void lib_set_calls(struct sublib *lib, __u32 calls)
{
	*lib->bss.lib_calls = calls;
}
