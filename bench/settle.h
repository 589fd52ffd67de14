/* SPDX-License-Identifier: BSD-2-Clause */
/* What every measured load of `make bench` starts from (bench.c, and bpftool_bench.c for
 * bpftool's light skeleton): the same state, whoever ran before it. */
#ifndef LSK_BENCH_SETTLE_H
#define LSK_BENCH_SETTLE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int settle_us = 3000;	/* pause before every measured load (BENCH_SETTLE_US) */
static size_t sweep_bytes;	/* memory swept before it (BENCH_SWEEP_MB; 0: none) */

/* The last-level cache's size (sysfs, then sysconf), or 32 MiB when neither says. */
static size_t llc_bytes(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/cpu0/cache/index3/size", "r");
	unsigned long kib = 0;
	long v;

	if (f) {
		if (fscanf(f, "%luK", &kib) != 1)
			kib = 0;
		fclose(f);
	}
	if (kib)
		return kib << 10;
	v = sysconf(_SC_LEVEL3_CACHE_SIZE);
	return v > 0 ? (size_t)v : 32u << 20;
}

/* Every measured load starts from the same state, whoever ran before it: the caches swept
 * (a store to every line of twice the last-level cache) and a pause, so the kernel's
 * deferred freeing of the previous load's objects is done. Without the sweep the contender
 * measured right after libbpf paid for libbpf: in a fixed order libbpf, lskel, exec_direct
 * lskel's tiny loads read 0.12-0.17 ms over exec_direct's, in the order libbpf, exec_direct,
 * lskel 0.09-0.15 (same objects, same run); with it both orders agree within the noise. */
static void settle(void)
{
	static volatile char *buf;
	size_t i;

	if (sweep_bytes && !buf)
		buf = malloc(sweep_bytes);
	for (i = 0; buf && i < sweep_bytes; i += 64)
		buf[i]++;
	usleep(settle_us);
}

/* settle_us and sweep_bytes from the environment: twice the last-level cache by default. */
static void settle_init(void)
{
	if (getenv("BENCH_SETTLE_US"))
		settle_us = atoi(getenv("BENCH_SETTLE_US"));
	sweep_bytes = 2 * llc_bytes();
	if (getenv("BENCH_SWEEP_MB"))
		sweep_bytes = (size_t)atoi(getenv("BENCH_SWEEP_MB")) << 20;
}

#endif
