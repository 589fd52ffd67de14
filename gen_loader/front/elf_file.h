/* SPDX-License-Identifier: BSD-2-Clause */
/* Bounds-checked access to the sections and symbols of a BPF ELF file (libelf). */
#ifndef LSK_ELF_H
#define LSK_ELF_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>

struct lsk_elf_sec {
	const char *name;
	GElf_Shdr sh;
	const void *data;	/* NULL for SHT_NOBITS */
	size_t size;
	int rel_idx;		/* index of the SHT_REL section relocating this one, -1 if none */
	void *copy;		/* aligned copy when the file placed the data misaligned */
};

struct lsk_elf {
	const char *path;
	Elf *elf;
	int fd;
	void *owned;		/* file contents when read by us */
	struct lsk_elf_sec *secs;
	size_t nr_secs;
	int symtab_idx, strtab_idx;
	size_t nr_syms;
	int btf_idx, btf_ext_idx, maps_idx, license_idx, version_idx, text_idx;
};

/* Open @path (or @buf/@size when @buf is non-NULL) and index its sections. */
int lsk_elf_open(const char *path, const void *buf, size_t size, struct lsk_elf **elfp);
void lsk_elf_close(struct lsk_elf *elf);
/* Symbol @idx of .symtab; fails with a message for an index out of range. */
int lsk_elf_sym(const struct lsk_elf *elf, size_t idx, GElf_Sym *sym);
/* Name of a symbol ("" when unnamed). */
const char *lsk_elf_sym_name(const struct lsk_elf *elf, const GElf_Sym *sym);
/* Section by name, -1 when absent. */
int lsk_elf_find_sec(const struct lsk_elf *elf, const char *name);

#endif
