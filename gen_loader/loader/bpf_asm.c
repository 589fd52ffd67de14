// SPDX-License-Identifier: BSD-2-Clause
/* Assembler storage and label resolution. */
#include <errno.h>
#include <stdlib.h>
#include "bpf_asm.h"

static void *grow(struct lsk_asm *a, void *p, size_t n, size_t elem)
{
	void *q = realloc(p, n * elem);

	if (!q && !a->err)
		a->err = -ENOMEM;
	return q;
}

int asm_new_label(struct lsk_asm *a)
{
	long *l = grow(a, a->label_at, a->nr_labels + 1, sizeof(*l));

	if (!l)
		return 0;
	a->label_at = l;
	l[a->nr_labels] = -1;
	return a->nr_labels++;
}

void asm_bind(struct lsk_asm *a, int label)
{
	if (!a->err)
		a->label_at[label] = a->n;
}

void asm_emit(struct lsk_asm *a, struct bpf_insn insn)
{
	if (a->err)
		return;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		struct bpf_insn *n = grow(a, a->insns, cap, sizeof(*n));

		if (!n)
			return;
		a->insns = n;
		a->cap = cap;
	}
	a->insns[a->n++] = insn;
}

static void add_ref(struct lsk_asm *a, int label)
{
	void *r = grow(a, a->refs, a->nr_refs + 1, sizeof(*a->refs));

	if (!r)
		return;
	a->refs = r;
	a->refs[a->nr_refs].at = a->n;
	a->refs[a->nr_refs].label = label;
	a->nr_refs++;
}

void asm_jmp_imm(struct lsk_asm *a, int op, int reg, int imm, int label)
{
	add_ref(a, label);
	asm_emit(a, (struct bpf_insn){ .code = BPF_JMP | op | BPF_K, .dst_reg = reg, .imm = imm });
}

void asm_jmp_reg(struct lsk_asm *a, int op, int dst, int src, int label)
{
	add_ref(a, label);
	asm_emit(a, (struct bpf_insn){ .code = BPF_JMP | op | BPF_X, .dst_reg = dst,
				       .src_reg = src });
}

void asm_ja(struct lsk_asm *a, int label)
{
	add_ref(a, label);
	asm_emit(a, (struct bpf_insn){ .code = BPF_JMP | BPF_JA });
}

/* BPF_JMP | BPF_JCOND with src_reg BPF_MAY_GOTO (0): not in the 6.1 UAPI header. */
#define LSK_BPF_JCOND 0xe0

void asm_may_goto(struct lsk_asm *a, int label)
{
	add_ref(a, label);
	asm_emit(a, (struct bpf_insn){ .code = BPF_JMP | LSK_BPF_JCOND | BPF_K });
}

void asm_ld_func(struct lsk_asm *a, int reg, int label)
{
	add_ref(a, label);
	asm_emit(a, (struct bpf_insn){ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = reg,
				       .src_reg = BPF_PSEUDO_FUNC });
	asm_emit(a, (struct bpf_insn){ 0 });
}

void asm_ld_map_value(struct lsk_asm *a, int reg, int idx, int off)
{
	asm_emit(a, (struct bpf_insn){ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = reg,
				       .src_reg = BPF_PSEUDO_MAP_IDX_VALUE, .imm = idx });
	asm_emit(a, (struct bpf_insn){ .imm = off });
}

void asm_ld_map_ptr(struct lsk_asm *a, int reg, int idx)
{
	asm_emit(a, (struct bpf_insn){ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = reg,
				       .src_reg = BPF_PSEUDO_MAP_IDX, .imm = idx });
	asm_emit(a, (struct bpf_insn){ 0 });
}

void asm_ld_imm64(struct lsk_asm *a, int reg, __u64 v)
{
	asm_emit(a, (struct bpf_insn){ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = reg,
				       .imm = (__s32)(__u32)v });
	asm_emit(a, (struct bpf_insn){ .imm = (__s32)(__u32)(v >> 32) });
}

int asm_finish(struct lsk_asm *a)
{
	size_t i;

	if (a->err)
		return a->err;
	for (i = 0; i < a->nr_refs; i++) {
		struct bpf_insn *in = &a->insns[a->refs[i].at];
		long to = a->label_at[a->refs[i].label];
		long rel = to - (long)a->refs[i].at - 1;

		if (to < 0)
			return -EINVAL;
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			in->imm = rel;
		} else {
			if (rel < -32768 || rel > 32767)
				return -ERANGE;
			in->off = rel;
		}
	}
	return 0;
}

void asm_free(struct lsk_asm *a)
{
	free(a->insns);
	free(a->label_at);
	free(a->refs);
}
