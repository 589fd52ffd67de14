// SPDX-License-Identifier: BSD-2-Clause
/* The loader program. Its size does not grow with the objects: main copies the context's
 * inputs into the blob and runs bpf_loop over the step table with `step`, an interpreter of
 * the step kinds of loader_abi.h (only those the blob uses are emitted); on failure a second bpf_loop with `close_all` closes
 * every fd the load made. Only the input copy is unrolled (one load/store pair per 8 bytes of
 * input: the verifier allows no variable-offset context access). Every offset read from a
 * step is bounds-checked against the blob size so the verifier accepts the accesses. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "bpf_asm.h"
#include "compile.h"
#include <openssl/crypto.h>
#include "err.h"

#define E(x) asm_emit(a, x)
#define HDR(f) ((int)offsetof(struct lskel_blob_hdr, f))
#define STEP(f) ((int)offsetof(struct lskel_step, f))
#define CTX(f) ((int)offsetof(struct lskel_loader_ctx, f))
#define ATTR(f) ((int)offsetof(union bpf_attr, f))

struct gen {
	struct lsk_asm *a;
	const struct lsk_blob *b;
	const unsigned char *blob_hash;	/* signed loaders: SHA-256 of the blob */
	int lim;		/* largest offset a step may name */
	int bad, fail_r0, next, stop;
};

/* rd = blob + (u32 field of the step), bounded so a TAIL-sized access stays inside. */
static void blob_ptr(struct gen *g, int rd, int field, int tmp)
{
	struct lsk_asm *a = g->a;

	E(I_LDX(BPF_W, tmp, 7, field));
	asm_jmp_imm(a, BPF_JGT, tmp, g->lim, g->bad);
	E(I_MOV_REG(rd, 9));
	E(I_ALU64_REG(BPF_ADD, rd, tmp));
}

/* rd = &fdtab[reg]; reg is clobbered. */
static void fd_slot(struct gen *g, int rd, int reg)
{
	struct lsk_asm *a = g->a;

	asm_jmp_imm(a, BPF_JGE, reg, g->b->nr_ops, g->bad);
	E(I_ALU64_IMM(BPF_LSH, reg, 2));
	E(I_MOV_REG(rd, 9));
	E(I_ALU64_REG(BPF_ADD, rd, reg));
	E(I_ALU64_IMM(BPF_ADD, rd, g->b->fdtab_off));
}

/* r2 = the step's u16 size, 1..max. */
static void size_arg(struct gen *g, int reg, int max)
{
	struct lsk_asm *a = g->a;

	E(I_LDX(BPF_H, reg, 7, STEP(size)));
	asm_jmp_imm(a, BPF_JGT, reg, max, g->bad);
	asm_jmp_imm(a, BPF_JLT, reg, 1, g->bad);
}

static void emit_step_fd(struct gen *g)
{
	struct lsk_asm *a = g->a;

	E(I_LDX(BPF_W, 1, 7, STEP(b)));
	fd_slot(g, 2, 1);
	E(I_LDX(BPF_W, 3, 2, 0));
	blob_ptr(g, 4, STEP(a), 1);
	E(I_STX(BPF_W, 4, 3, 0));
	asm_ja(a, g->next);
}

static void emit_step_ptr(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, 3, STEP(b), 1);
	blob_ptr(g, 4, STEP(a), 1);
	E(I_STX(BPF_DW, 4, 3, 0));	/* a kernel address into the blob: the attr wants it */
	asm_ja(a, g->next);
}

static void emit_step_u32(struct gen *g)
{
	struct lsk_asm *a = g->a;
	int store = asm_new_label(a);

	blob_ptr(g, 3, STEP(b), 1);
	E(I_LDX(BPF_W, 3, 3, 0));
	asm_jmp_imm(a, BPF_JNE, 3, 0, store);
	E(I_LDX(BPF_B, 1, 7, STEP(flags)));	/* a caller's 0 keeps the compiled value */
	E(I_ALU64_IMM(BPF_AND, 1, LSKEL_STEP_IF_SET));
	asm_jmp_imm(a, BPF_JNE, 1, 0, g->next);
	asm_bind(a, store);
	blob_ptr(g, 4, STEP(a), 1);
	E(I_STX(BPF_W, 4, 3, 0));
	asm_ja(a, g->next);
}

/* A pinned map the runtime found: its fd by id into the map's slot, then skip its creation. */
static void emit_step_reuse(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, 6, STEP(b), 1);
	E(I_LDX(BPF_W, 6, 6, 0));
	asm_jmp_imm(a, BPF_JEQ, 6, 0, g->next);	/* nothing pinned: create it */
	blob_ptr(g, 2, STEP(a), 1);
	E(I_STX(BPF_W, 2, 6, ATTR(map_id)));
	E(I_MOV_IMM(1, BPF_MAP_GET_FD_BY_ID));
	E(I_MOV_IMM(3, ATTR(open_flags) + 4));
	E(I_CALL(BPF_FUNC_sys_bpf));
	asm_jmp_imm(a, BPF_JSLT, 0, 0, g->fail_r0);
	E(I_LDX(BPF_W, 1, 7, STEP(c)));
	fd_slot(g, 2, 1);
	E(I_STX(BPF_W, 2, 0, 0));
	E(I_LDX(BPF_W, 1, 7, STEP(d)));
	E(I_STX(BPF_W, 9, 1, HDR(skip_to)));
	asm_ja(a, g->next);
}

/* A SEC("?...") program the caller did not ask for: its steps (and those of whatever names
 * it) are skipped. */
static void emit_step_skip(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, 6, STEP(b), 1);
	E(I_LDX(BPF_W, 6, 6, 0));
	asm_jmp_imm(a, BPF_JNE, 6, 0, g->next);	/* asked for: load it */
	E(I_LDX(BPF_W, 1, 7, STEP(d)));
	E(I_STX(BPF_W, 9, 1, HDR(skip_to)));
	asm_ja(a, g->next);
}

static void emit_step_bpf(struct gen *g)
{
	struct lsk_asm *a = g->a;
	int ok = asm_new_label(a), err = asm_new_label(a), fail_r6 = asm_new_label(a);

	E(I_LDX(BPF_W, 1, 7, STEP(a)));
	blob_ptr(g, 2, STEP(b), 3);
	size_arg(g, 3, LSKEL_ATTR_MAX);
	E(I_CALL(BPF_FUNC_sys_bpf));
	asm_jmp_imm(a, BPF_JSLT, 0, 0, err);
	asm_bind(a, ok);
	E(I_LDX(BPF_B, 1, 7, STEP(flags)));
	E(I_ALU64_IMM(BPF_AND, 1, LSKEL_STEP_MAKES_FD));
	asm_jmp_imm(a, BPF_JEQ, 1, 0, g->next);
	E(I_LDX(BPF_W, 1, 7, STEP(op)));
	fd_slot(g, 2, 1);
	E(I_STX(BPF_W, 2, 0, 0));
	asm_ja(a, g->next);

	/* A failed PROG_LOAD is tried once more with the caller's log buffer. */
	asm_bind(a, err);
	E(I_MOV_REG(6, 0));
	E(I_LDX(BPF_W, 1, 7, STEP(a)));
	asm_jmp_imm(a, BPF_JNE, 1, BPF_PROG_LOAD, fail_r6);
	E(I_LDX(BPF_DW, 1, 9, HDR(log_buf)));
	asm_jmp_imm(a, BPF_JEQ, 1, 0, fail_r6);
	blob_ptr(g, 2, STEP(b), 3);
	E(I_STX(BPF_DW, 2, 1, ATTR(log_buf)));
	E(I_LDX(BPF_W, 1, 9, HDR(log_size)));
	E(I_STX(BPF_W, 2, 1, ATTR(log_size)));
	E(I_LDX(BPF_W, 1, 9, HDR(log_level)));
	E(I_STX(BPF_W, 2, 1, ATTR(log_level)));
	E(I_MOV_IMM(1, BPF_PROG_LOAD));
	size_arg(g, 3, LSKEL_ATTR_MAX);
	E(I_CALL(BPF_FUNC_sys_bpf));
	asm_jmp_imm(a, BPF_JSGE, 0, 0, ok);
	asm_ja(a, g->fail_r0);
	asm_bind(a, fail_r6);
	E(I_MOV_REG(0, 6));
	asm_ja(a, g->fail_r0);
}

/* After a failed lookup: weak symbols read as 0, strong ones fail with the error in r0. */
static void weak_or_fail(struct gen *g, int reg_zero)
{
	struct lsk_asm *a = g->a;

	E(I_LDX(BPF_B, 1, 7, STEP(flags)));
	E(I_ALU64_IMM(BPF_AND, 1, LSKEL_STEP_WEAK));
	asm_jmp_imm(a, BPF_JEQ, 1, 0, g->fail_r0);
	E(I_MOV_IMM(reg_zero, 0));
}

static void emit_step_ksym(struct gen *g)
{
	struct lsk_asm *a = g->a;
	int store = asm_new_label(a);

	blob_ptr(g, 1, STEP(a), 3);
	size_arg(g, 2, LSKEL_NAME_MAX);
	E(I_MOV_IMM(3, 0));
	E(I_MOV_REG(4, 9));
	E(I_ALU64_IMM(BPF_ADD, 4, HDR(res)));
	E(I_CALL(BPF_FUNC_kallsyms_lookup_name));
	E(I_LDX(BPF_DW, 6, 9, HDR(res)));
	asm_jmp_imm(a, BPF_JSGE, 0, 0, store);
	weak_or_fail(g, 6);
	asm_bind(a, store);
	blob_ptr(g, 4, STEP(b), 1);
	E(I_STX(BPF_W, 4, 6, 4));	/* insn[0].imm = low half */
	E(I_ALU64_IMM(BPF_RSH, 6, 32));
	E(I_STX(BPF_W, 4, 6, 12));	/* insn[1].imm = high half */
	asm_ja(a, g->next);
}

/* The first reference of a symbol looks it up (and keeps the result in its cell, step d); a
 * later one (AGAIN) takes the result from the cell and the module BTF fd from the first one's
 * fd-table slot (step c), so each module BTF fd is opened and closed once per symbol. */
static void emit_step_btf_id(struct gen *g)
{
	struct lsk_asm *a = g->a;
	int found = asm_new_label(a), again = asm_new_label(a), have = asm_new_label(a);
	int shared = asm_new_label(a), nofd = asm_new_label(a);
	int ld = asm_new_label(a), kf = asm_new_label(a);

	E(I_LDX(BPF_B, 1, 7, STEP(flags)));
	E(I_ALU64_IMM(BPF_AND, 1, LSKEL_STEP_BTF_AGAIN));
	asm_jmp_imm(a, BPF_JNE, 1, 0, again);
	blob_ptr(g, 1, STEP(a), 3);
	size_arg(g, 2, LSKEL_NAME_MAX);
	E(I_LDX(BPF_W, 3, 7, STEP(c)));
	E(I_MOV_IMM(4, 0));
	E(I_CALL(BPF_FUNC_btf_find_by_name_kind));
	asm_jmp_imm(a, BPF_JSGE, 0, 0, found);
	weak_or_fail(g, 0);
	asm_bind(a, found);
	E(I_LDX(BPF_W, 1, 7, STEP(d)));
	asm_jmp_imm(a, BPF_JEQ, 1, 0, have);
	blob_ptr(g, 2, STEP(d), 3);
	E(I_STX(BPF_DW, 2, 0, 0));	/* keep (fd << 32 | id) for later references */
	asm_ja(a, have);
	asm_bind(a, again);
	blob_ptr(g, 2, STEP(d), 3);
	E(I_LDX(BPF_DW, 0, 2, 0));
	asm_bind(a, have);
	E(I_MOV_REG(6, 0));		/* r6 = btf id */
	E(I_ALU64_IMM(BPF_LSH, 6, 32));
	E(I_ALU64_IMM(BPF_RSH, 6, 32));
	E(I_MOV_REG(8, 0));		/* r8 = module BTF fd, 0 for vmlinux */
	E(I_ALU64_IMM(BPF_RSH, 8, 32));
	E(I_LDX(BPF_W, 5, 7, STEP(op)));	/* r5 = fd-table slot holding that fd */
	asm_jmp_imm(a, BPF_JEQ, 8, 0, nofd);
	E(I_LDX(BPF_B, 1, 7, STEP(flags)));
	E(I_ALU64_IMM(BPF_AND, 1, LSKEL_STEP_BTF_AGAIN));
	asm_jmp_imm(a, BPF_JNE, 1, 0, shared);
	/* a module's BTF fd: into the fd table (fd_array for kfuncs, closed after the load) */
	E(I_MOV_REG(1, 5));
	fd_slot(g, 2, 1);
	E(I_STX(BPF_W, 2, 8, 0));
	asm_ja(a, nofd);
	asm_bind(a, shared);
	E(I_LDX(BPF_W, 5, 7, STEP(c)));
	asm_bind(a, nofd);
	blob_ptr(g, 4, STEP(b), 1);
	E(I_LDX(BPF_B, 1, 7, STEP(flags)));
	E(I_ALU64_IMM(BPF_AND, 1, LSKEL_STEP_BTF_MODE));
	asm_jmp_imm(a, BPF_JEQ, 1, LSKEL_STEP_BTF_LDIMM64, ld);
	asm_jmp_imm(a, BPF_JEQ, 1, LSKEL_STEP_BTF_KFUNC, kf);
	E(I_STX(BPF_W, 4, 6, 0));	/* attach_btf_id, then attach_btf_obj_fd for a module */
	asm_jmp_imm(a, BPF_JEQ, 8, 0, g->next);
	E(I_STX(BPF_W, 4, 8, 4));
	asm_ja(a, g->next);
	asm_bind(a, ld);		/* ld_imm64: imm = id, insn[1].imm = BTF fd */
	E(I_STX(BPF_W, 4, 6, 4));
	E(I_STX(BPF_W, 4, 8, 12));
	asm_jmp_imm(a, BPF_JNE, 6, 0, g->next);
	E(I_LDX(BPF_B, 1, 4, 1));	/* missing weak: plain ld_imm64 0 (src_reg = 0) */
	E(I_ALU64_IMM(BPF_AND, 1, 0x0f));
	E(I_STX(BPF_B, 4, 1, 1));
	asm_ja(a, g->next);
	asm_bind(a, kf);		/* kfunc call: imm = id, off = fd_array index of the BTF */
	E(I_STX(BPF_W, 4, 6, 4));
	asm_jmp_imm(a, BPF_JEQ, 8, 0, g->next);
	E(I_STX(BPF_H, 4, 5, 2));
	asm_ja(a, g->next);
}

static void emit_step_close(struct gen *g)
{
	struct lsk_asm *a = g->a;

	E(I_LDX(BPF_W, 1, 7, STEP(a)));
	fd_slot(g, 6, 1);
	E(I_LDX(BPF_W, 1, 6, 0));
	E(I_ALU64_IMM(BPF_LSH, 1, 32));
	E(I_ALU64_IMM(BPF_ARSH, 1, 32));
	asm_jmp_imm(a, BPF_JSLT, 1, 0, g->next);
	E(I_CALL(BPF_FUNC_sys_close));
	E(I_ST(BPF_W, 6, 0, -1));
	asm_ja(a, g->next);
}

static void emit_step_copy_user(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, 6, STEP(b), 1);
	E(I_LDX(BPF_DW, 3, 6, 0));
	asm_jmp_imm(a, BPF_JEQ, 3, 0, g->next);	/* the caller gave no value: keep ours */
	E(I_LDX(BPF_W, 1, 7, STEP(d)));
	E(I_ALU64_REG(BPF_ADD, 3, 1));
	blob_ptr(g, 1, STEP(a), 2);
	E(I_LDX(BPF_W, 2, 7, STEP(c)));
	asm_jmp_imm(a, BPF_JGT, 2, LSKEL_COPY_MAX, g->bad);
	E(I_CALL(BPF_FUNC_copy_from_user));
	asm_jmp_imm(a, BPF_JSLT, 0, 0, g->fail_r0);
	asm_ja(a, g->next);
}

/* long step(u32 index, void *unused): interpret step[index]; 0 = go on, 1 = stop. */
static void emit_step_fn(struct gen *g)
{
	struct lsk_asm *a = g->a;
	static const int kinds[] = { LSKEL_STEP_FD, LSKEL_STEP_PTR, LSKEL_STEP_BPF, LSKEL_STEP_KSYM,
				     LSKEL_STEP_BTF_ID, LSKEL_STEP_CLOSE, LSKEL_STEP_COPY_USER,
				     LSKEL_STEP_U32, LSKEL_STEP_REUSE, LSKEL_STEP_SKIP };
	void (*const emit[])(struct gen *) = { emit_step_fd, emit_step_ptr, emit_step_bpf,
					       emit_step_ksym, emit_step_btf_id, emit_step_close,
					       emit_step_copy_user, emit_step_u32,
					       emit_step_reuse, emit_step_skip };
	const struct lskel_step *st = (const void *)(g->b->data + g->b->steps_off);
	unsigned int used = 0;
	int labels[10], i;
	__u32 k;

	/* only the step kinds this blob uses: less to verify, same interpreter otherwise */
	for (k = 0; k < g->b->nr_steps; k++)
		used |= 1u << st[k].kind;
	asm_jmp_imm(a, BPF_JGE, 1, g->b->nr_steps, g->stop);
	asm_ld_map_value(a, 9, 0, 0);
	if (used & (1u << LSKEL_STEP_REUSE | 1u << LSKEL_STEP_SKIP)) {	/* skipped steps */
		E(I_LDX(BPF_W, 2, 9, HDR(skip_to)));
		asm_jmp_reg(a, BPF_JLT, 1, 2, g->next);
	}
	E(I_ALU64_IMM(BPF_MUL, 1, sizeof(struct lskel_step)));
	E(I_MOV_REG(7, 9));
	E(I_ALU64_IMM(BPF_ADD, 7, g->b->steps_off));
	E(I_ALU64_REG(BPF_ADD, 7, 1));
	E(I_LDX(BPF_B, 1, 7, STEP(kind)));
	for (i = 0; i < 10; i++) {
		if (!(used & (1u << kinds[i])))
			continue;
		labels[i] = asm_new_label(a);
		asm_jmp_imm(a, BPF_JEQ, 1, kinds[i], labels[i]);
	}
	asm_ja(a, g->bad);
	for (i = 0; i < 10; i++) {
		if (!(used & (1u << kinds[i])))
			continue;
		asm_bind(a, labels[i]);
		emit[i](g);
	}
	asm_bind(a, g->bad);
	E(I_MOV_IMM(0, -EINVAL));
	asm_bind(a, g->fail_r0);
	E(I_STX(BPF_W, 9, 0, HDR(err)));
	E(I_LDX(BPF_W, 1, 7, STEP(op)));
	E(I_STX(BPF_W, 9, 1, HDR(failed_op)));
	asm_bind(a, g->stop);
	E(I_MOV_IMM(0, 1));
	E(I_EXIT());
	asm_bind(a, g->next);
	E(I_MOV_IMM(0, 0));
	E(I_EXIT());
}

/* long close_all(u32 index, void *unused): close fdtab[index] if open. */
static void emit_close_fn(struct gen *g)
{
	struct lsk_asm *a = g->a;
	int stop = asm_new_label(a), next = asm_new_label(a);

	asm_jmp_imm(a, BPF_JGE, 1, g->b->nr_ops, stop);
	asm_ld_map_value(a, 9, 0, 0);
	E(I_ALU64_IMM(BPF_LSH, 1, 2));
	E(I_MOV_REG(6, 9));
	E(I_ALU64_REG(BPF_ADD, 6, 1));
	E(I_ALU64_IMM(BPF_ADD, 6, g->b->fdtab_off));
	E(I_LDX(BPF_W, 1, 6, 0));
	E(I_ALU64_IMM(BPF_LSH, 1, 32));
	E(I_ALU64_IMM(BPF_ARSH, 1, 32));
	asm_jmp_imm(a, BPF_JSLT, 1, 0, next);
	E(I_CALL(BPF_FUNC_sys_close));
	E(I_ST(BPF_W, 6, 0, -1));
	asm_bind(a, next);
	E(I_MOV_IMM(0, 0));
	E(I_EXIT());
	asm_bind(a, stop);
	E(I_MOV_IMM(0, 1));
	E(I_EXIT());
}

/* Signed loaders, before anything else: the data map must be exclusive to this program and
 * its SHA-256 (computed by the kernel when the frozen map's info was read) must be the one
 * compiled in. struct bpf_map starts with u8 sha[32] then u32 excl, read through the map
 * pointer (BPF_PSEUDO_MAP_IDX). Any difference returns -EBADMSG before a single step. */
static void emit_blob_check(struct gen *g)
{
	struct lsk_asm *a = g->a;
	int bad = asm_new_label(a), ok = asm_new_label(a), k;

	/* r1 (the context) stays untouched for main */
	asm_emit(a, (struct bpf_insn){ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 2,
				       .src_reg = BPF_PSEUDO_MAP_IDX, .imm = 0 });
	asm_emit(a, (struct bpf_insn){ 0 });
	E(I_LDX(BPF_W, 3, 2, 32));
	asm_jmp_imm(a, BPF_JNE, 3, 1, bad);
	for (k = 0; k < 4; k++) {
		__u64 h;

		memcpy(&h, g->blob_hash + k * 8, 8);
		E(I_LDX(BPF_DW, 3, 2, k * 8));
		asm_emit(a, (struct bpf_insn){ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 4,
					       .imm = (__s32)(__u32)h });
		asm_emit(a, (struct bpf_insn){ .imm = (__s32)(__u32)(h >> 32) });
		asm_jmp_reg(a, BPF_JNE, 3, 4, bad);
	}
	asm_ja(a, ok);
	asm_bind(a, bad);
	E(I_MOV_IMM(0, -EBADMSG));
	E(I_EXIT());
	asm_bind(a, ok);
}

static void emit_main(struct gen *g, int step_fn, int close_fn)
{
	struct lsk_asm *a = g->a;
	int has_level = asm_new_label(a), ok = asm_new_label(a);
	__u32 off;

	if (g->blob_hash)
		emit_blob_check(g);
	E(I_MOV_REG(6, 1));
	asm_ld_map_value(a, 9, 0, 0);
	E(I_LDX(BPF_DW, 1, 6, CTX(log_buf)));
	E(I_STX(BPF_DW, 9, 1, HDR(log_buf)));
	E(I_LDX(BPF_W, 1, 6, CTX(log_size)));
	E(I_STX(BPF_W, 9, 1, HDR(log_size)));
	E(I_LDX(BPF_W, 1, 6, CTX(log_level)));
	asm_jmp_imm(a, BPF_JNE, 1, 0, has_level);
	E(I_MOV_IMM(1, 1));
	asm_bind(a, has_level);
	E(I_STX(BPF_W, 9, 1, HDR(log_level)));
	if (g->b->inputs_size) {
		E(I_MOV_REG(8, 9));
		E(I_ALU64_IMM(BPF_ADD, 8, g->b->inputs_off));
		for (off = 0; off < g->b->inputs_size; off += 8) {
			E(I_LDX(BPF_DW, 1, 6, sizeof(struct lskel_loader_ctx) + off));
			E(I_STX(BPF_DW, 8, 1, off));
		}
	}
	E(I_MOV_IMM(1, g->b->nr_steps));
	asm_ld_func(a, 2, step_fn);
	E(I_MOV_IMM(3, 0));
	E(I_MOV_IMM(4, 0));
	E(I_CALL(BPF_FUNC_loop));
	E(I_LDX(BPF_W, 1, 9, HDR(err)));
	asm_jmp_imm(a, BPF_JEQ, 1, 0, ok);
	E(I_STX(BPF_W, 6, 1, CTX(err)));
	E(I_LDX(BPF_W, 1, 9, HDR(failed_op)));
	E(I_STX(BPF_W, 6, 1, CTX(failed_op)));
	E(I_MOV_IMM(1, g->b->nr_ops));
	asm_ld_func(a, 2, close_fn);
	E(I_MOV_IMM(3, 0));
	E(I_MOV_IMM(4, 0));
	E(I_CALL(BPF_FUNC_loop));
	E(I_LDX(BPF_W, 0, 9, HDR(err)));
	E(I_ALU64_IMM(BPF_LSH, 0, 32));
	E(I_ALU64_IMM(BPF_ARSH, 0, 32));
	E(I_EXIT());
	asm_bind(a, ok);
	E(I_MOV_IMM(0, 0));
	E(I_EXIT());
}

/* BTF: int main(void *ctx); long step(unsigned int, void *); long close_all(...). */
static int loader_btf(struct lsk_loader *l, int main_at, int step_at, int close_at)
{
	struct btf *btf = btf__new_empty();
	int t_int, t_ptr, t_long, t_uint, p_main, p_cb, f[3], i;
	const void *raw;
	__u32 size;

	if (!btf)
		return -ENOMEM;
	t_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	t_ptr = btf__add_ptr(btf, 0);
	t_long = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	t_uint = btf__add_int(btf, "unsigned int", 4, 0);
	p_main = btf__add_func_proto(btf, t_int);
	btf__add_func_param(btf, "ctx", t_ptr);
	p_cb = btf__add_func_proto(btf, t_long);
	btf__add_func_param(btf, "index", t_uint);
	btf__add_func_param(btf, "data", t_ptr);
	f[0] = btf__add_func(btf, "lskel_loader", BTF_FUNC_STATIC, p_main);
	f[1] = btf__add_func(btf, "lskel_step", BTF_FUNC_STATIC, p_cb);
	f[2] = btf__add_func(btf, "lskel_close_all", BTF_FUNC_STATIC, p_cb);
	raw = btf__raw_data(btf, &size);
	if (!raw || f[2] < 0) {
		btf__free(btf);
		return -ENOMEM;
	}
	l->btf = malloc(size);
	if (!l->btf) {
		btf__free(btf);
		return -ENOMEM;
	}
	memcpy(l->btf, raw, size);
	l->btf_size = size;
	btf__free(btf);
	l->func_info[0].insn_off = main_at;
	l->func_info[1].insn_off = step_at;
	l->func_info[2].insn_off = close_at;
	for (i = 0; i < 3; i++)
		l->func_info[i].type_id = f[i];
	l->nr_func_info = 3;
	return 0;
}

int lsk_loader_compile(const struct lsk_trace *t, struct lsk_loader **lp)
{
	return lsk_loader_compile_signed(t, NULL, lp);
}

int lsk_loader_compile_signed(const struct lsk_trace *t, const struct lsk_sign_opts *so,
			      struct lsk_loader **lp)
{
	struct lsk_loader *l = calloc(1, sizeof(*l));
	struct lsk_asm as = {};
	struct gen g = { .a = &as };
	int step_fn, close_fn, err;

	if (!l)
		return lsk_err(ENOMEM, "out of memory");
	err = lsk_blob_build(t, &l->blob);
	if (err)
		goto out;
	g.b = l->blob;
	if (so) {
		lsk_sha256(l->blob->data, l->blob->size, l->blob_hash);
		g.blob_hash = l->blob_hash;
	}
	g.lim = l->blob->size - LSKEL_BLOB_TAIL;
	step_fn = asm_new_label(&as);
	close_fn = asm_new_label(&as);
	g.bad = asm_new_label(&as);
	g.fail_r0 = asm_new_label(&as);
	g.next = asm_new_label(&as);
	g.stop = asm_new_label(&as);
	emit_main(&g, step_fn, close_fn);
	asm_bind(&as, step_fn);
	emit_step_fn(&g);
	asm_bind(&as, close_fn);
	emit_close_fn(&g);
	err = asm_finish(&as);
	if (err) {
		err = lsk_err(-err, "loader assembly failed: %s", strerror(-err));
		goto out;
	}
	err = loader_btf(l, 0, as.label_at[step_fn], as.label_at[close_fn]);
	if (err) {
		err = lsk_err(-err, "loader BTF: %s", strerror(-err));
		goto out;
	}
	l->insns = as.insns;
	l->nr_insns = as.n;
	as.insns = NULL;
	if (so) {
		/* the data map is exclusive to this program: the kernel compares the hash of
		 * its instructions; the signature covers them, and through the compiled-in
		 * blob hash, the blob */
		l->is_signed = true;
		lsk_sha256(l->insns, l->nr_insns * sizeof(struct bpf_insn), l->excl_hash);
		err = lsk_sign_pkcs7(so, l->insns, l->nr_insns * sizeof(struct bpf_insn), &l->sig,
				     &l->sig_len);
	}
out:
	asm_free(&as);
	if (err) {
		lsk_loader_free(l);
		return err;
	}
	*lp = l;
	return 0;
}

void lsk_loader_free(struct lsk_loader *l)
{
	if (!l)
		return;
	lsk_blob_free(l->blob);
	OPENSSL_free(l->sig);
	free(l->insns);
	free(l->btf);
	free(l);
}
