// SPDX-License-Identifier: BSD-2-Clause
/* Subskeletons: one library (tests/subskel/sublib.bpf.c) statically linked into two programs
 * whose own globals are laid out differently (sub_a: its globals first; sub_b: the library's
 * first, other types). One user-space half (tests/subskel/lib_user.c, compiled once against
 * sublib.subskel.h) sets the library's config between open and load, reads its counters
 * and map after packets ran, and writes a counter the program goes on from — in both. A
 * program linked with the next version of the library (lib_calls now 64-bit) is refused at
 * open, naming the variable. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sub_a.lskel.h"
#include "sub_b.lskel.h"
#include "sub_v2.lskel.h"
#include "subchain.lskel.h"
#include "lib_user.h"
#include "samples.h"

static __u32 run_pkt(int prog_fd, __u32 len)
{
	unsigned char pkt[256] = { 0 };
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.data_in = lskel_ptr(pkt);
	attr.test.data_size_in = len;
	attr.test.repeat = 1;
	assert_int_equal(lskel_sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr)), 0);
	return attr.test.retval;
}

static const struct lskel_sym *sym(const struct lskel_desc *d, const char *name)
{
	__u32 i;

	for (i = 0; i < d->nr_syms; i++)
		if (d->syms[i].kind == LSKEL_SYM_VAR && !strcmp(d->syms[i].name, name))
			return &d->syms[i];
	return NULL;
}

/* The same user code on a program: 3 long and 2 short packets (dropped by the config). */
static void exercise(struct lskel_handle *obj, int (*load)(void *), int prog_fd_of(void *),
		     void *skel)
{
	struct lib_report r;
	struct sublib *lib;
	int fd, i;

	lib = lib_setup(obj, 60);
	if (!lib)
		fail_msg("lib_setup: %s", ((struct lskel_ctx *)skel)->errmsg);
	assert_int_equal(load(skel), 0);
	fd = prog_fd_of(skel);
	for (i = 0; i < 3; i++)
		assert_int_equal(run_pkt(fd, 64), XDP_PASS);
	for (i = 0; i < 2; i++)
		assert_int_equal(run_pkt(fd, 40), XDP_DROP);	/* below lib_min_len = 60 */
	assert_int_equal(lib_read(lib, 64, &r), 0);
	assert_int_equal(r.packets, 3);
	assert_int_equal(r.bytes, 3 * 64);
	assert_int_equal(r.calls, 5);
	assert_int_equal(r.seen, 3);
	assert_int_equal(lib->maps.lib_seen.map_fd >= 0, 1);
	lib_set_calls(lib, 100);
	run_pkt(fd, 64);
	assert_int_equal(lib_read(lib, 64, &r), 0);
	assert_int_equal(r.calls, 101);
	assert_int_equal(r.seen, 4);
	sublib__destroy(lib);
}

static int load_a(void *s)
{
	return sub_a__load((struct sub_a *)s);
}

static int fd_a(void *s)
{
	return ((struct sub_a *)s)->progs.prog_a.prog_fd;
}

static int load_b(void *s)
{
	return sub_b__load((struct sub_b *)s);
}

static int fd_b(void *s)
{
	return ((struct sub_b *)s)->progs.prog_b.prog_fd;
}

static void test_layouts_differ(void **state)
{
	const struct lskel_sym *a = sym(&sub_a__desc, "lib_calls"), *b = sym(&sub_b__desc, "lib_calls");

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	print_message("  lib_calls: offset %u in sub_a's .bss, %u in sub_b's\n", a->off, b->off);
	assert_int_not_equal(a->off, b->off);
}

static void test_library_in_a(void **state)
{
	struct sub_a *s = sub_a__open();

	(void)state;
	assert_non_null(s);
	exercise(s->obj, load_a, fd_a, s);
	assert_int_equal(s->bss->a_own[0], 6);	/* the program's own globals, untouched */
	sub_a__destroy(s);
}

static void test_library_in_b(void **state)
{
	struct sub_b *s = sub_b__open();

	(void)state;
	assert_non_null(s);
	exercise(s->obj, load_b, fd_b, s);
	assert_int_equal(s->bss->b_seen, 6);
	sub_b__destroy(s);
}

/* The subskeleton sees the fds whether it was opened before or after the load, and a
 * parent destroyed first leaves it safe to destroy. */
static void test_open_after_load(void **state)
{
	struct sub_b *s = sub_b__open_and_load();
	struct sublib *lib;

	(void)state;
	assert_non_null(s);
	lib = sublib__open(s->obj);
	assert_non_null(lib);
	assert_int_equal(lib->maps.lib_seen.map_fd, s->maps.lib_seen.map_fd);
	assert_true(lib->maps.lib_seen.map_fd >= 0);
	sub_b__destroy(s);
	sublib__destroy(lib);
}

static void test_other_version_refused(void **state)
{
	struct sub_v2 *s = sub_v2__open();
	struct sublib *lib;

	(void)state;
	assert_non_null(s);
	lib = sublib__open(s->obj);
	assert_null(lib);
	assert_int_equal(errno, EINVAL);
	print_message("  refused: %s\n", s->ctx.errmsg);
	assert_non_null(strstr(s->ctx.errmsg, "variable 'lib_calls'"));
	assert_non_null(strstr(s->ctx.errmsg, "another version"));
	sub_v2__destroy(s);
}

/* A chain of both programs in one loader: one handle per object, each library instance with
 * its own globals; the same-named map is one map the two instances share. */
static void test_chain_handles(void **state)
{
	struct subchain *s = subchain__open();
	struct sublib *la, *lb;
	struct lib_report r;

	(void)state;
	assert_non_null(s);
	la = lib_setup(s->final_a.obj, 60);
	lb = lib_setup(s->final_b.obj, 0);
	assert_non_null(la);
	assert_non_null(lb);
	assert_ptr_not_equal(la->bss.lib_calls, lb->bss.lib_calls);
	assert_int_equal(subchain__load(s), 0);
	assert_int_equal(run_pkt(s->final_a.progs.prog_a.prog_fd, 40), XDP_DROP);
	assert_int_equal(run_pkt(s->final_b.progs.prog_b.prog_fd, 40), XDP_PASS);
	assert_int_equal(lib_read(la, 40, &r), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.packets, 0);
	assert_int_equal(r.seen, 1);	/* counted by b's instance, in the shared map */
	assert_int_equal(lib_read(lb, 40, &r), 0);
	assert_int_equal(r.packets, 1);
	assert_int_equal(la->maps.lib_seen.map_fd, lb->maps.lib_seen.map_fd);
	sublib__destroy(la);
	sublib__destroy(lb);
	subchain__destroy(s);
}

/* tests/bpftool-compat: a Makefile written for `$(BPFTOOL) gen skeleton -L` builds and
 * runs the same with BPFTOOL=lskel as with bpftool 7.1. */
static void test_bpftool_makefile(void **state)
{
	static const char *const tools[] = { "lskel", "bpftool" };
	char cmd[8192], out[256], cwd[1024];
	const char *b = build_dir();
	FILE *f;
	size_t n;
	int i;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "rm -rf %1$s/compat-%2$s && make -s -C tests/bpftool-compat "
			 "O=%3$s/%1$s/compat-%2$s %4$s%3$s/%1$s/bin/lskel LSKEL_INCLUDE=%3$s/include "
			 "> %1$s/compat-%2$s.log 2>&1 && %1$s/compat-%2$s/hello", b, tools[i], cwd,
			 i ? "BPFTOOL_UNUSED=" : "BPFTOOL=");
		f = popen(cmd, "r");
		assert_non_null(f);
		n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = 0;
		if (pclose(f))
			fail_msg("%s: the build or the run failed (%s/compat-%s.log)", tools[i], b,
				 tools[i]);
		print_message("  BPFTOOL=%s: %s", i ? "bpftool" : "build/bin/lskel", out);
		assert_string_equal(out, "packets=3 verdict=1\n");
	}
	/* and the header lskel wrote is lskel's */
	snprintf(cmd, sizeof(cmd), "grep -q 'lskel/runtime.h' %s/compat-lskel/hello.skel.h", b);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts_differ),
		cmocka_unit_test(test_library_in_a),
		cmocka_unit_test(test_library_in_b),
		cmocka_unit_test(test_open_after_load),
		cmocka_unit_test(test_other_version_refused),
		cmocka_unit_test(test_chain_handles),
		cmocka_unit_test(test_bpftool_makefile),
	};

	return cmocka_run_group_tests_name("subskeletons", tests, NULL, NULL);
}
