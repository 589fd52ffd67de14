/* SPDX-License-Identifier: BSD-2-Clause */
/* The trace builder's shared state and helpers (trace_builder.c), and the entry points of the
 * files recording maps, programs and struct_ops values for trace_build.c; nothing outside
 * those files uses them. The trace is append-only: an op
 * that must run before another is reserved (added) before it and completed later. */
#ifndef LSK_TRACE_BUILDER_H
#define LSK_TRACE_BUILDER_H

#include <stddef.h>
#include "chain.h"
#include "ksym_share.h"
#include "trace.h"

#define ATTR_OFF(f) ((__u32)offsetof(union bpf_attr, f))

/* Building one object's part of the trace. */
struct lsk_tb {
	struct lsk_trace *t;
	struct lsk_trace_obj *to;
	int oi;
	const struct lsk_chain *c;
	struct lsk_ksym_share *ks;
	int own[64];		/* lookups of a SEC("?...") program, closed after its load */
	size_t nr_own;
};

/* -ENOMEM with a message naming the object. */
int lsk_tb_nomem(struct lsk_tb *b);
/* A new op of any command (per-command fields "none"); index or negative errno. */
int lsk_tb_op(struct lsk_tb *b, __u32 cmd, enum lsk_subject subj, int idx, const char *what);
/* A new bpf() op with a zeroed attr chunk of its own; index or negative errno. */
int lsk_tb_bpf_op(struct lsk_tb *b, __u32 cmd, enum lsk_subject subj, int idx,
		  const char *what);
/* The attr of op @op (valid until the next chunk is added). */
union bpf_attr *lsk_tb_attr(struct lsk_tb *b, int op);
/* A data chunk; index or negative errno. */
int lsk_tb_chunk(struct lsk_tb *b, const void *data, size_t size, const char *label);
/* A fixup of op @op into @chunk at @off. */
int lsk_tb_fix(struct lsk_tb *b, int op, enum lsk_fix_kind kind, int chunk, __u32 off, int src);
/* A fixup of op @op into its own attr at @off. */
int lsk_tb_attr_fix(struct lsk_tb *b, int op, enum lsk_fix_kind kind, __u32 off, int src);
/* MAP_UPDATE_ELEM of @map_op: key @key (u32), value either bytes or an fd of op @fd_op;
 * the value's chunk in *@vc when @vc is not NULL. */
int lsk_tb_map_update(struct lsk_tb *b, int map_op, const char *what, __u32 key,
		      const void *value, size_t value_size, int fd_op, __u64 flags, int *vc);
/* SEC("?...") program @pi of object @oi: a SKIP op in front of what follows (its load, or
 * an update naming it) unless the caller asked for it; the caller sets skip_to. -1: none. */
int lsk_tb_skip_unless_asked(struct lsk_trace *t, int oi, int pi, const char *what);
/* A KSYM_ADDR or BTF_ID op looking up @sym; @what_fmt takes the symbol, @pname and the
 * object's name. Index or negative errno. */
int lsk_tb_resolve_op(struct lsk_tb *b, __u32 cmd, const char *sym, const char *what_fmt,
		      const char *pname, enum lsk_subject subj, int idx);
/* The symbol name chunk of a reserved KSYM_ADDR/BTF_ID op. */
int lsk_tb_sym_name(struct lsk_tb *b, int op, const char *sym);

/* The object's BTF (trace_maps.c). */
int lsk_tb_add_btf(struct lsk_tb *b);
/* Every map of the object with its setup (trace_maps.c). */
int lsk_tb_add_maps(struct lsk_tb *b);
/* Map-in-map or prog-array slots naming the object's own maps/programs (trace_maps.c). */
int lsk_tb_add_slots(struct lsk_tb *b, enum lsk_slot_kind kind);
/* Program @pi with its load-time resolutions (trace_progs.c). */
int lsk_tb_add_prog(struct lsk_tb *b, size_t pi);
/* struct_ops values, after the programs (trace_st_ops.c). */
int lsk_tb_add_st_ops_values(struct lsk_tb *b);

#endif
