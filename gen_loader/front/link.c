// SPDX-License-Identifier: BSD-2-Clause
/* Subprogram linking: each entry program gets its own copy of every subprogram it reaches,
 * appended depth-first in call order (libbpf's order, so kernel state matches), with calls,
 * callback addresses, func_info, line_info and CO-RE records rebased. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "obj_internal.h"
#include "err.h"

struct linker {
	struct lsk_reader *r;
	struct lsk_prog *main;
	size_t cap_insns;
};

static int grow(void **arr, size_t *cnt, size_t add, size_t elem)
{
	void *n = realloc(*arr, (*cnt + add) * elem);

	if (!n)
		return -ENOMEM;
	*arr = n;
	return 0;
}

static const struct lsk_reloc *find_reloc(struct lsk_reader *r, int sec, size_t idx)
{
	size_t lo = 0, hi = r->nr_relocs[sec];

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->relocs[sec][mid].insn_idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->nr_relocs[sec] && r->relocs[sec][lo].insn_idx == idx)
		return &r->relocs[sec][lo];
	return NULL;
}

static int add_ref(struct lsk_prog *m, enum lsk_ref_kind kind, size_t insn, int idx)
{
	if (grow((void **)&m->refs, &m->nr_refs, 1, sizeof(*m->refs)))
		return -ENOMEM;
	m->refs[m->nr_refs].kind = kind;
	m->refs[m->nr_refs].insn_idx = insn;
	m->refs[m->nr_refs].idx = idx;
	m->refs[m->nr_refs].obj = -1;
	m->nr_refs++;
	return 0;
}

/* Copy the .BTF.ext records of @prog's range, rebased to @base in the main program. */
static int copy_ext(struct lsk_reader *r, const struct lsk_ext_info *info,
		    const struct lsk_prog *prog, size_t base, bool bytes, void **out, size_t *nr)
{
	const struct lsk_ext_sec *es;
	size_t i, lo = prog->sec_insn_off, hi = prog->sec_insn_off + prog->sec_insn_cnt;

	if (!r->ext || !info->rec_size)
		return 0;
	es = lsk_ext_find(info, prog->sec_name);
	if (!es)
		return 0;
	for (i = 0; i < es->nr; i++) {
		const char *rec = (const char *)es->recs + i * info->rec_size;
		__u32 off;

		memcpy(&off, rec, 4);	/* insn_off is the first field of all three records */
		if (off % 8)
			return lsk_err(EINVAL, "%s: .BTF.ext: section '%s': record offset %u is not "
				       "instruction aligned", r->obj->path, prog->sec_name, off);
		if (off / 8 < lo || off / 8 >= hi)
			continue;
		if (grow(out, nr, 1, info->rec_size))
			return lsk_err(ENOMEM, "%s: out of memory", r->obj->path);
		off = off / 8 - lo + base;
		if (bytes)
			off *= 8;
		memcpy((char *)*out + *nr * info->rec_size, rec, info->rec_size);
		memcpy((char *)*out + *nr * info->rec_size, &off, 4);
		(*nr)++;
	}
	return 0;
}

static int append_ext(struct linker *l, const struct lsk_prog *prog, size_t base)
{
	struct lsk_reader *r = l->r;
	struct lsk_prog *m = l->main;
	int err;

	if (!r->ext)
		return 0;
	/* Without func_info for the entry point the kernel would reject subprograms' records. */
	if (prog == m || m->nr_func_info) {
		err = copy_ext(r, &r->ext->func_info, prog, base, false, (void **)&m->func_info,
			       &m->nr_func_info);
		if (err)
			return err;
	}
	err = copy_ext(r, &r->ext->line_info, prog, base, false, (void **)&m->line_info,
		       &m->nr_line_info);
	if (!err)
		err = copy_ext(r, &r->ext->core_relo, prog, base, true, (void **)&m->core_relos,
			       &m->nr_core_relos);
	return err;
}

static int reloc_code(struct linker *l, struct lsk_prog *prog, size_t base);

/* Make the call / callback address at main insn @at point to the subprogram starting at
 * section instruction @sub_idx of section @sec, appending that subprogram first if needed. */
static int link_sub(struct linker *l, size_t at, int sec, long sub_idx)
{
	struct lsk_reader *r = l->r;
	struct lsk_prog *m = l->main, *sub;
	int err;

	sub = sub_idx < 0 ? NULL : lsk_find_prog_at(r->obj, sec, sub_idx);
	if (!sub || sub->sec_insn_off != (size_t)sub_idx)
		return lsk_err(EINVAL, "%s: program '%s': insn %zu calls section '%s' insn %ld, "
			       "which is not the start of a function", r->obj->path, m->name, at,
			       r->elf->secs[sec].name, sub_idx);
	if (!sub->is_subprog)
		return lsk_err(EINVAL, "%s: program '%s': insn %zu calls entry program '%s'",
			       r->obj->path, m->name, at, sub->name);
	if (!sub->sub_insn_off) {
		const struct bpf_insn *src = r->elf->secs[sub->sec_idx].data;

		if (m->insn_cnt + sub->sec_insn_cnt > l->cap_insns) {
			size_t cap = (m->insn_cnt + sub->sec_insn_cnt) * 2;
			struct bpf_insn *ni = realloc(m->insns, cap * sizeof(*ni));

			if (!ni)
				return lsk_err(ENOMEM, "%s: out of memory", r->obj->path);
			m->insns = ni;
			l->cap_insns = cap;
		}
		sub->sub_insn_off = m->insn_cnt;
		memcpy(m->insns + m->insn_cnt, src + sub->sec_insn_off,
		       sub->sec_insn_cnt * sizeof(*src));
		m->insn_cnt += sub->sec_insn_cnt;
		err = append_ext(l, sub, sub->sub_insn_off);
		if (!err)
			err = reloc_code(l, sub, sub->sub_insn_off);
		if (err)
			return err;
	}
	m->insns[at].imm = (long)sub->sub_insn_off - (long)at - 1;
	return 0;
}

static int reloc_insn(struct linker *l, struct lsk_prog *prog, const struct lsk_reloc *rel,
		      size_t at)
{
	struct lsk_reader *r = l->r;
	struct lsk_prog *m = l->main;
	struct bpf_insn *insn = &m->insns[at];
	const struct lsk_extern *ext;

	switch (rel->kind) {
	case LSK_RELO_MAP_FD:
		insn->src_reg = BPF_PSEUDO_MAP_FD;
		insn->imm = 0;
		return add_ref(m, LSK_REF_MAP_FD, at, rel->map_idx);
	case LSK_RELO_MAP_VALUE:
		insn->src_reg = BPF_PSEUDO_MAP_VALUE;
		insn[1].imm = insn[0].imm + rel->sym_off;
		insn->imm = 0;
		return add_ref(m, LSK_REF_MAP_VALUE, at, rel->map_idx);
	case LSK_RELO_EXTERN_VAR:
		ext = &r->obj->externs[rel->ext_idx];
		if (ext->kind == LSK_EXT_KCONFIG) {
			insn->src_reg = BPF_PSEUDO_MAP_VALUE;
			insn->imm = 0;
			insn[1].imm = ext->kcfg_off;
			return add_ref(m, LSK_REF_KCONFIG, at, rel->ext_idx);
		}
		return add_ref(m, ext->typed ? LSK_REF_KSYM_BTF : LSK_REF_KSYM_ADDR, at,
			       rel->ext_idx);
	case LSK_RELO_EXTERN_FUNC:
		if (r->obj->externs[rel->ext_idx].kind == LSK_EXT_LINK) {
			insn->src_reg = BPF_PSEUDO_CALL;	/* target set by compose.c */
			insn->imm = -1;
			return add_ref(m, LSK_REF_EXT_CALL, at, rel->ext_idx);
		}
		insn->src_reg = BPF_PSEUDO_KFUNC_CALL;
		insn->imm = 0;
		return add_ref(m, LSK_REF_KFUNC, at, rel->ext_idx);
	case LSK_RELO_CALL:
		return link_sub(l, at, r->elf->text_idx, rel->sym_off / 8 + insn->imm + 1);
	case LSK_RELO_SUBPROG_ADDR:
		if ((rel->sym_off + insn->imm) % 8)
			return lsk_err(EINVAL, "%s: program '%s': insn %zu: callback address not "
				       "instruction aligned", r->obj->path, m->name, at);
		insn->src_reg = BPF_PSEUDO_FUNC;
		return link_sub(l, at, r->elf->text_idx, (rel->sym_off + insn->imm) / 8);
	}
	(void)prog;
	return 0;
}

static int reloc_code(struct linker *l, struct lsk_prog *prog, size_t base)
{
	struct lsk_reader *r = l->r;
	struct lsk_prog *m = l->main;
	size_t local;
	int err;

	for (local = 0; local < prog->sec_insn_cnt; local++) {
		size_t at = base + local, sec_insn = prog->sec_insn_off + local;
		const struct lsk_reloc *rel = find_reloc(r, prog->sec_idx, sec_insn);
		struct bpf_insn insn = m->insns[at];
		bool ld64 = insn.code == (BPF_LD | BPF_IMM | BPF_DW);

		if (ld64 && local + 1 >= prog->sec_insn_cnt)
			return lsk_err(EINVAL, "%s: program '%s': insn %zu: ld_imm64 cut off by the "
				       "end of the function", r->obj->path, prog->name, local);
		if (rel)
			err = reloc_insn(l, prog, rel, at);
		else if ((insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == BPF_PSEUDO_CALL) ||
			 (ld64 && insn.src_reg == BPF_PSEUDO_FUNC))
			err = link_sub(l, at, prog->sec_idx, (long)sec_insn + insn.imm + 1);
		else
			err = 0;
		if (err)
			return err;
		if (ld64)
			local++;
	}
	return 0;
}

static int link_one(struct lsk_reader *r, struct lsk_prog *m)
{
	const struct bpf_insn *src = r->elf->secs[m->sec_idx].data;
	struct linker l = { .r = r, .main = m };
	size_t i;
	int err;

	for (i = 0; i < r->obj->nr_progs; i++)
		r->obj->progs[i].sub_insn_off = 0;
	l.cap_insns = m->sec_insn_cnt;
	m->insns = malloc(m->sec_insn_cnt * sizeof(*m->insns));
	if (!m->insns)
		return lsk_err(ENOMEM, "%s: out of memory", r->obj->path);
	memcpy(m->insns, src + m->sec_insn_off, m->sec_insn_cnt * sizeof(*src));
	m->insn_cnt = m->main_insn_cnt = m->sec_insn_cnt;
	err = append_ext(&l, m, 0);
	if (!err)
		err = reloc_code(&l, m, 0);
	return err;
}

int lsk_link_progs(struct lsk_reader *r)
{
	size_t i;
	int err;

	for (i = 0; i < r->obj->nr_progs; i++) {
		struct lsk_prog *p = &r->obj->progs[i];

		if (p->is_subprog)
			continue;
		err = link_one(r, p);
		if (err)
			return err;
	}
	/* global functions linked on their own as well, for --dynamic (compose.c); one that
	 * cannot be is simply not available for that */
	for (i = 0; i < r->obj->nr_progs; i++) {
		struct lsk_prog *p = &r->obj->progs[i];

		if (!p->is_subprog || !p->is_global)
			continue;
		if (link_one(r, p)) {
			free(p->insns);
			free(p->func_info);
			free(p->line_info);
			free(p->core_relos);
			free(p->refs);
			p->insns = NULL;
			p->func_info = NULL;
			p->line_info = NULL;
			p->core_relos = NULL;
			p->refs = NULL;
			p->insn_cnt = p->nr_func_info = p->nr_line_info = p->nr_core_relos = 0;
			p->nr_refs = 0;
			lsk_err_clear();
		}
	}
	return 0;
}
