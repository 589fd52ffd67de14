// SPDX-License-Identifier: BSD-2-Clause
/* Written for bpftool's light skeleton: printf formats follow the C types of the BPF side
 * (built with -Wall -Wformat -Werror), and NAME__assert() checks the layout. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "types.skel.h"

int main(void)
{
	struct types *skel = types__open_and_load();
	unsigned char pkt[60] = { 0 };
	union bpf_attr attr;

	if (!skel)
		return 1;
	types__assert(skel);
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = skel->progs.types.prog_fd;
	attr.test.data_in = (unsigned long)pkt;
	attr.test.data_size_in = sizeof(pkt);
	attr.test.repeat = 3;
	if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof(attr)))
		return 1;
	printf("hits=%ld calls=%u bytes=%lu level=%hd tag=%s seen=%d limit=%lld\n",
	       skel->bss->hits, skel->bss->calls, skel->bss->bytes, skel->data->level,
	       skel->data->tag, skel->bss->seen, skel->rodata->limit);
	types__destroy(skel);
	return 0;
}
