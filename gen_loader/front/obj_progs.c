// SPDX-License-Identifier: BSD-2-Clause
/* Programs (one per function symbol in an executable section) and the relocations of their
 * code: maps, global data, subprogram calls and addresses, externs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "obj_internal.h"
#include "sec_def.h"
#include "err.h"

#define R_BPF_64_64 1
#define R_BPF_64_32 10

struct lsk_prog *lsk_find_prog_at(struct lsk_obj *obj, int sec_idx, size_t insn_idx)
{
	size_t i;

	for (i = 0; i < obj->nr_progs; i++) {
		struct lsk_prog *p = &obj->progs[i];

		if (p->sec_idx == sec_idx && insn_idx >= p->sec_insn_off &&
		    insn_idx < p->sec_insn_off + p->sec_insn_cnt)
			return p;
	}
	return NULL;
}

static int cmp_progs(const void *a, const void *b)
{
	const struct lsk_prog *x = a, *y = b;

	if (x->sec_idx != y->sec_idx)
		return x->sec_idx < y->sec_idx ? -1 : 1;
	return x->sec_insn_off < y->sec_insn_off ? -1 : x->sec_insn_off > y->sec_insn_off;
}

static int set_prog_type(struct lsk_reader *r, struct lsk_prog *p)
{
	/* libbpf's SEC("?..."): not loaded unless asked for */
	const char *sec = p->sec_name + (p->sec_name[0] == '?');
	const struct lsk_sec_def *d = lsk_sec_def_find(sec);

	if (!d)
		return lsk_err(ENOTSUP, "%s: section '%s': unknown SEC name for program '%s'",
			       r->obj->path, p->sec_name, p->name);
	p->optional = sec != p->sec_name;
	p->type = d->prog_type;
	p->expected_attach_type = d->attach_type;
	if (d->flags & LSK_SEC_SLEEPABLE)
		p->prog_flags |= BPF_F_SLEEPABLE;
	if (d->flags & LSK_SEC_XDP_FRAGS)
		p->prog_flags |= BPF_F_XDP_HAS_FRAGS;
	p->attach_btf = d->flags & LSK_SEC_ATTACH_BTF;
	p->attach_target = lsk_sec_def_target(d, sec);
	if (p->attach_btf && !p->attach_target[0])
		return lsk_err(EINVAL, "%s: section '%s': program '%s' needs an attach target "
			       "after '/'", r->obj->path, p->sec_name, p->name);
	return 0;
}

int lsk_read_progs(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	struct lsk_elf *e = r->elf;
	size_t i;
	int err;

	for (i = 1; i < e->nr_secs; i++) {
		const struct lsk_elf_sec *s = &e->secs[i];

		if (s->sh.sh_type == SHT_PROGBITS && (s->sh.sh_flags & SHF_EXECINSTR) && s->size) {
			if (s->size % sizeof(struct bpf_insn))
				return lsk_err(EINVAL, "%s: section '%s': size %zu is not a multiple "
					       "of 8", obj->path, s->name, s->size);
			r->sec_kind[i] = LSK_SEC_PROG;
		}
	}
	for (i = 1; i < e->nr_syms; i++) {
		struct lsk_prog *p, *np;
		const struct lsk_elf_sec *s;
		const char *name;
		GElf_Sym sym;

		lsk_elf_sym(e, i, &sym);
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF)
			continue;
		name = lsk_elf_sym_name(e, &sym);
		if (sym.st_shndx >= e->nr_secs || r->sec_kind[sym.st_shndx] != LSK_SEC_PROG)
			return lsk_err(EINVAL, "%s: function '%s': section index %u is not program "
				       "code", obj->path, name, sym.st_shndx);
		s = &e->secs[sym.st_shndx];
		if (!name[0])
			return lsk_err(EINVAL, "%s: section '%s': unnamed function at offset 0x%llx",
				       obj->path, s->name, (unsigned long long)sym.st_value);
		if (sym.st_value % 8 || sym.st_size % 8 || !sym.st_size ||
		    sym.st_value > s->size || sym.st_size > s->size - sym.st_value)
			return lsk_err(EINVAL, "%s: section '%s': function '%s' [0x%llx, +0x%llx) "
				       "does not fit the section (0x%zx bytes)", obj->path, s->name,
				       name, (unsigned long long)sym.st_value,
				       (unsigned long long)sym.st_size, s->size);
		if ((int)sym.st_shndx != e->text_idx && GELF_ST_BIND(sym.st_info) == STB_LOCAL)
			return lsk_err(ENOTSUP, "%s: section '%s': program '%s' is static; entry "
				       "programs must be global", obj->path, s->name, name);
		np = realloc(obj->progs, (obj->nr_progs + 1) * sizeof(*np));
		if (!np)
			return lsk_err(ENOMEM, "%s: out of memory", obj->path);
		obj->progs = np;
		p = &np[obj->nr_progs++];
		memset(p, 0, sizeof(*p));
		p->name = strdup(name);
		p->sec_name = strdup(s->name);
		if (!p->name || !p->sec_name)
			return lsk_err(ENOMEM, "%s: out of memory", obj->path);
		p->sec_idx = sym.st_shndx;
		p->sec_insn_off = sym.st_value / 8;
		p->sec_insn_cnt = sym.st_size / 8;
		p->is_subprog = (int)sym.st_shndx == e->text_idx;
		/* hidden functions are private to the object (static BTF linkage, obj_btf.c) */
		p->is_global = GELF_ST_BIND(sym.st_info) == STB_GLOBAL &&
			       GELF_ST_VISIBILITY(sym.st_other) == STV_DEFAULT;
		if (!p->is_subprog) {
			err = set_prog_type(r, p);
			if (err)
				return err;
		}
	}
	if (obj->nr_progs)
		qsort(obj->progs, obj->nr_progs, sizeof(*obj->progs), cmp_progs);
	for (i = 1; i < obj->nr_progs; i++) {
		struct lsk_prog *a = &obj->progs[i - 1], *b = &obj->progs[i];

		if (a->sec_idx == b->sec_idx && a->sec_insn_off + a->sec_insn_cnt > b->sec_insn_off)
			return lsk_err(EINVAL, "%s: section '%s': functions '%s' and '%s' overlap",
				       obj->path, a->sec_name, a->name, b->name);
	}
	return 0;
}

/* A relocated call: to a subprogram in .text, or to an extern (kfunc, another object's
 * function). */
static int classify_call(struct lsk_reader *r, const struct lsk_elf_sec *s, size_t idx,
			 const GElf_Sym *sym, const char *sname, const struct bpf_insn *insn,
			 struct lsk_reloc *out)
{
	struct lsk_obj *obj = r->obj;

	if (insn->src_reg != BPF_PSEUDO_CALL)
		return lsk_err(EINVAL, "%s: section '%s': insn %zu: relocated call is not a "
			       "bpf-to-bpf call", obj->path, s->name, idx);
	if (sym->st_shndx == SHN_UNDEF) {
		out->kind = LSK_RELO_EXTERN_FUNC;
		out->ext_idx = lsk_find_extern(obj, sname);
		if (out->ext_idx < 0)
			return lsk_err(EINVAL, "%s: section '%s': insn %zu calls unknown extern "
				       "'%s'", obj->path, s->name, idx, sname);
		return 0;	/* a kfunc, or a function of another object (compose.c) */
	}
	if ((int)sym->st_shndx != r->elf->text_idx)
		return lsk_err(EINVAL, "%s: section '%s': insn %zu calls into section %u, "
			       "not .text", obj->path, s->name, idx, sym->st_shndx);
	out->kind = LSK_RELO_CALL;
	return 0;
}

/* An ld_imm64 against a map in .maps or a global data section. */
static int classify_data(struct lsk_reader *r, const struct lsk_elf_sec *s, size_t idx,
			 const GElf_Sym *sym, const char *sname, struct lsk_reloc *out)
{
	struct lsk_obj *obj = r->obj;

	switch (r->sec_kind[sym->st_shndx]) {
	case LSK_SEC_MAPS: {
		size_t i;

		for (i = 0; i < obj->nr_maps; i++)
			if (obj->maps[i].kind == LSK_MAP_USER && obj->maps[i].sec_off == sym->st_value)
				break;
		if (i == obj->nr_maps)
			return lsk_err(EINVAL, "%s: section '%s': insn %zu references '%s' at .maps "
				       "offset 0x%llx, which is no map", obj->path, s->name, idx,
				       sname, (unsigned long long)sym->st_value);
		out->kind = LSK_RELO_MAP_FD;
		out->map_idx = i;
		return 0;
	}
	case LSK_SEC_DATA:
	case LSK_SEC_RODATA:
	case LSK_SEC_BSS: {
		size_t i;

		for (i = 0; i < obj->nr_maps; i++)
			if (obj->maps[i].kind != LSK_MAP_USER && obj->maps[i].sec_idx == sym->st_shndx)
				break;
		if (i == obj->nr_maps)
			return lsk_err(EINVAL, "%s: section '%s': insn %zu: no map for section %u",
				       obj->path, s->name, idx, sym->st_shndx);
		out->kind = LSK_RELO_MAP_VALUE;
		out->map_idx = i;
		return 0;
	}
	default:
		return lsk_err(EINVAL, "%s: section '%s': insn %zu references '%s' in section '%s', "
			       "which is neither maps nor global data", obj->path, s->name, idx,
			       sname, r->elf->secs[sym->st_shndx].name);
	}
}

/* What relocation @rel of code section @sec_idx refers to, checked: a call, a map, global data,
 * a subprogram's address or an extern. */
static int classify(struct lsk_reader *r, int sec_idx, const Elf64_Rel *rel,
		    struct lsk_reloc *out)
{
	struct lsk_obj *obj = r->obj;
	const struct lsk_elf_sec *s = &r->elf->secs[sec_idx];
	const struct bpf_insn *insn;
	size_t idx = rel->r_offset / 8;
	const char *sname;
	GElf_Sym sym;
	int err, type = ELF64_R_TYPE(rel->r_info);

	if (rel->r_offset % 8 || idx >= s->size / 8)
		return lsk_err(EINVAL, "%s: section '%s': relocation offset 0x%llx outside the "
			       "code (0x%zx bytes)", obj->path, s->name,
			       (unsigned long long)rel->r_offset, s->size);
	if (type != R_BPF_64_64 && type != R_BPF_64_32)
		return lsk_err(EINVAL, "%s: section '%s': relocation type %d at offset 0x%llx is "
			       "not supported", obj->path, s->name, type,
			       (unsigned long long)rel->r_offset);
	if (ELF64_R_SYM(rel->r_info) >= r->elf->nr_syms)
		return lsk_err(EINVAL, "%s: section '%s': relocation at offset 0x%llx: symbol index "
			       "%llu out of range (%zu symbols)", obj->path, s->name,
			       (unsigned long long)rel->r_offset,
			       (unsigned long long)ELF64_R_SYM(rel->r_info), r->elf->nr_syms);
	err = lsk_elf_sym(r->elf, ELF64_R_SYM(rel->r_info), &sym);
	if (err)
		return err;
	sname = lsk_elf_sym_name(r->elf, &sym);
	insn = (const struct bpf_insn *)s->data + idx;
	memset(out, 0, sizeof(*out));
	out->insn_idx = idx;
	out->sym_off = sym.st_value;
	out->map_idx = out->ext_idx = -1;

	if (insn->code == (BPF_JMP | BPF_CALL))
		return classify_call(r, s, idx, &sym, sname, insn, out);
	if (insn->code != (BPF_LD | BPF_IMM | BPF_DW) || idx + 1 >= s->size / 8)
		return lsk_err(EINVAL, "%s: section '%s': insn %zu: relocation against '%s' on an "
			       "instruction that is not ld_imm64 or call", obj->path, s->name, idx,
			       sname);
	if (sym.st_shndx == SHN_UNDEF) {
		out->kind = LSK_RELO_EXTERN_VAR;
		out->ext_idx = lsk_find_extern(obj, sname);
		if (out->ext_idx < 0)
			return lsk_err(EINVAL, "%s: section '%s': insn %zu references unknown extern "
				       "'%s'", obj->path, s->name, idx, sname);
		if (obj->externs[out->ext_idx].kind == LSK_EXT_LINK)
			return lsk_err(ENOTSUP, "%s: section '%s': insn %zu takes the address of "
				       "extern function '%s' of another object", obj->path, s->name,
				       idx, sname);
		return 0;
	}
	if (sym.st_shndx >= r->elf->nr_secs)
		return lsk_err(EINVAL, "%s: section '%s': insn %zu: symbol '%s' has bad section "
			       "index %u", obj->path, s->name, idx, sname, sym.st_shndx);
	/* clang emits callback addresses as plain ld_imm64 against .text (or a global function
	 * there); they become BPF_PSEUDO_FUNC when linked. */
	if ((int)sym.st_shndx == r->elf->text_idx &&
	    (GELF_ST_TYPE(sym.st_info) == STT_SECTION || GELF_ST_TYPE(sym.st_info) == STT_FUNC)) {
		out->kind = LSK_RELO_SUBPROG_ADDR;
		return 0;
	}
	if (insn->src_reg == BPF_PSEUDO_FUNC)
		return lsk_err(EINVAL, "%s: section '%s': insn %zu: callback address outside .text",
			       obj->path, s->name, idx);
	return classify_data(r, s, idx, &sym, sname, out);
}

static int cmp_relocs(const void *a, const void *b)
{
	const struct lsk_reloc *x = a, *y = b;

	return x->insn_idx < y->insn_idx ? -1 : x->insn_idx > y->insn_idx;
}

int lsk_read_relocs(struct lsk_reader *r)
{
	size_t i, j;

	for (i = 1; i < r->elf->nr_secs; i++) {
		const struct lsk_elf_sec *rs;
		size_t n;
		int err;

		if (r->sec_kind[i] != LSK_SEC_PROG || r->elf->secs[i].rel_idx < 0)
			continue;
		rs = &r->elf->secs[r->elf->secs[i].rel_idx];
		n = rs->size / sizeof(Elf64_Rel);
		if (!n)
			continue;
		r->relocs[i] = calloc(n, sizeof(struct lsk_reloc));
		if (!r->relocs[i])
			return lsk_err(ENOMEM, "%s: out of memory", r->obj->path);
		for (j = 0; j < n; j++) {
			err = classify(r, i, (const Elf64_Rel *)rs->data + j, &r->relocs[i][j]);
			if (err)
				return err;
		}
		qsort(r->relocs[i], n, sizeof(struct lsk_reloc), cmp_relocs);
		for (j = 1; j < n; j++)
			if (r->relocs[i][j].insn_idx == r->relocs[i][j - 1].insn_idx)
				return lsk_err(EINVAL, "%s: section '%s': two relocations for insn %zu",
					       r->obj->path, r->elf->secs[i].name,
					       r->relocs[i][j].insn_idx);
		r->nr_relocs[i] = n;
	}
	return 0;
}
