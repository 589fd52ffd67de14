// SPDX-License-Identifier: BSD-2-Clause
/* Kernel config parsing for .kconfig externs (CONFIG_*, LINUX_KERNEL_VERSION, LINUX_HAS_*). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <bpf/libbpf.h>
#include <lskel/loader_abi.h>
#include "kconfig.h"
#include "err.h"

static int set_int(const struct lsk_kcfg_desc *d, void *dst, long long v)
{
	if (d->sz < 8) {
		long long lim = 1LL << (d->sz * 8 - (d->is_signed ? 1 : 0));

		if (d->is_signed ? (v >= lim || v < -lim) : ((unsigned long long)v >= (unsigned long long)lim))
			return lsk_err(ERANGE, "kconfig '%s': value %lld does not fit %u bytes",
				       d->name, v, d->sz);
	}
	memcpy(dst, &v, d->sz);	/* little-endian */
	return 0;
}

static int set_value(const struct lsk_kcfg_desc *d, char *value, char *base)
{
	char *dst = base + d->off;
	size_t len = strlen(value);

	switch (d->type) {
	case LSK_KCFG_BOOL:
	case LSK_KCFG_TRISTATE:
		if (value[0] == 'y' && !value[1])
			return set_int(d, dst, 1);
		if (value[0] == 'n' && !value[1])
			return set_int(d, dst, 0);
		if (value[0] == 'm' && !value[1] && d->type == LSK_KCFG_TRISTATE)
			return set_int(d, dst, 2);
		return lsk_err(EINVAL, "kconfig '%s': value '%s' is not a %s", d->name, value,
			       d->type == LSK_KCFG_BOOL ? "bool" : "tristate");
	case LSK_KCFG_CHAR:
		if ((value[0] == 'y' || value[0] == 'n' || value[0] == 'm') && !value[1]) {
			*dst = value[0];
			return 0;
		}
		return lsk_err(EINVAL, "kconfig '%s': value '%s' is not y/n/m", d->name, value);
	case LSK_KCFG_CHAR_ARR:
		if (len < 2 || value[0] != '"' || value[len - 1] != '"')
			return lsk_err(EINVAL, "kconfig '%s': value %s is not a string", d->name,
				       value);
		value[len - 1] = '\0';
		snprintf(dst, d->sz, "%s", value + 1);
		return 0;
	case LSK_KCFG_INT: {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(value, &end, 0);
		if (errno || *end || end == value)
			return lsk_err(EINVAL, "kconfig '%s': value '%s' is not a number", d->name,
				       value);
		return set_int(d, dst, v);
	}
	default:
		return lsk_err(EINVAL, "kconfig '%s': unsupported type", d->name);
	}
}

static int kernel_version(unsigned int *v)
{
	struct utsname u;
	unsigned int a = 0, b = 0, c = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
		return lsk_err(EINVAL, "cannot parse the kernel release");
	*v = (a << 16) + (b << 8) + (c > 255 ? 255 : c);
	return 0;
}

static gzFile open_config(const char *path, char *used, size_t n)
{
	struct utsname u;
	gzFile f;

	if (path) {
		snprintf(used, n, "%s", path);
		return gzopen(path, "r");
	}
	snprintf(used, n, "/proc/config.gz");
	f = gzopen(used, "r");
	if (f || uname(&u))
		return f;
	snprintf(used, n, "/boot/config-%s", u.release);
	return gzopen(used, "r");
}

int lsk_kconfig_fill(const struct lsk_kcfg_desc *d, size_t nr, void *value, size_t size,
		     const char *path)
{
	bool *found = calloc(nr + 1, sizeof(bool));
	bool need_file = false;
	char line[4096], used[256];
	gzFile f = NULL;
	size_t i;
	int err = 0;

	if (!found)
		return lsk_err(ENOMEM, "out of memory");
	for (i = 0; i < nr; i++) {
		if (d[i].off > size || d[i].sz > size - d[i].off) {
			err = lsk_err(EINVAL, "kconfig '%s': outside the .kconfig map", d[i].name);
			goto out;
		}
		if (!strcmp(d[i].name, "LINUX_KERNEL_VERSION")) {
			unsigned int v = 0;

			err = kernel_version(&v);
			if (!err)
				err = set_int(&d[i], (char *)value + d[i].off, v);
			if (err)
				goto out;
			found[i] = true;
		} else if (!strcmp(d[i].name, LSKEL_KCFG_NR_CPUS)) {
			int n = libbpf_num_possible_cpus();

			if (n < 0) {
				err = lsk_err(-n, "cannot count the possible CPUs: %s", strerror(-n));
				goto out;
			}
			err = set_int(&d[i], (char *)value + d[i].off, n);
			if (err)
				goto out;
			found[i] = true;
		} else if (!strncmp(d[i].name, "LINUX_HAS_", 10)) {
			/* both facts hold on every kernel the loader itself can run on (>= 5.15) */
			long long v = !strcmp(d[i].name, "LINUX_HAS_BPF_COOKIE") ||
				      !strcmp(d[i].name, "LINUX_HAS_SYSCALL_WRAPPER");

			err = set_int(&d[i], (char *)value + d[i].off, v);
			if (err)
				goto out;
			found[i] = true;
		} else {
			need_file = true;
		}
	}
	if (need_file) {
		f = open_config(path, used, sizeof(used));
		if (!f) {
			for (i = 0; i < nr; i++)
				if (!found[i] && !d[i].is_weak) {
					err = lsk_err(ENOENT, "kconfig '%s': no kernel config (%s "
						      "unreadable)", d[i].name, used);
					goto out;
				}
			goto out;
		}
		while (gzgets(f, line, sizeof(line))) {
			char *eq, *nl = strchr(line, '\n');

			if (nl)
				*nl = '\0';
			if (strncmp(line, "CONFIG_", 7))
				continue;
			eq = strchr(line, '=');
			if (!eq)
				continue;
			*eq = '\0';
			for (i = 0; i < nr; i++) {
				if (found[i] || strcmp(d[i].name, line))
					continue;
				err = set_value(&d[i], eq + 1, value);
				if (err)
					goto out;
				found[i] = true;
			}
		}
	}
	for (i = 0; i < nr; i++) {
		if (found[i] || d[i].is_weak)
			continue;
		/* like libbpf: a strong extern must be set ("is not set" is a comment) */
		err = lsk_err(ENOENT, "kconfig '%s': not set in %s (declare it __weak to read 0)",
			      d[i].name, used);
		goto out;
	}
out:
	if (f)
		gzclose(f);
	free(found);
	return err;
}
