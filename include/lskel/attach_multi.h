/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, multi-target and syscall probes (included by lskel/runtime.h; libc and UAPI
 * only): uprobe.multi (one BPF link over every function of an ELF file matching a glob),
 * kprobe.multi (one link over kernel functions matching a glob, where the kernel has
 * fprobe) and ksyscall/kretsyscall (a kprobe on the running kernel's syscall entry symbol).
 * Globs as libbpf's: '*' any run of characters, '?' one character. */
#ifndef LSKEL_ATTACH_MULTI_H
#define LSKEL_ATTACH_MULTI_H

#include <lskel/core.h>
#include <lskel/probe.h>

#ifdef __cplusplus
extern "C" {
#endif

/* BPF_LINK_CREATE attach types and attr layout newer than the 6.1 UAPI headers. */
#define LSKEL_BPF_TRACE_KPROBE_MULTI 42
#define LSKEL_BPF_TRACE_UPROBE_MULTI 48
#define LSKEL_LINK_MULTI_OFF 16U	/* link_create.kprobe_multi / .uprobe_multi */
#define LSKEL_F_MULTI_RETURN 1U		/* BPF_F_KPROBE_MULTI_RETURN, BPF_F_UPROBE_MULTI_RETURN */

#ifndef LSKEL_RUN_SMALL
/* uprobe.multi / uretprobe.multi "PATH:GLOB": one link over every matching function. */
static inline int lskel_attach_uprobe_multi(const char *target, int ret, int prog_fd)
{
	const char *colon = strchr(target, ':');
	union lskel_attr a;
	char path[4096];
	__u64 *offs, v;
	__u32 cnt, flags = ret ? LSKEL_F_MULTI_RETURN : 0;
	long n;
	int fd, e;

	if (!colon || colon == target || !colon[1] || (size_t)(colon - target) >= sizeof(path))
		return -EINVAL;
	memcpy(path, target, colon - target);
	path[colon - target] = '\0';
	n = lskel_elf_glob_offs(path, colon + 1, NULL, 0);
	offs = n > 0 ? (__u64 *)malloc(n * sizeof(*offs)) : NULL;
	if (offs)
		n = lskel_elf_glob_offs(path, colon + 1, offs, n);
	if (n <= 0 || !offs) {
		free(offs);
		return n < 0 ? (int)n : n ? -ENOMEM : -ENOENT;	/* no function matches */
	}
	memset(&a, 0, sizeof(a));
	a.a.link_create.prog_fd = prog_fd;
	a.a.link_create.attach_type = LSKEL_BPF_TRACE_UPROBE_MULTI;
	v = lskel_ptr(path);
	lskel_put(&a, LSKEL_LINK_MULTI_OFF, &v, 8);		/* path */
	v = lskel_ptr(offs);
	lskel_put(&a, LSKEL_LINK_MULTI_OFF + 8, &v, 8);	/* offsets */
	cnt = n;
	lskel_put(&a, LSKEL_LINK_MULTI_OFF + 32, &cnt, 4);	/* cnt */
	lskel_put(&a, LSKEL_LINK_MULTI_OFF + 36, &flags, 4);	/* flags */
	fd = lskel_sys_bpf(BPF_LINK_CREATE, &a.a, LSKEL_LINK_MULTI_OFF + 44);
	e = errno;
	free(offs);
	return fd < 0 ? -e : fd;
}

/* kprobe.multi / kretprobe.multi "GLOB": the kernel's text symbols that match (from
 * /proc/kallsyms, as libbpf 1.1; newer libbpf prefers tracefs' available_filter_functions,
 * which lockdown makes unreadable here) in one link. -EOPNOTSUPP where the kernel has no
 * fprobe. Names are kept NUL-separated in one buffer. */
static inline int lskel_attach_kprobe_multi(const char *glob, int ret, int prog_fd)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], *names = NULL, **syms = NULL;
	size_t n = 0, len = 0, cap = 0, i;
	union lskel_attr a;
	__u32 cnt, flags = ret ? LSKEL_F_MULTI_RETURN : 0;
	__u64 v;
	int fd = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' '), *name;
		size_t l;

		if (!sp || (sp[1] != 't' && sp[1] != 'T') || sp[2] != ' ')
			continue;	/* "addr t name [module]": text symbols only */
		name = sp + 3;
		l = strcspn(name, " \t\n");
		name[l] = '\0';
		if (!lskel_glob(glob, name))
			continue;
		if (lskel_grow((void **)&names, &cap, len + l + 1, 1)) {
			fd = -ENOMEM;
			goto out;
		}
		memcpy(names + len, name, l + 1);
		len += l + 1;
		n++;
	}
	if (!n)
		goto out;
	syms = (char **)malloc(n * sizeof(*syms));
	if (!syms) {
		fd = -ENOMEM;
		goto out;
	}
	for (i = 0, len = 0; i < n; i++, len += strlen(names + len) + 1)
		syms[i] = names + len;
	memset(&a, 0, sizeof(a));
	a.a.link_create.prog_fd = prog_fd;
	a.a.link_create.attach_type = LSKEL_BPF_TRACE_KPROBE_MULTI;
	cnt = n;
	lskel_put(&a, LSKEL_LINK_MULTI_OFF, &flags, 4);		/* flags */
	lskel_put(&a, LSKEL_LINK_MULTI_OFF + 4, &cnt, 4);	/* cnt */
	v = lskel_ptr(syms);
	lskel_put(&a, LSKEL_LINK_MULTI_OFF + 8, &v, 8);		/* syms */
	fd = lskel_sys_bpf(BPF_LINK_CREATE, &a.a, LSKEL_LINK_MULTI_OFF + 32);
	if (fd < 0)
		fd = -errno;
out:
	fclose(f);
	free(names);
	free(syms);
	return fd;
}

/* The running kernel's entry symbol of syscall @name, as libbpf chooses it: the arch
 * wrapper (__x64_sys_NAME on x86-64, __arm64_sys_NAME...) where the kernel has syscall
 * wrappers (it has __PREFIX_sys_bpf in kallsyms), sys_NAME otherwise. */
static inline int lskel_syscall_symbol(const char *name, char *out, size_t n)
{
#if defined(__x86_64__)
	const char *pfx = "__x64_";
#elif defined(__aarch64__)
	const char *pfx = "__arm64_";
#elif defined(__s390x__)
	const char *pfx = "__s390x_";
#elif defined(__riscv)
	const char *pfx = "__riscv_";
#else
	const char *pfx = NULL;
#endif
	char line[512], want[64];
	FILE *f;
	int wrapped = 0;

	if (pfx) {
		snprintf(want, sizeof(want), "%ssys_bpf", pfx);
		f = fopen("/proc/kallsyms", "r");
		if (!f)
			return -errno;
		while (!wrapped && fgets(line, sizeof(line), f)) {
			char *sym = strrchr(line, ' ');

			if (sym && !strncmp(sym + 1, want, strlen(want)) &&
			    (sym[1 + strlen(want)] == '\n' || sym[1 + strlen(want)] == '\0'))
				wrapped = 1;
		}
		fclose(f);
	}
	if ((size_t)snprintf(out, n, "%ssys_%s", wrapped ? pfx : "", name) >= n)
		return -ENAMETOOLONG;
	return 0;
}

/* ksyscall/NAME, kretsyscall/NAME: a kprobe (kretprobe) on the syscall's entry symbol. */
static inline int lskel_attach_ksyscall(const char *name, int ret, int prog_fd)
{
	char sym[256];
	int err = lskel_syscall_symbol(name, sym, sizeof(sym));

	if (err)
		return err;
	return lskel_attach_probe(ret ? LSKEL_ATTACH_KRETPROBE : LSKEL_ATTACH_KPROBE, sym, prog_fd);
}
#else
/* lskel-run (a static binary kept under 64 KiB) leaves the multi-probes and ksyscall out:
 * they fail with ENOSYS there. */
#define lskel_attach_uprobe_multi(target, ret, prog_fd) (-ENOSYS)
#define lskel_attach_kprobe_multi(glob, ret, prog_fd) (-ENOSYS)
#define lskel_attach_ksyscall(name, ret, prog_fd) (-ENOSYS)
#endif

/* After a failed auto-attach (message already in c->errmsg): name the kernel feature
 * missing where the errno says which. Returns @err. */
static inline int lskel_attach_explain(struct lskel_ctx *c, __u32 kind, int err)
{
	const char *why = NULL;
	size_t n = strlen(c->errmsg);
	struct stat st;

	switch (kind) {
	case LSKEL_ATTACH_KPROBE:
	case LSKEL_ATTACH_KRETPROBE:
	case LSKEL_ATTACH_KSYSCALL:
	case LSKEL_ATTACH_KRETSYSCALL:
		if (err == -ENOENT && stat("/sys/bus/event_source/devices/kprobe", &st))
			why = "this kernel has no kprobe PMU (CONFIG_KPROBE_EVENTS): kprobes, "
			      "kretprobes and ksyscall programs cannot attach";
		break;
	case LSKEL_ATTACH_KPROBE_MULTI:
	case LSKEL_ATTACH_KRETPROBE_MULTI:
		if (err == -EOPNOTSUPP)
			why = "this kernel has no fprobe (CONFIG_FPROBE): kprobe.multi programs "
			      "cannot attach";
		else if (err == -ENOENT)
			why = "no kernel function matches";
		break;
	case LSKEL_ATTACH_USDT:
		why = "USDT probes need .note.stapsdt parsing and the spec maps filled: the lskel "
		      "runtime does not do that yet";
		break;
	case LSKEL_ATTACH_UPROBE_MULTI:
	case LSKEL_ATTACH_URETPROBE_MULTI:
		if (err == -ENOENT)
			why = "no function of the file matches (or no such file)";
		break;
	default:
		break;
	}
	if (why && n < sizeof(c->errmsg))
		snprintf(c->errmsg + n, sizeof(c->errmsg) - n, " (%s)", why);
	return err;
}

#ifdef __cplusplus
}
#endif

#endif
