/* SPDX-License-Identifier: BSD-2-Clause */
/* The sample objects the test build makes, for tests that run over all of them. */
#ifndef LSK_TEST_SAMPLES_H
#define LSK_TEST_SAMPLES_H

static const char *const sample_names[] = {
	"tp_counter", "xdp_tail", "map_in_map", "loop_cb", "core_read", "ksyms", "tc_subprogs",
	"sock_filter", "net_count",
	"uprobe_count", "ct_lookup",
};
#define NR_SAMPLES (sizeof(sample_names) / sizeof(sample_names[0]))

#include <stdio.h>
#include <stdlib.h>

/* The build directory (LSK_BUILD, set by tests/run-tests.sh; default "build"). */
static inline const char *build_dir(void)
{
	const char *b = getenv("LSK_BUILD");

	return b && b[0] ? b : "build";
}

/* BUILD/samples/NAME.bpf.o (tests run from the project root). */
static inline void sample_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/samples/%s.bpf.o", build_dir(), name);
}

#endif
