// SPDX-License-Identifier: BSD-2-Clause
/* skel->maps.M.max_entries set between open and load sizes the maps (bpftool's contract). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "sizes.skel.h"

static unsigned int max_entries(int fd)
{
	struct bpf_map_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)))
		return 0;
	return info.max_entries;
}

int main(void)
{
	struct sizes *skel = sizes__open();
	unsigned char pkt[60] = { 0 };
	union bpf_attr attr;

	if (!skel)
		return 1;
	skel->maps.events.max_entries = 4 * getpagesize();
	skel->maps.flows.max_entries = 64;
	if (sizes__load(skel)) {
		fprintf(stderr, "sizes: load failed: %s\n", strerror(errno));
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = skel->progs.sizes.prog_fd;
	attr.test.data_in = (unsigned long)pkt;
	attr.test.data_size_in = sizeof(pkt);
	if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof(attr)))
		return 1;
	printf("events max=%u flows max=%u inserted=%d sent=%d\n",
	       max_entries(skel->maps.events.map_fd) / getpagesize(),
	       max_entries(skel->maps.flows.map_fd), skel->bss->inserted, skel->bss->sent);
	sizes__destroy(skel);
	return 0;
}
