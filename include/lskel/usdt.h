/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, USDT auto-attach (libc and UAPI only). Opt-in: a generated skeleton includes
 * this header only when one of its programs is SEC("usdt/PATH:PROVIDER:NAME"), and points its
 * descriptor's usdt hooks here; skeletons without USDT programs carry none of it.
 *
 * What user space owes a program written with libbpf's <bpf/usdt.bpf.h>: the target's
 * .note.stapsdt notes are read (the address adjusted by .stapsdt.base, as for prelinked
 * files), each probe site's address mapped to a file offset through the PT_LOAD segments,
 * each distinct argument string decoded into a struct __bpf_usdt_spec and written to the
 * object's __bpf_usdt_specs map at a free index (the spec id), then one uprobe per site
 * (perf uprobe PMU, BPF link) carries the spec id as its BPF cookie, and the probe's
 * semaphore, if any, as the uprobe's ref_ctr_offset (the kernel counts it up while attached).
 * __bpf_usdt_ip_to_spec_id is left empty: usdt.bpf.h reads it only where LINUX_HAS_BPF_COOKIE
 * is false, and the runtime sets that extern to true (BPF links on perf events, which this
 * attach needs, came with cookies in 5.15). Detach closes every link and zeroes the spec
 * entries it wrote. Argument specs are decoded for x86-64 only (registers with their 8, 16
 * and 32-bit names, OFF(%REG) memory, $IMM constants); other architectures are refused by
 * name. */
#ifndef LSKEL_USDT_H
#define LSKEL_USDT_H

#include <stdarg.h>
#include <lskel/runtime.h>
#if defined(__x86_64__)
#include <asm/ptrace.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define LSKEL_USDT_MAX_ARGS 12		/* BPF_USDT_MAX_ARG_CNT */
#define LSKEL_USDT_NOTE_TYPE 3		/* NT_STAPSDT, owner "stapsdt" */
#define LSKEL_USDT_ARG_CONST 0		/* enum __bpf_usdt_arg_type */
#define LSKEL_USDT_ARG_REG 1
#define LSKEL_USDT_ARG_REG_DEREF 2

/* usdt.bpf.h's struct __bpf_usdt_arg_spec, byte for byte (16 bytes). */
struct lskel_usdt_arg {
	__u64 val_off;		/* the constant, or the offset from the register (memory) */
	__u32 type;		/* LSKEL_USDT_ARG_* */
	__s16 reg_off;		/* offsetof(struct pt_regs, register) */
	__u8 is_signed;
	__s8 bitshift;		/* 64 - 8 * size: the bits cleared (or sign-extended) */
};

/* usdt.bpf.h's struct __bpf_usdt_spec (208 bytes: the map's value size is checked). */
struct lskel_usdt_spec {
	struct lskel_usdt_arg args[LSKEL_USDT_MAX_ARGS];
	__u64 cookie;		/* bpf_usdt_cookie(): 0 for SEC() auto-attach, as libbpf */
	__s16 nr_args;
	__u8 pad[6];
};

typedef char lskel_usdt_spec_is_208[sizeof(struct lskel_usdt_spec) == 208 ? 1 : -1];

/* One probe site of the PROVIDER:NAME being attached. */
struct lskel_usdt_site {
	__u64 off;		/* file offset of the probe's instruction */
	__u64 sema_off;		/* file offset of its semaphore, 0: none */
	const char *args;	/* argument string, inside the mapped file */
	__u32 spec;		/* index of its decoded spec in this attach */
};

/* What one attached usdt/ program holds beyond links.P_fd. */
struct lskel_usdt_prog {
	int *fds;		/* the links of its other sites */
	__u32 nr_fds;
	__u32 *ids;		/* spec ids (indexes of __bpf_usdt_specs) it wrote */
	__u32 nr_ids;
};

/* skel->ctx.usdt: the USDT attachments of a skeleton. */
struct lskel_usdt_state {
	int specs_fd;			/* __bpf_usdt_specs */
	__u32 max_specs;		/* its max_entries */
	unsigned char *used;		/* per spec id: held by an attached program */
	struct lskel_usdt_prog *progs;	/* per program of the descriptor */
	__u32 nr_progs;
};

/* A mapped ELF file and what the note walk needs of it. */
struct lskel_usdt_elf {
	const unsigned char *f;
	size_t sz;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	const Elf64_Shdr *notes;	/* .note.stapsdt, NULL: none */
	__u64 base;			/* .stapsdt.base's address, 0: none */
};

/* A refusal's reason into @why (vsnprintf: paths are long, reasons are cut to fit). */
static inline void lskel_usdt_say(char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void lskel_usdt_say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

/* Where libbpf looks for a bare file name (no '/'): libraries ("x.so", "x.so.N") in
 * $LD_LIBRARY_PATH, /usr/lib64:/usr/lib and the multiarch directory, readable; programs in
 * $PATH then /usr/bin:/usr/sbin, readable and executable. Names with a '/' are used as they
 * are. 0, or -ENOENT. */
static inline int lskel_usdt_resolve(const char *file, char *out, size_t n)
{
	const char *dirs[3] = { NULL, NULL, NULL };
	size_t len = strlen(file), i;
	int lib = (len > 3 && !strcmp(file + len - 3, ".so")) || strstr(file, ".so.");
	int perm = lib ? R_OK : R_OK | X_OK;

	if (strchr(file, '/')) {
		if ((size_t)snprintf(out, n, "%s", file) >= n)
			return -ENAMETOOLONG;
		return 0;
	}
	dirs[0] = getenv(lib ? "LD_LIBRARY_PATH" : "PATH");
	dirs[1] = lib ? "/usr/lib64:/usr/lib" : "/usr/bin:/usr/sbin";
#if defined(__x86_64__)
	dirs[2] = lib ? "/lib/x86_64-linux-gnu" : NULL;
#endif
	for (i = 0; i < 3; i++) {
		const char *s = dirs[i];

		while (s && *s) {
			size_t seg = strcspn(s, ":");

			if (seg && (size_t)snprintf(out, n, "%.*s/%s", (int)seg, s, file) < n &&
			    !access(out, perm))
				return 0;
			s += seg;
			if (*s == ':')
				s++;
		}
	}
	return -ENOENT;
}

/* offsetof(struct pt_regs, R) for an x86-64 register named as in USDT argument strings
 * (rax/eax/ax/al ... r8/r8d/r8w/r8b, rip); -1 for any other name. */
static inline int lskel_usdt_reg(const char *name, size_t len)
{
#if defined(__x86_64__)
	static const struct {
		const char *names[4];
		unsigned short off;
	} regs[] = {
		{ { "rip", "eip", "", "" }, offsetof(struct pt_regs, rip) },
		{ { "rax", "eax", "ax", "al" }, offsetof(struct pt_regs, rax) },
		{ { "rbx", "ebx", "bx", "bl" }, offsetof(struct pt_regs, rbx) },
		{ { "rcx", "ecx", "cx", "cl" }, offsetof(struct pt_regs, rcx) },
		{ { "rdx", "edx", "dx", "dl" }, offsetof(struct pt_regs, rdx) },
		{ { "rsi", "esi", "si", "sil" }, offsetof(struct pt_regs, rsi) },
		{ { "rdi", "edi", "di", "dil" }, offsetof(struct pt_regs, rdi) },
		{ { "rbp", "ebp", "bp", "bpl" }, offsetof(struct pt_regs, rbp) },
		{ { "rsp", "esp", "sp", "spl" }, offsetof(struct pt_regs, rsp) },
		{ { "r8", "r8d", "r8w", "r8b" }, offsetof(struct pt_regs, r8) },
		{ { "r9", "r9d", "r9w", "r9b" }, offsetof(struct pt_regs, r9) },
		{ { "r10", "r10d", "r10w", "r10b" }, offsetof(struct pt_regs, r10) },
		{ { "r11", "r11d", "r11w", "r11b" }, offsetof(struct pt_regs, r11) },
		{ { "r12", "r12d", "r12w", "r12b" }, offsetof(struct pt_regs, r12) },
		{ { "r13", "r13d", "r13w", "r13b" }, offsetof(struct pt_regs, r13) },
		{ { "r14", "r14d", "r14w", "r14b" }, offsetof(struct pt_regs, r14) },
		{ { "r15", "r15d", "r15w", "r15b" }, offsetof(struct pt_regs, r15) },
	};
	size_t i, j;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (j = 0; j < 4; j++)
			if (regs[i].names[j][0] && strlen(regs[i].names[j]) == len &&
			    !memcmp(regs[i].names[j], name, len))
				return regs[i].off;
#else
	(void)name;
	(void)len;
#endif
	return -1;
}

/* Decode one x86-64 argument "[-]SIZE@LOC" at @s (LOC: $IMM, %REG, OFF(%REG) or (%REG)) into
 * @a; *@end after it. -EINVAL for anything else (index registers, symbols, other sizes). */
static inline int lskel_usdt_parse_arg(const char *s, struct lskel_usdt_arg *a, const char **end)
{
	long long size = 0, v = 0;
	const char *p = lskel_parse_ll(s, &size), *r;
	int reg;

	memset(a, 0, sizeof(*a));
	if (!p || *p != '@' || (size != 1 && size != 2 && size != 4 && size != 8 &&
				size != -1 && size != -2 && size != -4 && size != -8))
		return -EINVAL;
	a->is_signed = size < 0;
	a->bitshift = (__s8)(64 - 8 * (size < 0 ? -size : size));
	p++;
	if (*p == '$') {
		p = lskel_parse_ll(p + 1, &v);
		if (!p)
			return -EINVAL;
		a->type = LSKEL_USDT_ARG_CONST;
		a->val_off = (__u64)v;
	} else if (*p == '%') {
		r = ++p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			p++;
		reg = lskel_usdt_reg(r, p - r);
		if (reg < 0)
			return -EINVAL;
		a->type = LSKEL_USDT_ARG_REG;
		a->reg_off = (__s16)reg;
	} else {
		if (*p != '(') {
			p = lskel_parse_ll(p, &v);
			if (!p || *p != '(')
				return -EINVAL;
		}
		if (p[1] != '%')
			return -EINVAL;
		r = p += 2;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			p++;
		reg = lskel_usdt_reg(r, p - r);
		if (reg < 0 || *p != ')')	/* "(%rbp,%rax,4)": no index registers */
			return -EINVAL;
		p++;
		a->type = LSKEL_USDT_ARG_REG_DEREF;
		a->reg_off = (__s16)reg;
		a->val_off = (__u64)v;
	}
	if (*p && *p != ' ' && *p != '\t')
		return -EINVAL;
	*end = p;
	return 0;
}

/* Decode a probe's argument string into @sp. On failure *@bad points at the argument that
 * could not be decoded (-EINVAL), or -E2BIG for more than LSKEL_USDT_MAX_ARGS. */
static inline int lskel_usdt_parse_spec(const char *args, struct lskel_usdt_spec *sp,
					const char **bad, size_t *bad_len)
{
	const char *s = args, *end;
	int n = 0;

	memset(sp, 0, sizeof(*sp));
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		*bad = s;
		*bad_len = strcspn(s, " \t");
		if (n == LSKEL_USDT_MAX_ARGS) {
			while (*s) {	/* count them all for the message */
				s += strcspn(s, " \t");
				while (*s == ' ' || *s == '\t')
					s++;
				n++;
			}
			sp->nr_args = (__s16)n;
			return -E2BIG;
		}
		if (lskel_usdt_parse_arg(s, &sp->args[n], &end))
			return -EINVAL;
		s = end;
		n++;
	}
	sp->nr_args = (__s16)n;
	return 0;
}

/* Name of an ELF machine for refusals. */
static inline const char *lskel_usdt_machine(unsigned int m)
{
	switch (m) {
	case EM_386: return "i386";
	case EM_AARCH64: return "aarch64";
	case EM_ARM: return "arm";
	case EM_S390: return "s390";
	case EM_PPC64: return "ppc64";
	case EM_RISCV: return "riscv";
#ifdef EM_LOONGARCH
	case EM_LOONGARCH: return "loongarch";
#endif
	case EM_MIPS: return "mips";
	case EM_SPARCV9: return "sparc64";
	default: return "this";
	}
}

/* File offset of virtual address @addr: the PT_LOAD segment holding it must be executable
 * (@exec 1: probe sites) or not (@exec 0: semaphores). 0 when there is none. */
static inline __u64 lskel_usdt_file_off(const struct lskel_usdt_elf *e, __u64 addr, int exec)
{
	size_t k;

	for (k = 0; k < e->eh->e_phnum; k++) {
		const Elf64_Phdr *p = &e->ph[k];

		if (p->p_type == PT_LOAD && addr >= p->p_vaddr && addr - p->p_vaddr < p->p_memsz)
			return !(p->p_flags & PF_X) == !exec ? addr - p->p_vaddr + p->p_offset : 0;
	}
	return 0;
}

/* Map @path and check it is a little-endian 64-bit x86-64 executable or library; find
 * .note.stapsdt and .stapsdt.base. 0 or -errno with @why filled. */
static inline int lskel_usdt_elf_open(const char *path, struct lskel_usdt_elf *e, char *why,
				      size_t n)
{
	const Elf64_Shdr *sh, *strs;
	struct stat st;
	size_t i;
	int fd = open(path, O_RDONLY);

	memset(e, 0, sizeof(*e));
	if (fd < 0) {
		lskel_usdt_say(why, n, "cannot open '%s'", path);
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		lskel_usdt_say(why, n, "'%s' is not an ELF file", path);
		return -ENOEXEC;
	}
	e->sz = st.st_size;
	e->f = (const unsigned char *)mmap(NULL, e->sz, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (e->f == MAP_FAILED) {
		e->f = NULL;
		lskel_usdt_say(why, n, "cannot map '%s'", path);
		return -errno;
	}
	e->eh = (const Elf64_Ehdr *)e->f;
	if (memcmp(e->eh->e_ident, ELFMAG, SELFMAG) || e->eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    e->eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    (e->eh->e_type != ET_EXEC && e->eh->e_type != ET_DYN) ||
	    e->eh->e_shentsize != sizeof(Elf64_Shdr) || e->eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    e->eh->e_shoff > e->sz ||
	    (e->sz - e->eh->e_shoff) / sizeof(Elf64_Shdr) < e->eh->e_shnum ||
	    e->eh->e_phoff > e->sz ||
	    (e->sz - e->eh->e_phoff) / sizeof(Elf64_Phdr) < e->eh->e_phnum ||
	    e->eh->e_shstrndx >= e->eh->e_shnum || e->eh->e_shoff % 8 || e->eh->e_phoff % 8) {
		lskel_usdt_say(why, n, "'%s' is not a 64-bit little-endian ELF executable or "
			       "library", path);
		return -ENOEXEC;
	}
#if !defined(__x86_64__)
	lskel_usdt_say(why, n, "USDT argument specs are decoded for x86-64 only, not on this "
		       "architecture");
	return -EOPNOTSUPP;
#endif
	if (e->eh->e_machine != EM_X86_64) {
		lskel_usdt_say(why, n, "'%s' is a %s ELF file: USDT argument specs are decoded for "
			       "x86-64 only", path, lskel_usdt_machine(e->eh->e_machine));
		return -EOPNOTSUPP;
	}
	e->ph = (const Elf64_Phdr *)(e->f + e->eh->e_phoff);
	sh = (const Elf64_Shdr *)(e->f + e->eh->e_shoff);
	strs = &sh[e->eh->e_shstrndx];
	if (strs->sh_offset > e->sz || strs->sh_size > e->sz - strs->sh_offset)
		strs = NULL;
	for (i = 0; strs && i < e->eh->e_shnum; i++) {
		const char *name = (const char *)e->f + strs->sh_offset + sh[i].sh_name;

		if (sh[i].sh_name >= strs->sh_size ||
		    !memchr(name, '\0', strs->sh_size - sh[i].sh_name))
			continue;
		if (!strcmp(name, ".note.stapsdt") && sh[i].sh_type == SHT_NOTE &&
		    sh[i].sh_offset % 4 == 0 && sh[i].sh_offset <= e->sz &&
		    sh[i].sh_size <= e->sz - sh[i].sh_offset)
			e->notes = &sh[i];
		else if (!strcmp(name, ".stapsdt.base"))
			e->base = sh[i].sh_addr;
	}
	if (!e->notes) {
		lskel_usdt_say(why, n, "'%s' has no .note.stapsdt section (no USDT probes)", path);
		return -ENOENT;
	}
	return 0;
}

/* Every site of PROVIDER:NAME in @e, into *@out (malloc'd): how many (0: none), or -errno
 * with @why filled (malformed notes, a site outside an executable segment). */
static inline long lskel_usdt_sites(const struct lskel_usdt_elf *e, const char *path,
				    const char *prov, const char *name,
				    struct lskel_usdt_site **out, char *why, size_t n)
{
	const unsigned char *p = e->f + e->notes->sh_offset;
	size_t left = e->notes->sh_size, cap = 0, cnt = 0;
	struct lskel_usdt_site *sites = NULL;

	*out = NULL;
	while (left >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *nh = (const Elf64_Nhdr *)p;
		size_t nsz = (nh->n_namesz + 3) & ~(size_t)3, dsz = (nh->n_descsz + 3) & ~(size_t)3;
		const char *d = (const char *)p + sizeof(*nh) + nsz, *pv, *nm, *args, *dend;
		__u64 addr[3], ip;

		if (nh->n_namesz > left || nh->n_descsz > left ||
		    nsz + dsz > left - sizeof(*nh)) {
			lskel_usdt_say(why, n, "'%s': malformed .note.stapsdt", path);
			goto bad;
		}
		p += sizeof(*nh) + nsz + dsz;
		left -= sizeof(*nh) + nsz + dsz;
		if (nh->n_type != LSKEL_USDT_NOTE_TYPE || nh->n_namesz != 8 ||
		    memcmp(d - nsz, "stapsdt", 8))
			continue;
		dend = d + nh->n_descsz;
		pv = d + sizeof(addr);
		nm = pv < dend ? (const char *)memchr(pv, '\0', dend - pv) : NULL;
		args = nm ? (const char *)memchr(nm + 1, '\0', dend - nm - 1) : NULL;
		if (nh->n_descsz < sizeof(addr) + 3 || !args) {
			lskel_usdt_say(why, n, "'%s': malformed USDT note", path);
			goto bad;
		}
		args++;
		nm++;
		if (args >= dend || !memchr(args, '\0', dend - args)) {
			lskel_usdt_say(why, n, "'%s': malformed USDT note", path);
			goto bad;
		}
		if (strcmp(pv, prov) || strcmp(nm, name))
			continue;
		/* the probe's address, .stapsdt.base's when linked, the semaphore's */
		memcpy(addr, d, sizeof(addr));
		ip = e->base ? addr[0] + (e->base - addr[1]) : addr[0];	/* prelinked */
		if (lskel_grow((void **)&sites, &cap, cnt, sizeof(*sites))) {
			free(sites);
			lskel_usdt_say(why, n, "out of memory");
			return -ENOMEM;
		}
		sites[cnt].args = args;
		sites[cnt].off = lskel_usdt_file_off(e, ip, 1);
		sites[cnt].sema_off = addr[2] ? lskel_usdt_file_off(e, addr[2], 0) : 0;
		if (!sites[cnt].off || (addr[2] && !sites[cnt].sema_off)) {
			lskel_usdt_say(why, n, "USDT probe %s:%s in '%s': its %s at 0x%llx is "
				       "in no %s segment", prov, name, path,
				       sites[cnt].off ? "semaphore" : "site",
				       (unsigned long long)(sites[cnt].off ? addr[2] : ip),
				       sites[cnt].off ? "writable loaded" : "executable");
			free(sites);
			return -ESRCH;
		}
		cnt++;
	}
	*out = sites;
	return (long)cnt;
bad:
	free(sites);
	return -EINVAL;
}

/* A uprobe at file offset @off of @path (with the kernel counting the semaphore at
 * @sema_off up while it exists), linked to @prog_fd with BPF cookie @cookie. */
static inline int lskel_usdt_uprobe(const char *path, __u64 off, __u64 sema_off, int prog_fd,
				    __u64 cookie)
{
	struct perf_event_attr pe;
	int type = lskel_read_num("/sys/bus/event_source/devices/uprobe/type", 0);

	if (type < 0)
		return type;
	memset(&pe, 0, sizeof(pe));
	pe.size = sizeof(pe);
	pe.type = type;
	pe.config = sema_off << 32;	/* format/ref_ctr_offset: config:32-63 */
	pe.config1 = lskel_ptr(path);	/* uprobe_path */
	pe.config2 = off;		/* probe_offset */
	return lskel_perf_link(&pe, prog_fd, cookie);
}

/* Write spec @sp (NULL: zeroes) at index @id of __bpf_usdt_specs. */
static inline int lskel_usdt_put_spec(int map_fd, __u32 id, const struct lskel_usdt_spec *sp)
{
	struct lskel_usdt_spec zero;
	union bpf_attr attr;

	memset(&zero, 0, sizeof(zero));
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = lskel_ptr(&id);
	attr.value = lskel_ptr(sp ? sp : &zero);
	return lskel_sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)) ? -errno : 0;
}

/* Undo program @i's USDT attach: close its links (not links.P_fd: the caller's), zero and
 * free its spec ids. */
static inline void lskel_usdt_undo(struct lskel_usdt_state *st, __u32 i)
{
	struct lskel_usdt_prog *p = &st->progs[i];
	__u32 k;

	for (k = 0; k < p->nr_fds; k++)
		close(p->fds[k]);
	for (k = 0; k < p->nr_ids; k++) {
		lskel_usdt_put_spec(st->specs_fd, p->ids[k], NULL);
		st->used[p->ids[k]] = 0;
	}
	free(p->fds);
	free(p->ids);
	memset(p, 0, sizeof(*p));
}

/* skel->ctx.usdt, made on first use: the __bpf_usdt_specs map found by name and checked
 * against usdt.bpf.h's layout. NULL with @why filled. */
static inline struct lskel_usdt_state *lskel_usdt_state(const struct lskel_desc *d, void *skel,
							char *why, size_t n, int *err)
{
	struct lskel_ctx *c = (struct lskel_ctx *)skel;
	struct lskel_usdt_state *st = (struct lskel_usdt_state *)c->usdt;
	struct bpf_map_info info;
	int fd = -1;
	__u32 i;

	if (st)
		return st;
	for (i = 0; i < d->nr_maps && fd < 0; i++)
		if (d->maps[i].name && !strcmp(d->maps[i].name, "__bpf_usdt_specs"))
			fd = ((struct lskel_map_desc *)((char *)skel + d->maps[i].fd_off))->map_fd;
	if (fd < 0) {
		lskel_usdt_say(why, n, "the object has no __bpf_usdt_specs map (programs read USDT "
			       "arguments through <bpf/usdt.bpf.h>)");
		*err = -ENOENT;
		return NULL;
	}
	*err = lskel_obj_info(fd, &info, sizeof(info));
	if (*err) {
		lskel_usdt_say(why, n, "__bpf_usdt_specs: cannot read its map info");
		return NULL;
	}
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != 4 ||
	    info.value_size != sizeof(struct lskel_usdt_spec)) {
		lskel_usdt_say(why, n, "__bpf_usdt_specs is not usdt.bpf.h's array of struct "
			       "__bpf_usdt_spec (type %u, key %u, value %u bytes; expected %u, "
			       "4, %zu)", info.type, info.key_size, info.value_size,
			       BPF_MAP_TYPE_ARRAY, sizeof(struct lskel_usdt_spec));
		*err = -EINVAL;
		return NULL;
	}
	st = (struct lskel_usdt_state *)calloc(1, sizeof(*st));
	if (st) {
		st->used = (unsigned char *)calloc(info.max_entries ? info.max_entries : 1, 1);
		st->progs = (struct lskel_usdt_prog *)calloc(d->nr_progs ? d->nr_progs : 1,
							     sizeof(*st->progs));
	}
	if (!st || !st->used || !st->progs) {
		if (st) {
			free(st->used);
			free(st->progs);
		}
		free(st);
		lskel_usdt_say(why, n, "out of memory");
		*err = -ENOMEM;
		return NULL;
	}
	st->specs_fd = fd;
	st->max_specs = info.max_entries;
	st->nr_progs = d->nr_progs;
	c->usdt = st;
	return st;
}

/* Decode every site's spec (one per distinct argument string, as libbpf), take a free spec
 * id for each and write it. 0, or -errno with @why filled. */
static inline int lskel_usdt_specs(struct lskel_usdt_state *st, struct lskel_usdt_prog *p,
				   struct lskel_usdt_site *sites, size_t nr, const char *path,
				   const char *prov, const char *name, char *why, size_t n)
{
	struct lskel_usdt_spec sp;
	const char *bad;
	size_t k, j, bad_len = 0;
	__u32 id;
	int err;

	p->ids = (__u32 *)calloc(nr, sizeof(*p->ids));
	if (!p->ids) {
		lskel_usdt_say(why, n, "out of memory");
		return -ENOMEM;
	}
	for (k = 0; k < nr; k++) {
		for (j = 0; j < k && strcmp(sites[j].args, sites[k].args); j++)
			;
		if (j < k) {
			sites[k].spec = sites[j].spec;
			continue;
		}
		err = lskel_usdt_parse_spec(sites[k].args, &sp, &bad, &bad_len);
		if (err == -E2BIG) {
			lskel_usdt_say(why, n, "USDT probe %s:%s in '%s' has %d arguments "
				       "('%s'): usdt.bpf.h reads at most %d", prov, name, path,
				       sp.nr_args, sites[k].args, LSKEL_USDT_MAX_ARGS);
			return err;
		}
		if (err) {
			lskel_usdt_say(why, n, "USDT probe %s:%s in '%s': argument spec '%.*s' "
				       "(of '%s') is not supported on x86-64", prov, name, path,
				       (int)bad_len, bad, sites[k].args);
			return err;
		}
		for (id = 0; id < st->max_specs && st->used[id]; id++)
			;
		if (id == st->max_specs) {
			lskel_usdt_say(why, n, "__bpf_usdt_specs is full (%u specs)",
				       st->max_specs);
			return -E2BIG;
		}
		err = lskel_usdt_put_spec(st->specs_fd, id, &sp);
		if (err) {
			lskel_usdt_say(why, n, "writing spec %u of USDT probe %s:%s", id, prov,
				       name);
			return err;
		}
		st->used[id] = 1;
		p->ids[p->nr_ids++] = id;
		sites[k].spec = p->nr_ids - 1;
	}
	return 0;
}

/* The descriptor's usdt attach hook: attach program @i ("PATH:PROVIDER:NAME") with one
 * uprobe per probe site, and keep the first link in links.P_fd. Returns that fd, or -errno
 * with a message naming the binary, the probe and what is wrong. */
static inline int lskel_usdt_attach(const struct lskel_desc *d, void *skel, __u32 i,
				    int prog_fd)
{
	struct lskel_ctx *c = (struct lskel_ctx *)skel;
	const struct lskel_prog_bind *b = &d->progs[i];
	int *link = (int *)((char *)skel + b->link_off);
	char file[4096], path[4096], prov[256], name[256], why[400];
	const char *c1 = strchr(b->target, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	struct lskel_usdt_site *sites = NULL;
	struct lskel_usdt_state *st = NULL;
	struct lskel_usdt_prog *p = NULL;
	struct lskel_usdt_elf e;
	long nr = 0, k;
	int err, fd;

	why[0] = '\0';
	memset(&e, 0, sizeof(e));
	if (!c1 || !c2 || c1 == b->target || c2 == c1 + 1 || !c2[1] || strchr(c2 + 1, ':') ||
	    (size_t)(c1 - b->target) >= sizeof(file) || (size_t)(c2 - c1) > sizeof(prov) ||
	    strlen(c2 + 1) >= sizeof(name)) {
		lskel_usdt_say(why, sizeof(why), "expected SEC(\"usdt/PATH:PROVIDER:NAME\")");
		err = -EINVAL;
		goto out;
	}
	snprintf(file, sizeof(file), "%.*s", (int)(c1 - b->target), b->target);
	snprintf(prov, sizeof(prov), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
	snprintf(name, sizeof(name), "%s", c2 + 1);
	err = lskel_usdt_resolve(file, path, sizeof(path));
	if (err) {
		lskel_usdt_say(why, sizeof(why), "binary '%s' not found in $%s or the default %s",
			       file, strstr(file, ".so") ? "LD_LIBRARY_PATH" : "PATH",
			       strstr(file, ".so") ? "library directories" : "/usr/bin:/usr/sbin");
		goto out;
	}
	err = lskel_usdt_elf_open(path, &e, why, sizeof(why));
	if (err)
		goto out;
	nr = lskel_usdt_sites(&e, path, prov, name, &sites, why, sizeof(why));
	if (nr <= 0) {
		if (!nr)
			lskel_usdt_say(why, sizeof(why), "no USDT probe %s:%s in '%s'", prov, name,
				       path);
		err = nr ? (int)nr : -ENOENT;
		goto out;
	}
	for (k = 0; k < nr; k++)
		if (sites[k].sema_off &&
		    access("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset", F_OK)) {
			lskel_usdt_say(why, sizeof(why), "USDT probe %s:%s in '%s' has a "
				       "semaphore and this kernel's uprobes cannot count it (no "
				       "ref_ctr_offset)", prov, name, path);
			err = -EOPNOTSUPP;
			goto out;
		}
	st = lskel_usdt_state(d, skel, why, sizeof(why), &err);
	if (!st)
		goto out;
	p = &st->progs[i];
	err = lskel_usdt_specs(st, p, sites, nr, path, prov, name, why, sizeof(why));
	if (!err && nr > 1) {
		p->fds = (int *)calloc(nr - 1, sizeof(*p->fds));
		if (!p->fds)
			err = -ENOMEM;
	}
	for (k = 0; !err && k < nr; k++) {
		fd = lskel_usdt_uprobe(path, sites[k].off, sites[k].sema_off, prog_fd,
				       p->ids[sites[k].spec]);
		if (fd < 0) {
			err = fd;
			lskel_usdt_say(why, sizeof(why), "uprobe on USDT probe %s:%s in '%s' at "
				       "file offset 0x%llx", prov, name, path,
				       (unsigned long long)sites[k].off);
		} else if (k) {
			p->fds[p->nr_fds++] = fd;
		} else {
			*link = fd;
		}
	}
out:
	free(sites);
	if (e.f)
		munmap((void *)e.f, e.sz);
	if (!err)
		return *link;
	if (p) {
		if (*link >= 0)
			close(*link);
		*link = -1;
		lskel_usdt_undo(st, i);
	}
	return lskel_fail(c, -1, err, "attaching USDT program '%s' failed: %s", b->name,
			  why[0] ? why : "out of memory");
}

/* The descriptor's usdt detach hook (after the runtime closed links.P_fd): close the other
 * sites' links, zero the spec entries, forget the state. */
static inline void lskel_usdt_detach(const struct lskel_desc *d, void *skel)
{
	struct lskel_ctx *c = (struct lskel_ctx *)skel;
	struct lskel_usdt_state *st = (struct lskel_usdt_state *)c->usdt;
	__u32 i;

	(void)d;
	if (!st)
		return;
	for (i = 0; i < st->nr_progs; i++)
		lskel_usdt_undo(st, i);
	free(st->used);
	free(st->progs);
	free(st);
	c->usdt = NULL;
}

/* What a generated skeleton with usdt/ programs puts in its descriptor. */
static const struct lskel_usdt_ops lskel_usdt_hooks = { lskel_usdt_attach, lskel_usdt_detach };

#ifdef __cplusplus
}
#endif

#endif
