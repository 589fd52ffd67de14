/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, ELF symbol lookup for uprobes: the file offsets of the functions of an
 * executable or library whose names match a glob (libbpf's globs: '*' any run of
 * characters, '?' one character). */
#ifndef LSKEL_ELF_H
#define LSKEL_ELF_H

#include <lskel/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* @s matches glob @g. */
static inline int lskel_glob(const char *g, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*g == '*') {
			star = g++;
			resume = s;
		} else if (*g == '?' || *g == *s) {
			g++;
			s++;
		} else if (star) {
			g = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*g == '*')
		g++;
	return !*g;
}

/* Grow @a (elements of @sz bytes) to hold @n + 1; 0 or -ENOMEM. */
static inline int lskel_grow(void **a, size_t *cap, size_t n, size_t sz)
{
	void *g;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 16;
	g = realloc(*a, *cap * sz);
	if (!g)
		return -ENOMEM;
	*a = g;
	return 0;
}

/* File offsets of the functions of ELF file @path whose names match @glob (.symtab and
 * .dynsym): up to @max into @offs, each offset once; returns how many, or -errno. With
 * @offs NULL: how many matching symbols there are (a bound: one function may be in both). */
static inline long lskel_elf_glob_offs(const char *path, const char *glob, __u64 *offs,
				       size_t max)
{
	unsigned char *f;
	struct stat st;
	size_t i, j, k, n = 0, sz;
	long ret = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return -ENOEXEC;
	}
	sz = st.st_size;
	f = (unsigned char *)mmap(NULL, sz, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f == MAP_FAILED)
		return -errno;
	{
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
		const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);

		if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
		    eh->e_shoff > sz || (sz - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum ||
		    eh->e_phoff > sz || (sz - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum) {
			ret = -ENOEXEC;
			goto out;
		}
		for (i = 0; i < eh->e_shnum; i++) {
			const Elf64_Shdr *s = &sh[i], *str;

			if ((s->sh_type != SHT_SYMTAB && s->sh_type != SHT_DYNSYM) ||
			    s->sh_link >= eh->e_shnum || s->sh_offset > sz ||
			    s->sh_size > sz - s->sh_offset)
				continue;
			str = &sh[s->sh_link];
			if (str->sh_offset > sz || str->sh_size > sz - str->sh_offset ||
			    !str->sh_size || f[str->sh_offset + str->sh_size - 1])
				continue;	/* names must end inside their table */
			for (j = 0; j < s->sh_size / sizeof(Elf64_Sym); j++) {
				const Elf64_Sym *sym = (const Elf64_Sym *)(f + s->sh_offset) + j;
				__u64 off = 0;

				if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC || !sym->st_value ||
				    sym->st_name >= str->sh_size ||
				    !lskel_glob(glob, (const char *)f + str->sh_offset + sym->st_name))
					continue;
				if (!offs) {
					n++;
					continue;
				}
				for (k = 0; k < eh->e_phnum && !off; k++)
					if (ph[k].p_type == PT_LOAD && (ph[k].p_flags & PF_X) &&
					    sym->st_value >= ph[k].p_vaddr &&
					    sym->st_value < ph[k].p_vaddr + ph[k].p_memsz)
						off = sym->st_value - ph[k].p_vaddr + ph[k].p_offset;
				for (k = 0; off && k < n; k++)
					if (offs[k] == off)
						off = 0;	/* in both tables: once */
				if (off && n < max)
					offs[n++] = off;
			}
		}
	}
	ret = n;
out:
	munmap(f, sz);
	return ret;
}

/* File offset of function @func in the ELF executable or library @path (for uprobes). */
static inline long lskel_elf_func_off(const char *path, const char *func)
{
	__u64 off = 0;	/* set when n > 0: GCC -O3 cannot tell */
	long n = lskel_elf_glob_offs(path, func, &off, 1);

	return n <= 0 ? (n ? n : -ENOENT) : (long)off;
}

#ifdef __cplusplus
}
#endif

#endif
