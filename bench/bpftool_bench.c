// SPDX-License-Identifier: BSD-2-Clause
/* Times bpftool's `gen skeleton -L` output for one object (compiled with -DNAME=...):
 * prints the median open_and_load time in milliseconds over argv[1] runs, each started
 * as bench.c starts its own (settle.h). */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/skel_internal.h>
#include BPFTOOL_HDR
#include "settle.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int i, n = argc > 1 ? atoi(argv[1]) : 21;
	double *t = calloc(n, sizeof(double));

	settle_init();
	for (i = 0; i < n; i++) {
		struct timespec a, b;
		struct NAME *s;

		settle();
		clock_gettime(CLOCK_MONOTONIC, &a);
		s = CAT(NAME, __open_and_load)();
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (!s) {
			printf("fail\n");
			return 1;
		}
		CAT(NAME, __destroy)(s);
		t[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	}
	qsort(t, n, sizeof(double), cmp);
	printf("%.3f\n", t[n / 2]);
	return 0;
}
