/* SPDX-License-Identifier: BSD-2-Clause */
/* Typed ksyms and kfuncs resolved once per load: the first reference of a (name, kind) runs
 * the BTF lookup and keeps the module BTF fd it may return; every later reference, in any
 * program of any object, reuses that result; the fd is closed once, after the PROG_LOAD of
 * the last program that uses it. */
#ifndef LSK_KSYM_SHARE_H
#define LSK_KSYM_SHARE_H

#include <stdbool.h>
#include <linux/types.h>

struct lsk_obj;

struct lsk_ksym_use {
	const char *name;	/* borrowed from the object's extern */
	__u32 kind;		/* BTF_KIND_FUNC or BTF_KIND_VAR */
	int op;			/* BTF_ID op that resolves it, -1 before the first use */
	int left;		/* references not yet recorded */
	bool weak;		/* every reference is weak */
	bool done_in_prog;	/* its last reference was recorded in the current program */
};

struct lsk_ksym_share {
	struct lsk_ksym_use *u;
	size_t n;
};

/* Count every typed ksym / kfunc reference of the entry programs of @objs. */
int lsk_ksym_share_init(struct lsk_ksym_share *s, struct lsk_obj **objs, size_t nr);
void lsk_ksym_share_free(struct lsk_ksym_share *s);
/* The entry for (@name, @kind); NULL when it was not counted. */
struct lsk_ksym_use *lsk_ksym_share_find(struct lsk_ksym_share *s, const char *name, __u32 kind);

#endif
