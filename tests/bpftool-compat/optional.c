// SPDX-License-Identifier: BSD-2-Clause
/* progs.P.autoload between open and load picks the SEC("?...") programs to load; the others
 * are in the skeleton with prog_fd -1, NAME__attach skips them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "optional.skel.h"

static int run(int prog_fd)
{
	unsigned char pkt[60] = { 0 };
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.data_in = (unsigned long)pkt;
	attr.test.data_size_in = sizeof(pkt);
	if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof(attr)))
		return -1;
	return (int)attr.test.retval;
}

int main(void)
{
	struct optional *skel;
	int asked, attach, verdict;

	for (asked = 0; asked < 2; asked++) {
		skel = optional__open();
		if (!skel)
			return 1;
		skel->progs.fast.autoload = asked;
		if (optional__load(skel)) {
			fprintf(stderr, "optional: %s\n", skel->ctx.errmsg);
			return 1;
		}
		attach = optional__attach(skel);
		verdict = run(skel->progs.entry.prog_fd);
		printf("%s: fast %s, missing %s, optional_raw %s, attach=%d, verdict=%d, "
		       "runs=%ld\n",
		       asked ? "asked" : "not asked",
		       skel->progs.fast.prog_fd >= 0 ? "loaded" : "left out",
		       skel->progs.missing.prog_fd >= 0 ? "loaded" : "left out",
		       skel->progs.optional_raw.prog_fd >= 0 ? "loaded" : "left out",
		       attach, verdict, skel->bss->fast_runs);
		optional__destroy(skel);
	}
	/* a program without '?' is always loaded: leaving it out is refused, not ignored */
	skel = optional__open();
	if (!skel)
		return 1;
	skel->progs.entry.autoload = 0;
	printf("entry left out: %s\n", optional__load(skel) == -EINVAL &&
	       strstr(skel->ctx.errmsg, "only SEC") ? "refused" : "not refused");
	optional__destroy(skel);
	return 0;
}
