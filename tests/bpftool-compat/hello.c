// SPDX-License-Identifier: BSD-2-Clause
/* The user-space half, written for bpftool's light skeleton API. */
#include <errno.h>	/* bpftool's skeletons need it included first */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "hello.skel.h"

int main(void)
{
	struct hello *skel = hello__open();
	unsigned char pkt[64] = { 0 };
	union bpf_attr attr;
	int i;

	if (!skel)
		return 1;
	skel->rodata->verdict = XDP_DROP;
	if (hello__load(skel))
		return 1;
	for (i = 0; i < 3; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.test.prog_fd = skel->progs.hello.prog_fd;
		attr.test.data_in = (unsigned long)pkt;
		attr.test.data_size_in = sizeof(pkt);
		attr.test.repeat = 1;
		if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof(attr)))
			return 1;
	}
	printf("packets=%llu verdict=%u\n", (unsigned long long)skel->bss->packets,
	       attr.test.retval);
	hello__destroy(skel);
	return 0;
}
