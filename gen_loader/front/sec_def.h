/* SPDX-License-Identifier: BSD-2-Clause */
/* SEC() names -> program type, expected attach type and load flags (libbpf's conventions). */
#ifndef LSK_SEC_DEF_H
#define LSK_SEC_DEF_H

#include <stdbool.h>
#include <linux/types.h>

enum {
	LSK_SEC_SLEEPABLE = 1 << 0,	/* BPF_F_SLEEPABLE */
	LSK_SEC_XDP_FRAGS = 1 << 1,	/* BPF_F_XDP_HAS_FRAGS */
	LSK_SEC_ATTACH_BTF = 1 << 2,	/* attach_btf_id resolved from the name after '/' */
	LSK_SEC_PREFIX = 1 << 3,	/* "name" or "name/anything" */
};

struct lsk_sec_def {
	const char *sec;
	__u32 prog_type;
	__u32 attach_type;
	__u32 flags;
};

/* Definition matching a full SEC name, NULL when unknown. */
const struct lsk_sec_def *lsk_sec_def_find(const char *sec_name);
/* Part of @sec_name after the definition's prefix and '/', "" when none. */
const char *lsk_sec_def_target(const struct lsk_sec_def *def, const char *sec_name);
/* How a skeleton or lskel-run attaches @p without a caller-given target (enum
 * lskel_attach_kind of lskel/runtime.h; 0 when it needs one). */
struct lsk_prog;
unsigned int lsk_prog_attach_kind(const struct lsk_prog *p);
/* Printable name of a program type ("xdp", "tracepoint", ...). */
const char *lsk_prog_type_name(__u32 type);
/* Printable name of a map type. */
const char *lsk_map_type_name(__u32 type);

#endif
