/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, .kconfig externs: the values of LINUX_KERNEL_VERSION, the possible CPUs
 * and the CONFIG_* options a loader asks for, read from the kernel's config file (plain
 * text, or gzip through a dlopen'd zlib) into the loader's input area. */
#ifndef LSKEL_KCONFIG_H
#define LSKEL_KCONFIG_H

#include <lskel/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether number @v fits kconfig value @k (libbpf refuses one that does not, as here). */
static inline int lskel_kcfg_fits(const struct lskel_kcfg *k, long long v)
{
	unsigned long long u = (unsigned long long)v;
	unsigned int bits = k->size * 8;

	if (k->size >= 8)
		return 1;
	if (k->is_signed)
		return u + (1ULL << (bits - 1)) < (1ULL << bits);
	return (u >> bits) == 0;
}

/* Parse one kernel config line's value into the input area (the values libbpf accepts). */
static inline int lskel_kcfg_set(const struct lskel_kcfg *k, char *dst, const char *v)
{
	long long n = 0;	/* -O2 -Wall -Werror users: gcc cannot see the switch sets it */
	const char *end;

	switch (k->type) {
	case 1:
		if ((v[0] == 'y' || v[0] == 'n' || v[0] == 'm') && !v[1]) {
			*dst = v[0];
			return 0;
		}
		return -EINVAL;
	case 2:
	case 4:
		if (!v[1] && (v[0] == 'y' || v[0] == 'n' || (v[0] == 'm' && k->type == 4))) {
			n = v[0] == 'y' ? 1 : v[0] == 'm' ? 2 : 0;
			memcpy(dst, &n, k->size);
			return 0;
		}
		return -EINVAL;
	case 5: {
		size_t len = strlen(v);

		if (len < 2 || v[0] != '"' || v[len - 1] != '"')
			return -EINVAL;
		len -= 2;
		if (len >= k->size)
			len = k->size - 1;
		memcpy(dst, v + 1, len);
		dst[len] = '\0';
		return 0;
	}
	default:
		end = lskel_parse_ll(v, &n);
		if (!end || *end)
			return -EINVAL;
		if (!lskel_kcfg_fits(k, n))
			return -ERANGE;
		memcpy(dst, &n, k->size);	/* little-endian */
		return 0;
	}
}

/* Refuse a kconfig descriptor that does not fit its value: a number or flag of 1 to 8 bytes,
 * a string of at least 1, inside the input area. (Sizes come from a header or container.) */
static inline int lskel_kcfg_check(const struct lskel_desc *d, struct lskel_ctx *c)
{
	__u32 i;

	for (i = 0; i < d->nr_kcfg; i++) {
		const struct lskel_kcfg *k = &d->kcfg[i];

		if (k->name && k->type >= 1 && k->type <= 5 && k->size &&
		    (k->type == 5 || k->size <= 8) && k->input_off <= d->inputs_size &&
		    k->size <= d->inputs_size - k->input_off)
			continue;
		return lskel_fail(c, -1, -EINVAL, "kconfig '%.64s': size or offset out of bounds: "
				  "refused", k->name ? k->name : "?");
	}
	return 0;
}

/* Where CONFIG_* values are read from: a plain-text config, or a gzip one read through the
 * system's zlib, loaded with dlopen("libz.so.1") only then, so no program needs -lz (glibc
 * before 2.34 wants -ldl for dlopen). Static programs, which cannot load a library, define
 * LSKEL_NO_DLOPEN: plain-text configs only. */
struct lskel_cfg_src {
	FILE *f;
	void *lib;		/* libz.so.1 */
	void *gz;		/* its gzFile */
	char *(*gets)(void *gz, char *buf, int len);
	int (*close)(void *gz);
};

static inline void lskel_cfg_close(struct lskel_cfg_src *s)
{
	if (s->f)
		fclose(s->f);
#ifndef LSKEL_NO_DLOPEN
	if (s->gz)
		s->close(s->gz);
	if (s->lib)
		dlclose(s->lib);
#endif
	memset(s, 0, sizeof(*s));
}

/* Open @path: gzip when its name ends in .gz. 0, or -errno (-ENOPKG: no libz.so.1). */
static inline int lskel_cfg_open(struct lskel_cfg_src *s, const char *path)
{
#ifdef LSKEL_NO_DLOPEN
	memset(s, 0, sizeof(*s));
	s->f = fopen(path, "re");
	return s->f ? 0 : -errno;
#else
	size_t n = strlen(path);
	void *(*open_gz)(const char *path, const char *mode);
	void *sym[3];

	memset(s, 0, sizeof(*s));
	if (n < 3 || strcmp(path + n - 3, ".gz")) {
		s->f = fopen(path, "re");
		return s->f ? 0 : -errno;
	}
	s->lib = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!s->lib)
		return -ENOPKG;
	sym[0] = dlsym(s->lib, "gzopen");
	sym[1] = dlsym(s->lib, "gzgets");
	sym[2] = dlsym(s->lib, "gzclose");
	if (!sym[0] || !sym[1] || !sym[2]) {
		lskel_cfg_close(s);
		return -ENOPKG;
	}
	memcpy(&open_gz, &sym[0], sizeof(open_gz));	/* object -> function pointer, portably */
	memcpy(&s->gets, &sym[1], sizeof(s->gets));
	memcpy(&s->close, &sym[2], sizeof(s->close));
	if (access(path, R_OK)) {	/* gzopen would not say why */
		n = (size_t)errno;
		lskel_cfg_close(s);
		return -(int)n;
	}
	s->gz = open_gz(path, "r");
	if (!s->gz) {
		lskel_cfg_close(s);
		return -ENOMEM;
	}
	return 0;
#endif
}

static inline char *lskel_cfg_gets(struct lskel_cfg_src *s, char *line, int n)
{
#ifdef LSKEL_NO_DLOPEN
	return s->f ? fgets(line, n, s->f) : NULL;
#else
	return s->f ? fgets(line, n, s->f) : s->gz ? s->gets(s->gz, line, n) : NULL;
#endif
}

/* The kernel's config: @given (ctx.kconfig_path), else LSKEL_KCONFIG_PATH, else
 * /boot/config-$(uname -r), else /proc/config.gz: libbpf's order. Both executors read it
 * here (exec_direct through gen_loader/kconfig.c). @path gets what was read (or tried, for
 * messages). */
static inline int lskel_cfg_find(struct lskel_cfg_src *s, const char *given, const char *release,
				 char *path, size_t n)
{
	const char *env = given ? given : getenv("LSKEL_KCONFIG_PATH");
	int err;

	if (env) {
		snprintf(path, n, "%s", env);
		return lskel_cfg_open(s, path);
	}
	snprintf(path, n, "/boot/config-%s", release);
#ifdef LSKEL_NO_DLOPEN
	(void)err;
	return lskel_cfg_open(s, path);
#else
	if (!lskel_cfg_open(s, path))
		return 0;
	err = lskel_cfg_open(s, "/proc/config.gz");
	snprintf(path, n, err == -ENOENT ? "/boot/config-%s or /proc/config.gz" :
		 err == -ENOPKG ? "/proc/config.gz (no libz.so.1 to read it)" : "/proc/config.gz",
		 release);
	return err;
#endif
}

/* Fill the kconfig part of the input area (CONFIG_* values: lskel_cfg_find). */
static inline int lskel_fill_kconfig(const struct lskel_desc *d, char *inputs, struct lskel_ctx *c)
{
	char path[400], line[4096];
	struct utsname u;
	unsigned int a = 0, b = 0, p = 0;
	int need = 0, err;
	__u32 i;
	unsigned char *found;

	if (!d->nr_kcfg)
		return 0;
	err = lskel_kcfg_check(d, c);
	if (err)
		return err;
	found = (unsigned char *)calloc(d->nr_kcfg, 1);
	if (!found)
		return -ENOMEM;
	uname(&u);
	{	/* "6.18.44-xyz": major.minor.patch (no sscanf: keeps static runtimes small) */
		const char *r = u.release;
		unsigned int *v[3] = { &a, &b, &p };
		int k;

		for (k = 0; k < 3 && *r; k++) {
			while (*r >= '0' && *r <= '9')
				*v[k] = *v[k] * 10 + (unsigned int)(*r++ - '0');
			if (*r == '.')
				r++;
			else
				break;
		}
	}
	for (i = 0; i < d->nr_kcfg; i++) {
		const struct lskel_kcfg *k = &d->kcfg[i];
		long long v;

		if (!strcmp(k->name, "LINUX_KERNEL_VERSION")) {
			v = (a << 16) + (b << 8) + (p > 255 ? 255 : p);
		} else if (!strcmp(k->name, LSKEL_KCFG_NR_CPUS)) {
			v = lskel_possible_cpus();
			if (v < 0) {
				free(found);
				return lskel_fail(c, -1, (int)v, "cannot count the possible "
						  "CPUs");
			}
		} else if (!strncmp(k->name, "LINUX_HAS_", 10)) {
			v = !strcmp(k->name, "LINUX_HAS_BPF_COOKIE") ||
			    !strcmp(k->name, "LINUX_HAS_SYSCALL_WRAPPER");
		} else {
			need = 1;
			continue;
		}
		memcpy(inputs + k->input_off, &v, k->size);
		found[i] = 1;
	}
	if (need) {
		struct lskel_cfg_src src;

		lskel_cfg_find(&src, c->kconfig_path, u.release, path, sizeof(path));
		while (lskel_cfg_gets(&src, line, sizeof(line))) {
			char *eq = strchr(line, '='), *nl = strchr(line, '\n');

			if (nl)
				*nl = '\0';
			if (!eq || strncmp(line, "CONFIG_", 7))
				continue;
			*eq = '\0';
			for (i = 0; i < d->nr_kcfg; i++) {
				if (found[i] || strcmp(d->kcfg[i].name, line))
					continue;
				err = lskel_kcfg_set(&d->kcfg[i], inputs + d->kcfg[i].input_off,
						     eq + 1);
				if (err) {
					lskel_cfg_close(&src);
					free(found);
					return lskel_fail(c, -1, err, "kconfig '%.64s': bad value '%.64s'",
							  line, eq + 1);
				}
				found[i] = 1;
			}
		}
		lskel_cfg_close(&src);
	}
	for (i = 0; i < d->nr_kcfg; i++) {
		if (!found[i] && !d->kcfg[i].is_weak) {
			free(found);
			return lskel_fail(c, -1, -ENOENT, "kconfig '%.64s': not set in %.200s",
					  d->kcfg[i].name, path);
		}
	}
	free(found);
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif
