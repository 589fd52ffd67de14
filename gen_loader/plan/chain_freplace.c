// SPDX-License-Identifier: BSD-2-Clause
/* freplace in a chain: the plan step that retypes 'replace'd programs as freplace programs,
 * and each freplace program's target (a program of another object with the function, the
 * one a 'target' or 'replace' directive or --dynamic names). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "chain_ref.h"
#include "err.h"

/* A 'replace' directive's program must have been retyped (lsk_plan_retype_replaced). */
int lsk_chain_check_retyped(struct lsk_chain_ctx *x, const struct lsk_dir_freplace *d)
{
	const struct lsk_prog *p;
	int obj, prog, err = lsk_chain_prog_ref(x, &d->prog, &obj, &prog);

	if (err)
		return err;
	p = &x->objs[obj]->progs[prog];
	if (p->type != BPF_PROG_TYPE_EXT || !p->replace_func || strcmp(p->replace_func, d->func))
		return lsk_err(EINVAL, "%sprogram '%s' was not made an freplace of '%s' before the "
			       "chain was resolved (lsk_plan_retype_replaced)", x->where, p->name,
			       d->func);
	return 0;
}

/* Does entry program @p of @o contain function @func (itself or a linked subprogram)? */
static bool prog_has_func(const struct lsk_obj *o, const struct lsk_prog *p, const char *func)
{
	size_t i;

	if (!strcmp(p->name, func))
		return true;
	if (!o->btf)
		return false;
	for (i = 0; i < p->nr_func_info; i++) {
		const struct btf_type *t = btf__type_by_id(o->btf, p->func_info[i].type_id);

		if (t && !strcmp(btf__name_by_offset(o->btf, t->name_off), func))
			return true;
	}
	return false;
}

/* 'replace OBJ:PROG = OBJ:PROG:FUNC': an ordinary program loaded as an freplace of FUNC of
 * another object's program, as libxdp loads its components into the dispatcher's slots. */
static int retype(struct lsk_chain_ctx *x, const struct lsk_dir_freplace *d)
{
	struct lsk_prog *p;
	int so, sp, err = lsk_chain_prog_ref(x, &d->prog, &so, &sp);
	char a[256];

	if (err)
		return err;
	p = &x->objs[so]->progs[sp];
	if (p->type == BPF_PROG_TYPE_EXT)
		return lsk_err(EINVAL, "%sprogram '%s' is an freplace program already: use 'target'",
			       x->where, lsk_chain_ref_text(&d->prog, a, sizeof(a)));
	free(p->replace_func);
	p->replace_func = strdup(d->func);
	if (!p->replace_func)
		return lsk_err(ENOMEM, "out of memory");
	p->type = BPF_PROG_TYPE_EXT;
	p->expected_attach_type = 0;
	p->attach_target = p->replace_func;
	p->attach_btf = false;
	return 0;
}

int lsk_plan_retype_replaced(const struct lsk_plan *plan, struct lsk_obj **objs, size_t n)
{
	struct lsk_chain_ctx x = { .objs = objs, .n = n, .p = plan };
	size_t i;
	int err = 0;

	for (i = 0; !err && i < plan->nr_dirs; i++) {
		if (plan->dirs[i].kind != LSK_DIR_REPLACE)
			continue;
		lsk_plan_where(&plan->dirs[i], x.where, sizeof(x.where));
		err = retype(&x, &plan->dirs[i].fr);
	}
	return err;
}

/* The target program a 'target A:P = B:Q' or 'replace A:P = B:Q:FUNC' directive gives (obj
 * i, prog j); *want_obj stays -1 when none names one. */
static int wanted_target(struct lsk_chain_ctx *x, size_t i, size_t j, int *want_obj, int *want_prog)
{
	const struct lsk_prog *p = &x->objs[i]->progs[j];
	size_t l;

	if (p->dyn_target) {	/* --dynamic: the program that calls it */
		*want_obj = p->dyn_tobj;
		*want_prog = p->dyn_tprog;
		return 0;
	}
	for (l = 0; l < x->p->nr_dirs; l++) {
		const struct lsk_directive *d = &x->p->dirs[l];
		int so, sp, err;

		if (d->kind != LSK_DIR_TARGET && d->kind != LSK_DIR_REPLACE)
			continue;
		lsk_plan_where(d, x->where, sizeof(x->where));
		err = lsk_chain_prog_ref(x, &d->fr.prog, &so, &sp);
		if (err)
			return err;
		if (so == (int)i && sp == (int)j) {
			err = lsk_chain_prog_ref(x, &d->fr.target, want_obj, want_prog);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Every freplace program's target, into x->c->targets (chain_ref.h). */
int lsk_chain_freplace(struct lsk_chain_ctx *x)
{
	size_t i, j, k, l;

	for (i = 0; i < x->n; i++) {
		const struct lsk_obj *o = x->objs[i];

		for (j = 0; j < o->nr_progs; j++) {
			const struct lsk_prog *p = &o->progs[j];
			struct lsk_chain_target t = { (int)i, (int)j, -1, -1, 0 }, *nt;
			int want_obj = -1, want_prog = -1, found = 0, id, err;
			char cand[512] = "";

			if (!lsk_prog_is_entry(p) || p->type != BPF_PROG_TYPE_EXT)
				continue;
			err = wanted_target(x, i, j, &want_obj, &want_prog);
			if (err)
				return err;
			for (k = 0; k < x->n; k++) {
				const struct lsk_obj *to = x->objs[k];

				for (l = 0; l < to->nr_progs && k != i; l++) {
					const struct lsk_prog *tp = &to->progs[l];

					if (!lsk_prog_is_entry(tp) || tp->type == BPF_PROG_TYPE_EXT ||
					    !prog_has_func(to, tp, p->attach_target))
						continue;
					if (want_obj >= 0 && (want_obj != (int)k || want_prog != (int)l))
						continue;
					found++;
					snprintf(cand + strlen(cand), sizeof(cand) - strlen(cand),
						 " %s:%s", to->name, tp->name);
					t.tobj = k;
					t.tprog = l;
				}
			}
			if (!found)
				return lsk_err(ENOENT, "program '%s' of object '%s' replaces function '%s', "
					       "which no program of another object in the chain has",
					       p->name, o->name, p->attach_target);
			if (found > 1)
				return lsk_err(EINVAL, "program '%s' of object '%s' replaces function '%s', "
					       "found in several programs:%s; choose one with 'target "
					       "%s:%s = OBJ:PROG'", p->name, o->name, p->attach_target,
					       cand, o->name, p->name);
			/* libbpf too needs an freplace's target loaded (it takes the target's
			 * fd); a SEC("?...") target may be left out at load time */
			if (x->objs[t.tobj]->progs[t.tprog].optional)
				return lsk_err(EINVAL, "program '%s' of object '%s' replaces function "
					       "'%s' of program '%s' of object '%s', which is "
					       "SEC(\"%s\"): it may be left out of the load (autoload "
					       "off), and an freplace needs its target loaded; drop "
					       "the '?' of '%s'", p->name, o->name, p->attach_target,
					       x->objs[t.tobj]->progs[t.tprog].name,
					       x->objs[t.tobj]->name,
					       x->objs[t.tobj]->progs[t.tprog].sec_name,
					       x->objs[t.tobj]->progs[t.tprog].name);
			id = x->objs[t.tobj]->btf ?
			     btf__find_by_name_kind(x->objs[t.tobj]->btf, p->attach_target,
						    BTF_KIND_FUNC) : -ENOENT;
			if (id <= 0)
				return lsk_err(ENOENT, "object '%s' has no BTF for function '%s'",
					       x->objs[t.tobj]->name, p->attach_target);
			t.btf_id = id;
			nt = realloc(x->c->targets, (x->c->nr_targets + 1) * sizeof(*nt));
			if (!nt)
				return lsk_err(ENOMEM, "out of memory");
			x->c->targets = nt;
			nt[x->c->nr_targets++] = t;
		}
	}
	return 0;
}
