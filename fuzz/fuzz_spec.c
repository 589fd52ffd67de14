// SPDX-License-Identifier: BSD-2-Clause
/* libFuzzer target: a dispatcher spec read and, when it is valid, the root's C source
 * written in each mode and the load plan's directives made (dispatch_*.c, plan.c). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "dispatch.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct lsk_dispatch *d = NULL;
	char path[64], *buf = NULL;
	size_t n = 0;
	FILE *f;
	int m;

	if (fd < 0)
		fd = memfd_create("spec", 0);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (lsk_disp_parse(path, &d))
		return 0;
	for (m = LSK_MODE_STATIC; m <= LSK_MODE_FREPLACE; m++) {
		struct lsk_plan p = {};

		d->mode = m;
		f = open_memstream(&buf, &n);
		if (f) {
			lsk_disp_emit_c(d, f);
			lsk_disp_dump(d, f);
			fclose(f);
		}
		free(buf);
		buf = NULL;
		lsk_disp_plan(d, &p);
		lsk_plan_free(&p);
	}
	lsk_disp_free(d);
	return 0;
}
