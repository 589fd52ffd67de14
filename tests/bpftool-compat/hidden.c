// SPDX-License-Identifier: BSD-2-Clause
/* Loads an object whose library helper is __weak __hidden (see hidden.bpf.c) and runs it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "hidden.skel.h"

int main(void)
{
	struct hidden *skel = hidden__open_and_load();
	long spec[4] = { 1, 40, 3, 4 };
	unsigned char pkt[60] = { 0 };
	union bpf_attr attr;
	int zero = 0;

	if (!skel) {
		fprintf(stderr, "hidden: load failed\n");
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = skel->maps.specs.map_fd;
	attr.key = (unsigned long)&zero;
	attr.value = (unsigned long)spec;
	if (syscall(__NR_bpf, BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)))
		return 1;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = skel->progs.hidden.prog_fd;
	attr.test.data_in = (unsigned long)pkt;
	attr.test.data_size_in = sizeof(pkt);
	attr.test.repeat = 2;
	if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof(attr)))
		return 1;
	printf("sum=%ld retval=%u\n", skel->bss->sum, attr.test.retval);
	hidden__destroy(skel);
	return 0;
}
