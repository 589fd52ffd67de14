// SPDX-License-Identifier: BSD-2-Clause
/* `lskel dump --loader`: what the loader program is and what it will interpret. */
#include <stdio.h>
#include "compile.h"
#include "dump.h"

static const char *const step_names[] = { "?", "?", "PTR", "BPF", "KSYM", "BTF_ID", "CLOSE",
					  "U32", "COPY_USER", "REUSE" };

static const char *alu_name(int op)
{
	switch (op) {
	case BPF_ADD: return "+=";
	case BPF_SUB: return "-=";
	case BPF_MUL: return "*=";
	case BPF_AND: return "&=";
	case BPF_OR: return "|=";
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

static void disasm(FILE *f, const struct bpf_insn *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct bpf_insn *x = &in[i];
		int cls = BPF_CLASS(x->code), op = BPF_OP(x->code);

		fprintf(f, "  %4zu: ", i);
		if (x->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (x->src_reg == BPF_PSEUDO_FUNC)
				fprintf(f, "r%d = &func(pc%+d)\n", x->dst_reg, x->imm + 1);
			else
				fprintf(f, "r%d = map_value(fd_array[%d]) + %d\n", x->dst_reg, x->imm,
					in[i + 1].imm);
			i++;
		} else if (cls == BPF_ALU64) {
			if (BPF_SRC(x->code) == BPF_X)
				fprintf(f, "r%d %s r%d\n", x->dst_reg, alu_name(op), x->src_reg);
			else
				fprintf(f, "r%d %s %d\n", x->dst_reg, alu_name(op), x->imm);
		} else if (cls == BPF_LDX) {
			fprintf(f, "r%d = *(%s *)(r%d %+d)\n", x->dst_reg, size_name(BPF_SIZE(x->code)),
				x->src_reg, x->off);
		} else if (cls == BPF_STX) {
			fprintf(f, "*(%s *)(r%d %+d) = r%d\n", size_name(BPF_SIZE(x->code)), x->dst_reg,
				x->off, x->src_reg);
		} else if (cls == BPF_ST) {
			fprintf(f, "*(%s *)(r%d %+d) = %d\n", size_name(BPF_SIZE(x->code)), x->dst_reg,
				x->off, x->imm);
		} else if (x->code == (BPF_JMP | BPF_CALL)) {
			fprintf(f, "call %d\n", x->imm);
		} else if (x->code == (BPF_JMP | BPF_EXIT)) {
			fprintf(f, "exit\n");
		} else if (x->code == (BPF_JMP | BPF_JA)) {
			fprintf(f, "goto pc%+d\n", x->off);
		} else if (cls == BPF_JMP && BPF_SRC(x->code) == BPF_X) {
			fprintf(f, "if r%d %s r%d goto pc%+d\n", x->dst_reg, jmp_name(op), x->src_reg,
				x->off);
		} else if (cls == BPF_JMP) {
			fprintf(f, "if r%d %s %d goto pc%+d\n", x->dst_reg, jmp_name(op), x->imm, x->off);
		} else {
			fprintf(f, "code 0x%02x dst r%d src r%d off %d imm %d\n", x->code, x->dst_reg,
				x->src_reg, x->off, x->imm);
		}
	}
}

void lsk_dump_loader(FILE *f, const struct lsk_trace *t, const struct lsk_loader *l)
{
	const struct lsk_blob *b = l->blob;
	const struct lskel_step *s = (const void *)(b->data + b->steps_off);
	size_t i;

	fprintf(f, "loader: %zu instructions (%zu bytes), BTF %u bytes\n", l->nr_insns,
		l->nr_insns * sizeof(struct bpf_insn), l->btf_size);
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
			s[i].kind < 10 ? step_names[s[i].kind] : "?", s[i].flags, s[i].size, s[i].a,
			s[i].b, s[i].c, s[i].d);
	fprintf(f, "loader program:\n");
	disasm(f, l->insns, l->nr_insns);
}
