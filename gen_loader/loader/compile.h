/* SPDX-License-Identifier: BSD-2-Clause */
/* Trace -> loader program (a fixed interpreter over the blob's step table) + its BTF. */
#ifndef LSK_COMPILE_H
#define LSK_COMPILE_H

#include <stddef.h>
#include <linux/bpf.h>
#include "blob.h"
#include "manifest.h"
#include "trace.h"
#include "sign.h"
#include <stdbool.h>

/* A loader comes in two shapes over the same blob. The loop loader (insns) is one function
 * whose step loop the kernel bounds with may_goto (6.9+): no BTF, no subprogram to JIT twice.
 * The compat loader (compat_insns, unsigned loaders only) is the same interpreter as a
 * bpf_loop callback (5.17+), with the BTF bpf_loop needs; the runtime loads it when the
 * kernel refuses the loop loader. The compat loader's functions, in instruction order
 * (func_info and BTF in this order too): */
enum lsk_loader_fn {
	LSK_LOADER_FN_MAIN,	/* the program's entry */
	LSK_LOADER_FN_STEP,	/* bpf_loop callback: interprets one step */
	LSK_LOADER_NR_FNS,
};
/* Their names in the loader's BTF (and in `lskel dump --loader`). */
extern const char *const lsk_loader_fn_names[LSK_LOADER_NR_FNS];

struct lsk_loader {
	struct lsk_blob *blob;
	struct lsk_manifest *mf;	/* what the load exposes (manifest.c), built once */
	struct bpf_insn *insns;		/* the loop loader */
	size_t nr_insns;
	struct bpf_insn *compat_insns;	/* the compat loader, NULL for signed loaders */
	size_t nr_compat_insns;
	void *btf;		/* BTF of the compat loader's functions (bpf_loop needs it) */
	__u32 btf_size;
	struct bpf_func_info func_info[LSK_LOADER_NR_FNS];
	__u32 nr_func_info;
	/* signed loaders (lsk_loader_compile_signed) */
	bool is_signed;
	unsigned char blob_hash[32];	/* SHA-256 of the blob, compiled into the check */
	unsigned char excl_hash[32];	/* SHA-256 of the instructions: excl_prog_hash */
	unsigned char *sig;		/* detached PKCS#7 (DER) over the instructions */
	size_t sig_len;
	unsigned char *sig_next;	/* the same over the instructions and the blob: the
					 * kernel-verified scheme (bpf-next) */
	size_t sig_next_len;
};

/* Build the blob and the loader program for @t. */
int lsk_loader_compile(const struct lsk_trace *t, struct lsk_loader **lp);
/* The same, signed with @so: the loader checks the blob's hash first (see compile.c). */
int lsk_loader_compile_signed(const struct lsk_trace *t, const struct lsk_sign_opts *so,
			      struct lsk_loader **lp);
/* The same, with the load's @name in the manifest (NULL: the first object's name). */
int lsk_loader_compile_named(const struct lsk_trace *t, const char *name,
			     const struct lsk_sign_opts *so, struct lsk_loader **lp);
void lsk_loader_free(struct lsk_loader *l);

#endif
