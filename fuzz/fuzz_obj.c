// SPDX-License-Identifier: BSD-2-Clause
/* libFuzzer target: the whole `lskel gen` front end on one object, down to the loader and
 * both emitted forms (skeleton header and container). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "compile.h"
#include "emit_blob.h"
#include "emit_skel.h"
#include "obj.h"
#include "trace.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lsk_loader *l = NULL;
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	libbpf_set_print(quiet);	/* libbpf's warnings about malformed BTF */
	if (lsk_obj_open_mem("fuzz.bpf.o", data, size, &obj))
		return 0;
	/* a few bytes of input can declare megabytes of section (NOBITS, sizes): the emitters
	 * print a big blob byte by byte exactly as a small one, so above 1 MiB they are
	 * skipped and fuzzing time goes to new paths */
	if (!lsk_trace_build(&obj, 1, &t) && !lsk_loader_compile(t, &l) &&
	    l->blob->size <= (1u << 20)) {
		f = open_memstream(&buf, &n);
		if (f) {
			lsk_emit_skel(f, "fuzz", t, l);
			lsk_emit_container(f, "fuzz", t, l);
			fclose(f);
		}
		free(buf);
	}
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
	return 0;
}
