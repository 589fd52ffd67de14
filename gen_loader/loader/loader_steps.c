// SPDX-License-Identifier: BSD-2-Clause
/* The step interpreter: the loop loader's loop body, or the compat loader's bpf_loop callback
 * lskel_step; it runs the step kinds of loader_abi.h (only those the blob uses are emitted).
 * Every offset read from a step is masked to the blob so the verifier accepts the accesses
 * without a branch. Registers: loader_gen.h. */
#include <errno.h>
#include "loader_gen.h"

/* rd = blob + (u32 field of the step) & mask: the blob is mask + 1 + TAIL bytes, so a
 * TAIL-sized access stays inside. A mask, not a compare: a branch on an unknown value makes
 * the verifier copy its state and walk both ways, and verifying the loader is most of a small
 * object's load time (a mask instead of each compare: -16% PROG_LOAD time of tp_counter's
 * loader). The generator names no offset past the blob and lskel-run validates containers;
 * the mask only keeps the verifier's proof free of branches. */
static void blob_ptr(struct gen *g, int rd, int field, int tmp)
{
	struct lsk_asm *a = g->a;

	if (g->loop) {	/* rd = offset + blob: one instruction less (the compat loader's bytes
			 * stay as they were) */
		E(I_LDX(BPF_W, rd, R_STEP, field));
		E(I_ALU64_IMM(BPF_AND, rd, g->mask));
		E(I_ALU64_REG(BPF_ADD, rd, R_BLOB));
		return;
	}
	E(I_LDX(BPF_W, tmp, R_STEP, field));
	E(I_ALU64_IMM(BPF_AND, tmp, g->mask));
	E(I_MOV_REG(rd, R_BLOB));
	E(I_ALU64_REG(BPF_ADD, rd, tmp));
}

/* rd = &fdtab[reg], the slot's offset masked like any blob offset; reg is clobbered. */
static void fd_slot(struct gen *g, int rd, int reg)
{
	struct lsk_asm *a = g->a;

	E(I_ALU64_IMM(BPF_LSH, reg, 2));
	E(I_ALU64_IMM(BPF_ADD, reg, g->b->fdtab_off));
	E(I_ALU64_IMM(BPF_AND, reg, g->mask & ~3));
	E(I_MOV_REG(rd, R_BLOB));
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
	E(I_LDX(BPF_H, reg, R_STEP, STEP(size)));
	E(I_ALU64_IMM(BPF_ADD, reg, -1));
	E(I_ALU64_IMM(BPF_AND, reg, pow2 - 1));
	E(I_ALU64_IMM(BPF_ADD, reg, 1));
}

static void emit_step_ptr(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, R3, STEP(b), R1);
	blob_ptr(g, R4, STEP(a), R1);
	E(I_STX(BPF_DW, R4, R3, 0));	/* a kernel address into the blob: the attr wants it */
	asm_ja(a, g->next);
}

static void emit_step_u32(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, R3, STEP(b), R1);
	E(I_LDX(BPF_W, R3, R3, 0));		/* r3 = the value */
	blob_ptr(g, R4, STEP(a), R1);
	if (g->loop) {	/* IF_SET: the runtime put the kept value in a slot the caller left 0 */
		E(I_STX(BPF_W, R4, R3, 0));
		asm_ja(a, g->next);
		return;
	}
	/* IF_SET: a caller's 0 keeps the compiled value. Computed, not branched on: U32 is the
	 * commonest step (every fd fixup), and a branch costs the verifier two paths. */
	E(I_LDX(BPF_W, R5, R4, 0));		/* r5 = the compiled value */
	E(I_MOV_IMM(R1, 0));
	E(I_ALU64_REG(BPF_SUB, R1, R3));
	E(I_ALU64_REG(BPF_OR, R1, R3));
	E(I_ALU64_IMM(BPF_RSH, R1, 63));
	E(I_ALU64_IMM(BPF_XOR, R1, 1));		/* r1 = value == 0 */
	E(I_LDX(BPF_B, R2, R_STEP, STEP(flags)));
	E(I_ALU64_IMM(BPF_RSH, R2, __builtin_ctz(LSKEL_STEP_IF_SET)));
	E(I_ALU64_REG(BPF_AND, R1, R2));
	E(I_ALU64_IMM(BPF_AND, R1, 1));		/* r1 = keep the compiled value */
	E(I_ALU64_IMM(BPF_MUL, R1, -1));		/* all ones to keep, else 0 */
	E(I_ALU64_REG(BPF_XOR, R5, R3));
	E(I_ALU64_REG(BPF_AND, R5, R1));
	E(I_ALU64_REG(BPF_XOR, R3, R5));		/* keep ? compiled : value */
	E(I_STX(BPF_W, R4, R3, 0));
	asm_ja(a, g->next);
}

/* A pinned map the runtime found: its fd by id into the map's slot, then skip its creation. */
static void emit_step_reuse(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, R_KEEP, STEP(b), R1);
	E(I_LDX(BPF_W, R_KEEP, R_KEEP, 0));
	asm_jmp_imm(a, BPF_JEQ, R_KEEP, 0, g->next);	/* nothing pinned: create it */
	blob_ptr(g, R2, STEP(a), R1);
	E(I_STX(BPF_W, R2, R_KEEP, ATTR(map_id)));
	E(I_MOV_IMM(R1, BPF_MAP_GET_FD_BY_ID));
	E(I_MOV_IMM(R3, ATTR_END(open_flags)));
	E(I_CALL(BPF_FUNC_sys_bpf));
	asm_jmp_imm(a, BPF_JSLT, R0, 0, g->fail_r0);
	E(I_LDX(BPF_W, R1, R_STEP, STEP(c)));
	fd_slot(g, R2, R1);
	E(I_STX(BPF_W, R2, R0, 0));
	E(I_LDX(BPF_W, R1, R_STEP, STEP(d)));
	E(I_STX(BPF_W, R_BLOB, R1, HDR(skip_to)));
	asm_ja(a, g->next);
}

/* A SEC("?...") program the caller did not ask for: its steps (and those of whatever names
 * it) are skipped. */
static void emit_step_skip(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, R_KEEP, STEP(b), R1);
	E(I_LDX(BPF_W, R_KEEP, R_KEEP, 0));
	asm_jmp_imm(a, BPF_JNE, R_KEEP, 0, g->next);	/* asked for: load it */
	E(I_LDX(BPF_W, R1, R_STEP, STEP(d)));
	E(I_STX(BPF_W, R_BLOB, R1, HDR(skip_to)));
	asm_ja(a, g->next);
}

/* After a helper call: r0 < 0 becomes the load's error, the step's op the failed one, and
 * the loop stops (bpf_loop's callback returns 1; the loop loader's next index gets every bit
 * set, so the loop's bound check ends it); r0 >= 0 goes on. No branch: a branch on the
 * helper's result made the verifier copy its state and walk both ways, at every step kind,
 * and each such fork costs about 5 us of PROG_LOAD time (measured). err and failed_op are
 * written every time (0 and an op that did not fail are never read: main reports them only
 * with an error). */
static void emit_result(struct gen *g)
{
	struct lsk_asm *a = g->a;

	asm_bind(a, g->result);
	E(I_MOV_REG(R1, R0));
	E(I_ALU64_IMM(BPF_ARSH, R1, 63));	/* -1 on error, else 0 */
	E(I_ALU64_REG(BPF_AND, R0, R1));
	E(I_STX(BPF_W, R_BLOB, R0, HDR(err)));
	E(I_LDX(BPF_W, R2, R_STEP, STEP(op)));
	E(I_STX(BPF_W, R_BLOB, R2, HDR(failed_op)));
	if (g->loop) {	/* an error sets every bit of the next index: the loop ends */
		E(I_LDX(BPF_W, R2, R_BLOB, HDR(cur)));
		E(I_ALU64_REG(BPF_OR, R2, R1));
		E(I_STX(BPF_W, R_BLOB, R2, HDR(cur)));
		asm_ja(a, g->next);
		return;
	}
	E(I_ALU64_IMM(BPF_AND, R1, 1));	/* 1 stops bpf_loop */
	E(I_MOV_REG(R0, R1));
	E(I_EXIT());
}

/* The log fields go into every BPF step's d (a PROG_LOAD's attr, else a sink), and its result
 * into c (its fd-table slot, else a sink): the same instructions for every command. The
 * runtime leaves the log fields 0; when a PROG_LOAD fails and the caller wants the verifier's
 * log, it runs the loader again with them set. */
static void emit_step_bpf(struct gen *g)
{
	struct lsk_asm *a = g->a;

	if (!g->slim) {	/* a slim loader's blob has them in place */
		blob_ptr(g, R4, STEP(d), R3);
		E(I_LDX(BPF_W, R3, R_BLOB, HDR(log_level)));
		E(I_STX(BPF_W, R4, R3, LOG(log_level)));
		E(I_LDX(BPF_W, R3, R_BLOB, HDR(log_size)));
		E(I_STX(BPF_W, R4, R3, LOG(log_size)));
		E(I_LDX(BPF_DW, R3, R_BLOB, HDR(log_buf)));
		E(I_STX(BPF_DW, R4, R3, LOG(log_buf)));
	}
	E(I_LDX(BPF_W, R1, R_STEP, STEP(a)));
	blob_ptr(g, R2, STEP(b), R3);
	size_arg(g, R3, LSKEL_ATTR_MAX);
	E(I_CALL(BPF_FUNC_sys_bpf));
	blob_ptr(g, R_KEEP, STEP(c), R3);
	E(I_STX(BPF_W, R_KEEP, R0, 0));	/* an fd, 0, or an errno the close pass skips */
	asm_ja(a, g->result);
}

/* After a failed lookup: weak symbols read as 0, strong ones fail with the error in r0. */
static void weak_or_fail(struct gen *g, int reg_zero)
{
	struct lsk_asm *a = g->a;

	E(I_LDX(BPF_B, R1, R_STEP, STEP(flags)));
	E(I_ALU64_IMM(BPF_AND, R1, LSKEL_STEP_WEAK));
	asm_jmp_imm(a, BPF_JEQ, R1, 0, g->fail_r0);
	E(I_MOV_IMM(reg_zero, 0));
}

static void emit_step_ksym(struct gen *g)
{
	struct lsk_asm *a = g->a;
	int store = asm_new_label(a);

	blob_ptr(g, R1, STEP(a), R3);
	size_arg(g, R2, LSKEL_NAME_MAX);
	E(I_MOV_IMM(R3, 0));
	E(I_MOV_REG(R4, R_BLOB));
	E(I_ALU64_IMM(BPF_ADD, R4, HDR(res)));
	E(I_CALL(BPF_FUNC_kallsyms_lookup_name));
	E(I_LDX(BPF_DW, R_KEEP, R_BLOB, HDR(res)));
	asm_jmp_imm(a, BPF_JSGE, R0, 0, store);
	weak_or_fail(g, R_KEEP);
	asm_bind(a, store);
	blob_ptr(g, R4, STEP(b), R1);
	E(I_STX(BPF_W, R4, R_KEEP, INSN_IMM(0)));	/* low half */
	E(I_ALU64_IMM(BPF_RSH, R_KEEP, 32));
	E(I_STX(BPF_W, R4, R_KEEP, INSN_IMM(1)));	/* high half */
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

	E(I_LDX(BPF_B, R1, R_STEP, STEP(flags)));
	E(I_ALU64_IMM(BPF_AND, R1, LSKEL_STEP_BTF_AGAIN));
	asm_jmp_imm(a, BPF_JNE, R1, 0, again);
	blob_ptr(g, R1, STEP(a), R3);
	size_arg(g, R2, LSKEL_NAME_MAX);
	E(I_LDX(BPF_W, R3, R_STEP, STEP(c)));
	E(I_MOV_IMM(R4, 0));
	E(I_CALL(BPF_FUNC_btf_find_by_name_kind));
	asm_jmp_imm(a, BPF_JSGE, R0, 0, found);
	weak_or_fail(g, R0);
	asm_bind(a, found);
	E(I_LDX(BPF_W, R1, R_STEP, STEP(d)));
	asm_jmp_imm(a, BPF_JEQ, R1, 0, have);
	blob_ptr(g, R2, STEP(d), R3);
	E(I_STX(BPF_DW, R2, R0, 0));	/* keep (fd << 32 | id) for later references */
	asm_ja(a, have);
	asm_bind(a, again);
	blob_ptr(g, R2, STEP(d), R3);
	E(I_LDX(BPF_DW, R0, R2, 0));
	asm_bind(a, have);
	E(I_MOV_REG(R_KEEP, R0));		/* r6 = btf id */
	E(I_ALU64_IMM(BPF_LSH, R_KEEP, 32));
	E(I_ALU64_IMM(BPF_RSH, R_KEEP, 32));
	E(I_MOV_REG(R_MODFD, R0));		/* r8 = module BTF fd, 0 for vmlinux */
	E(I_ALU64_IMM(BPF_RSH, R_MODFD, 32));
	E(I_LDX(BPF_W, R5, R_STEP, STEP(op)));	/* r5 = fd-table slot holding that fd */
	asm_jmp_imm(a, BPF_JEQ, R_MODFD, 0, nofd);
	E(I_LDX(BPF_B, R1, R_STEP, STEP(flags)));
	E(I_ALU64_IMM(BPF_AND, R1, LSKEL_STEP_BTF_AGAIN));
	asm_jmp_imm(a, BPF_JNE, R1, 0, shared);
	/* a module's BTF fd: into the fd table (fd_array for kfuncs, closed after the load) */
	E(I_MOV_REG(R1, R5));
	fd_slot(g, R2, R1);
	E(I_STX(BPF_W, R2, R_MODFD, 0));
	asm_ja(a, nofd);
	asm_bind(a, shared);
	E(I_LDX(BPF_W, R5, R_STEP, STEP(c)));
	asm_bind(a, nofd);
	blob_ptr(g, R4, STEP(b), R1);
	E(I_LDX(BPF_B, R1, R_STEP, STEP(flags)));
	E(I_ALU64_IMM(BPF_AND, R1, LSKEL_STEP_BTF_MODE));
	asm_jmp_imm(a, BPF_JEQ, R1, LSKEL_STEP_BTF_LDIMM64, ld);
	asm_jmp_imm(a, BPF_JEQ, R1, LSKEL_STEP_BTF_KFUNC, kf);
	E(I_STX(BPF_W, R4, R_KEEP, 0));	/* attach_btf_id, then attach_btf_obj_fd for a module */
	asm_jmp_imm(a, BPF_JEQ, R_MODFD, 0, g->next);
	E(I_STX(BPF_W, R4, R_MODFD, BTF_OBJ_FD));
	asm_ja(a, g->next);
	asm_bind(a, ld);		/* ld_imm64: imm = id, insn[1].imm = BTF fd */
	E(I_STX(BPF_W, R4, R_KEEP, INSN_IMM(0)));
	E(I_STX(BPF_W, R4, R_MODFD, INSN_IMM(1)));
	asm_jmp_imm(a, BPF_JNE, R_KEEP, 0, g->next);
	E(I_LDX(BPF_B, R1, R4, INSN_REGS));	/* missing weak: plain ld_imm64 0 (src_reg = 0) */
	E(I_ALU64_IMM(BPF_AND, R1, 0x0f));
	E(I_STX(BPF_B, R4, R1, INSN_REGS));
	asm_ja(a, g->next);
	asm_bind(a, kf);		/* kfunc call: imm = id, off = fd_array index of the BTF */
	E(I_STX(BPF_W, R4, R_KEEP, INSN_IMM(0)));
	asm_jmp_imm(a, BPF_JEQ, R_MODFD, 0, g->next);
	E(I_STX(BPF_H, R4, R5, INSN_OFF(off)));
	asm_ja(a, g->next);
}

static void emit_step_close(struct gen *g)
{
	struct lsk_asm *a = g->a;

	E(I_LDX(BPF_W, R1, R_STEP, STEP(a)));
	fd_slot(g, R_KEEP, R1);
	E(I_LDX(BPF_W, R1, R_KEEP, 0));	/* -1 or an errno: the kernel answers EBADF */
	E(I_CALL(BPF_FUNC_sys_close));
	E(I_ST(BPF_W, R_KEEP, 0, -1));
	asm_ja(a, g->next);
}

static void emit_step_copy_user(struct gen *g)
{
	struct lsk_asm *a = g->a;

	blob_ptr(g, R_KEEP, STEP(b), R1);
	E(I_LDX(BPF_DW, R3, R_KEEP, 0));
	asm_jmp_imm(a, BPF_JEQ, R3, 0, g->next);	/* the caller gave no value: keep ours */
	E(I_LDX(BPF_W, R1, R_STEP, STEP(d)));
	E(I_ALU64_REG(BPF_ADD, R3, R1));
	blob_ptr(g, R1, STEP(a), R2);
	E(I_LDX(BPF_W, R2, R_STEP, STEP(c)));	/* 1..COPY_MAX, as size_arg bounds */
	E(I_ALU64_IMM(BPF_ADD, R2, -1));
	E(I_ALU64_IMM(BPF_AND, R2, LSKEL_COPY_MAX - 1));
	E(I_ALU64_IMM(BPF_ADD, R2, 1));
	E(I_CALL(BPF_FUNC_copy_from_user));
	asm_ja(a, g->result);
}

/* Interpret step[index] (r1): loader_gen.h says how each shape goes on and stops. */
void lsk_gen_step_fn(struct gen *g)
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
	if (!g->loop)	/* a callback: the blob again */
		asm_ld_map_value(a, R_BLOB, 0, 0);
	if (used & (1u << LSKEL_STEP_REUSE | 1u << LSKEL_STEP_SKIP)) {	/* skipped steps */
		E(I_LDX(BPF_W, R2, R_BLOB, HDR(skip_to)));
		asm_jmp_reg(a, BPF_JLT, R1, R2, g->next);
	}
	/* the index is 0..nr_steps-1 (bpf_loop's, or the loop's); the mask bounds it for the
	 * verifier */
	E(I_ALU64_IMM(BPF_MUL, R1, sizeof(struct lskel_step)));
	E(I_ALU64_IMM(BPF_ADD, R1, g->b->steps_off));
	E(I_ALU64_IMM(BPF_AND, R1, g->mask));
	E(I_MOV_REG(R_STEP, R_BLOB));
	E(I_ALU64_REG(BPF_ADD, R_STEP, R1));
	E(I_LDX(BPF_B, R1, R_STEP, STEP(kind)));
	if (g->slim && (used & (1u << LSKEL_STEP_COPY_USER))) {
		/* the runtime copied the caller's values into the blob it wrote */
		asm_jmp_imm(a, BPF_JEQ, R1, LSKEL_STEP_COPY_USER, g->next);
		used &= ~(1u << LSKEL_STEP_COPY_USER);
	}
	for (i = 0; i < NR_KINDS; i++) {
		if (!(used & (1u << kinds[i].kind)))
			continue;
		labels[i] = asm_new_label(a);
		asm_jmp_imm(a, BPF_JEQ, R1, kinds[i].kind, labels[i]);
	}
	asm_ja(a, g->bad);
	for (i = 0; i < NR_KINDS; i++) {
		if (!(used & (1u << kinds[i].kind)))
			continue;
		asm_bind(a, labels[i]);
		kinds[i].emit(g);
	}
	asm_bind(a, g->bad);
	E(I_MOV_IMM(R0, -EINVAL));
	asm_bind(a, g->fail_r0);
	E(I_STX(BPF_W, R_BLOB, R0, HDR(err)));
	E(I_LDX(BPF_W, R1, R_STEP, STEP(op)));
	E(I_STX(BPF_W, R_BLOB, R1, HDR(failed_op)));
	asm_bind(a, g->stop);
	if (g->loop) {	/* g->next is the loop's head (compile.c) */
		asm_ja(a, g->done);
	} else {
		E(I_MOV_IMM(R0, 1));
		E(I_EXIT());
		asm_bind(a, g->next);
		E(I_MOV_IMM(R0, 0));
		E(I_EXIT());
	}
	if (used & (1u << LSKEL_STEP_BPF | 1u << LSKEL_STEP_COPY_USER))
		emit_result(g);	/* shared: the verifier prunes the second path reaching it */
}
