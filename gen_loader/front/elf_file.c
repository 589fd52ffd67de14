// SPDX-License-Identifier: BSD-2-Clause
/* ELF container checks and section/symbol indexing for BPF objects. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "elf_file.h"
#include "err.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

static int read_file(const char *path, void **bufp, size_t *sizep)
{
	struct stat st;
	size_t done = 0;
	void *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lsk_err(errno, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return lsk_err(EINVAL, "%s: not a regular file", path);
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return lsk_err(ENOMEM, "%s: out of memory", path);
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)buf + done, st.st_size - done);

		if (n <= 0) {
			free(buf);
			close(fd);
			return lsk_err(EIO, "%s: read failed", path);
		}
		done += n;
	}
	close(fd);
	*bufp = buf;
	*sizep = done;
	return 0;
}

static int check_header(struct lsk_elf *e, const unsigned char *raw, size_t size)
{
	GElf_Ehdr eh;

	if (size < EI_NIDENT || memcmp(raw, ELFMAG, SELFMAG))
		return lsk_err(EINVAL, "%s: not an ELF file", e->path);
	if (raw[EI_CLASS] != ELFCLASS64)
		return lsk_err(EINVAL, "%s: not a 64-bit ELF file (BPF objects are ELFCLASS64)",
			       e->path);
	if (raw[EI_DATA] != ELFDATA2LSB)
		return lsk_err(ENOTSUP, "%s: big-endian BPF object (byte order %s); this host is "
			       "little-endian", e->path,
			       raw[EI_DATA] == ELFDATA2MSB ? "MSB" : "unknown");
	if (!gelf_getehdr(e->elf, &eh))
		return lsk_err(EINVAL, "%s: bad ELF header: %s", e->path, elf_errmsg(-1));
	if (eh.e_machine != EM_BPF)
		return lsk_err(EINVAL, "%s: e_machine %u is not EM_BPF", e->path, eh.e_machine);
	if (eh.e_type != ET_REL)
		return lsk_err(EINVAL, "%s: not a relocatable object (e_type %u)", e->path,
			       eh.e_type);
	if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > size ||
	    (size - eh.e_shoff) / sizeof(Elf64_Shdr) < eh.e_shnum)
		return lsk_err(EINVAL, "%s: section header table (offset 0x%llx, %u entries) lies "
			       "past the end of the file (0x%zx bytes): truncated?", e->path,
			       (unsigned long long)eh.e_shoff, eh.e_shnum, size);
	return 0;
}

/* Read section i's header, name and data (copied when not 8-byte aligned). */
static int read_section(struct lsk_elf *e, size_t shstrndx, size_t i, size_t file_size)
{
	struct lsk_elf_sec *s = &e->secs[i];
	Elf_Scn *scn = elf_getscn(e->elf, i);
	Elf_Data *d;

	s->rel_idx = -1;
	if (!scn || !gelf_getshdr(scn, &s->sh))
		return lsk_err(EINVAL, "%s: section %zu: bad header: %s", e->path, i,
			       elf_errmsg(-1));
	s->name = elf_strptr(e->elf, shstrndx, s->sh.sh_name);
	if (!s->name)
		return lsk_err(EINVAL, "%s: section %zu: bad name offset %u", e->path, i,
			       s->sh.sh_name);
	if (s->sh.sh_type == SHT_NOBITS) {
		s->size = s->sh.sh_size;
		return 0;
	}
	if (s->sh.sh_offset > file_size || s->sh.sh_size > file_size - s->sh.sh_offset)
		return lsk_err(EINVAL, "%s: section %zu '%s': data [0x%llx, +0x%llx) past end "
			       "of file (0x%zx)", e->path, i, s->name,
			       (unsigned long long)s->sh.sh_offset,
			       (unsigned long long)s->sh.sh_size, file_size);
	d = elf_getdata(scn, NULL);
	if (!d && s->sh.sh_size)
		return lsk_err(EINVAL, "%s: section %zu '%s': no data: %s", e->path, i,
			       s->name, elf_errmsg(-1));
	s->data = d ? d->d_buf : NULL;
	s->size = d ? d->d_size : 0;
	if (s->data && ((uintptr_t)s->data & 7)) {
		/* instructions, symbols and relocations are read in place */
		s->copy = malloc(s->size);
		if (!s->copy)
			return lsk_err(ENOMEM, "%s: out of memory", e->path);
		memcpy(s->copy, s->data, s->size);
		s->data = s->copy;
	}
	if (s->size && !s->data)
		return lsk_err(EINVAL, "%s: section %zu '%s': no data", e->path, i, s->name);
	return 0;
}

/* Note what section i is (symbol table, relocations, BTF, maps...) in e's indices. */
static int classify_section(struct lsk_elf *e, size_t i)
{
	struct lsk_elf_sec *s = &e->secs[i];

	if (s->sh.sh_type == SHT_SYMTAB) {
		if (e->symtab_idx >= 0)
			return lsk_err(EINVAL, "%s: more than one symbol table", e->path);
		if (s->sh.sh_entsize != sizeof(Elf64_Sym) || s->sh.sh_link >= e->nr_secs ||
		    s->sh.sh_link == 0 || e->secs[s->sh.sh_link].sh.sh_type != SHT_STRTAB)
			return lsk_err(EINVAL, "%s: section %zu '%s': malformed symbol table",
				       e->path, i, s->name);
		e->symtab_idx = i;
		e->strtab_idx = s->sh.sh_link;
		e->nr_syms = s->size / sizeof(Elf64_Sym);
	} else if (s->sh.sh_type == SHT_REL) {
		if (s->sh.sh_info == 0 || s->sh.sh_info >= e->nr_secs)
			return lsk_err(EINVAL, "%s: section %zu '%s': relocates section %u, "
				       "which does not exist", e->path, i, s->name, s->sh.sh_info);
		if (s->sh.sh_entsize != sizeof(Elf64_Rel))
			return lsk_err(EINVAL, "%s: section %zu '%s': entry size %llu is not "
				       "%zu", e->path, i, s->name,
				       (unsigned long long)s->sh.sh_entsize, sizeof(Elf64_Rel));
		e->secs[s->sh.sh_info].rel_idx = i;
	} else if (s->sh.sh_type == SHT_NOBITS &&
		   (!strcmp(s->name, ".BTF") || !strcmp(s->name, ".BTF.ext") ||
		    !strcmp(s->name, ".maps") || !strcmp(s->name, "license") ||
		    !strcmp(s->name, "version"))) {
		return lsk_err(EINVAL, "%s: section %zu '%s' holds no data (SHT_NOBITS)",
			       e->path, i, s->name);
	} else if (!strcmp(s->name, ".BTF")) {
		e->btf_idx = i;
	} else if (!strcmp(s->name, ".BTF.ext")) {
		e->btf_ext_idx = i;
	} else if (!strcmp(s->name, ".maps")) {
		e->maps_idx = i;
	} else if (!strcmp(s->name, "license")) {
		e->license_idx = i;
	} else if (!strcmp(s->name, "version")) {
		e->version_idx = i;
	} else if (!strcmp(s->name, ".text")) {
		e->text_idx = i;
	} else if (!strcmp(s->name, "maps")) {
		return lsk_err(ENOTSUP, "%s: section 'maps': legacy struct bpf_map_def maps are "
			       "not supported (use BTF-defined maps in SEC(\".maps\"))", e->path);
	}
	return 0;
}

/* Read every section header and data, then note what each section is; refuses malformed ones. */
static int index_sections(struct lsk_elf *e, size_t file_size)
{
	size_t shstrndx, i;
	int err;

	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return lsk_err(EINVAL, "%s: no section name table: %s", e->path, elf_errmsg(-1));
	if (elf_getshdrnum(e->elf, &e->nr_secs))
		return lsk_err(EINVAL, "%s: bad section count: %s", e->path, elf_errmsg(-1));
	if (e->nr_secs > 65535)
		return lsk_err(EINVAL, "%s: %zu sections is too many", e->path, e->nr_secs);
	e->secs = calloc(e->nr_secs ? e->nr_secs : 1, sizeof(*e->secs));
	if (!e->secs)
		return lsk_err(ENOMEM, "%s: out of memory", e->path);
	e->symtab_idx = e->strtab_idx = e->btf_idx = e->btf_ext_idx = -1;
	e->maps_idx = e->license_idx = e->version_idx = e->text_idx = -1;

	for (i = 1; i < e->nr_secs; i++) {
		err = read_section(e, shstrndx, i, file_size);
		if (err)
			return err;
	}
	for (i = 1; i < e->nr_secs; i++) {
		err = classify_section(e, i);
		if (err)
			return err;
	}
	if (e->symtab_idx < 0)
		return lsk_err(EINVAL, "%s: no symbol table (.symtab)", e->path);
	return 0;
}

int lsk_elf_open(const char *path, const void *buf, size_t size, struct lsk_elf **elfp)
{
	struct lsk_elf *e;
	int err;

	elf_version(EV_CURRENT);
	e = calloc(1, sizeof(*e));
	if (!e)
		return lsk_err(ENOMEM, "%s: out of memory", path);
	e->path = path;
	e->fd = -1;
	if (!buf) {
		void *mem = NULL;

		err = read_file(path, &mem, &size);
		if (err)
			goto err;
		e->owned = mem;
		buf = mem;
	}
	e->elf = elf_memory((char *)buf, size);
	if (!e->elf) {
		err = lsk_err(EINVAL, "%s: libelf: %s", path, elf_errmsg(-1));
		goto err;
	}
	err = check_header(e, buf, size);
	if (!err)
		err = index_sections(e, size);
	if (err)
		goto err;
	*elfp = e;
	return 0;
err:
	lsk_elf_close(e);
	return err;
}

void lsk_elf_close(struct lsk_elf *e)
{
	size_t i;

	if (!e)
		return;
	if (e->elf)
		elf_end(e->elf);
	for (i = 0; e->secs && i < e->nr_secs; i++)
		free(e->secs[i].copy);
	free(e->secs);
	free(e->owned);
	free(e);
}

int lsk_elf_sym(const struct lsk_elf *e, size_t idx, GElf_Sym *sym)
{
	const struct lsk_elf_sec *s = &e->secs[e->symtab_idx];

	if (idx >= e->nr_syms)
		return lsk_err(EINVAL, "%s: symbol index %zu out of range (%zu symbols)", e->path,
			       idx, e->nr_syms);
	memcpy(sym, (const Elf64_Sym *)s->data + idx, sizeof(*sym));
	return 0;
}

const char *lsk_elf_sym_name(const struct lsk_elf *e, const GElf_Sym *sym)
{
	const struct lsk_elf_sec *st = &e->secs[e->strtab_idx];
	const char *p;

	if (sym->st_name >= st->size)
		return "";
	p = (const char *)st->data + sym->st_name;
	if (!memchr(p, '\0', st->size - sym->st_name))
		return "";
	return p;
}

int lsk_elf_find_sec(const struct lsk_elf *e, const char *name)
{
	size_t i;

	for (i = 1; i < e->nr_secs; i++)
		if (!strcmp(e->secs[i].name, name))
			return i;
	return -1;
}
