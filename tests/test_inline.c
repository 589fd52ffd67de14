// SPDX-License-Identifier: BSD-2-Clause
/* Splicing composed bodies into their caller (gen_loader/plan/inline_calls.c) on hand-made
 * instruction sequences: the exact output, and the cases that must keep the call. The
 * kernel side (the verifier accepting the result, packets taking the same paths) is in
 * tests/test_dispatch.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "inline_calls.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						.off = (o), .imm = (i) })
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define CALL_REL(i) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, i)
#define HELPER(i) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, i)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define STX_DW(d, s, o) INSN(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define LDX_DW(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static struct lsk_prog *prog_of(const struct bpf_insn *in, size_t n)
{
	struct lsk_prog *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->name = "root";
	p->insns = malloc(n * sizeof(*in));
	assert_non_null(p->insns);
	memcpy(p->insns, in, n * sizeof(*in));
	p->insn_cnt = n;
	return p;
}

static void free_prog(struct lsk_prog *p)
{
	free(p->insns);
	free(p->func_info);
	free(p->line_info);
	free(p->refs);
	free(p);
}

static void expect(const struct lsk_prog *p, const struct bpf_insn *want, size_t n)
{
	size_t i;

	assert_int_equal(p->insn_cnt, n);
	for (i = 0; i < n; i++)
		if (memcmp(&p->insns[i], &want[i], sizeof(*want)))
			fail_msg("insn %zu: code 0x%02x dst %u src %u off %d imm %d, want code "
				 "0x%02x dst %u src %u off %d imm %d", i, p->insns[i].code,
				 p->insns[i].dst_reg, p->insns[i].src_reg, p->insns[i].off,
				 p->insns[i].imm, want[i].code, want[i].dst_reg, want[i].src_reg,
				 want[i].off, want[i].imm);
}

/* root: r6 = ctx; rc = comp(ctx); if rc == 2 goto out; r0 = 1; out: exit.
 * comp (16 bytes of stack, two exits): *(r10-16) = r1; if r1 == 0 goto +1; exit; r0 = 2; exit */
static void test_splice(void **state)
{
	const struct bpf_insn in[] = {
		MOV_REG(6, 1),			/* 0 */
		CALL_REL(4),			/* 1 -> 6 */
		JEQ_IMM(0, 2, 1),		/* 2 -> 4 */
		MOV_IMM(0, 1),			/* 3 */
		MOV_REG(1, 6),			/* 4 */
		EXIT(),				/* 5 */
		STX_DW(10, 1, -16),		/* 6: comp */
		JEQ_IMM(1, 0, 1),		/* 7 -> 9 */
		EXIT(),				/* 8 */
		MOV_IMM(0, 2),			/* 9 */
		EXIT(),				/* 10 */
	};
	const struct bpf_insn want[] = {
		MOV_REG(6, 1),
		STX_DW(10, 6, -24),		/* r6 spilled below the body's 16 bytes */
		STX_DW(10, 1, -16),
		JEQ_IMM(1, 0, 1),
		JA(2),				/* exit -> past the body */
		MOV_IMM(0, 2),
		JA(0),
		LDX_DW(6, 10, -24),
		JEQ_IMM(0, 2, 1),
		MOV_IMM(0, 1),
		MOV_REG(1, 6),
		EXIT(),
	};
	struct lsk_inline_block b = { .start = 6, .main_len = 5 };
	struct lsk_prog *p = prog_of(in, sizeof(in) / sizeof(in[0]));

	(void)state;
	p->nr_func_info = 2;
	p->func_info = calloc(2, sizeof(*p->func_info));
	p->func_info[1] = (struct bpf_func_info){ .insn_off = 6, .type_id = 7 };
	p->nr_line_info = 3;
	p->line_info = calloc(3, sizeof(*p->line_info));
	p->line_info[0].insn_off = 0;
	p->line_info[1].insn_off = 1;	/* the call: goes with it */
	p->line_info[2] = (struct bpf_line_info){ .insn_off = 9, .line_col = 5 };
	p->nr_refs = 1;
	p->refs = calloc(1, sizeof(*p->refs));
	p->refs[0].insn_idx = 9;
	assert_int_equal(lsk_inline_composed(p, 6, &b, 1), 0);
	expect(p, want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(p->nr_func_info, 1);	/* the body is no function now */
	assert_int_equal(p->nr_line_info, 2);
	assert_int_equal(p->line_info[1].insn_off, 5);
	assert_int_equal(p->line_info[1].line_col, 5);
	assert_int_equal(p->refs[0].insn_idx, 5);
	assert_int_equal(p->main_insn_cnt, 12);	/* the root's function grew by the body */
	free_prog(p);
}

/* The cases that keep the call: the caller uses the stack, the body is called twice, the
 * body tail-calls, the body's stack pointer escapes in a way it cannot bound. */
static void keeps_call(const struct bpf_insn *in, size_t n, size_t main_len, size_t start)
{
	struct lsk_inline_block b = { .start = start, .main_len = n - start };
	struct lsk_prog *p = prog_of(in, n);

	assert_int_equal(lsk_inline_composed(p, main_len, &b, 1), 0);
	expect(p, in, n);
	free_prog(p);
}

static void test_keeps_call(void **state)
{
	const struct bpf_insn stack_caller[] = {
		STX_DW(10, 1, -8), CALL_REL(1), EXIT(), MOV_IMM(0, 0), EXIT(),
	};
	const struct bpf_insn twice[] = {
		CALL_REL(2), CALL_REL(1), EXIT(), MOV_IMM(0, 0), EXIT(),
	};
	const struct bpf_insn tail_call[] = {
		CALL_REL(1), EXIT(), HELPER(12), MOV_IMM(0, 0), EXIT(),
	};
	const struct bpf_insn escapes[] = {
		CALL_REL(1), EXIT(), MOV_REG(2, 10), MOV_REG(0, 2), EXIT(),
	};
	const struct bpf_insn bounded[] = {
		CALL_REL(1), EXIT(), MOV_REG(2, 10), ADD_IMM(2, -8), MOV_IMM(0, 0), EXIT(),
	};
	struct lsk_inline_block b = { .start = 2, .main_len = 4 };
	struct lsk_prog *p;

	(void)state;
	keeps_call(stack_caller, 5, 3, 3);
	keeps_call(twice, 5, 3, 3);
	keeps_call(tail_call, 5, 2, 2);
	keeps_call(escapes, 5, 2, 2);
	p = prog_of(bounded, 6);	/* r10 + constant: bounded, spliced */
	assert_int_equal(lsk_inline_composed(p, 2, &b, 1), 0);
	assert_int_equal(p->insn_cnt, 5);
	free_prog(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_keeps_call),
	};

	return cmocka_run_group_tests_name("splicing composed calls", tests, NULL, NULL);
}
