// SPDX-License-Identifier: BSD-2-Clause
/* tests/bpftool-compat: user programs written against bpftool's light skeleton, unchanged,
 * built by one Makefile with `$(BPFTOOL) gen skeleton -L`: once with bpftool 7.1 (Debian's
 * package) and once with BPFTOOL=build/bin/lskel, run on this kernel, same output. Programs
 * using what only lskel's header offers (`make lskel`) are built with lskel alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* What each program prints with lskel's header, and with bpftool 7.1's where it differs
 * (what bpftool's header leaves out: the program says so). */
static const struct {
	const char *prog;
	const char *out;
	const char *bpftool_out;	/* NULL: the same; "": not built with bpftool */
} expect[] = {
	{ "hello", "packets=3 verdict=1\n", NULL },
	{ "types", "hits=3 calls=6 bytes=180 level=-2 tag=compat seen=1 limit=1000\n", NULL },
	{ "hidden", "sum=200 retval=2\n", NULL },
	{ "attach", "raw_hits=5 tracepoint counted 5\n", "raw_hits=5 tracepoint not attached\n" },
};

static const char *build_dir(void)
{
	const char *b = getenv("LSK_BUILD");

	return b ? b : "build";
}

/* The build directory as an absolute path (make runs in tests/bpftool-compat). */
static const char *abs_build(void)
{
	static char path[2048];
	char cwd[1024];

	if (build_dir()[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return build_dir();
	snprintf(path, sizeof(path), "%s/%s", cwd, build_dir());
	return path;
}

/* Build the programs with generator @bpftool into BUILD/compat-t-NAME; 0 on success. */
static int build_with(const char *name, const char *bpftool, const char *target)
{
	char cmd[8192], cwd[1024];

	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	snprintf(cmd, sizeof(cmd), "make -s -C tests/bpftool-compat O=%1$s/compat-t-%2$s "
		 "BPFTOOL=%3$s LSKEL_INCLUDE=%4$s/include %5$s > %1$s/compat-t-%2$s.log 2>&1",
		 abs_build(), name, bpftool, cwd, target);
	return system(cmd);
}

static void run_prog(const char *name, const char *prog, const char *want)
{
	char cmd[1024], out[512];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s/compat-t-%s/%s 2>&1", build_dir(), name, prog);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	if (pclose(f))
		fail_msg("%s built with %s failed: %s", prog, name, out);
	print_message("  %-8s %-7s %s", name, prog, out);
	assert_string_equal(out, want);
}

static void run_all(const char *name, int lskel)
{
	size_t i;

	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const char *want = lskel || !expect[i].bpftool_out ? expect[i].out :
				   expect[i].bpftool_out;

		if (want[0])
			run_prog(name, expect[i].prog, want);
	}
}

static void test_bpftool(void **state)
{
	(void)state;
	if (build_with("bpftool", "bpftool", "all"))
		fail_msg("bpftool 7.1 build failed (%s/compat-t-bpftool.log)", build_dir());
	run_all("bpftool", 0);
}

static void test_lskel(void **state)
{
	char tool[4096];

	(void)state;
	snprintf(tool, sizeof(tool), "%s/bin/lskel", abs_build());
	if (build_with("lskel", tool, "all lskel"))
		fail_msg("lskel build failed (%s/compat-t-lskel.log)", build_dir());
	run_all("lskel", 1);
	/* the same header as C++17: NAME__assert's checks are static_assert there */
	snprintf(tool, sizeof(tool), "printf '#include \"types.skel.h\"\\nint main() { "
		 "types__assert(nullptr); }\\n' | c++ -std=c++17 -Wall -Werror -I%1$s/compat-t-lskel "
		 "-Iinclude -x c++ - -o %1$s/compat-t-lskel/assert_cxx", abs_build());
	assert_int_equal(system(tool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpftool),
		cmocka_unit_test(test_lskel),
	};

	return cmocka_run_group_tests_name("bpftool compatibility", tests, NULL, NULL);
}
