// SPDX-License-Identifier: BSD-2-Clause
/* Extern functions across objects, linked statically: two programs of two objects call
 * lib_score, declared extern, defined in a library object given on the same command line;
 * one skeleton loads the three and both programs compute with the library's code. The
 * errors (no definition, two definitions, prototype mismatch) name objects and function and
 * load nothing; `lskel link` writes an object libbpf 1.1 loads and runs the same. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "extlink.lskel.h"
#include "dynlink.lskel.h"
#include "kstate.h"
#include "samples.h"

static __u32 run_pkt(int prog_fd, __u32 len)
{
	unsigned char pkt[512] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &o), 0);
	return o.retval;
}

static void test_linked_chain(void **state)
{
	struct extlink *s = extlink__open_and_load();

	(void)state;
	assert_non_null(s);
	assert_int_equal(run_pkt(s->ext_caller_a.progs.caller_a.prog_fd, 64), XDP_PASS);
	assert_int_equal(s->ext_caller_a.bss->a_last, 64 * 10 + 1);
	assert_int_equal(run_pkt(s->ext_caller_b.progs.caller_b.prog_fd, 64), XDP_PASS);
	assert_int_equal(s->ext_caller_b.bss->b_last, 64 * 10 + 2);
	assert_int_equal(run_pkt(s->ext_caller_b.progs.caller_b.prog_fd, 200), XDP_DROP);
	assert_int_equal(s->ext_caller_b.bss->b_last, 200 * 10 + 2);
	extlink__destroy(s);
}

/* Every file a test here writes lives under this directory (mkdtemp), removed at the end. */
static char tmp[64];

static void expect_error(const char *args, const char *want)
{
	char cmd[1024], out[1024];
	size_t n;
	FILE *f;
	int rc;

	snprintf(cmd, sizeof(cmd), "%s/bin/lskel %s 2>&1", build_dir(), args);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	rc = pclose(f);
	if (!rc || !strstr(out, want))
		fail_msg("lskel %s: rc %d, '%s' (wanted '%s')", args, rc, out, want);
	print_message("  %s", out);
}

static void test_errors(void **state)
{
	struct id_set before[4] = {};
	char a[1024], left[512];
	const char *b = build_dir();

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	snprintf(a, sizeof(a), "exec %s/tests/link/ext_caller_a.bpf.o", b);
	expect_error(a, "object 'ext_caller_a' calls extern function 'lib_score', which none "
		     "of the objects given defines");
	snprintf(a, sizeof(a), "exec %1$s/tests/link/ext_caller_a.bpf.o "
		 "%1$s/tests/link/ext_lib.bpf.o %1$s/tests/link/ext_dup.bpf.o", b);
	expect_error(a, "function 'lib_score' is defined in two objects: 'ext_lib' and "
		     "'ext_dup'");
	snprintf(a, sizeof(a), "gen -o %2$s/out.h %1$s/tests/link/ext_mismatch.bpf.o "
		 "%1$s/tests/link/ext_lib.bpf.o", b, tmp);
	expect_error(a, "function 'lib_score': parameter 2 is 'long' in object 'ext_mismatch' "
		     "and 'int' in object 'ext_lib'");
	snprintf(a, sizeof(a), "link -o %2$s/bad.o %1$s/tests/link/ext_mismatch.bpf.o "
		 "%1$s/tests/link/ext_lib.bpf.o", b, tmp);
	expect_error(a, "parameter 2 is 'long'");
	snprintf(a, sizeof(a), "gen -o %2$s/out.h --dynamic dyn_cyc_a --dynamic dyn_cyc_b "
		 "%1$s/tests/link/dyn_cyc_a.bpf.o %1$s/tests/link/dyn_cyc_b.bpf.o", b, tmp);
	expect_error(a, "dependency cycle between objects: 'dyn_cyc_a' needs 'dyn_cyc_b' "
		     "(dynamic link of 'cyc_fa'), 'dyn_cyc_b' needs 'dyn_cyc_a' (dynamic link of "
		     "'cyc_fb')");
	snprintf(a, sizeof(a), "gen -o %s/out.h --dynamic nosuch %s/tests/link/ext_lib.bpf.o", tmp,
		 b);
	expect_error(a, "--dynamic nosuch: no such object among the objects given");
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("left behind: %s", left);
	ids_free(before);
	assert_int_equal(access(strcat(strcpy(a, tmp), "/out.h"), F_OK), -1);
	assert_int_equal(access(strcat(strcpy(a, tmp), "/bad.o"), F_OK), -1);
}

/* lskel link on an input that is missing, empty, unreadable or not ELF: a message naming
 * it, exit 1 (it crashed on an uninitialised pointer), the output not made. */
static void test_link_bad_inputs(void **state)
{
	static const char *const want[] = {
		"nosuch.o: No such file or directory", "empty.o: not an ELF object",
		"text.o: not an ELF object", "is a directory, not a regular file",
	};
	char a[1536], in[4][256];
	FILE *f;
	int i;

	(void)state;
	snprintf(in[0], sizeof(in[0]), "%s/nosuch.o", tmp);
	snprintf(in[1], sizeof(in[1]), "%s/empty.o", tmp);
	snprintf(in[2], sizeof(in[2]), "%s/text.o", tmp);
	snprintf(in[3], sizeof(in[3]), "%s", tmp);
	fclose(fopen(in[1], "w"));
	f = fopen(in[2], "w");
	fputs("not an object\n", f);
	fclose(f);
	for (i = 0; i < 4; i++) {
		snprintf(a, sizeof(a), "link -o %s/linked.o %s", tmp, in[i]);
		expect_error(a, want[i]);	/* rc 1 from a clean exit, not 139 */
		snprintf(a, sizeof(a), "%s/linked.o", tmp);
		assert_int_equal(access(a, F_OK), -1);
	}
	unlink(in[1]);
	unlink(in[2]);
}

/* A failing generation leaves the node -o names as it was: a character device (c 1 3,
 * /dev/null's numbers, made in the test's directory) stays one; it was unlinked. */
static void test_output_node_kept(void **state)
{
	char a[1024], node[256];
	struct stat st;

	(void)state;
	snprintf(node, sizeof(node), "%s/mynull", tmp);
	assert_int_equal(mknod(node, S_IFCHR | 0666, makedev(1, 3)), 0);
	snprintf(a, sizeof(a), "gen -o %2$s %1$s/tests/link/ext_mismatch.bpf.o "
		 "%1$s/tests/link/ext_lib.bpf.o", build_dir(), node);
	expect_error(a, "parameter 2 is 'long'");
	snprintf(a, sizeof(a), "link -o %2$s %1$s/tests/link/ext_mismatch.bpf.o "
		 "%1$s/tests/link/ext_lib.bpf.o", build_dir(), node);
	expect_error(a, "parameter 2 is 'long'");
	assert_int_equal(stat(node, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(1, 3));
	unlink(node);
}

/* --dynamic ext_lib: caller_a gets a placeholder lib_score returning 0, the library's
 * lib_score loads as an freplace of it (EXT: refused here, its trace and loader are golden,
 * tests/golden/dynlink.*); attached, caller_a computes with the library's code. */
static void test_dynamic(void **state)
{
	int fds0 = count_fds(), err;
	struct dynlink *s;

	(void)state;
	s = dynlink__open();
	assert_non_null(s);
	err = dynlink__load(s);
	if (err == -EPERM) {
		print_message("SKIP: this kernel refuses BPF_PROG_TYPE_EXT (freplace) loads with "
			      "EPERM: %s\n", s->ctx.errmsg);
		dynlink__destroy(s);
		assert_int_equal(count_fds(), fds0);
		skip();
	}
	if (err)
		fail_msg("load: %s", s->ctx.errmsg);
	assert_int_equal(run_pkt(s->ext_caller_a.progs.caller_a.prog_fd, 64), XDP_PASS);
	assert_int_equal(s->ext_caller_a.bss->a_last, 0);	/* the placeholder */
	assert_int_equal(dynlink__attach(s), 0);
	assert_int_equal(run_pkt(s->ext_caller_a.progs.caller_a.prog_fd, 64), XDP_PASS);
	assert_int_equal(s->ext_caller_a.bss->a_last, 64 * 10 + 1);
	assert_int_equal(s->ext_lib.bss->lib_score_calls, 1);
	dynlink__destroy(s);
	assert_int_equal(count_fds(), fds0);
}

/* lskel link: a standard object; libbpf 1.1 loads it and it computes the same. */
static void test_link_for_libbpf(void **state)
{
	char cmd[1024], path[256];
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	__u32 key = 0;
	int vals[2] = {};

	(void)state;
	snprintf(path, sizeof(path), "%s/a_lib.o", tmp);
	snprintf(cmd, sizeof(cmd), "%1$s/bin/lskel link -o %2$s %1$s/tests/link/ext_caller_a.bpf.o "
		 "%1$s/tests/link/ext_lib.bpf.o", build_dir(), path);
	assert_int_equal(system(cmd), 0);
	obj = bpf_object__open_file(path, NULL);
	assert_non_null(obj);
	assert_int_equal(bpf_object__load(obj), 0);
	p = bpf_object__find_program_by_name(obj, "caller_a");
	assert_non_null(p);
	assert_int_equal(run_pkt(bpf_program__fd(p), 64), XDP_PASS);
	m = bpf_object__find_map_by_name(obj, ".bss");
	assert_non_null(m);
	assert_true(bpf_map__value_size(m) <= sizeof(vals));
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(m), &key, vals), 0);
	/* .bss holds a_last and the library's lib_score_calls, in the linker's order */
	assert_true((vals[0] == 641 && vals[1] == 1) || (vals[0] == 1 && vals[1] == 641));
	bpf_object__close(obj);
	unlink(path);
}

static int make_tmp(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/lskel-link-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int remove_tmp(void **state)
{
	(void)state;
	return rmdir(tmp);	/* every case removed what it made: fails when one did not */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linked_chain),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_link_for_libbpf),
		cmocka_unit_test(test_link_bad_inputs),
		cmocka_unit_test(test_output_node_kept),
	};

	return cmocka_run_group_tests_name("extern functions across objects", tests, make_tmp,
					   remove_tmp);
}
