// SPDX-License-Identifier: BSD-2-Clause
/* corpus-extract BIN OUT: writes every BPF ELF object embedded in the file BIN (an executable
 * built with a generated skeleton carries its object as a byte array) to OUT.bpf.o, or to
 * OUT.N.bpf.o when there are several. Prints the paths written; exit 1 when none is found. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif

/* Size of the ELF image starting at @p (at most @left bytes), 0 if it is not a plausible
 * little-endian 64-bit BPF relocatable object. */
static size_t bpf_elf_size(const unsigned char *p, size_t left)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p;
	size_t end, i;

	if (left < sizeof(*eh) || memcmp(p, ELFMAG, SELFMAG) || p[EI_CLASS] != ELFCLASS64 ||
	    p[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_BPF || eh->e_type != ET_REL ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || !eh->e_shnum)
		return 0;
	if (eh->e_shoff > left || (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > left - eh->e_shoff)
		return 0;
	end = eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh = (const Elf64_Shdr *)(p + eh->e_shoff) + i;

		if (sh->sh_type == SHT_NOBITS || sh->sh_type == SHT_NULL)
			continue;
		if (sh->sh_offset > left || sh->sh_size > left - sh->sh_offset)
			return 0;
		if (sh->sh_offset + sh->sh_size > end)
			end = sh->sh_offset + sh->sh_size;
	}
	return end;
}

int main(int argc, char **argv)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, at, n, found = 0, sizes[16], offs[16];
	char path[4096];
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: corpus-extract BIN OUTPREFIX\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "corpus-extract: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				return 2;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	for (at = 0; at + SELFMAG < len && found < 16; at++) {
		if (buf[at] != ELFMAG0 || memcmp(buf + at, ELFMAG, SELFMAG))
			continue;
		n = bpf_elf_size(buf + at, len - at);
		if (!n)
			continue;
		offs[found] = at;
		sizes[found++] = n;
		at += n - 1;
	}
	for (n = 0; n < found; n++) {
		if (found == 1)
			snprintf(path, sizeof(path), "%s.bpf.o", argv[2]);
		else
			snprintf(path, sizeof(path), "%s.%zu.bpf.o", argv[2], n);
		f = fopen(path, "wb");
		if (!f || fwrite(buf + offs[n], 1, sizes[n], f) != sizes[n] || fclose(f)) {
			fprintf(stderr, "corpus-extract: %s: %s\n", path, strerror(errno));
			return 2;
		}
		printf("%s\n", path);
	}
	free(buf);
	return found ? 0 : 1;
}
