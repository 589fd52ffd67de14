/* SPDX-License-Identifier: BSD-2-Clause */
/* The user-space half of sublib.bpf.c: written against sublib.subskel.h only, it works in
 * whatever program the library was linked into. */
#ifndef LIB_USER_H
#define LIB_USER_H

#include "sublib.subskel.h"

struct lib_report {
	__u64 packets, bytes;
	__u32 calls;
	__u64 seen;		/* lib_seen[len] */
};

/* Between the program's open and load: bind the library, set its config. */
struct sublib *lib_setup(struct lskel_handle *obj, __u32 min_len);
/* After load: the library's counters and one map entry. */
int lib_read(const struct sublib *lib, __u32 len, struct lib_report *r);
/* After load: write a counter the program keeps counting from. */
void lib_set_calls(struct sublib *lib, __u32 calls);

#endif
