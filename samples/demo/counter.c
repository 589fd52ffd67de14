// SPDX-License-Identifier: BSD-2-Clause
/* make demo: a small program using the light skeleton of samples/tp_counter.bpf.c. Its
 * loader program creates the maps and loads the BPF program; the counter then moves with
 * every getpid() this process makes. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "tp_counter.lskel.h"

static double ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1e3 + (b.tv_nsec - a->tv_nsec) / 1e6;
}

int main(void)
{
	struct tp_counter *skel = tp_counter__open();
	struct timespec t0;
	int round, i;

	if (!skel)
		return 1;
	skel->rodata->settings.tgid_filter = getpid();	/* count this process only */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (tp_counter__load(skel)) {
		fprintf(stderr, "load failed: %s\n", skel->ctx.errmsg);
		tp_counter__destroy(skel);
		return 1;
	}
	printf("loader program: %u instructions, data blob %u bytes, %u bpf() operations; "
	       "load took %.2f ms\n", tp_counter__desc.insns_sz / 8, tp_counter__desc.data_sz,
	       tp_counter__desc.nr_ops, ms_since(&t0));
	if (tp_counter__attach(skel)) {
		fprintf(stderr, "attach failed: %s\n", skel->ctx.errmsg);
		tp_counter__destroy(skel);
		return 1;
	}
	for (round = 1; round <= 3; round++) {
		for (i = 0; i < round * 10; i++)
			syscall(SYS_getpid);
		printf("after %2d more getpid() calls: counter = %llu\n", round * 10,
		       (unsigned long long)skel->bss->stats.hits);
		usleep(200 * 1000);
	}
	tp_counter__destroy(skel);
	return 0;
}
