// SPDX-License-Identifier: BSD-2-Clause
/* Splicing a composed program's body into its caller instead of calling it (compose.h).
 *
 * A composed component is a global subprogram: every call is a JIT-ed call with prologue,
 * epilogue and a return through the CPU's return thunk (7 ns here). When the caller's main
 * function uses no stack and calls the component once, the component's main body goes in
 * place of the call: its exits become jumps past it, the caller's callee-saved registers it
 * uses are spilled below the component's stack frame around it, and the component's own
 * subprograms stay subprograms. Everything indexed by instruction (jumps, calls, func/line
 * info, CO-RE records, references) is renumbered. Anything this does not recognise (stack
 * pointers it cannot bound, tail calls, 32-bit long jumps) keeps the call. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "inline_calls.h"
#include "err.h"

#define STACK_MAX 512

static bool is_jump(const struct bpf_insn *in)
{
	__u8 cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT;
}

static bool is_ld64(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static bool is_local_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
}

static bool uses_r10(const struct bpf_insn *in)
{
	return in->dst_reg == BPF_REG_10 || in->src_reg == BPF_REG_10;
}

/* Stack bytes the function [lo, hi) uses, or -1 when it cannot be bounded. */
static int stack_depth(const struct bpf_insn *insns, size_t lo, size_t hi)
{
	int depth = 0;
	size_t i;

	for (i = lo; i < hi; i++) {
		const struct bpf_insn *in = &insns[i];
		__u8 cls = BPF_CLASS(in->code);

		if (is_ld64(in)) {
			i++;
			continue;
		}
		if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == 0 && in->imm == 12)
			return -1;	/* bpf_tail_call: keep it a call */
		if (in->code == (BPF_JMP32 | BPF_JA))
			return -1;
		if (!uses_r10(in) || is_local_call(in))
			continue;
		if ((cls == BPF_ST || cls == BPF_STX) && in->dst_reg == BPF_REG_10 &&
		    in->src_reg != BPF_REG_10 && in->off < 0) {
			depth = depth > -in->off ? depth : -in->off;
		} else if (cls == BPF_LDX && in->src_reg == BPF_REG_10 && in->off < 0) {
			depth = depth > -in->off ? depth : -in->off;
		} else if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->src_reg == BPF_REG_10 &&
			   i + 1 < hi && insns[i + 1].code == (BPF_ALU64 | BPF_ADD | BPF_K) &&
			   insns[i + 1].dst_reg == in->dst_reg && insns[i + 1].imm < 0) {
			depth = depth > -insns[i + 1].imm ? depth : -insns[i + 1].imm;
			i++;
		} else {
			return -1;
		}
	}
	return depth > STACK_MAX ? -1 : depth;
}

/* every record has its own instruction after renumbering: no ties */
static int by_insn_off(const void *a, const void *b)
{
	const struct bpf_line_info *x = a, *y = b;

	if (x->insn_off != y->insn_off)
		return x->insn_off < y->insn_off ? -1 : 1;
	return 0;
}

struct site {
	size_t call;		/* the call instruction in the caller's main function */
	size_t start, len;	/* the composed block's main body */
	int depth;
};

/* Inlinable call sites: in the caller's main [0, main_len), to a block start, called once. */
static size_t find_sites(const struct lsk_prog *p, size_t main_len,
			 const struct lsk_inline_block *b, size_t nb, struct site *out)
{
	size_t i, j, n = 0;

	for (j = 0; j < nb; j++) {
		size_t calls = 0, at = 0;
		int depth = stack_depth(p->insns, b[j].start, b[j].start + b[j].main_len);

		for (i = 0; i < p->insn_cnt; i++) {
			const struct bpf_insn *in = &p->insns[i];

			if ((is_local_call(in) || (is_ld64(in) && in->src_reg == BPF_PSEUDO_FUNC)) &&
			    (long)i + in->imm + 1 == (long)b[j].start) {
				calls++;
				at = i;
			}
			if (is_ld64(in))
				i++;
		}
		if (depth < 0 || calls != 1 || at >= main_len || !is_local_call(&p->insns[at]))
			continue;
		out[n++] = (struct site){ .call = at, .start = b[j].start, .len = b[j].main_len,
					  .depth = depth };
	}
	return n;
}

static int site_of_call(const struct site *s, size_t n, size_t call)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (s[k].call == call)
			return k;
	return -1;
}

static int site_of_body(const struct site *s, size_t n, size_t i)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (i >= s[k].start && i < s[k].start + s[k].len)
			return k;
	return -1;
}

/* One splicing: the sites, where each old instruction goes, where each body ends, and the
 * callee-saved registers spilled around the bodies (below the deepest body's stack). */
struct splice {
	struct site *s;
	size_t ns, main_len;
	long *pos;
	size_t *end;
	int spill[4], nsp, depth;
};

/* Write the new instructions into @out with every relative offset renumbered. */
static int emit_spliced(const struct lsk_prog *p, const struct splice *x, struct bpf_insn *out)
{
	size_t i, k;

	for (i = 0; i < p->insn_cnt; i++) {
		int c = i < x->main_len ? site_of_call(x->s, x->ns, i) : -1;
		struct bpf_insn in = p->insns[i];
		long at = x->pos[i];

		if (c >= 0) {	/* spills; the body's own instructions come with their index */
			for (k = 0; k < (size_t)x->nsp; k++)
				out[at + k] = (struct bpf_insn){
					.code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10,
					.src_reg = x->spill[k], .off = -(x->depth + 8 * (int)(k + 1)) };
			for (k = 0; k < (size_t)x->nsp; k++)
				out[x->end[c] + k] = (struct bpf_insn){
					.code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = x->spill[k],
					.src_reg = BPF_REG_10, .off = -(x->depth + 8 * (int)(k + 1)) };
			continue;
		}
		c = site_of_body(x->s, x->ns, i);
		if (c >= 0 && in.code == (BPF_JMP | BPF_EXIT)) {
			in = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
			in.off = (long)x->end[c] - at - 1;
		} else if (in.code == (BPF_JMP32 | BPF_JA)) {	/* gotol: offset in imm */
			in.imm = x->pos[i + in.imm + 1] - at - 1;
		} else if (is_jump(&in)) {
			in.off = x->pos[i + in.off + 1] - at - 1;
		} else if (is_local_call(&in) || (is_ld64(&in) && in.src_reg == BPF_PSEUDO_FUNC)) {
			long t = x->pos[i + in.imm + 1];

			if (t < 0)
				return lsk_err(EINVAL, "program '%s': insn %zu: call into an inlined body",
					       p->name, i);
			in.imm = t - at - 1;
		}
		out[at] = in;
		if (is_ld64(&p->insns[i]) && i + 1 < p->insn_cnt) {
			out[at + 1] = p->insns[i + 1];
			i++;
		}
	}
	return 0;
}

/* Move the program's func, line, CO-RE and reference records to the new instructions. */
static void move_records(struct lsk_prog *p, const struct splice *x)
{
	size_t i, k;

	/* func info: the bodies' own records go (they are no functions now); the rest moves */
	for (i = k = 0; i < p->nr_func_info; i++) {
		__u32 o = p->func_info[i].insn_off;

		if (o < p->insn_cnt && site_of_body(x->s, x->ns, o) >= 0 && i)
			continue;
		p->func_info[k] = p->func_info[i];
		p->func_info[k++].insn_off = x->pos[o];
	}
	p->nr_func_info = k;
	/* line records: the calls' go with them, the bodies' move up; sorted again */
	for (i = k = 0; i < p->nr_line_info; i++) {
		__u32 o = p->line_info[i].insn_off;

		if (o < x->main_len && site_of_call(x->s, x->ns, o) >= 0)
			continue;
		p->line_info[k] = p->line_info[i];
		p->line_info[k++].insn_off = x->pos[o];
	}
	p->nr_line_info = k;
	if (p->nr_line_info)
		qsort(p->line_info, p->nr_line_info, sizeof(*p->line_info), by_insn_off);
	for (i = 0; i < p->nr_core_relos; i++)
		p->core_relos[i].insn_off = x->pos[p->core_relos[i].insn_off / 8] * 8;
	for (i = 0; i < p->nr_refs; i++)
		p->refs[i].insn_idx = x->pos[p->refs[i].insn_idx];
}

/* Where each old instruction goes: the caller's main with bodies in place of calls (spills
 * around them), then everything else but those bodies, in order. Returns the new count;
 * *@new_main the new main's length. */
static size_t lay_out(const struct lsk_prog *p, struct splice *x, size_t *new_main)
{
	size_t i, k, n = 0;

	for (i = 0; i < p->insn_cnt; i++)
		x->pos[i] = -1;
	for (i = 0; i < x->main_len; i++) {
		int c = site_of_call(x->s, x->ns, i);

		x->pos[i] = n;
		if (c < 0) {
			n++;
			continue;
		}
		n += x->nsp;
		for (k = 0; k < x->s[c].len; k++)
			x->pos[x->s[c].start + k] = n++;
		x->end[c] = n;
		n += x->nsp;
	}
	*new_main = n;
	for (i = x->main_len; i < p->insn_cnt; i++)
		if (site_of_body(x->s, x->ns, i) < 0)
			x->pos[i] = n++;
	x->pos[p->insn_cnt] = n;
	return n;
}

int lsk_inline_composed(struct lsk_prog *p, size_t main_len, const struct lsk_inline_block *b,
			size_t nb)
{
	struct splice x = { .main_len = main_len };
	size_t i, k, n, cap, r, new_main;
	struct bpf_insn *out = NULL;
	unsigned int saved = 0;
	int err = 0;

	x.s = calloc(nb + 1, sizeof(*x.s));
	if (!x.s)
		return lsk_err(ENOMEM, "out of memory");
	for (i = 0; i < main_len; i++)	/* the caller's main function keeps the frame free */
		if (uses_r10(&p->insns[i]) && !is_local_call(&p->insns[i]))
			goto out;
	x.ns = find_sites(p, main_len, b, nb, x.s);
	if (!x.ns)
		goto out;
	for (i = 0; i < main_len; i++)	/* its callee-saved registers, spilled around bodies */
		for (r = 6; r <= 9; r++)
			if (p->insns[i].dst_reg == r || p->insns[i].src_reg == r)
				saved |= 1u << r;
	for (k = 0; k < x.ns; k++)
		x.depth = x.s[k].depth > x.depth ? x.s[k].depth : x.depth;
	x.depth = (x.depth + 7) & ~7;
	for (r = 6; r <= 9; r++)
		if (saved & (1u << r))
			x.spill[x.nsp++] = r;
	if (x.depth + 8 * x.nsp > STACK_MAX)
		goto out;
	cap = p->insn_cnt + x.ns * (2 * x.nsp + 1);
	x.pos = malloc((p->insn_cnt + 1) * sizeof(*x.pos));
	x.end = calloc(x.ns, sizeof(*x.end));
	out = calloc(cap, sizeof(*out));
	if (!x.pos || !x.end || !out) {
		err = lsk_err(ENOMEM, "out of memory");
		goto out;
	}
	n = lay_out(p, &x, &new_main);
	err = emit_spliced(p, &x, out);
	if (err)
		goto out;
	move_records(p, &x);
	free(p->insns);
	p->insns = out;
	p->insn_cnt = n;
	p->main_insn_cnt = new_main;
	out = NULL;
out:
	free(out);
	free(x.end);
	free(x.pos);
	free(x.s);
	return err;
}
