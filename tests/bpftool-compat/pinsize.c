// SPDX-License-Identifier: BSD-2-Clause
/* maps.M.max_entries on a pinned map: the first load creates and pins it with that size, a
 * second load with the same size reuses the pin (the definition it checks is the caller's). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "pinsize.skel.h"

static int info(int fd, struct bpf_map_info *i)
{
	union bpf_attr attr;

	memset(i, 0, sizeof(*i));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(*i);
	attr.info.info = (unsigned long)i;
	return syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
}

static struct pinsize *load(const char *root)
{
	struct pinsize *skel = pinsize__open();

	if (!skel)
		return NULL;
	skel->ctx.pin_root_path = root;
	skel->maps.lsk_compat_sized.max_entries = 64;
	if (pinsize__load(skel)) {
		fprintf(stderr, "pinsize: %s\n", skel->ctx.errmsg);
		pinsize__destroy(skel);
		return NULL;
	}
	return skel;
}

int main(int argc, char **argv)
{
	struct pinsize *a, *b;
	struct bpf_map_info ia, ib;

	if (argc != 2)
		return 2;
	a = load(argv[1]);
	b = a ? load(argv[1]) : NULL;
	if (!b || info(a->maps.lsk_compat_sized.map_fd, &ia) ||
	    info(b->maps.lsk_compat_sized.map_fd, &ib))
		return 1;
	printf("first max=%u, second max=%u, %s\n", ia.max_entries, ib.max_entries,
	       ia.id == ib.id ? "the same pinned map" : "two maps");
	pinsize__destroy(b);
	pinsize__destroy(a);
	return 0;
}
