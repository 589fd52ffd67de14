// SPDX-License-Identifier: BSD-2-Clause
/* Trace of an object's programs: the load-time resolutions their instructions need (ksym
 * addresses, BTF ids shared across programs), the PROG_LOAD with its BTF info, the attach
 * target lookup reserved in front of the load, and the CLOSE of module BTF fds after it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "trace_builder.h"
#include "err.h"

/* Attach target name and BTF kind as libbpf resolves SEC("tp_btf/x"), fentry, lsm, iter. */
static int attach_btf_name(const struct lsk_prog *p, char *buf, size_t n, __u32 *kind)
{
	*kind = BTF_KIND_FUNC;
	if (p->type == BPF_PROG_TYPE_STRUCT_OPS) {	/* the kernel struct it implements */
		*kind = BTF_KIND_STRUCT;
		return snprintf(buf, n, "%s", p->attach_target);
	}
	if (p->type == BPF_PROG_TYPE_TRACING && p->expected_attach_type == BPF_TRACE_RAW_TP) {
		*kind = BTF_KIND_TYPEDEF;
		return snprintf(buf, n, "btf_trace_%s", p->attach_target);
	}
	if (p->type == BPF_PROG_TYPE_LSM)
		return snprintf(buf, n, "bpf_lsm_%s", p->attach_target);
	if (p->type == BPF_PROG_TYPE_TRACING && p->expected_attach_type == BPF_TRACE_ITER)
		return snprintf(buf, n, "bpf_iter_%s", p->attach_target);
	return snprintf(buf, n, "%s", p->attach_target);
}

/* A ksym, kfunc or attach target found in a module leaves that module's BTF fd in the fd-table
 * slot of the op that looked it up (fd_array for kfuncs). The verifier takes its own
 * reference at PROG_LOAD, so the fd is closed right after the load of the last program using
 * the symbol; a vmlinux symbol leaves no fd and its CLOSE does nothing. (On failure the
 * loader closes every fd anyway.) */
static int close_op(struct lsk_tb *b, int rop, int prog_op, const char *prog)
{
	char what[256];
	int c;

	snprintf(what, sizeof(what), "module BTF (if any) of '%s', last used by program '%s' of "
		 "object '%s'", (const char *)b->t->chunks[b->t->ops[rop].sym.name].data, prog,
		 b->to->obj->name);
	c = lsk_tb_op(b, LSK_CMD_CLOSE, LSK_SUBJ_PROG, b->t->ops[prog_op].idx, what);
	if (c < 0)
		return c;
	b->t->ops[c].close.fd_op = rop;
	return 0;
}

static int close_module_btfs(struct lsk_tb *b, int attach_op, int prog_op, const char *prog)
{
	size_t i;
	int err = attach_op >= 0 ? close_op(b, attach_op, prog_op, prog) : 0;

	for (i = 0; !err && i < b->ks->n; i++) {
		if (!b->ks->u[i].done_in_prog)
			continue;
		b->ks->u[i].done_in_prog = false;
		err = close_op(b, b->ks->u[i].op, prog_op, prog);
	}
	for (i = 0; !err && i < b->nr_own; i++)
		err = close_op(b, b->own[i], prog_op, prog);
	b->nr_own = 0;
	return err;
}

/* A BTF_ID op looking up @e for reference @r of program @p, its result written into the
 * program's instructions (chunk @ic); returns the op or a negative errno. */
static int ksym_lookup_op(struct lsk_tb *b, const struct lsk_prog *p, const struct lsk_ref *r,
			  const struct lsk_extern *e, __u32 kind, bool weak, int ic)
{
	struct lsk_op_sym *s;
	int rop;

	rop = lsk_tb_resolve_op(b, LSK_CMD_BTF_ID, e->name,
				"BTF id of ksym '%s' for program '%s' of object '%s'", p->name,
				r->obj >= 0 ? LSK_SUBJ_PROG : LSK_SUBJ_EXTERN,
				r->obj >= 0 ? -1 : r->idx);
	if (rop < 0)
		return rop;
	s = &b->t->ops[rop].sym;
	s->weak = weak;
	s->btf_kind = kind;
	s->how = r->kind == LSK_REF_KFUNC ? LSK_BTF_DST_KFUNC : LSK_BTF_DST_LDIMM64;
	s->dst = ic;
	s->dst_off = r->insn_idx * sizeof(struct bpf_insn);
	return rop;
}

/* Typed ksym or kfunc reference (extern @e of the reference's object): the first one of a
 * symbol looks it up and keeps the result in a cell, later ones (any program, any object)
 * reuse it. */
static int ksym_btf_op(struct lsk_tb *b, const struct lsk_prog *p, const struct lsk_ref *r,
		       const struct lsk_extern *e, int ic)
{
	__u32 kind = e->is_func ? BTF_KIND_FUNC : BTF_KIND_VAR;
	struct lsk_ksym_use *u = lsk_ksym_share_find(b->ks, e->name, kind);
	int rop, cell;

	if (p->optional) {	/* may be skipped: shares no lookup, closes its own fds */
		if (b->nr_own == sizeof(b->own) / sizeof(b->own[0]))
			return lsk_err(E2BIG, "%s: program '%s' (SEC(\"%s\")) uses more than %zu "
				       "kernel symbols by BTF id", b->to->obj->path, p->name,
				       p->sec_name, sizeof(b->own) / sizeof(b->own[0]));
		rop = ksym_lookup_op(b, p, r, e, kind, e->is_weak, ic);
		if (rop < 0)
			return rop;
		b->own[b->nr_own++] = rop;
		return 0;
	}
	if (!u)
		return lsk_err(EINVAL, "internal: ksym '%s' of program '%s' was not counted",
			       e->name, p->name);
	rop = ksym_lookup_op(b, p, r, e, kind, u->weak, ic);
	if (rop < 0)
		return rop;
	if (u->op < 0) {
		cell = lsk_tb_chunk(b, NULL, 8, "ksym lookup result");
		if (cell < 0)
			return cell;
		b->t->ops[rop].sym.cell = cell;
		u->op = rop;
	} else {
		b->t->ops[rop].sym.same_as = u->op;
		b->t->ops[rop].sym.cell = b->t->ops[u->op].sym.cell;
	}
	if (--u->left == 0)
		u->done_in_prog = true;
	return 0;
}

/* Reference @r of program @p (instructions in chunk @ic): maps by fd table slot
 * (BPF_PSEUDO_MAP_IDX: no per-instruction fd patching at load time), ksyms by lookup ops. */
static int prog_ref(struct lsk_tb *b, const struct lsk_prog *p, const struct lsk_ref *r, int ic)
{
	/* code composed in from another object names that object's maps and externs */
	const struct lsk_trace_obj *rto = r->obj >= 0 ? &b->t->objs[r->obj] : b->to;
	const struct lsk_obj *ro = rto->obj;
	struct bpf_insn *insn = (struct bpf_insn *)b->t->chunks[ic].data + r->insn_idx;
	const struct lsk_extern *e;
	int rop, err;

	switch (r->kind) {
	case LSK_REF_MAP_FD:
	case LSK_REF_MAP_VALUE:
	case LSK_REF_KCONFIG:
		insn->src_reg = r->kind == LSK_REF_MAP_FD ? BPF_PSEUDO_MAP_IDX :
				BPF_PSEUDO_MAP_IDX_VALUE;
		insn->imm = rto->map_op[r->kind == LSK_REF_KCONFIG ? ro->kconfig_map : r->idx];
		return 0;
	case LSK_REF_KSYM_ADDR:
		e = &ro->externs[r->idx];
		rop = lsk_tb_resolve_op(b, LSK_CMD_KSYM_ADDR, e->name,
					"address of ksym '%s' for program '%s' of object '%s'",
					p->name, r->obj >= 0 ? LSK_SUBJ_PROG : LSK_SUBJ_EXTERN,
					r->obj >= 0 ? -1 : r->idx);
		if (rop < 0)
			return rop;
		b->t->ops[rop].sym.weak = e->is_weak;
		b->t->ops[rop].sym.dst = ic;
		b->t->ops[rop].sym.dst_off = r->insn_idx * sizeof(struct bpf_insn);
		return 0;
	case LSK_REF_KSYM_BTF:
	case LSK_REF_KFUNC:
		err = ksym_btf_op(b, p, r, &ro->externs[r->idx], ic);
		if (!err && r->kind == LSK_REF_KSYM_BTF)
			((struct bpf_insn *)b->t->chunks[ic].data)[r->insn_idx].src_reg =
				BPF_PSEUDO_BTF_ID;
		return err;
	case LSK_REF_EXT_CALL:
		return lsk_err(ENOENT, "%s: program '%s' calls extern function '%s', defined by "
			       "none of the objects given", b->to->obj->path, p->name,
			       ro->externs[r->idx].name);
	}
	return 0;
}

/* One BTF info array of program load @op: @data (@cnt records of @rec bytes) at the attr's
 * pointer @ptr_off, its count and record size set by the caller. */
static int prog_info(struct lsk_tb *b, int op, const void *data, __u32 cnt, __u32 rec,
		     const char *label, __u32 ptr_off)
{
	int c;

	if (!cnt)
		return 0;
	c = lsk_tb_chunk(b, data, (size_t)cnt * rec, label);
	if (c < 0)
		return c;
	return lsk_tb_attr_fix(b, op, LSK_FIX_PTR, ptr_off, c);
}

/* The object's BTF, func_info, line_info and CO-RE relocations of program load @op. */
static int prog_btf(struct lsk_tb *b, const struct lsk_prog *p, int op)
{
	union bpf_attr *a;
	int err;

	if (b->to->btf_op < 0)
		return p->nr_core_relos ? lsk_err(EINVAL, "%s: program '%s' has CO-RE relocations "
						  "but the object has no BTF", b->to->obj->path,
						  p->name) : 0;
	err = lsk_tb_attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(prog_btf_fd), b->to->btf_op);
	err = err ?: prog_info(b, op, p->func_info, p->nr_func_info, sizeof(*p->func_info),
			       "func_info", ATTR_OFF(func_info));
	err = err ?: prog_info(b, op, p->line_info, p->nr_line_info, sizeof(*p->line_info),
			       "line_info", ATTR_OFF(line_info));
	err = err ?: prog_info(b, op, p->core_relos, p->nr_core_relos, sizeof(*p->core_relos),
			       "core_relos", ATTR_OFF(core_relos));
	if (err)
		return err;
	a = lsk_tb_attr(b, op);
	if (p->nr_func_info) {
		a->func_info_rec_size = sizeof(*p->func_info);
		a->func_info_cnt = p->nr_func_info;
	}
	if (p->nr_line_info) {
		a->line_info_rec_size = sizeof(*p->line_info);
		a->line_info_cnt = p->nr_line_info;
	}
	if (p->nr_core_relos) {
		a->core_relo_rec_size = sizeof(*p->core_relos);
		a->core_relo_cnt = p->nr_core_relos;
	}
	return 0;
}

/* PROG_LOAD of program @pi, instructions in chunk @ic, license in chunk @lc. */
static int prog_load(struct lsk_tb *b, size_t pi, int ic, int lc)
{
	const struct lsk_obj *obj = b->to->obj;
	const struct lsk_prog *p = &obj->progs[pi];
	union bpf_attr *a;
	char what[256];
	int op, err;

	snprintf(what, sizeof(what), "program '%s' of object '%s'", p->name, obj->name);
	op = lsk_tb_bpf_op(b, BPF_PROG_LOAD, LSK_SUBJ_PROG, pi, what);
	if (op < 0)
		return op;
	b->t->ops[op].makes_fd = true;
	b->to->prog_op[pi] = op;
	a = lsk_tb_attr(b, op);
	a->prog_type = p->type;
	a->insn_cnt = p->insn_cnt;
	a->prog_flags = p->prog_flags;
	a->expected_attach_type = p->expected_attach_type;
	a->kern_version = obj->kern_version;
	snprintf(a->prog_name, sizeof(a->prog_name), "%s", p->name);
	err = lsk_tb_attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(insns), ic);
	err = err ?: lsk_tb_attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(license), lc);
	err = err ?: lsk_tb_attr_fix(b, op, LSK_FIX_FDTAB, ATTR_OFF(fd_array), 0);
	err = err ?: prog_btf(b, p, op);
	return err ? err : op;
}

/* freplace program @pi (load op @op): its target's BTF id is known now, its fd comes from
 * the fd table. */
static int prog_ext_target(struct lsk_tb *b, size_t pi, int op)
{
	const struct lsk_chain_target *ct = lsk_chain_target_of(b->c, b->oi, pi);
	const struct lsk_prog *p = &b->to->obj->progs[pi];

	if (!ct)
		return lsk_err(ENOENT, "%s: program '%s' (freplace) has no target",
			       b->to->obj->path, p->name);
	lsk_tb_attr(b, op)->attach_btf_id = ct->btf_id;
	return lsk_tb_attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(attach_prog_fd),
			       b->t->objs[ct->tobj].prog_op[ct->tprog]);
}

int lsk_tb_add_prog(struct lsk_tb *b, size_t pi)
{
	struct lsk_obj *obj = b->to->obj;
	struct lsk_prog *p = &obj->progs[pi];
	const char *lic;
	int op, ic, lc, rop = -1, err;
	char sym[128], what[256];
	__u32 kind;
	size_t i;

	ic = lsk_tb_chunk(b, p->insns, p->insn_cnt * sizeof(*p->insns), "insns");
	if (ic < 0)
		return ic;
	/* a --dynamic definition from an object without a license runs as part of its target */
	lic = p->dyn_target && !obj->license[0] ? b->t->objs[p->dyn_tobj].obj->license :
						  obj->license;
	lc = lsk_tb_chunk(b, lic, strlen(lic) + 1, "license");
	if (lc < 0)
		return lc;
	for (i = 0; i < p->nr_refs; i++) {
		err = prog_ref(b, p, &p->refs[i], ic);
		if (err)
			return err;
	}
	if (p->type != BPF_PROG_TYPE_EXT && p->attach_btf) {
		/* the attach target's BTF id goes into the load's attr: its lookup comes first */
		attach_btf_name(p, sym, sizeof(sym), &kind);
		snprintf(what, sizeof(what), "attach target '%s' of program '%s' of object '%s'",
			 sym, p->name, obj->name);
		rop = lsk_tb_op(b, LSK_CMD_BTF_ID, LSK_SUBJ_PROG, pi, what);
		if (rop < 0)
			return rop;
		b->t->ops[rop].sym.btf_kind = kind;
		b->t->ops[rop].sym.how = LSK_BTF_DST_U32;
	}
	op = prog_load(b, pi, ic, lc);
	if (op < 0)
		return op;
	if (p->type == BPF_PROG_TYPE_EXT) {
		err = prog_ext_target(b, pi, op);
		return err ?: close_module_btfs(b, -1, op, p->name);
	}
	if (rop >= 0) {
		err = lsk_tb_sym_name(b, rop, sym);
		if (err)
			return err;
		b->t->ops[rop].sym.dst = b->t->ops[op].attr;
		b->t->ops[rop].sym.dst_off = ATTR_OFF(attach_btf_id);
	}
	return close_module_btfs(b, rop, op, p->name);
}
