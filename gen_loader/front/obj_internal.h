/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared state of the object reader while it walks one ELF file. */
#ifndef LSK_OBJ_INTERNAL_H
#define LSK_OBJ_INTERNAL_H

#include "obj.h"
#include "elf_file.h"
#include "btf_ext.h"

struct lsk_reader {
	struct lsk_obj *obj;
	struct lsk_elf *elf;
	struct lsk_btf_ext *ext;	/* NULL without .BTF.ext */
	enum lsk_sec_kind *sec_kind;	/* per ELF section */
	struct lsk_reloc **relocs;	/* per ELF section, sorted by insn_idx */
	size_t *nr_relocs;
};

/* obj_btf.c: load .BTF and fix DATASEC sizes/offsets as libbpf does. */
int lsk_read_btf(struct lsk_reader *r);
/* Skip typedefs and modifiers; returns the type and stores its id in @res_id. */
const struct btf_type *lsk_btf_skip_mods(const struct btf *btf, __u32 id, __u32 *res_id);
/* Find the VAR/secinfo of ELF symbol @name in DATASEC @sec_name; -ENOENT when absent. */
int lsk_btf_find_datasec(const struct btf *btf, const char *sec_name);

/* obj_externs.c: collect .kconfig/.ksyms externs and fix their BTF as the kernel needs. */
int lsk_read_externs(struct lsk_reader *r);
int lsk_find_extern(const struct lsk_obj *obj, const char *name);

/* obj_maps.c: maps from .maps, global data sections and .kconfig. */
int lsk_read_maps(struct lsk_reader *r);
/* obj_maps.c: prog-array / map-in-map initialisers from .rel.maps (after programs). */
int lsk_read_map_inits(struct lsk_reader *r);

/* obj_progs.c: programs by symbol, then relocations of program sections. */
int lsk_read_progs(struct lsk_reader *r);
int lsk_read_relocs(struct lsk_reader *r);
/* Program containing section instruction @insn_idx of section @sec_idx, NULL if none. */
struct lsk_prog *lsk_find_prog_at(struct lsk_obj *obj, int sec_idx, size_t insn_idx);

/* obj_struct_ops.c: struct_ops maps from .struct_ops(.link) variables, their programs'
 * member indexes (after programs and relocations). */
int lsk_read_struct_ops(struct lsk_reader *r);
/* obj_sections.c: refuse, by name, any section or relocation section no reader took. */
int lsk_check_sections(struct lsk_reader *r);

/* link.c: append subprograms into each entry program and resolve calls. */
int lsk_link_progs(struct lsk_reader *r);

#endif
