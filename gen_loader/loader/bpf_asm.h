/* SPDX-License-Identifier: BSD-2-Clause */
/* A tiny BPF assembler: instructions, symbolic labels, forward jumps resolved at the end. */
#ifndef LSK_BPF_ASM_H
#define LSK_BPF_ASM_H

#include <stddef.h>
#include <linux/bpf.h>

struct lsk_asm {
	struct bpf_insn *insns;
	size_t n, cap;
	long *label_at;		/* per label: instruction index, -1 until bound */
	size_t nr_labels;
	struct { size_t at; int label; } *refs;
	size_t nr_refs;
	int err;		/* sticky: first error */
};

int asm_new_label(struct lsk_asm *a);
void asm_bind(struct lsk_asm *a, int label);
void asm_emit(struct lsk_asm *a, struct bpf_insn insn);
/* Conditional/unconditional jump to @label (BPF_JMP class, op e.g. BPF_JGT, BPF_K or BPF_X). */
void asm_jmp_imm(struct lsk_asm *a, int op, int reg, int imm, int label);
void asm_jmp_reg(struct lsk_asm *a, int op, int dst, int src, int label);
void asm_ja(struct lsk_asm *a, int label);
/* may_goto label: go to label once the kernel's loop budget is spent (6.9+). */
void asm_may_goto(struct lsk_asm *a, int label);
/* ld_imm64 of the address of subprogram @label (BPF_PSEUDO_FUNC). */
void asm_ld_func(struct lsk_asm *a, int reg, int label);
/* ld_imm64 of fd_array[idx]'s map value + off (BPF_PSEUDO_MAP_IDX_VALUE). */
void asm_ld_map_value(struct lsk_asm *a, int reg, int idx, int off);
/* ld_imm64 of fd_array[idx]'s map itself, the kernel's struct bpf_map (BPF_PSEUDO_MAP_IDX). */
void asm_ld_map_ptr(struct lsk_asm *a, int reg, int idx);
/* ld_imm64 of the constant @v. */
void asm_ld_imm64(struct lsk_asm *a, int reg, __u64 v);
/* Resolve labels; returns 0 or -errno. */
int asm_finish(struct lsk_asm *a);
void asm_free(struct lsk_asm *a);

#define I_ALU64_IMM(OP, D, IMM) ((struct bpf_insn){ .code = BPF_ALU64 | (OP) | BPF_K, \
	.dst_reg = (D), .imm = (IMM) })
#define I_ALU64_REG(OP, D, S) ((struct bpf_insn){ .code = BPF_ALU64 | (OP) | BPF_X, \
	.dst_reg = (D), .src_reg = (S) })
#define I_MOV_IMM(D, IMM) I_ALU64_IMM(BPF_MOV, D, IMM)
#define I_MOV_REG(D, S) I_ALU64_REG(BPF_MOV, D, S)
#define I_LDX(SZ, D, S, OFF) ((struct bpf_insn){ .code = BPF_LDX | (SZ) | BPF_MEM, \
	.dst_reg = (D), .src_reg = (S), .off = (OFF) })
#define I_STX(SZ, D, S, OFF) ((struct bpf_insn){ .code = BPF_STX | (SZ) | BPF_MEM, \
	.dst_reg = (D), .src_reg = (S), .off = (OFF) })
#define I_ST(SZ, D, OFF, IMM) ((struct bpf_insn){ .code = BPF_ST | (SZ) | BPF_MEM, \
	.dst_reg = (D), .off = (OFF), .imm = (IMM) })
/* r(S) = atomic fetch-and-add of r(S) to *(SZ *)(r(D) + OFF) (5.12+). */
#define I_FETCH_ADD(SZ, D, S, OFF) ((struct bpf_insn){ .code = BPF_STX | (SZ) | BPF_ATOMIC, \
	.dst_reg = (D), .src_reg = (S), .off = (OFF), .imm = BPF_ADD | BPF_FETCH })
#define I_CALL(FN) ((struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = (FN) })
#define I_EXIT() ((struct bpf_insn){ .code = BPF_JMP | BPF_EXIT })

#endif
