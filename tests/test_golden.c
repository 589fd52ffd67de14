// SPDX-License-Identifier: BSD-2-Clause
/* `lskel dump` of every sample equals its reviewed golden file (tests/golden/NAME.dump).
 * After an intended change: `make golden`, read `git diff tests/golden`, commit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "dump.h"
#include "samples.h"
#include "err.h"

static char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long sz;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	buf = malloc(sz + 1);
	if (buf && fread(buf, 1, sz, f) != (size_t)sz) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[sz] = '\0';
	fclose(f);
	*n = sz;
	return buf;
}

static void first_difference(const char *a, const char *b)
{
	int line = 1;

	while (*a && *a == *b) {
		if (*a == '\n')
			line++;
		a++;
		b++;
	}
	while (line > 1 && a[-1] != '\n') {
		a--;
		b--;
	}
	print_error("first difference at line %d:\n  got:    %.*s\n  golden: %.*s\n", line,
		    (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
}

static void golden_one(const char *name)
{
	char path[256], gpath[256], *got = NULL, *want;
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	size_t n = 0, wn = 0;
	FILE *f;

	sample_path(path, sizeof(path), name);
	snprintf(gpath, sizeof(gpath), "tests/golden/%s.dump", name);
	if (lsk_obj_open(path, &obj) || lsk_trace_build(&obj, 1, &t))
		fail_msg("%s: %s", name, lsk_errmsg());
	f = open_memstream(&got, &n);
	assert_non_null(f);
	lsk_dump_obj(f, obj);
	lsk_dump_trace(f, t);
	fclose(f);
	want = read_all(gpath, &wn);
	if (!want)
		fail_msg("%s: no golden file %s (run 'make golden' and review it)", name, gpath);
	if (n != wn || memcmp(got, want, n)) {
		first_difference(got, want);
		fail_msg("%s: dump differs from %s", name, gpath);
	}
	free(got);
	free(want);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

static void test_all_samples(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NR_SAMPLES; i++)
		golden_one(sample_names[i]);
}

/* The dump is a pure function of the input: two builds of the same trace print the same. */
static void test_deterministic(void **state)
{
	char path[256], *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct lsk_trace *t;
		struct lsk_obj *obj;
		FILE *f = i ? open_memstream(&b, &nb) : open_memstream(&a, &na);

		sample_path(path, sizeof(path), "map_in_map");
		assert_int_equal(lsk_obj_open(path, &obj), 0);
		assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
		lsk_dump_trace(f, t);
		fclose(f);
		lsk_trace_free(t);
		lsk_obj_free(obj);
	}
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
}

/* Chains are dumped through the CLI, as `make golden` writes them: the freplace dispatcher's
 * trace and loader stand in for the kernel test where EXT programs are refused. */
static void cli_golden(const char *args, const char *golden)
{
	char cmd[1024], out[256];

	snprintf(out, sizeof(out), "%s/tests/%s.out", build_dir(), golden);
	snprintf(cmd, sizeof(cmd), "%s/bin/lskel %s > %s && cmp -s %s tests/golden/%s ||"
		 " { diff -u tests/golden/%s %s | head -20; exit 1; }", build_dir(), args, out, out,
		 golden, golden, out);
	if (system(cmd))
		fail_msg("lskel %s differs from tests/golden/%s", args, golden);
}

static void test_freplace_chain(void **state)
{
	char objs[512];
	const char *b = build_dir();

	(void)state;
	snprintf(objs, sizeof(objs), "dump %1$s/samples/chain/xdisp_root.bpf.o "
		 "%1$s/samples/chain/xdisp_comp_a.bpf.o %1$s/samples/chain/xdisp_comp_b.bpf.o", b);
	cli_golden(objs, "xdisp.chain.dump");
	snprintf(objs, sizeof(objs), "dump --loader %1$s/samples/chain/xdisp_root.bpf.o "
		 "%1$s/samples/chain/xdisp_comp_a.bpf.o %1$s/samples/chain/xdisp_comp_b.bpf.o", b);
	cli_golden(objs, "xdisp.loader.dump");
}

/* fentry/fexit/LSM: the trace (attach targets resolved by BTF_ID at load time) and the
 * skeleton's attach table stand in for the kernel test this kernel refuses. */
static void test_trampolines(void **state)
{
	char args[512];

	(void)state;
	snprintf(args, sizeof(args), "dump %s/samples/refused/trampolines.bpf.o", build_dir());
	cli_golden(args, "trampolines.dump");
	snprintf(args, sizeof(args), "gen -n trampolines %s/samples/refused/trampolines.bpf.o | "
		 "sed -n '/__progs\\[\\] = {/,/^};/p'", build_dir());
	cli_golden(args, "trampolines.attach");
}

/* Kfuncs used by two programs of one object and by a second object: one lookup per symbol,
 * the rest reuse it, one CLOSE per symbol after its last program; the loader's module branch
 * (fd into the fd table, kfunc off = that slot, ld_imm64 insn[1].imm = fd) is in the loader
 * dump. This kernel has no modules: this golden pair stands in for the module path. */
static void test_shared_kfuncs(void **state)
{
	char args[512];
	const char *b = build_dir();

	(void)state;
	snprintf(args, sizeof(args), "dump %1$s/samples/ct_lookup.bpf.o "
		 "%1$s/tests/bpf/ct_other.bpf.o", b);
	cli_golden(args, "ct_chain.dump");
	snprintf(args, sizeof(args), "dump --loader %1$s/samples/ct_lookup.bpf.o "
		 "%1$s/tests/bpf/ct_other.bpf.o", b);
	cli_golden(args, "ct_chain.loader.dump");
}

/* Generated dispatcher roots (samples/dispatch/dsp.spec) in each mode, and the freplace
 * mode's resolved spec and trace, which stand in for its kernel test here (EXT refused). */
static void test_dispatchers(void **state)
{
	static const char *const modes[] = { "static", "tailcall", "freplace" };
	char args[1024], golden[64];
	const char *b = build_dir();
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(args, sizeof(args), "dispatcher --emit-c --mode %s -o /dev/stdout "
			 "samples/dispatch/dsp.spec", modes[i]);
		snprintf(golden, sizeof(golden), "dsp.%s.c", modes[i]);
		cli_golden(args, golden);
	}
	snprintf(args, sizeof(args), "dump --dispatcher samples/dispatch/dsp.spec --mode freplace "
		 "%1$s/samples/dispatch/dsp_parse.bpf.o %1$s/samples/dispatch/dsp_filter.bpf.o "
		 "%1$s/samples/dispatch/dsp_count.bpf.o %1$s/samples/dispatch/dsp_verdict.bpf.o "
		 "%1$s/samples/dispatch/dsp_lib.bpf.o", b);
	cli_golden(args, "dsp.freplace.dump");
}

/* --dynamic: caller with a placeholder, library function as an freplace of it (EXT is
 * refused here: this trace and loader stand in for the kernel run). */
static void test_dynamic_link(void **state)
{
	char args[512];
	const char *b = build_dir();

	(void)state;
	snprintf(args, sizeof(args), "dump --dynamic ext_lib %1$s/tests/link/ext_caller_a.bpf.o "
		 "%1$s/tests/link/ext_lib.bpf.o", b);
	cli_golden(args, "dynlink.dump");
	snprintf(args, sizeof(args), "dump --loader --dynamic ext_lib "
		 "%1$s/tests/link/ext_caller_a.bpf.o %1$s/tests/link/ext_lib.bpf.o", b);
	cli_golden(args, "dynlink.loader.dump");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_samples),
		cmocka_unit_test(test_freplace_chain),
		cmocka_unit_test(test_trampolines),
		cmocka_unit_test(test_shared_kfuncs),
		cmocka_unit_test(test_dispatchers),
		cmocka_unit_test(test_dynamic_link),
		cmocka_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests_name("golden dumps", tests, NULL, NULL);
}
