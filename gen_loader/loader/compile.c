// SPDX-License-Identifier: BSD-2-Clause
/* The loader program. Its size does not grow with the objects: main copies the context's
 * inputs into the blob and runs bpf_loop over the step table with `step`, an interpreter of
 * the step kinds of loader_abi.h (only those the blob uses are emitted). On failure the loader
 * undoes what outlives its fds (struct_ops registrations) and stops; the runtime closes every
 * fd of the fd table (a close pass in the loader would be a third function to verify on every
 * load: ~23 us per callback function here). Only the input copy is unrolled (one load/store pair per 8 bytes of
 * input: the verifier allows no variable-offset context access). Every offset read from a
 * step is bounds-checked against the blob size so the verifier accepts the accesses. */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "bpf_asm.h"
#include "compile.h"
#include "manifest.h"
#include <openssl/crypto.h>
#include "err.h"

#define E(x) asm_emit(a, x)
#define HDR(f) ((int)offsetof(struct lskel_blob_hdr, f))
#define STEP(f) ((int)offsetof(struct lskel_step, f))
#define CTX(f) ((int)offsetof(struct lskel_loader_ctx, f))
#define ATTR(f) ((int)offsetof(union bpf_attr, f))

struct gen {
	struct lsk_asm *a;
	const struct lsk_trace *t;
	const struct lsk_blob *b;
	const unsigned char *blob_hash;	/* signed loaders: SHA-256 of the blob */
	int mask;		/* offsets a step names are ANDed with this (2^k - 1) */
	int bad, fail_r0, next, stop, result;
};

/* rd = blob + (u32 field of the step) & mask: the blob is mask + 1 + TAIL bytes, so a
 * TAIL-sized access stays inside. A mask, not a compare: a branch on an unknown value makes
 * the verifier copy its state and walk both ways, and verifying the loader is most of a small
 * object's load time (a mask instead of each compare: -16% PROG_LOAD time of tp_counter's
 * loader). The generator names no offset past the blob and lskel-run validates containers;
 * the mask only keeps the verifier's proof free of branches. */
static void blob_ptr(struct gen *g, int rd, int field, int tmp)
{
	struct lsk_asm *a = g->a;

	E(I_LDX(BPF_W, tmp, 7, field));
	E(I_ALU64_IMM(BPF_AND, tmp, g->mask));
	E(I_MOV_REG(rd, 9));
	E(I_ALU64_REG(BPF_ADD, rd, tmp));
}

/* rd = &fdtab[reg], the slot's offset masked like any blob offset; reg is clobbered. */
static void fd_slot(struct gen *g, int rd, int reg)
{
	struct lsk_asm *a = g->a;

	E(I_ALU64_IMM(BPF_LSH, reg, 2));
	E(I_ALU64_IMM(BPF_ADD, reg, g->b->fdtab_off));
	E(I_ALU64_IMM(BPF_AND, reg, g->mask & ~3));
	E(I_MOV_REG(rd, 9));
	E(I_ALU64_REG(BPF_ADD, rd, reg));
}

/* reg = the step's u16 size, bounded to 1..pow2 (the power of two >= max) without a branch:
 * ((size - 1) & (pow2 - 1)) + 1 is size itself for every size the generator writes. */
static void size_arg(struct gen *g, int reg, int max)
{
	struct lsk_asm *a = g->a;
	int pow2 = 1;

	while (pow2 < max)
		pow2 <<= 1;
	E(I_LDX(BPF_H, reg, 7, STEP(size)));
	E(I_ALU64_IMM(BPF_ADD, reg, -1));
	E(I_ALU64_IMM(BPF_AND, reg, pow2 - 1));
	E(I_ALU64_IMM(BPF_ADD, reg, 1));
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

	blob_ptr(g, 3, STEP(b), 1);
	E(I_LDX(BPF_W, 3, 3, 0));		/* r3 = the value */
	blob_ptr(g, 4, STEP(a), 1);
	/* IF_SET: a caller's 0 keeps the compiled value. Computed, not branched on: U32 is the
	 * commonest step (every fd fixup), and a branch costs the verifier two paths. */
	E(I_LDX(BPF_W, 5, 4, 0));		/* r5 = the compiled value */
	E(I_MOV_IMM(1, 0));
	E(I_ALU64_REG(BPF_SUB, 1, 3));
	E(I_ALU64_REG(BPF_OR, 1, 3));
	E(I_ALU64_IMM(BPF_RSH, 1, 63));
	E(I_ALU64_IMM(BPF_XOR, 1, 1));		/* r1 = value == 0 */
	E(I_LDX(BPF_B, 2, 7, STEP(flags)));
	E(I_ALU64_IMM(BPF_RSH, 2, __builtin_ctz(LSKEL_STEP_IF_SET)));
	E(I_ALU64_REG(BPF_AND, 1, 2));
	E(I_ALU64_IMM(BPF_AND, 1, 1));		/* r1 = keep the compiled value */
	E(I_ALU64_IMM(BPF_MUL, 1, -1));		/* all ones to keep, else 0 */
	E(I_ALU64_REG(BPF_XOR, 5, 3));
	E(I_ALU64_REG(BPF_AND, 5, 1));
	E(I_ALU64_REG(BPF_XOR, 3, 5));		/* keep ? compiled : value */
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

/* After a helper call: r0 < 0 becomes the load's error, the step's op the failed one, and
 * the loop stops; r0 >= 0 goes on. No branch: a branch on the helper's result made the
 * verifier copy its state and walk both ways, at every step kind, and each such fork costs
 * about 5 us of PROG_LOAD time (measured). err and failed_op are written every time (0 and
 * an op that did not fail are never read: main reports them only with an error). */
static void emit_result(struct gen *g)
{
	struct lsk_asm *a = g->a;

	asm_bind(a, g->result);
	E(I_MOV_REG(1, 0));
	E(I_ALU64_IMM(BPF_ARSH, 1, 63));	/* -1 on error, else 0 */
	E(I_ALU64_REG(BPF_AND, 0, 1));
	E(I_STX(BPF_W, 9, 0, HDR(err)));
	E(I_LDX(BPF_W, 2, 7, STEP(op)));
	E(I_STX(BPF_W, 9, 2, HDR(failed_op)));
	E(I_ALU64_IMM(BPF_AND, 1, 1));	/* 1 stops bpf_loop */
	E(I_MOV_REG(0, 1));
	E(I_EXIT());
}

/* The log fields go into every BPF step's d (a PROG_LOAD's attr, else a sink), and its result
 * into c (its fd-table slot, else a sink): the same instructions for every command. The
 * runtime leaves the log fields 0; when a PROG_LOAD fails and the caller wants the verifier's
 * log, it runs the loader again with them set. */
static void emit_step_bpf(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, 4, STEP(d), 3);
	E(I_LDX(BPF_W, 3, 9, HDR(log_level)));
	E(I_STX(BPF_W, 4, 3, 0));
	E(I_LDX(BPF_W, 3, 9, HDR(log_size)));
	E(I_STX(BPF_W, 4, 3, 4));
	E(I_LDX(BPF_DW, 3, 9, HDR(log_buf)));
	E(I_STX(BPF_DW, 4, 3, 8));
	E(I_LDX(BPF_W, 1, 7, STEP(a)));
	blob_ptr(g, 2, STEP(b), 3);
	size_arg(g, 3, LSKEL_ATTR_MAX);
	E(I_CALL(BPF_FUNC_sys_bpf));
	blob_ptr(g, 6, STEP(c), 3);
	E(I_STX(BPF_W, 6, 0, 0));	/* an fd, 0, or an errno the close pass skips */
	asm_ja(a, g->result);
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
	E(I_LDX(BPF_W, 1, 6, 0));	/* -1 or an errno: the kernel answers EBADF */
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
	E(I_LDX(BPF_W, 2, 7, STEP(c)));	/* 1..COPY_MAX, as size_arg bounds */
	E(I_ALU64_IMM(BPF_ADD, 2, -1));
	E(I_ALU64_IMM(BPF_AND, 2, LSKEL_COPY_MAX - 1));
	E(I_ALU64_IMM(BPF_ADD, 2, 1));
	E(I_CALL(BPF_FUNC_copy_from_user));
	asm_ja(a, g->result);
}

/* long step(u32 index, void *unused): interpret step[index]; 0 = go on, 1 = stop. */
static void emit_step_fn(struct gen *g)
{
	struct lsk_asm *a = g->a;
	static const struct {
		int kind;
		void (*emit)(struct gen *g);
	} kinds[] = {
		{ LSKEL_STEP_U32, emit_step_u32 },	/* the commonest first */
		{ LSKEL_STEP_PTR, emit_step_ptr },
		{ LSKEL_STEP_BPF, emit_step_bpf },
		{ LSKEL_STEP_COPY_USER, emit_step_copy_user },
		{ LSKEL_STEP_KSYM, emit_step_ksym },
		{ LSKEL_STEP_BTF_ID, emit_step_btf_id },
		{ LSKEL_STEP_CLOSE, emit_step_close },
		{ LSKEL_STEP_REUSE, emit_step_reuse },
		{ LSKEL_STEP_SKIP, emit_step_skip },
	};
	enum { NR_KINDS = sizeof(kinds) / sizeof(kinds[0]) };
	const struct lskel_step *st = (const void *)(g->b->data + g->b->steps_off);
	unsigned int used = 0;
	int labels[NR_KINDS], i;
	__u32 k;

	/* only the step kinds this blob uses: less to verify, same interpreter otherwise */
	for (k = 0; k < g->b->nr_steps; k++)
		used |= 1u << st[k].kind;
	asm_ld_map_value(a, 9, 0, 0);
	if (used & (1u << LSKEL_STEP_REUSE | 1u << LSKEL_STEP_SKIP)) {	/* skipped steps */
		E(I_LDX(BPF_W, 2, 9, HDR(skip_to)));
		asm_jmp_reg(a, BPF_JLT, 1, 2, g->next);
	}
	/* bpf_loop passes index 0..nr_steps-1; the mask bounds it for the verifier */
	E(I_ALU64_IMM(BPF_MUL, 1, sizeof(struct lskel_step)));
	E(I_ALU64_IMM(BPF_ADD, 1, g->b->steps_off));
	E(I_ALU64_IMM(BPF_AND, 1, g->mask));
	E(I_MOV_REG(7, 9));
	E(I_ALU64_REG(BPF_ADD, 7, 1));
	E(I_LDX(BPF_B, 1, 7, STEP(kind)));
	for (i = 0; i < NR_KINDS; i++) {
		if (!(used & (1u << kinds[i].kind)))
			continue;
		labels[i] = asm_new_label(a);
		asm_jmp_imm(a, BPF_JEQ, 1, kinds[i].kind, labels[i]);
	}
	asm_ja(a, g->bad);
	for (i = 0; i < NR_KINDS; i++) {
		if (!(used & (1u << kinds[i].kind)))
			continue;
		asm_bind(a, labels[i]);
		kinds[i].emit(g);
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
	if (used & (1u << LSKEL_STEP_BPF | 1u << LSKEL_STEP_COPY_USER))
		emit_result(g);	/* shared: the verifier prunes the second path reaching it */
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

/* r1 = err. On failure, before the fds are closed: undo the completed ops whose effect outlives their
 * fds (a plain struct_ops map's registration: MAP_DELETE_ELEM with an attr the op's fixups
 * filled). Code per such op, not a step: the failure path walks no step table, and there is
 * one such op per struct_ops map. Op k completed when the failing op is after it. */
static void emit_undo(struct gen *g)
{
	struct lsk_asm *a = g->a;
	int done = -1;
	size_t k;

	for (k = 0; k < g->t->nr_ops; k++) {
		const struct lsk_op *op = &g->t->ops[k];
		int skip;

		if (op->undo < 0)
			continue;
		if (done < 0) {	/* r1 = err: only after a failure (one branch, struct_ops only) */
			done = asm_new_label(a);
			asm_jmp_imm(a, BPF_JEQ, 1, 0, done);
		}
		skip = asm_new_label(a);
		E(I_LDX(BPF_W, 1, 9, HDR(failed_op)));
		asm_jmp_imm(a, BPF_JLE, 1, k, skip);
		E(I_MOV_IMM(1, BPF_MAP_DELETE_ELEM));
		E(I_MOV_REG(2, 9));
		E(I_ALU64_IMM(BPF_ADD, 2, g->b->chunk_off[op->undo]));
		E(I_MOV_IMM(3, g->t->chunks[op->undo].size));
		E(I_CALL(BPF_FUNC_sys_bpf));	/* its result changes nothing: the load failed */
		asm_bind(a, skip);
	}
	if (done >= 0) {
		asm_bind(a, done);
		E(I_LDX(BPF_W, 1, 9, HDR(err)));
	}
}

/* main: the context's log fields and inputs into the blob, bpf_loop over the steps, the undo of
 * registrations after a failure; the header's scratch is reset first, so the runtime can run
 * the loader again on the same blob (with a log, after a failed PROG_LOAD). The fds of a
 * failed load stay in the fd table for the runtime to close. */
static void emit_main(struct gen *g, int step_fn)
{
	struct lsk_asm *a = g->a;

	if (g->blob_hash)
		emit_blob_check(g);
	E(I_MOV_REG(6, 1));
	asm_ld_map_value(a, 9, 0, 0);
	E(I_LDX(BPF_DW, 1, 6, CTX(log_buf)));
	E(I_STX(BPF_DW, 9, 1, HDR(log_buf)));
	E(I_LDX(BPF_W, 1, 6, CTX(log_size)));
	E(I_STX(BPF_W, 9, 1, HDR(log_size)));
	E(I_LDX(BPF_W, 1, 6, CTX(log_level)));
	E(I_STX(BPF_W, 9, 1, HDR(log_level)));
	E(I_ST(BPF_W, 9, HDR(err), 0));
	E(I_ST(BPF_W, 9, HDR(skip_to), 0));
	if (g->b->inputs_size) {	/* the input area, from user memory in one call */
		int copied = asm_new_label(a);

		E(I_MOV_REG(1, 9));
		E(I_ALU64_IMM(BPF_ADD, 1, g->b->inputs_off));
		E(I_MOV_IMM(2, g->b->inputs_size));
		E(I_LDX(BPF_DW, 3, 6, CTX(inputs)));
		E(I_CALL(BPF_FUNC_copy_from_user));
		asm_jmp_imm(a, BPF_JEQ, 0, 0, copied);
		E(I_EXIT());		/* -EFAULT: the runtime names no op */
		asm_bind(a, copied);
	}
	E(I_MOV_IMM(1, g->b->nr_steps));
	asm_ld_func(a, 2, step_fn);
	E(I_MOV_IMM(3, 0));
	E(I_MOV_IMM(4, 0));
	E(I_CALL(BPF_FUNC_loop));
	E(I_LDX(BPF_W, 1, 9, HDR(err)));
	E(I_STX(BPF_W, 6, 1, CTX(err)));
	E(I_LDX(BPF_W, 2, 9, HDR(failed_op)));
	E(I_STX(BPF_W, 6, 2, CTX(failed_op)));
	emit_undo(g);
	E(I_LDX(BPF_W, 0, 9, HDR(err)));
	E(I_ALU64_IMM(BPF_LSH, 0, 32));
	E(I_ALU64_IMM(BPF_ARSH, 0, 32));
	E(I_EXIT());
}

/* BTF: int main(void *ctx); long step(unsigned int, void *). */
static int loader_btf(struct lsk_loader *l, int main_at, int step_at)
{
	struct btf *btf = btf__new_empty();
	int t_int, t_ptr, t_long, t_uint, p_main, p_cb, f[2], i;
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
	raw = btf__raw_data(btf, &size);
	if (!raw || f[1] < 0) {
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
	for (i = 0; i < 2; i++)
		l->func_info[i].type_id = f[i];
	l->nr_func_info = 2;
	return 0;
}

int lsk_loader_compile(const struct lsk_trace *t, struct lsk_loader **lp)
{
	return lsk_loader_compile_named(t, NULL, NULL, lp);
}

int lsk_loader_compile_signed(const struct lsk_trace *t, const struct lsk_sign_opts *so,
			      struct lsk_loader **lp)
{
	return lsk_loader_compile_named(t, NULL, so, lp);
}

/* Assemble the loader for blob @b (@hash: signed, the blob hash compared first); the
 * functions' first instructions go to @at (main, step). */
static int assemble(const struct lsk_trace *t, const struct lsk_blob *b,
		    const unsigned char *hash, struct lsk_asm *as, int at[2])
{
	struct gen g = { .a = as, .b = b, .t = t, .blob_hash = hash };
	int step_fn, err;

	memset(as, 0, sizeof(*as));
	g.mask = b->mask;	/* steps never name the manifest, which follows mask + 1 */
	step_fn = asm_new_label(as);
	g.bad = asm_new_label(as);
	g.fail_r0 = asm_new_label(as);
	g.next = asm_new_label(as);
	g.stop = asm_new_label(as);
	g.result = asm_new_label(as);
	emit_main(&g, step_fn);
	asm_bind(as, step_fn);
	emit_step_fn(&g);
	err = asm_finish(as);
	if (err)
		return lsk_err(-err, "loader assembly failed: %s", strerror(-err));
	at[0] = 0;
	at[1] = as->label_at[step_fn];
	return 0;
}

/* The kernel-verified scheme (bpf-next): the signature covers the instructions followed by
 * the frozen exclusive data map's contents (the blob; its size is a multiple of 8, so the
 * kernel hashes exactly these bytes). Programs verified that way may not take BTF fds: a
 * kfunc or typed ksym found in a module at load time needs its module's BTF fd, so say so
 * here, naming the symbol; the 6.18 scheme (in-loader check) is not affected. */
static int sign_next(const struct lsk_trace *t, struct lsk_loader *l,
		     const struct lsk_sign_opts *so)
{
	size_t ni = l->nr_insns * sizeof(struct bpf_insn), i;
	unsigned char *payload = malloc(ni + l->blob->size);
	int err, warned = 0;

	if (!payload)
		return lsk_err(ENOMEM, "out of memory");
	memcpy(payload, l->insns, ni);
	memcpy(payload + ni, l->blob->data, l->blob->size);
	err = lsk_sign_pkcs7(so, payload, ni + l->blob->size, &l->sig_next, &l->sig_next_len);
	free(payload);
	for (i = 0; !err && i < t->nr_ops && warned < 8; i++) {
		if (t->ops[i].cmd != LSK_CMD_BTF_ID || t->ops[i].sym.same_as >= 0)
			continue;
		fprintf(stderr, "lskel: warning: signed loader: op %zu (%s) finds a kernel BTF id at "
			"load time; if it is in a module the program needs the module's BTF fd, "
			"which the kernel-verified signing scheme (bpf-next) refuses: there the "
			"load fails, the 6.18 in-loader check is not affected\n", i, t->ops[i].what);
		warned++;
	}
	return err;
}

int lsk_loader_compile_named(const struct lsk_trace *t, const char *name,
			     const struct lsk_sign_opts *so, struct lsk_loader **lp)
{
	static const unsigned char no_hash[32];
	struct lsk_loader *l = calloc(1, sizeof(*l));
	struct lsk_asm as = {};
	int at[2], at2[2], err;
	size_t n1;

	if (!l)
		return lsk_err(ENOMEM, "out of memory");
	if (!name)
		name = t->nr_objs ? t->objs[0].obj->name : "lskel";
	err = lsk_blob_build(t, &l->blob);
	if (err)
		goto out;
	/* The manifest in the blob holds the loader's BTF (its functions' offsets), and a
	 * signed loader holds the blob's hash: place the functions first (the hash's value
	 * changes no instruction count), append the manifest, hash, assemble for real. */
	err = assemble(t, l->blob, so ? no_hash : NULL, &as, at);
	n1 = as.n;
	asm_free(&as);
	memset(&as, 0, sizeof(as));
	err = err ?: loader_btf(l, at[0], at[1]);
	if (err) {
		err = err == -ENOMEM ? lsk_err(ENOMEM, "loader BTF: out of memory") : err;
		goto out;
	}
	err = lsk_manifest_build(t, l->blob, &l->mf);
	err = err ?: lsk_manifest_append(l->mf, t, name, l->blob, l->btf, l->btf_size,
					 l->func_info, l->nr_func_info);
	if (err)
		goto out;
	if (so)
		lsk_sha256(l->blob->data, l->blob->size, l->blob_hash);
	err = assemble(t, l->blob, so ? l->blob_hash : NULL, &as, at2);
	if (err)
		goto out;
	if (as.n != n1 || memcmp(at, at2, sizeof(at))) {
		err = lsk_err(EFAULT, "internal error: the loader's layout moved between passes");
		goto out;
	}
	l->insns = as.insns;
	l->nr_insns = as.n;
	as.insns = NULL;
	if (so) {
		/* the data map is exclusive to this program: the kernel compares the hash of
		 * its instructions; the signature covers them, and through the compiled-in
		 * blob hash, the blob with its manifest */
		l->is_signed = true;
		lsk_sha256(l->insns, l->nr_insns * sizeof(struct bpf_insn), l->excl_hash);
		err = lsk_sign_pkcs7(so, l->insns, l->nr_insns * sizeof(struct bpf_insn), &l->sig,
				     &l->sig_len);
		err = err ?: sign_next(t, l, so);
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
	lsk_manifest_free(l->mf);
	OPENSSL_free(l->sig);
	OPENSSL_free(l->sig_next);
	free(l->insns);
	free(l->btf);
	free(l);
}
