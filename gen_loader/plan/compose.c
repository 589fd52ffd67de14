// SPDX-License-Identifier: BSD-2-Clause
/* Composing another object's program into a caller as a subprogram (see compose.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "compose.h"
#include "inline_calls.h"
#include "err.h"

#define REF_DONE ((enum lsk_ref_kind)-1)

struct merged_btf {
	int into, from;
	__u32 start;		/* id of from's type 1 inside into's BTF */
};

struct composer {
	struct lsk_obj **objs;
	size_t n;
	struct merged_btf *m;
	size_t nr_m;
	bool **called;		/* per object, per program: composed into some caller */
	const bool *dynamic;	/* per object: its global functions are linked dynamically */
};

struct placed {
	int obj;
	size_t prog;
	size_t off;
	bool dyn;		/* a placeholder; the definition is an freplace of it */
};

static int find_definer(struct composer *c, int caller, size_t cprog, const char *name,
			int *dobj, size_t *dprog, bool *dyn)
{
	const struct lsk_obj *co = c->objs[caller];
	size_t i, j;
	int found = 0;

	for (i = 0; i < c->n; i++)
		for (j = 0; j < c->objs[i]->nr_progs; j++) {
			const struct lsk_prog *q = &c->objs[i]->progs[j];

			if (q->is_subprog || q->linked_copy || strcmp(q->name, name))
				continue;
			if (found)
				return lsk_err(EINVAL, "%s: program '%s' calls '%s', which two objects "
					       "define: '%s' and '%s'", co->path,
					       co->progs[cprog].name, name, c->objs[*dobj]->name,
					       c->objs[i]->name);
			*dobj = i;
			*dprog = j;
			found = 1;
		}
	/* --dynamic objects: a global function, to be loaded as an freplace of a placeholder */
	for (i = 0; !found && c->dynamic && i < c->n; i++)
		for (j = 0; c->dynamic[i] && (int)i != caller && j < c->objs[i]->nr_progs; j++) {
			const struct lsk_prog *q = &c->objs[i]->progs[j];

			if (!q->is_subprog || !q->is_global || !q->insns || strcmp(q->name, name))
				continue;
			*dobj = i;
			*dprog = j;
			*dyn = true;
			found = 1;
		}
	if (!found)
		return lsk_err(ENOENT, "%s: program '%s' of object '%s' calls extern function '%s', "
			       "which none of the objects given defines", co->path,
			       co->progs[cprog].name, co->name, name);
	if (*dobj == caller && *dprog == cprog)
		return lsk_err(ELOOP, "%s: program '%s' calls itself through extern '%s'",
			       co->path, name, name);
	return 0;
}

/* Types of object @from inside object @into's BTF: added once, first id returned. */
static int merged_start(struct composer *c, int into, int from, __u32 *start)
{
	struct merged_btf *nm;
	size_t i;
	int id;

	for (i = 0; i < c->nr_m; i++)
		if (c->m[i].into == into && c->m[i].from == from) {
			*start = c->m[i].start;
			return 0;
		}
	id = btf__add_btf(c->objs[into]->btf, c->objs[from]->btf);
	if (id < 0)
		return lsk_err(-id, "%s: cannot add the BTF of object '%s' to it",
			       c->objs[into]->path, c->objs[from]->name);
	nm = realloc(c->m, (c->nr_m + 1) * sizeof(*nm));
	if (!nm)
		return lsk_err(ENOMEM, "out of memory");
	c->m = nm;
	nm[c->nr_m++] = (struct merged_btf){ .into = into, .from = from, .start = id };
	*start = id;
	return 0;
}

static int str_into(struct btf *to, const struct btf *from, __u32 *off)
{
	const char *s = btf__str_by_offset(from, *off);
	int r;

	if (!s)
		return -EINVAL;
	r = btf__add_str(to, s);
	if (r < 0)
		return r;
	*off = r;
	return 0;
}

static void *grow(void *p, size_t nr, size_t add, size_t elem)
{
	return realloc(p, (nr + add) * elem + 1);
}

/* func/line info and CO-RE records of @q, moved to @off and into the caller's BTF. */
static int append_btf_info(struct composer *c, int oi, struct lsk_prog *p, int di,
			   const struct lsk_prog *q, size_t off)
{
	struct lsk_obj *o = c->objs[oi], *d = c->objs[di];
	__u32 start = 0;
	size_t i, base;
	int err;

	/* the kernel wants func info for every subprogram or for none */
	if (p->nr_func_info && !q->nr_func_info)
		return lsk_err(EINVAL, "%s: cannot make program '%s' of object '%s' a subprogram "
			       "of '%s': it has no BTF func info and '%s' has", o->path, q->name,
			       d->name, p->name, p->name);
	if (!q->nr_func_info && !q->nr_line_info && !q->nr_core_relos)
		return 0;
	if (!o->btf || !d->btf)
		return lsk_err(EINVAL, "%s: cannot make program '%s' of object '%s' a subprogram "
			       "of '%s': BTF func info is missing on one side", o->path, q->name,
			       d->name, p->name);
	err = merged_start(c, oi, di, &start);
	if (err)
		return err;
	if (p->nr_func_info) {
		struct bpf_func_info *f = grow(p->func_info, p->nr_func_info, q->nr_func_info,
					       sizeof(*f));

		if (!f)
			return lsk_err(ENOMEM, "out of memory");
		p->func_info = f;
		base = p->nr_func_info;
		for (i = 0; i < q->nr_func_info; i++) {
			f[base + i] = q->func_info[i];
			f[base + i].insn_off += off;
			f[base + i].type_id += start - 1;
		}
		p->nr_func_info += q->nr_func_info;
	}
	if (p->nr_func_info && q->nr_line_info) {
		struct bpf_line_info *l = grow(p->line_info, p->nr_line_info, q->nr_line_info,
					       sizeof(*l));

		if (!l)
			return lsk_err(ENOMEM, "out of memory");
		p->line_info = l;
		base = p->nr_line_info;
		for (i = 0; i < q->nr_line_info; i++) {
			l[base + i] = q->line_info[i];
			l[base + i].insn_off += off;
			err = str_into(o->btf, d->btf, &l[base + i].file_name_off);
			err = err ?: str_into(o->btf, d->btf, &l[base + i].line_off);
			if (err)
				return lsk_err(EINVAL, "%s: line info of program '%s': bad string",
					       d->path, q->name);
		}
		p->nr_line_info += q->nr_line_info;
	}
	if (q->nr_core_relos) {
		struct bpf_core_relo *r = grow(p->core_relos, p->nr_core_relos, q->nr_core_relos,
					       sizeof(*r));

		if (!r)
			return lsk_err(ENOMEM, "out of memory");
		p->core_relos = r;
		base = p->nr_core_relos;
		for (i = 0; i < q->nr_core_relos; i++) {
			r[base + i] = q->core_relos[i];
			r[base + i].insn_off += off * sizeof(struct bpf_insn);
			r[base + i].type_id += start - 1;
			if (str_into(o->btf, d->btf, &r[base + i].access_str_off))
				return lsk_err(EINVAL, "%s: CO-RE record of program '%s': bad string",
					       d->path, q->name);
		}
		p->nr_core_relos += q->nr_core_relos;
	}
	return 0;
}

/* @q (program of object @di) appended to @p (of object @oi); its start in *off. */
static int append(struct composer *c, int oi, struct lsk_prog *p, int di,
		  const struct lsk_prog *q, size_t *off)
{
	struct bpf_insn *ni = grow(p->insns, p->insn_cnt, q->insn_cnt, sizeof(*ni));
	struct lsk_ref *nr;
	size_t i;

	if (!ni)
		return lsk_err(ENOMEM, "out of memory");
	p->insns = ni;
	*off = p->insn_cnt;
	memcpy(ni + p->insn_cnt, q->insns, q->insn_cnt * sizeof(*ni));
	p->insn_cnt += q->insn_cnt;
	nr = grow(p->refs, p->nr_refs, q->nr_refs, sizeof(*nr));
	if (!nr)
		return lsk_err(ENOMEM, "out of memory");
	p->refs = nr;
	for (i = 0; i < q->nr_refs; i++) {
		struct lsk_ref r = q->refs[i];

		r.insn_idx += *off;
		if (r.obj < 0)
			r.obj = di;
		if (r.obj == oi)
			r.obj = -1;
		nr[p->nr_refs++] = r;
	}
	return append_btf_info(c, oi, p, di, q, *off);
}

static void *dup_mem(const void *p, size_t n, int *err)
{
	void *d;

	if (!n)
		return NULL;
	d = malloc(n);
	if (!d)
		*err = -ENOMEM;
	else
		memcpy(d, p, n);
	return d;
}

/* The definition @q (global function of object @di) as an freplace program of @fn in
 * program @pi of object @oi: its own copy of the linked function, bound to that target. */
static int add_freplace(struct composer *c, int di, size_t qi, int oi, size_t pi, const char *fn)
{
	struct lsk_obj *d = c->objs[di];
	struct lsk_prog *np, *e, *q;
	char name[128];
	size_t i, same = 0;
	bool *nc;
	int err = 0;

	for (i = 0; i < d->nr_progs; i++)
		same += d->progs[i].dyn_target && !strcmp(d->progs[i].replace_func, fn);
	if (same)
		snprintf(name, sizeof(name), "%s_%zu", fn, same + 1);
	else
		snprintf(name, sizeof(name), "%s", fn);
	np = realloc(d->progs, (d->nr_progs + 1) * sizeof(*np));
	if (!np)
		return lsk_err(ENOMEM, "out of memory");
	d->progs = np;
	nc = realloc(c->called[di], (d->nr_progs + 1) * sizeof(*nc));
	if (!nc)
		return lsk_err(ENOMEM, "out of memory");
	c->called[di] = nc;
	nc[d->nr_progs] = false;
	q = &d->progs[qi];
	e = &d->progs[d->nr_progs];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	e->sec_name = strdup(q->sec_name);
	e->replace_func = strdup(fn);
	e->insns = dup_mem(q->insns, q->insn_cnt * sizeof(*q->insns), &err);
	e->func_info = dup_mem(q->func_info, q->nr_func_info * sizeof(*q->func_info), &err);
	e->line_info = dup_mem(q->line_info, q->nr_line_info * sizeof(*q->line_info), &err);
	e->core_relos = dup_mem(q->core_relos, q->nr_core_relos * sizeof(*q->core_relos), &err);
	e->refs = dup_mem(q->refs, q->nr_refs * sizeof(*q->refs), &err);
	d->nr_progs++;	/* owned by the object from here: freed with it */
	if (err || !e->name || !e->sec_name || !e->replace_func)
		return lsk_err(ENOMEM, "out of memory");
	e->insn_cnt = q->insn_cnt;
	e->nr_func_info = q->nr_func_info;
	e->nr_line_info = q->nr_line_info;
	e->nr_core_relos = q->nr_core_relos;
	e->nr_refs = q->nr_refs;
	e->sec_idx = q->sec_idx;
	e->sec_insn_off = q->sec_insn_off;
	e->sec_insn_cnt = q->sec_insn_cnt;
	e->main_insn_cnt = q->main_insn_cnt;
	e->type = BPF_PROG_TYPE_EXT;
	e->attach_target = e->replace_func;
	e->dyn_target = true;
	e->dyn_tobj = oi;
	e->dyn_tprog = pi;
	return 0;
}

/* Placeholder for extern @r in @p: a global function with the extern's prototype that
 * returns 0, replaced at run time by the definition (loaded as freplace of it). */
static int add_placeholder(struct composer *c, int oi, struct lsk_prog *p,
			   const struct lsk_ref *r, size_t *off)
{
	const struct lsk_obj *o = c->objs[oi];
	const struct lsk_extern *e = &o->externs[r->idx];
	const struct bpf_insn body[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_insn *ni;

	if (r->obj >= 0 || !o->btf || !e->btf_id || !p->nr_func_info)
		return lsk_err(EINVAL, "%s: program '%s' calls '%s' of a --dynamic object: that "
			       "needs BTF for the extern and func info in the program, in the "
			       "object's own code", o->path, p->name, e->name);
	ni = grow(p->insns, p->insn_cnt, 2, sizeof(*ni));
	if (!ni)
		return lsk_err(ENOMEM, "out of memory");
	p->insns = ni;
	*off = p->insn_cnt;
	memcpy(ni + p->insn_cnt, body, sizeof(body));
	p->insn_cnt += 2;
	{
		struct bpf_func_info *f = grow(p->func_info, p->nr_func_info, 1, sizeof(*f));

		if (!f)
			return lsk_err(ENOMEM, "out of memory");
		p->func_info = f;
		f[p->nr_func_info++] = (struct bpf_func_info){ .insn_off = *off,
							      .type_id = e->btf_id };
	}
	if (p->nr_line_info) {	/* every function starts with a line record */
		struct bpf_line_info *l = grow(p->line_info, p->nr_line_info, 1, sizeof(*l));

		if (!l)
			return lsk_err(ENOMEM, "out of memory");
		p->line_info = l;
		l[p->nr_line_info++] = (struct bpf_line_info){ .insn_off = *off };
	}
	return 0;
}

static int compose_prog(struct composer *c, int oi, size_t pi)
{
	struct lsk_prog *p = &c->objs[oi]->progs[pi];
	struct placed *done = NULL, *nd;
	size_t k, j, nr_done = 0, off = 0;
	int err = 0;

	for (k = 0; !err && k < p->nr_refs; k++) {
		struct lsk_ref r = p->refs[k];
		int eobj = r.obj >= 0 ? r.obj : oi, di = -1;
		bool dyn = false;
		size_t qi = 0;

		if (r.kind != LSK_REF_EXT_CALL)
			continue;
		err = find_definer(c, oi, pi, c->objs[eobj]->externs[r.idx].name, &di, &qi, &dyn);
		if (err)
			break;
		for (j = 0; j < nr_done && (done[j].obj != di || done[j].prog != qi); j++)
			;
		if (j < nr_done) {
			off = done[j].off;
		} else {
			if (dyn) {
				err = add_placeholder(c, oi, p, &r, &off);
				err = err ?: add_freplace(c, di, qi, oi, pi,
							  c->objs[eobj]->externs[r.idx].name);
				p = &c->objs[oi]->progs[pi];
			} else {
				err = append(c, oi, p, di, &c->objs[di]->progs[qi], &off);
			}
			if (err)
				break;
			nd = realloc(done, (nr_done + 1) * sizeof(*nd));
			if (!nd) {
				err = lsk_err(ENOMEM, "out of memory");
				break;
			}
			done = nd;
			done[nr_done++] = (struct placed){ .obj = di, .prog = qi, .off = off,
							   .dyn = dyn };
			if (!dyn)
				c->called[di][qi] = true;
		}
		p->insns[r.insn_idx].imm = (long)off - (long)r.insn_idx - 1;
		p->refs[k].kind = REF_DONE;
	}
	for (k = j = 0; !err && k < p->nr_refs; k++)
		if (p->refs[k].kind != REF_DONE)
			p->refs[j++] = p->refs[k];
	if (!err)
		p->nr_refs = j;
	if (!err && nr_done) {	/* bodies called once from the main function: spliced in */
		struct lsk_inline_block *bl = calloc(nr_done, sizeof(*bl));
		size_t nb = 0;

		for (k = 0; bl && k < nr_done; k++)
			if (!done[k].dyn)	/* placeholders stay functions: freplace targets */
				bl[nb++] = (struct lsk_inline_block){
					.start = done[k].off,
					.main_len = c->objs[done[k].obj]->progs[done[k].prog].main_insn_cnt };
		err = bl ? lsk_inline_composed(p, p->main_insn_cnt, bl, nb) :
			   lsk_err(ENOMEM, "out of memory");
		free(bl);
	}
	free(done);
	return err;
}

static bool has_ext_calls(const struct lsk_prog *p)
{
	size_t k;

	for (k = 0; k < p->nr_refs; k++)
		if (p->refs[k].kind == LSK_REF_EXT_CALL)
			return true;
	return false;
}

int lsk_compose_calls(struct lsk_obj **objs, size_t n, const bool *dynamic)
{
	struct composer c = { .objs = objs, .n = n, .dynamic = dynamic };
	size_t i, j;
	int err = 0;

	c.called = calloc(n + 1, sizeof(*c.called));
	if (!c.called)
		return lsk_err(ENOMEM, "out of memory");
	for (i = 0; i < n && !err; i++) {
		c.called[i] = calloc(objs[i]->nr_progs + 1, sizeof(bool));
		if (!c.called[i])
			err = lsk_err(ENOMEM, "out of memory");
	}
	for (i = 0; i < n && !err; i++)
		for (j = 0; j < objs[i]->nr_progs && !err; j++)
			if (lsk_prog_is_entry(&objs[i]->progs[j]) && has_ext_calls(&objs[i]->progs[j]))
				err = compose_prog(&c, i, j);
	/* a program composed into its callers is not loaded on its own */
	for (i = 0; i < n && !err; i++)
		for (j = 0; j < objs[i]->nr_progs; j++)
			if (c.called[i][j])
				objs[i]->progs[j].linked_copy = true;
	for (i = 0; i < n; i++)
		free(c.called[i]);
	free(c.called);
	free(c.m);
	return err;
}
