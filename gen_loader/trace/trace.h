/* SPDX-License-Identifier: BSD-2-Clause */
/* The trace: the ordered bpf() operations a load performs, with their attr bytes, the data
 * they point to (chunks) and fixups naming what is only known at load time (fds, addresses,
 * kernel symbol ids). Deterministic, kernel-independent; replayed by exec_direct and
 * compiled into the loader. */
#ifndef LSK_TRACE_H
#define LSK_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <lskel/loader_abi.h>
#include "obj.h"

/* Operations beyond the bpf() commands: load-time resolutions and bookkeeping. */
enum {
	LSK_CMD_KSYM_ADDR = LSKEL_CMD_KSYM_ADDR,	/* typeless ksym -> ld_imm64 pair */
	LSK_CMD_BTF_ID = LSKEL_CMD_BTF_ID,	/* kernel BTF id by name/kind -> u32, insn fixes */
	LSK_CMD_CLOSE = LSKEL_CMD_CLOSE,	/* close an fd another op made */
	LSK_CMD_KCONFIG = LSKEL_CMD_KCONFIG,	/* fill kconfig values into a chunk */
	LSK_CMD_USER_INIT = LSKEL_CMD_USER_INIT,	/* chunk <- the caller's value */
	LSK_CMD_MAP_REUSE = LSKEL_CMD_MAP_REUSE,	/* pinned map: take its fd, skip creation */
	LSK_CMD_SKIP = LSKEL_CMD_SKIP,	/* an input is 0: the next ops are skipped */
};

/* How a resolved BTF id is written (LSK_CMD_BTF_ID). */
enum lsk_btf_dst {
	LSK_BTF_DST_U32,	/* plain u32 at dst (attach_btf_id) */
	LSK_BTF_DST_LDIMM64,	/* ld_imm64 BPF_PSEUDO_BTF_ID at dst; missing weak -> imm 0, src 0 */
	LSK_BTF_DST_KFUNC,	/* call BPF_PSEUDO_KFUNC_CALL at dst: imm = id, off = 0 */
};

/* Fixup kinds: write a load-time value into a chunk before the op runs. */
enum lsk_fix_kind {
	LSK_FIX_FD,		/* u32 <- fd produced by op `src` */
	LSK_FIX_PTR,		/* u64 <- address of chunk `src` */
	LSK_FIX_FDTAB,		/* u64 <- address of the fd table (indexed by op number) */
	LSK_FIX_U32,		/* u32 <- first u32 of chunk `src` (a load-time input) */
	LSK_FIX_INPUT,		/* u32 <- input slot `src` (the caller's value), kept when 0 */
};

struct lsk_fixup {
	enum lsk_fix_kind kind;
	int chunk;		/* destination chunk */
	__u32 off;		/* byte offset in it */
	int src;
};

/* A contiguous data blob: an attr, instructions, BTF, a map value, a name... */
struct lsk_chunk {
	void *data;
	__u32 size;
	int op;			/* the op whose attr this is, -1: data any op may point to */
	char label[40];		/* "attr op N" for an attr (N = op), else what the data is */
};

/* What an op acts for, for messages. */
enum lsk_subject {
	LSK_SUBJ_OBJ,
	LSK_SUBJ_MAP,
	LSK_SUBJ_PROG,
	LSK_SUBJ_EXTERN,
};

/* LSK_CMD_KSYM_ADDR and LSK_CMD_BTF_ID: a kernel symbol looked up at load time. */
struct lsk_op_sym {
	int name;		/* chunk with the NUL-terminated symbol name */
	bool weak;		/* missing symbol resolves to 0 instead of failing */
	int dst;		/* chunk the result is written into, at dst_off */
	__u32 dst_off;
	__u32 btf_kind;		/* BTF_ID: BTF_KIND_FUNC / VAR / TYPEDEF / STRUCT */
	enum lsk_btf_dst how;	/* BTF_ID: how the id is written */
	int same_as;		/* BTF_ID: op whose lookup result this one reuses, -1: its own */
	int cell;		/* BTF_ID: 8-byte chunk keeping the lookup result, -1: none */
};

/* LSK_CMD_CLOSE: close the fd op `fd_op` made (module BTF, inner map template). */
struct lsk_op_close {
	int fd_op;
};

/* LSK_CMD_KCONFIG: fill kconfig values described by chunk `descs` (an array of
 * struct lsk_kcfg_desc) into chunk `dst`. */
struct lsk_op_kconfig {
	int descs;
	int dst;
};

/* LSK_CMD_USER_INIT: copy the caller's value of input slot `input` into chunk `dst` at
 * dst_off; user_size bytes from user_off of that value, user_size 0: the whole chunk. */
struct lsk_op_user_init {
	int input;
	int dst;
	__u32 dst_off;
	__u32 user_off;
	__u32 user_size;
};

/* LSK_CMD_MAP_REUSE: a pinned map whose id is in input slot `input`: its fd goes to op
 * `map_op` (the MAP_CREATE), and ops up to `skip_to` (its creation and setup) are skipped. */
struct lsk_op_reuse {
	int input;
	int map_op;
	int skip_to;
};

/* LSK_CMD_SKIP: input slot `input` is 0 (a SEC("?...") program not asked for): ops up to
 * `skip_to` are skipped. */
struct lsk_op_skip {
	int input;
	int skip_to;
};

struct lsk_op {
	__u32 cmd;
	int attr;		/* chunk holding the bpf_attr (bpf commands and MAP_REUSE) */
	__u32 attr_size;
	struct lsk_fixup *fix;
	size_t nr_fix;
	bool makes_fd;
	int undo;		/* bpf ops: chunk with a MAP_DELETE_ELEM attr that undoes this op
				 * if a later one fails (a plain struct_ops registration outlives
				 * its fds), -1: none */
	union {			/* by cmd; bpf commands have none */
		struct lsk_op_sym sym;
		struct lsk_op_close close;
		struct lsk_op_kconfig kconfig;
		struct lsk_op_user_init user_init;
		struct lsk_op_reuse reuse;
		struct lsk_op_skip skip;
	};
	/* subject */
	int obj;
	enum lsk_subject subj;
	int idx;
	char what[256];		/* "map 'counts'", "program 'xdp_entry'", ... */
};

/* What a kconfig fill needs per extern (LSK_CMD_KCONFIG's descs chunk holds an array). */
struct lsk_kcfg_desc {
	char name[64];
	__u32 type;		/* enum lsk_kcfg_type */
	__u32 off, sz;
	__u32 is_signed, is_weak;
};

struct lsk_trace_obj {
	struct lsk_obj *obj;	/* borrowed */
	int btf_op;		/* -1 when the object has no BTF */
	int *map_op;		/* per map: MAP_CREATE op */
	int *prog_op;		/* per program: PROG_LOAD op, -1 for subprograms */
	int *map_input;		/* per map: caller initial-value slot, -1 for none */
	int *max_input;		/* per map: input slot of the caller's max_entries, -1: none */
	int *prog_input;	/* per program: input slot asking for a SEC("?...") program's
				 * load (autoload), -1: always loaded */
};

struct lsk_trace {
	struct lsk_op *ops;
	size_t nr_ops;
	struct lsk_chunk *chunks;
	size_t nr_chunks;
	struct lsk_trace_obj *objs;
	size_t nr_objs;
	size_t nr_inputs;	/* caller initial-value slots (global data maps) */
	int cpus_chunk;		/* > 0: chunk the runtime fills with the number of possible CPUs */
};

/* Record the load of @nr objects into a new trace (chained with default options). */
int lsk_trace_build(struct lsk_obj **objs, size_t nr, struct lsk_trace **tp);
/* The same, with chain resolution @c (see chain.h). */
struct lsk_chain;
int lsk_trace_build_chain(struct lsk_obj **objs, size_t nr, const struct lsk_chain *c,
			  struct lsk_trace **tp);
void lsk_trace_free(struct lsk_trace *t);
/* Printable command name ("MAP_CREATE", "KSYM_ADDR", ...). */
const char *lsk_cmd_name(__u32 cmd);

/* Low-level builders (trace.c), append-only: an op or chunk keeps its index for good.
 * Return an index or a negative errno. */
int lsk_trace_add_chunk(struct lsk_trace *t, const void *data, size_t size, const char *label);
/* A new op; its per-command fields are set to "none" (-1) for @cmd. */
int lsk_trace_add_op(struct lsk_trace *t, __u32 cmd, int obj, enum lsk_subject subj, int idx,
		     const char *what);
/* A zeroed attr chunk of @size bytes owned by op @op, labelled "attr op N". */
int lsk_trace_add_attr(struct lsk_trace *t, int op, size_t size);
int lsk_trace_add_fix(struct lsk_trace *t, int op, enum lsk_fix_kind kind, int chunk, __u32 off,
		      int src);

#endif
