// SPDX-License-Identifier: BSD-2-Clause
/* Nothing in an object is dropped without a word: after every reader ran, each section is
 * read by one (programs, maps, global data, BTF, license...), known to hold nothing a load
 * needs (DWARF, the symbol tables, the address-significance table), refused here by name
 * when it means something lskel does not do (per-CPU data, arena data), or, when no code
 * refers to it (the relocation readers refuse code that does), listed in the object as not
 * loaded: metadata tools read from the file, as libxdp's 'features' and 'xdp_metadata'
 * (libbpf skips those with a debug line; `lskel dump` lists them). Relocation sections: those
 * of code and .maps are read, those of BTF and DWARF describe debug data, any other (a
 * pointer initialised in global data) is refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "obj_internal.h"
#include "err.h"

#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* struct_ops maps are read by their own stage (in the works as this is written): left to
 * it, never refused here. */
static bool is_struct_ops(const char *name)
{
	return !strcmp(name, ".struct_ops") || !strcmp(name, ".struct_ops.link");
}

/* Sections holding nothing the kernel gets. */
static bool is_debug_or_table(const struct lsk_elf *e, size_t i)
{
	const struct lsk_elf_sec *s = &e->secs[i];

	return s->sh.sh_type == SHT_NULL || s->sh.sh_type == SHT_STRTAB ||
	       s->sh.sh_type == SHT_LLVM_ADDRSIG || (int)i == e->symtab_idx ||
	       (int)i == e->btf_idx || (int)i == e->btf_ext_idx || has_prefix(s->name, ".debug_");
}

static int check_rel(struct lsk_reader *r, size_t i)
{
	const struct lsk_elf *e = r->elf;
	const struct lsk_elf_sec *s = &e->secs[i];
	size_t t = s->sh.sh_info;

	if (r->sec_kind[t] == LSK_SEC_PROG || r->sec_kind[t] == LSK_SEC_MAPS ||
	    is_debug_or_table(e, t) || is_struct_ops(e->secs[t].name) || !s->size)
		return 0;
	if (r->sec_kind[t] == LSK_SEC_DATA || r->sec_kind[t] == LSK_SEC_RODATA ||
	    r->sec_kind[t] == LSK_SEC_BSS)
		return lsk_err(ENOTSUP, "%s: section '%s': relocations in global data '%s' (a "
			       "variable initialised with the address of a function or variable) "
			       "are not supported", r->obj->path, s->name, e->secs[t].name);
	return lsk_err(ENOTSUP, "%s: section '%s': relocations of section '%s', which lskel does "
		       "not read, are not supported", r->obj->path, s->name, e->secs[t].name);
}

/* Every byte of a code section belongs to a function symbol, or it would not be loaded. */
static int check_code(struct lsk_reader *r, size_t i)
{
	const struct lsk_obj *obj = r->obj;
	size_t k, insns = 0;

	for (k = 0; k < obj->nr_progs; k++)
		if (obj->progs[k].sec_idx == (int)i)
			insns += obj->progs[k].sec_insn_cnt;
	if (insns * 8 == r->elf->secs[i].size)
		return 0;
	return lsk_err(EINVAL, "%s: section '%s': %zu of its %zu instructions belong to no "
		       "function symbol", obj->path, r->elf->secs[i].name,
		       r->elf->secs[i].size / 8 - insns, r->elf->secs[i].size / 8);
}

static int note_unloaded(struct lsk_obj *obj, const char *name)
{
	char **n = realloc(obj->unloaded, (obj->nr_unloaded + 1) * sizeof(*n));

	if (!n)
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	obj->unloaded = n;
	n[obj->nr_unloaded] = strdup(name);
	if (!n[obj->nr_unloaded])
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	obj->nr_unloaded++;
	return 0;
}

int lsk_check_sections(struct lsk_reader *r)
{
	const struct lsk_elf *e = r->elf;
	size_t i;
	int err;

	for (i = 1; i < e->nr_secs; i++) {
		const struct lsk_elf_sec *s = &e->secs[i];

		if (r->sec_kind[i] == LSK_SEC_PROG) {
			err = check_code(r, i);
			if (err)
				return err;
			continue;
		}
		if (r->sec_kind[i] != LSK_SEC_OTHER || is_debug_or_table(e, i) ||
		    (int)i == e->license_idx || (int)i == e->version_idx || is_struct_ops(s->name))
			continue;
		if (s->sh.sh_type == SHT_REL) {
			err = check_rel(r, i);
			if (err)
				return err;
			continue;
		}
		if (!s->size)	/* empty (.text of an object without functions there) */
			continue;
		if (has_prefix(s->name, ".addr_space."))
			return lsk_err(ENOTSUP, "%s: section '%s': arena global data is not "
				       "supported", r->obj->path, s->name);
		if (s->sh.sh_flags & SHF_EXECINSTR)
			return lsk_err(ENOTSUP, "%s: section '%s': code no reader took",
				       r->obj->path, s->name);
		err = note_unloaded(r->obj, s->name);
		if (err)
			return err;
	}
	return 0;
}
