// SPDX-License-Identifier: BSD-2-Clause
/* The loader programs and the compat loader's BTF, from a trace's blob (compile.h: the loop
 * and compat loaders). Their size does not grow with the objects: main copies the caller's
 * input area into the blob with one bpf_copy_from_user and runs the step table through the
 * interpreter of loader_steps.c (a may_goto loop, or bpf_loop over lskel_step); after a failure it
 * undoes what outlives the fds (struct_ops registrations) and stops: the runtime closes every
 * fd of the fd table (a close pass in the loader would be a third function to verify on every
 * load, ~23 us per callback function here). Signed loaders check the blob's hash first.
 * Registers: loader_gen.h. */
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
#include "loader_gen.h"

/* Signed loaders, before anything else: the data map must be exclusive to this program and
 * its SHA-256 (computed by the kernel when the frozen map's info was read) must be the one
 * compiled in. struct bpf_map starts with u8 sha[32] then u32 excl, read through the map
 * pointer (BPF_PSEUDO_MAP_IDX). Any difference returns -EBADMSG before a single step. */
static void emit_blob_check(struct gen *g)
{
	struct lsk_asm *a = g->a;
	int bad = asm_new_label(a), ok = asm_new_label(a), k;

	/* r1 (the context) stays untouched for main */
	asm_ld_map_ptr(a, R2, 0);
	E(I_LDX(BPF_W, R3, R2, KMAP_EXCL));
	asm_jmp_imm(a, BPF_JNE, R3, 1, bad);
	for (k = 0; k < 4; k++) {
		__u64 h;

		memcpy(&h, g->blob_hash + k * 8, 8);
		E(I_LDX(BPF_DW, R3, R2, KMAP_SHA + k * 8));
		asm_ld_imm64(a, R4, h);
		asm_jmp_reg(a, BPF_JNE, R3, R4, bad);
	}
	asm_ja(a, ok);
	asm_bind(a, bad);
	E(I_MOV_IMM(R0, -EBADMSG));
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
			asm_jmp_imm(a, BPF_JEQ, R1, 0, done);
		}
		skip = asm_new_label(a);
		E(I_LDX(BPF_W, R1, R_BLOB, HDR(failed_op)));
		asm_jmp_imm(a, BPF_JLE, R1, k, skip);
		E(I_MOV_IMM(R1, BPF_MAP_DELETE_ELEM));
		E(I_MOV_REG(R2, R_BLOB));
		E(I_ALU64_IMM(BPF_ADD, R2, g->b->chunk_off[op->undo]));
		E(I_MOV_IMM(R3, g->t->chunks[op->undo].size));
		E(I_CALL(BPF_FUNC_sys_bpf));	/* its result changes nothing: the load failed */
		asm_bind(a, skip);
	}
	if (done >= 0) {
		asm_bind(a, done);
		E(I_LDX(BPF_W, R1, R_BLOB, HDR(err)));
	}
}

/* The loop loader's step loop, where the compat loader calls bpf_loop: the index lives in the
 * blob (hdr.cur), so at the loop's head the verifier sees an unknown index every time, and
 * may_goto there lets it prune every path that comes back: each step kind is walked once
 * (with may_goto on the back edge instead, the body was walked twice: 242 instructions
 * processed for tp_counter where bpf_loop's callback took 161). When the kernel's loop budget
 * runs out (a timed may_goto gives 250 ms once 65,535 passes are spent) the loader returns
 * LSKEL_LOADER_AGAIN with the next step and skip_to in the context, and the runtime runs it
 * again from there; the budget is per run, so every run gets at least one step done. */
static void emit_loop(struct gen *g)
{
	struct lsk_asm *a = g->a;

	if (!g->slim) {	/* a slim loader's blob comes with cur = 0, and keeps it to resume */
		E(I_STX(BPF_DW, BPF_REG_10, R_CTX, CTX_SLOT));	/* R_CTX is R_KEEP in the loop */
		E(I_LDX(BPF_W, R1, R_CTX, CTX(resume_step)));
		E(I_STX(BPF_W, R_BLOB, R1, HDR(cur)));
	}
	asm_bind(a, g->head);
	asm_bind(a, g->next);	/* a step goes on straight to the head */
	asm_may_goto(a, g->expired);
	E(I_MOV_IMM(R1, 1));
	E(I_FETCH_ADD(BPF_W, R_BLOB, R1, HDR(cur)));	/* r1 = cur++ */
	asm_jmp_imm(a, BPF_JGE, R1, g->b->nr_steps, g->done);
	lsk_gen_step_fn(g);
	asm_bind(a, g->expired);
	E(I_LDX(BPF_W, R1, R_BLOB, HDR(cur)));
	asm_jmp_imm(a, BPF_JGE, R1, g->b->nr_steps, g->done);	/* done, or stopped by an error */
	if (!g->slim) {	/* a slim loader's runtime reads cur and skip_to from the blob */
		E(I_LDX(BPF_DW, R_CTX, BPF_REG_10, CTX_SLOT));
		E(I_STX(BPF_W, R_CTX, R1, CTX(resume_step)));
		E(I_LDX(BPF_W, R1, R_BLOB, HDR(skip_to)));
		E(I_STX(BPF_W, R_CTX, R1, CTX(resume_skip)));
	}
	E(I_MOV_IMM(R0, LSKEL_LOADER_AGAIN));
	E(I_EXIT());
	asm_bind(a, g->done);
	if (!g->slim)
		E(I_LDX(BPF_DW, R_CTX, BPF_REG_10, CTX_SLOT));
}

/* What a loader that is not slim takes from the context before the steps: the log fields and
 * the input area (from user memory in one call) into the blob; and the header's scratch is
 * reset, so the runtime can run it again on the same blob (with a log, after a failed
 * PROG_LOAD; the loop loader also from where the kernel's loop budget stopped it). A slim
 * loader's blob comes from the runtime with all of it in place (loader_gen.h). */
static void emit_prologue(struct gen *g)
{
	struct lsk_asm *a = g->a;

	E(I_LDX(BPF_DW, R1, R_CTX, CTX(log_buf)));
	E(I_STX(BPF_DW, R_BLOB, R1, HDR(log_buf)));
	E(I_LDX(BPF_W, R1, R_CTX, CTX(log_size)));
	E(I_STX(BPF_W, R_BLOB, R1, HDR(log_size)));
	E(I_LDX(BPF_W, R1, R_CTX, CTX(log_level)));
	E(I_STX(BPF_W, R_BLOB, R1, HDR(log_level)));
	E(I_ST(BPF_W, R_BLOB, HDR(err), 0));
	if (g->loop) {	/* 0 on a first run */
		E(I_LDX(BPF_W, R1, R_CTX, CTX(resume_skip)));
		E(I_STX(BPF_W, R_BLOB, R1, HDR(skip_to)));
	} else {
		E(I_ST(BPF_W, R_BLOB, HDR(skip_to), 0));
	}
	if (g->b->inputs_size) {	/* the input area, from user memory in one call */
		int copied = asm_new_label(a);

		E(I_MOV_REG(R1, R_BLOB));
		E(I_ALU64_IMM(BPF_ADD, R1, g->b->inputs_off));
		E(I_MOV_IMM(R2, g->b->inputs_size));
		E(I_LDX(BPF_DW, R3, R_CTX, CTX(inputs)));
		E(I_CALL(BPF_FUNC_copy_from_user));
		asm_jmp_imm(a, BPF_JEQ, R0, 0, copied);
		E(I_EXIT());		/* -EFAULT: the runtime names no op */
		asm_bind(a, copied);
	}
}

/* Some op's effect outlives its fds (a struct_ops map's registration): emit_undo emits code. */
static int has_undo(const struct lsk_trace *t)
{
	size_t k;

	for (k = 0; k < t->nr_ops; k++)
		if (t->ops[k].undo >= 0)
			return 1;
	return 0;
}

/* main: the prologue, the steps (the loop loader's loop, or bpf_loop over the compat loader's
 * callback), the result into the context and the undo of registrations after a failure. The
 * fds of a failed load stay in the fd table for the runtime to close. */
static void emit_main(struct gen *g, int step_fn)
{
	struct lsk_asm *a = g->a;

	if (g->blob_hash)
		emit_blob_check(g);
	if (!g->slim)	/* a slim loader never reads or writes its context */
		E(I_MOV_REG(R_CTX, R1));
	asm_ld_map_value(a, R_BLOB, 0, 0);
	if (!g->slim)
		emit_prologue(g);
	if (g->loop) {
		emit_loop(g);
	} else {
		E(I_MOV_IMM(R1, g->b->nr_steps));
		asm_ld_func(a, R2, step_fn);
		E(I_MOV_IMM(R3, 0));
		E(I_MOV_IMM(R4, 0));
		E(I_CALL(BPF_FUNC_loop));
	}
	if (!g->slim || has_undo(g->t))	/* r1 = err: the context's, and emit_undo's */
		E(I_LDX(BPF_W, R1, R_BLOB, HDR(err)));
	if (!g->slim) {	/* a slim loader's runtime reads them from the blob after a failure */
		E(I_STX(BPF_W, R_CTX, R1, CTX(err)));
		E(I_LDX(BPF_W, R2, R_BLOB, HDR(failed_op)));
		E(I_STX(BPF_W, R_CTX, R2, CTX(failed_op)));
	}
	emit_undo(g);
	E(I_LDX(BPF_W, R0, R_BLOB, HDR(err)));
	E(I_ALU64_IMM(BPF_LSH, R0, 32));
	E(I_ALU64_IMM(BPF_ARSH, R0, 32));
	E(I_EXIT());
}

const char *const lsk_loader_fn_names[LSK_LOADER_NR_FNS] = {
	[LSK_LOADER_FN_MAIN] = "lskel_loader",
	[LSK_LOADER_FN_STEP] = "lskel_step",
};

/* BTF: int lskel_loader(void *ctx); long lskel_step(unsigned int index, void *data);
 * @at: their first instructions. */
static int loader_btf(struct lsk_loader *l, const int at[LSK_LOADER_NR_FNS])
{
	struct btf *btf = btf__new_empty();
	int t_int, t_ptr, t_long, t_uint, p_main, p_cb, f[LSK_LOADER_NR_FNS], i;
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
	for (i = 0; i < LSK_LOADER_NR_FNS; i++)
		f[i] = btf__add_func(btf, lsk_loader_fn_names[i], BTF_FUNC_STATIC,
				     i == LSK_LOADER_FN_MAIN ? p_main : p_cb);
	raw = btf__raw_data(btf, &size);
	if (!raw || f[LSK_LOADER_NR_FNS - 1] < 0) {
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
	for (i = 0; i < LSK_LOADER_NR_FNS; i++) {
		l->func_info[i].insn_off = at[i];
		l->func_info[i].type_id = f[i];
	}
	l->nr_func_info = LSK_LOADER_NR_FNS;
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

/* Assemble a loader for blob @b (@hash: signed, the blob hash compared first): the loop
 * loader (@loop), or the compat loader, whose functions' first instructions go to @at (enum
 * lsk_loader_fn). */
static int assemble(const struct lsk_trace *t, const struct lsk_blob *b,
		    const unsigned char *hash, int loop, struct lsk_asm *as,
		    int at[LSK_LOADER_NR_FNS])
{
	struct gen g = { .a = as, .b = b, .t = t, .blob_hash = hash, .loop = loop,
			 .slim = loop && !hash };
	int step_fn, err;

	memset(as, 0, sizeof(*as));
	g.mask = b->mask;	/* steps never name the manifest, which follows mask + 1 */
	step_fn = asm_new_label(as);
	g.bad = asm_new_label(as);
	g.fail_r0 = asm_new_label(as);
	g.next = asm_new_label(as);
	g.stop = asm_new_label(as);
	g.result = asm_new_label(as);
	g.head = asm_new_label(as);
	g.done = asm_new_label(as);
	g.expired = asm_new_label(as);
	emit_main(&g, step_fn);
	if (!loop) {
		asm_bind(as, step_fn);
		lsk_gen_step_fn(&g);
	}
	err = asm_finish(as);
	if (err)
		return lsk_err(-err, "loader assembly failed: %s", strerror(-err));
	if (at) {
		at[LSK_LOADER_FN_MAIN] = 0;
		at[LSK_LOADER_FN_STEP] = as->label_at[step_fn];
	}
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
	struct lsk_loader *l = calloc(1, sizeof(*l));
	struct lsk_asm as = {};
	int at[LSK_LOADER_NR_FNS], at2[LSK_LOADER_NR_FNS], err;
	size_t n1 = 0;

	if (!l)
		return lsk_err(ENOMEM, "out of memory");
	if (!name)
		name = t->nr_objs ? t->objs[0].obj->name : "lskel";
	err = lsk_blob_build(t, &l->blob);
	if (err)
		goto out;
	/* The manifest in the blob holds the compat loader's BTF (its functions' offsets):
	 * place them first, append the manifest, assemble for real. Signed loaders have no
	 * compat loader (they need 6.18, which has may_goto) and hold the blob's hash. */
	if (!so) {
		err = assemble(t, l->blob, NULL, 0, &as, at);
		n1 = as.n;
		asm_free(&as);
		memset(&as, 0, sizeof(as));
		err = err ?: loader_btf(l, at);
	}
	if (err) {
		err = err == -ENOMEM ? lsk_err(ENOMEM, "loader BTF: out of memory") : err;
		goto out;
	}
	err = lsk_manifest_build(t, l->blob, &l->mf);
	err = err ?: lsk_manifest_append(l->mf, t, name, l->blob, l->btf, l->btf_size,
					 l->func_info, l->nr_func_info);
	if (err)
		goto out;
	if (!so) {
		err = assemble(t, l->blob, NULL, 0, &as, at2);
		if (err)
			goto out;
		if (as.n != n1 || memcmp(at, at2, sizeof(at))) {
			err = lsk_err(EFAULT, "internal error: the loader's layout moved between "
				      "passes");
			goto out;
		}
		l->compat_insns = as.insns;
		l->nr_compat_insns = as.n;
		as.insns = NULL;
		asm_free(&as);
	} else {
		lsk_sha256(l->blob->data, l->blob->size, l->blob_hash);
	}
	err = assemble(t, l->blob, so ? l->blob_hash : NULL, 1, &as, NULL);
	if (err)
		goto out;
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
	free(l->compat_insns);
	free(l->btf);
	free(l);
}
