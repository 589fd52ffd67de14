// SPDX-License-Identifier: BSD-2-Clause
/* Linked like any other program (no -lz): prints the CONFIG_HZ the BPF side was given. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "kconfig.skel.h"

int main(void)
{
	struct kconfig *skel = kconfig__open_and_load();
	unsigned char pkt[60] = { 0 };
	union bpf_attr attr;

	if (!skel) {
		fprintf(stderr, "kconfig: load failed\n");
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = skel->progs.kconfig.prog_fd;
	attr.test.data_in = (unsigned long)pkt;
	attr.test.data_size_in = sizeof(pkt);
	if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof(attr)))
		return 1;
	printf("CONFIG_HZ=%d\n", skel->bss->hz);
	kconfig__destroy(skel);
	return 0;
}
