// SPDX-License-Identifier: BSD-2-Clause
/* Deployment fingerprints for lskel-run tests. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include "deploy.h"

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

int bpffs_private(char *dir, size_t n)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, n, "%s/lskel-bpffs-XXXXXX", t && t[0] ? t : "/tmp");
	if (!mkdtemp(dir))
		return -errno;
	if (mount("bpf", dir, "bpf", 0, "mode=0700")) {
		int e = -errno;

		rmdir(dir);
		return e;
	}
	return 0;
}

void bpffs_release(const char *dir)
{
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

static int info(int fd, void *buf, __u32 len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	memset(buf, 0, len);
	a.info.bpf_fd = fd;
	a.info.info_len = len;
	a.info.info = (__u64)(unsigned long)buf;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) ? -errno : 0;
}

static int obj_get(const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (__u64)(unsigned long)path;
	return sys_bpf(BPF_OBJ_GET, &a);
}

/* The tag of program @id, as hex. */
static void prog_tag(__u32 id, char *out)
{
	struct bpf_prog_info pi;
	union bpf_attr a;
	int fd, i;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
	strcpy(out, "?");
	if (fd < 0)
		return;
	if (!info(fd, &pi, sizeof(pi)))
		for (i = 0; i < 8; i++)
			sprintf(out + 2 * i, "%02x", pi.tag[i]);
	close(fd);
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *dir, const char *rel, char **lines, int *nl, int max)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((e = readdir(d)) && *nl < max) {
		char path[4096], r[512], l[2048] = "";
		struct stat st;
		int fd, i;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(r, sizeof(r), "%.200s%s%.255s", rel, rel[0] ? "/" : "", e->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, r, lines, nl, max);
			continue;
		}
		fd = obj_get(path);
		if (fd < 0) {
			snprintf(l, sizeof(l), "%s: not a pin", r);
		} else {
			struct bpf_map_info mi;
			struct bpf_prog_info pi;
			__u32 li[4];

			if (!strncmp(r, "maps/", 5) && !info(fd, &mi, sizeof(mi))) {
				int n = snprintf(l, sizeof(l), "%s: map type %u key %u value %u max %u "
						 "flags 0x%x name %s", r, mi.type, mi.key_size,
						 mi.value_size, mi.max_entries, mi.map_flags, mi.name);

				if ((mi.map_flags & BPF_F_RDONLY_PROG) && mi.max_entries == 1 &&
				    mi.value_size <= 4096) {
					unsigned char v[4096];
					__u32 key = 0;
					union bpf_attr a;

					memset(&a, 0, sizeof(a));
					a.map_fd = fd;
					a.key = (__u64)(unsigned long)&key;
					a.value = (__u64)(unsigned long)v;
					if (!sys_bpf(BPF_MAP_LOOKUP_ELEM, &a))
						for (i = 0; i < (int)mi.value_size && n + 3 < (int)sizeof(l);
						     i++)
							n += snprintf(l + n, sizeof(l) - n, "%s%02x",
								      i ? "" : " value ", v[i]);
				}
			} else if (!strncmp(r, "progs/", 6) && !info(fd, &pi, sizeof(pi))) {
				char tag[20];

				prog_tag(pi.id, tag);
				snprintf(l, sizeof(l), "%s: prog type %u tag %s name %s", r, pi.type, tag,
					 pi.name);
			} else if (!strncmp(r, "links/", 6) && !info(fd, li, sizeof(li))) {
				char tag[20];

				prog_tag(li[2], tag);	/* type, id, prog_id */
				snprintf(l, sizeof(l), "%s: link type %u of prog %s", r, li[0], tag);
			} else {
				snprintf(l, sizeof(l), "%s: pin", r);
			}
			close(fd);
		}
		lines[(*nl)++] = strdup(l);
	}
	closedir(d);
	return 0;
}

int deploy_fingerprint(const char *dir, char *out, size_t n)
{
	char *lines[512];
	int nl = 0, i, err;
	size_t k = 0;

	err = walk(dir, "", lines, &nl, 512);
	if (err)
		return err;
	qsort(lines, nl, sizeof(lines[0]), line_cmp);
	out[0] = '\0';
	for (i = 0; i < nl; i++) {
		if (k < n)
			k += snprintf(out + k, n - k, "%s\n", lines[i]);
		free(lines[i]);
	}
	return k < n ? 0 : -E2BIG;
}

int count_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!lstat(path, &st) && S_ISDIR(st.st_mode))
			n += count_entries(path);
	}
	closedir(d);
	return n;
}
