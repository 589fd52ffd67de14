// SPDX-License-Identifier: BSD-2-Clause
/* `lskel dump --loader`: what the loader program is and what it will interpret. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "compile.h"
#include "dump.h"

static const char *const step_names[] = {
	[LSKEL_STEP_PTR] = "PTR", [LSKEL_STEP_BPF] = "BPF", [LSKEL_STEP_KSYM] = "KSYM",
	[LSKEL_STEP_BTF_ID] = "BTF_ID", [LSKEL_STEP_CLOSE] = "CLOSE", [LSKEL_STEP_U32] = "U32",
	[LSKEL_STEP_COPY_USER] = "COPY_USER", [LSKEL_STEP_REUSE] = "REUSE",
	[LSKEL_STEP_SKIP] = "SKIP",
};

static const char *step_name(unsigned int kind)
{
	return kind < sizeof(step_names) / sizeof(step_names[0]) && step_names[kind] ?
	       step_names[kind] : "?";
}

/* The helpers the loader calls (compile.c, loader_steps.c); any other id prints as a number. */
static const struct {
	int id;
	const char *name;
} helpers[] = {
	{ BPF_FUNC_copy_from_user, "bpf_copy_from_user" },
	{ BPF_FUNC_loop, "bpf_loop" },
	{ BPF_FUNC_sys_bpf, "bpf_sys_bpf" },
	{ BPF_FUNC_sys_close, "bpf_sys_close" },
	{ BPF_FUNC_btf_find_by_name_kind, "bpf_btf_find_by_name_kind" },
	{ BPF_FUNC_kallsyms_lookup_name, "bpf_kallsyms_lookup_name" },
};

static const char *helper_name(int id)
{
	size_t i;

	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (helpers[i].id == id)
			return helpers[i].name;
	return "";
}

static const char *alu_name(int op)
{
	switch (op) {
	case BPF_ADD: return "+=";
	case BPF_SUB: return "-=";
	case BPF_MUL: return "*=";
	case BPF_AND: return "&=";
	case BPF_OR: return "|=";
	case BPF_XOR: return "^=";
	case BPF_DIV: return "/=";
	case BPF_MOD: return "%=";
	case BPF_LSH: return "<<=";
	case BPF_RSH: return ">>=";
	case BPF_ARSH: return "s>>=";
	case BPF_MOV: return "=";
	default: return "?=";
	}
}

static const char *jmp_name(int op)
{
	switch (op) {
	case BPF_JEQ: return "==";
	case BPF_JNE: return "!=";
	case BPF_JGT: return ">";
	case BPF_JGE: return ">=";
	case BPF_JLT: return "<";
	case BPF_JLE: return "<=";
	case BPF_JSGT: return "s>";
	case BPF_JSGE: return "s>=";
	case BPF_JSLT: return "s<";
	case BPF_JSLE: return "s<=";
	default: return "?";
	}
}

static const char *size_name(int sz)
{
	return sz == BPF_B ? "u8" : sz == BPF_H ? "u16" : sz == BPF_W ? "u32" : "u64";
}

/* Where instruction @i jumps or points to (a jump, or ld_imm64 of a function's address), or
 * -1. */
static long insn_target(const struct bpf_insn *in, size_t i)
{
	const struct bpf_insn *x = &in[i];
	int op = BPF_OP(x->code);

	if (x->code == (BPF_LD | BPF_IMM | BPF_DW))
		return x->src_reg == BPF_PSEUDO_FUNC ? (long)i + x->imm + 1 : -1;
	if (BPF_CLASS(x->code) != BPF_JMP || op == BPF_CALL || op == BPF_EXIT)
		return -1;
	return (long)i + x->off + 1;
}

/* Labels: the loader's functions by name (the compat loader's from its func_info; the loop
 * loader is one function), every other target as Ln (in address order). */
struct labels {
	const struct bpf_func_info *fi;	/* NULL: the loop loader */
	__u32 nr_fi;
	int *nr;		/* per instruction: 0, or n of its label Ln */
	size_t n;
};

static const char *fn_at(const struct labels *lb, long at)
{
	__u32 k;

	if (!lb->fi)
		return at == 0 ? lsk_loader_fn_names[LSK_LOADER_FN_MAIN] : NULL;
	for (k = 0; k < lb->nr_fi && k < LSK_LOADER_NR_FNS; k++)
		if ((long)lb->fi[k].insn_off == at)
			return lsk_loader_fn_names[k];
	return NULL;
}

static void label_print(FILE *f, const struct labels *lb, long at)
{
	const char *fn = fn_at(lb, at);

	if (fn)
		fprintf(f, "%s", fn);
	else if (at >= 0 && (size_t)at < lb->n && lb->nr[at])
		fprintf(f, "L%d", lb->nr[at]);
	else
		fprintf(f, "pc%+ld", at);	/* outside the program: the verifier refuses it */
}

static void disasm_one(FILE *f, const struct bpf_insn *in, size_t i, const struct labels *lb)
{
	const struct bpf_insn *x = &in[i];
	int cls = BPF_CLASS(x->code), op = BPF_OP(x->code);
	const char *sz = size_name(BPF_SIZE(x->code));

	if (x->code == (BPF_LD | BPF_IMM | BPF_DW) && x->src_reg == BPF_PSEUDO_FUNC) {
		fprintf(f, "r%d = &", x->dst_reg);
		label_print(f, lb, insn_target(in, i));
		fprintf(f, "\n");
	} else if (x->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		fprintf(f, "r%d = map_value(fd_array[%d]) + %d\n", x->dst_reg, x->imm, in[i + 1].imm);
	} else if (cls == BPF_ALU64 && BPF_SRC(x->code) == BPF_X) {
		fprintf(f, "r%d %s r%d\n", x->dst_reg, alu_name(op), x->src_reg);
	} else if (cls == BPF_ALU64) {
		fprintf(f, "r%d %s %d\n", x->dst_reg, alu_name(op), x->imm);
	} else if (cls == BPF_LDX) {
		fprintf(f, "r%d = *(%s *)(r%d %+d)\n", x->dst_reg, sz, x->src_reg, x->off);
	} else if (cls == BPF_STX && BPF_MODE(x->code) == BPF_ATOMIC) {
		fprintf(f, "r%d = atomic_fetch_%s((%s *)(r%d %+d), r%d)\n", x->src_reg,
			x->imm == (BPF_ADD | BPF_FETCH) ? "add" : "?", sz, x->dst_reg, x->off,
			x->src_reg);
	} else if (cls == BPF_STX) {
		fprintf(f, "*(%s *)(r%d %+d) = r%d\n", sz, x->dst_reg, x->off, x->src_reg);
	} else if (cls == BPF_ST) {
		fprintf(f, "*(%s *)(r%d %+d) = %d\n", sz, x->dst_reg, x->off, x->imm);
	} else if (x->code == (BPF_JMP | BPF_CALL)) {
		fprintf(f, "call %s#%d\n", helper_name(x->imm), x->imm);
	} else if (x->code == (BPF_JMP | BPF_EXIT)) {
		fprintf(f, "exit\n");
	} else if (cls == BPF_JMP) {
		if (x->code == (BPF_JMP | BPF_JA))
			fprintf(f, "goto ");
		else if (x->code == (BPF_JMP | 0xe0) && !x->src_reg)	/* BPF_JCOND */
			fprintf(f, "may_goto ");
		else if (BPF_SRC(x->code) == BPF_X)
			fprintf(f, "if r%d %s r%d goto ", x->dst_reg, jmp_name(op), x->src_reg);
		else
			fprintf(f, "if r%d %s %d goto ", x->dst_reg, jmp_name(op), x->imm);
		label_print(f, lb, insn_target(in, i));
		fprintf(f, "\n");
	} else {
		fprintf(f, "code 0x%02x dst r%d src r%d off %d imm %d\n", x->code, x->dst_reg,
			x->src_reg, x->off, x->imm);
	}
}

/* One instruction a line, numbered; a label line before each function and jump target. @fi:
 * the compat loader's func_info, NULL for the loop loader. */
static int disasm(FILE *f, const struct bpf_insn *in, size_t n, const struct bpf_func_info *fi,
		  __u32 nr_fi)
{
	struct labels lb = { .fi = fi, .nr_fi = nr_fi, .n = n };
	size_t i;
	long to;
	int next = 0;

	lb.nr = calloc(lb.n ? lb.n : 1, sizeof(*lb.nr));
	if (!lb.nr)
		return -ENOMEM;
	for (i = 0; i < lb.n; i++) {
		to = insn_target(in, i);
		if (to >= 0 && (size_t)to < lb.n && !fn_at(&lb, to))
			lb.nr[to] = -1;
		if (in[i].code == (BPF_LD | BPF_IMM | BPF_DW))
			i++;
	}
	for (i = 0; i < lb.n; i++)
		if (lb.nr[i])
			lb.nr[i] = ++next;
	for (i = 0; i < lb.n; i++) {
		if (fn_at(&lb, (long)i) || lb.nr[i]) {
			label_print(f, &lb, (long)i);
			fprintf(f, ":\n");
		}
		fprintf(f, "  %4zu: ", i);
		disasm_one(f, in, i, &lb);
		if (in[i].code == (BPF_LD | BPF_IMM | BPF_DW))
			i++;
	}
	free(lb.nr);
	return 0;
}

void lsk_dump_loader(FILE *f, const struct lsk_trace *t, const struct lsk_loader *l)
{
	const struct lsk_blob *b = l->blob;
	const struct lskel_step *s = (const void *)(b->data + b->steps_off);
	size_t i;

	fprintf(f, "loader: %zu instructions (%zu bytes); compat loader: ", l->nr_insns,
		l->nr_insns * sizeof(struct bpf_insn));
	if (l->compat_insns)
		fprintf(f, "%zu instructions (%zu bytes), BTF %u bytes\n", l->nr_compat_insns,
			l->nr_compat_insns * sizeof(struct bpf_insn), l->btf_size);
	else
		fprintf(f, "none (signed)\n");
	fprintf(f, "blob: %u bytes: header 0, steps %u (x%u) at %u, fd table %u at %u, inputs %u "
		"bytes at %u, chunks from %u, tail %u\n", b->size, b->nr_steps,
		(unsigned)sizeof(*s), b->steps_off, b->nr_ops, b->fdtab_off, b->inputs_size,
		b->inputs_off, b->inputs_off + b->inputs_size, LSKEL_BLOB_TAIL);
	for (i = 0; i < t->nr_chunks; i++)
		fprintf(f, "  chunk %zu %-12s at %6u, %u bytes\n", i, t->chunks[i].label,
			b->chunk_off[i], t->chunks[i].size);
	fprintf(f, "steps:\n");
	for (i = 0; i < b->nr_steps; i++)
		fprintf(f, "  %4zu: op %-4u %-9s flags 0x%x size %u a %u b %u c %u d %u\n", i, s[i].op,
			step_name(s[i].kind), s[i].flags, s[i].size, s[i].a,
			s[i].b, s[i].c, s[i].d);
	fprintf(f, "loader program (may_goto loop, kernel 6.9+):\n");
	if (disasm(f, l->insns, l->nr_insns, NULL, 0))
		fprintf(f, "  (out of memory)\n");
	if (!l->compat_insns)
		return;
	fprintf(f, "compat loader program (bpf_loop, for kernels that refuse the first):\n");
	if (disasm(f, l->compat_insns, l->nr_compat_insns, l->func_info, l->nr_func_info))
		fprintf(f, "  (out of memory)\n");
}
