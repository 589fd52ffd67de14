// SPDX-License-Identifier: BSD-2-Clause
/* tests/bpftool-compat: user programs written against bpftool's light skeleton, unchanged,
 * built by one Makefile with `$(BPFTOOL) gen skeleton -L`: once with bpftool 7.1 (Debian's
 * package) and once with BPFTOOL=build/bin/lskel, run on this kernel, same output. Programs
 * using what only lskel's header offers (`make lskel`) are built with lskel alone. */
#define _GNU_SOURCE	/* unshare */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <lskel/runtime.h>
#include "compile.h"
#include "exec_direct.h"
#include "loader_desc.h"
#include "obj.h"
#include "trace.h"
#include "err.h"
#include "tool.h"

/* "CONFIG_HZ=N\n" as this kernel's config says (main fills it). */
static char hz_line[64];

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
	{ "sizes", "events max=4 flows max=64 inserted=10 sent=1\n", NULL },
	{ "kconfig", hz_line, NULL },
	/* bpftool 7.1 leaves a '?' program out of its loader but not out of its fd slots:
	 * the next program's fd lands in its field */
	{ "optional", "not asked: fast left out, missing left out, optional_raw left out, "
	  "attach=0, verdict=2, runs=0\nasked: fast loaded, missing left out, optional_raw left "
	  "out, attach=0, verdict=1, runs=1\nentry left out: refused\n", "" },
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
	/* from scratch: the headers depend on the generator, which the Makefile cannot see */
	snprintf(cmd, sizeof(cmd), "rm -rf %1$s/compat-t-%2$s && "
		 "make -s -C tests/bpftool-compat O=%1$s/compat-t-%2$s "
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
		 "types__assert(nullptr); }\\n' | c++ -std=c++17 -Wall -Werror "
		 "-I%1$s/compat-t-lskel -Iinclude -x c++ - -o %1$s/compat-t-lskel/assert_cxx",
		 abs_build());
	assert_int_equal(system(tool), 0);
}

static __u32 map_max(int fd)
{
	struct bpf_map_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)))
		return 0;
	return info.max_entries;
}

/* Index of map @name of the single object of @t. */
static int map_idx(const struct lsk_trace *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->objs[0].obj->nr_maps; i++)
		if (!strcmp(t->objs[0].obj->maps[i].name, name))
			return i;
	fail_msg("no map '%s'", name);
	return -1;
}

/* The caller's max_entries reach MAP_CREATE the same way through the loader program and
 * through exec_direct (the oracle): with values, both create the maps that size; without,
 * both fail at the ring buffer's creation (a ring buffer has no size of its own). */
static void test_max_entries_oracle(void **state)
{
	char path[4096];
	struct lsk_obj *obj;
	struct lsk_trace *t;
	struct lsk_loader *l;
	struct lskel_desc d;
	struct lskel_ctx c;
	struct lsk_exec_error ee;
	struct lsk_exec_opts xo = { .fail_at = -1 };
	const void **ui;
	__u64 *in;
	__u32 ev = 8 * getpagesize(), fl = 100;
	int *fds, *xfds, e, f, round;

	(void)state;
	snprintf(path, sizeof(path), "%s/compat-t-lskel/sizes.bpf.o", abs_build());
	if (lsk_obj_open(path, &obj))
		fail_msg("%s", lsk_errmsg());
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	assert_int_equal(lsk_loader_compile(t, &l), 0);
	assert_int_equal(lsk_loader_desc(t, l, &d), 0);
	e = map_idx(t, "events");
	f = map_idx(t, "flows");
	assert_true(t->objs[0].max_input[e] >= 0 && t->objs[0].max_input[f] >= 0);
	in = calloc(t->nr_inputs + 1, 8);
	ui = calloc(t->nr_inputs + 1, sizeof(*ui));
	assert_true(in && ui);
	for (round = 0; round < 2; round++) {
		if (round) {
			in[t->objs[0].max_input[e]] = ev;
			in[t->objs[0].max_input[f]] = fl;
			ui[t->objs[0].max_input[e]] = &ev;
			ui[t->objs[0].max_input[f]] = &fl;
		}
		xo.user_init = ui;
		xo.nr_user_init = t->nr_inputs;
		memset(&c, 0, sizeof(c));
		if (!round) {	/* no size for the ring buffer: both refuse at its MAP_CREATE */
			assert_int_equal(lskel_run_loader(&d, in, &c, &fds), -EINVAL);
			assert_int_equal(c.failed_op, t->objs[0].map_op[e]);
			assert_int_equal(lsk_exec_direct(t, &xo, &xfds, &ee), -EINVAL);
			assert_int_equal(ee.op, t->objs[0].map_op[e]);
			print_message("  no size: both fail at op %d (%s)\n", ee.op, c.errmsg);
			continue;
		}
		if (lskel_run_loader(&d, in, &c, &fds))
			fail_msg("loader: %s", c.errmsg);
		if (lsk_exec_direct(t, &xo, &xfds, &ee))
			fail_msg("exec_direct: %s", lsk_errmsg());
		{
			int eo = t->objs[0].map_op[e], fo = t->objs[0].map_op[f];

			print_message("  loader: events %u flows %u; exec_direct: events %u "
				      "flows %u\n", map_max(fds[eo]), map_max(fds[fo]),
				      map_max(xfds[eo]), map_max(xfds[fo]));
			assert_int_equal(map_max(fds[eo]), ev);
			assert_int_equal(map_max(fds[fo]), fl);
			assert_int_equal(map_max(xfds[eo]), ev);
			assert_int_equal(map_max(xfds[fo]), fl);
		}
		for (e = 0; e < (int)t->nr_ops; e++)
			if (fds[e] >= 0)
				close(fds[e]);
		free(fds);
		lsk_exec_close(t, xfds);
	}
	free(in);
	free(ui);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

/* Index of program @name of the single object of @t. */
static int prog_idx(const struct lsk_trace *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->objs[0].obj->nr_progs; i++)
		if (!strcmp(t->objs[0].obj->progs[i].name, name))
			return i;
	fail_msg("no program '%s'", name);
	return -1;
}

/* SEC("?...") programs: the loader program and exec_direct leave out the same programs
 * (and the prog-array slot naming one), and load it when its autoload input is set. */
static void test_autoload_oracle(void **state)
{
	static const char *const names[] = { "fast", "missing", "optional_raw", "entry" };
	char path[4096];
	struct lsk_obj *obj;
	struct lsk_trace *t;
	struct lsk_loader *l;
	struct lskel_desc d;
	struct lskel_ctx c;
	struct lsk_exec_error ee;
	struct lsk_exec_opts xo = { .fail_at = -1 };
	const void **ui;
	__u64 *in;
	__u32 one = 1;
	int *fds, *xfds, fast, round, i, k;

	(void)state;
	snprintf(path, sizeof(path), "%s/compat-t-lskel/optional.bpf.o", abs_build());
	if (lsk_obj_open(path, &obj))
		fail_msg("%s", lsk_errmsg());
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	assert_int_equal(lsk_loader_compile(t, &l), 0);
	assert_int_equal(lsk_loader_desc(t, l, &d), 0);
	fast = prog_idx(t, "fast");
	assert_true(t->objs[0].prog_input[fast] >= 0);
	assert_int_equal(t->objs[0].prog_input[prog_idx(t, "entry")], -1);
	in = calloc(t->nr_inputs + 1, 8);
	ui = calloc(t->nr_inputs + 1, sizeof(*ui));
	assert_true(in && ui);
	for (round = 0; round < 2; round++) {
		in[t->objs[0].prog_input[fast]] = round;
		ui[t->objs[0].prog_input[fast]] = round ? &one : NULL;
		xo.user_init = ui;
		xo.nr_user_init = t->nr_inputs;
		memset(&c, 0, sizeof(c));
		if (lskel_run_loader(&d, in, &c, &fds))
			fail_msg("loader: %s", c.errmsg);
		if (lsk_exec_direct(t, &xo, &xfds, &ee))
			fail_msg("exec_direct: %s", lsk_errmsg());
		print_message("  fast %s:", round ? "asked" : "not asked");
		for (i = 0; i < 4; i++) {
			int op = t->objs[0].prog_op[prog_idx(t, names[i])];

			print_message(" %s %s/%s", names[i], fds[op] >= 0 ? "loaded" : "-",
				      xfds[op] >= 0 ? "loaded" : "-");
			assert_int_equal(fds[op] >= 0, xfds[op] >= 0);
			assert_int_equal(fds[op] >= 0, i == 3 || (i == 0 && round));
		}
		print_message(" (loader/exec_direct)\n");
		for (k = 0; k < (int)t->nr_ops; k++)
			if (fds[k] >= 0)
				close(fds[k]);
		free(fds);
		lsk_exec_close(t, xfds);
	}
	free(in);
	free(ui);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Where CONFIG_* values come from, with no -lz at link time: the plain-text
 * /boot/config-$(uname -r) first, LSKEL_KCONFIG_PATH (a .gz through dlopen'ed zlib) when
 * set, /proc/config.gz otherwise (test_lskel ran with only that one here). */
static void test_kconfig_sources(void **state)
{
	char cmd[8192], bin[4096];
	const char *b = abs_build();

	(void)state;
	snprintf(bin, sizeof(bin), "%s/compat-t-lskel/kconfig", b);
	snprintf(cmd, sizeof(cmd), "ldd %s | grep -q libz", bin);
	assert_int_not_equal(sh(cmd), 0);	/* not linked with zlib */
	if (!tool_found("unshare")) {
		print_message("SKIP: no unshare(1) for a private /boot\n");
		skip();
	}
	snprintf(cmd, sizeof(cmd), "unshare -m sh -ec 'mount -t tmpfs none /boot; "
		 "echo CONFIG_HZ=123 > /boot/config-$(uname -r); %s' | grep -qx CONFIG_HZ=123",
		 bin);
	assert_int_equal(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "echo CONFIG_HZ=77 | gzip > %1$s/compat-t-lskel/hz.gz && "
		 "LSKEL_KCONFIG_PATH=%1$s/compat-t-lskel/hz.gz %2$s | grep -qx CONFIG_HZ=77", b,
		 bin);
	assert_int_equal(sh(cmd), 0);
	print_message("  /boot/config-$(uname -r) read first; a .gz read through libz.so.1\n");
}

/* The .kconfig map's value (@size bytes) made by an executor: map op @op of @fds. */
static int kcfg_value(const int *fds, int op, void *val)
{
	__u32 key = 0;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fds[op];
	a.key = (__u64)(uintptr_t)&key;
	a.value = (__u64)(uintptr_t)val;
	return syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) ? -errno : 0;
}

/* In a private /boot: CONFIG_HZ from /boot/config-$(uname -r) (@want 123), or from
 * $LSKEL_KCONFIG_PATH (@want 77), through the loader program and through exec_direct. 0 when
 * both read @want, else 1 (with a message). */
static int kcfg_both(const struct lsk_trace *t, const struct lskel_desc *d, int op, int want)
{
	struct lsk_exec_opts xo = { .fail_at = -1 };
	struct lsk_exec_error ee;
	struct lskel_ctx c;
	int *fds = NULL, *xfds = NULL, v[2] = { -1, -1 }, ret = 1;

	memset(&c, 0, sizeof(c));
	if (lskel_run_loader(d, NULL, &c, &fds)) {
		fprintf(stderr, "loader: %s\n", c.errmsg);
		return 1;
	}
	if (lsk_exec_direct(t, &xo, &xfds, &ee)) {
		fprintf(stderr, "exec_direct: %s\n", lsk_errmsg());
		xfds = NULL;
	} else if (!kcfg_value(fds, op, &v[0]) && !kcfg_value(xfds, op, &v[1])) {
		fprintf(stderr, "  CONFIG_HZ: loader %d, exec_direct %d (want %d)\n", v[0], v[1],
			want);
		ret = v[0] != want || v[1] != want;
	}
	lsk_exec_close(t, xfds);
	for (op = 0; op < (int)t->nr_ops; op++)
		if (fds[op] >= 0)
			close(fds[op]);
	free(fds);
	return ret;
}

/* A value that does not fit its extern (CONFIG_HZ is an int): both executors refuse it with
 * ERANGE, as libbpf does. 0 when both did, else 1. */
static int kcfg_refused(const struct lsk_trace *t, const struct lskel_desc *d)
{
	struct lsk_exec_opts xo = { .fail_at = -1 };
	struct lsk_exec_error ee;
	struct lskel_ctx c;
	int *fds = NULL, *xfds = NULL, e1, e2;

	memset(&c, 0, sizeof(c));
	e1 = lskel_run_loader(d, NULL, &c, &fds);
	e2 = lsk_exec_direct(t, &xo, &xfds, &ee);
	fprintf(stderr, "  CONFIG_HZ=4294967296: loader %d (%s), exec_direct %d (%s)\n", e1,
		c.errmsg, e2, lsk_errmsg());
	if (!e1)
		lsk_exec_close(t, fds);	/* the same per-op fd table */
	if (!e2)
		lsk_exec_close(t, xfds);
	return e1 != -ERANGE || e2 != -ERANGE;
}

/* Both executors take CONFIG_* values from the same config (one implementation, the
 * runtime's): with /boot/config-$(uname -r) and /proc/config.gz both present, from /boot
 * (libbpf's order); from LSKEL_KCONFIG_PATH when set; a value too big for its extern refused
 * by both. In a child with a private /boot. */
static void test_kconfig_oracle(void **state)
{
	char path[8192], cfg[512], gz[4096];
	struct lsk_obj *obj;
	struct lsk_trace *t;
	struct lsk_loader *l;
	struct lskel_desc d;
	struct utsname u;
	int status, op;
	pid_t pid;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/compat-t-lskel/kconfig.bpf.o", abs_build());
	if (lsk_obj_open(path, &obj))
		fail_msg("%s", lsk_errmsg());
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	assert_int_equal(lsk_loader_compile(t, &l), 0);
	assert_int_equal(lsk_loader_desc(t, l, &d), 0);
	op = t->objs[0].map_op[map_idx(t, ".kconfig")];
	assert_int_equal(uname(&u), 0);
	snprintf(cfg, sizeof(cfg), "/boot/config-%s", u.release);
	snprintf(gz, sizeof(gz), "%s/compat-t-lskel/hz77.gz", abs_build());
	snprintf(path, sizeof(path), "echo CONFIG_HZ=77 | gzip > %s", gz);
	assert_int_equal(sh(path), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		unsetenv("LSKEL_KCONFIG_PATH");
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("none", "/boot", "tmpfs", 0, NULL)) {
			perror("private /boot");
			_exit(2);
		}
		f = fopen(cfg, "w");
		if (!f || fputs("CONFIG_HZ=123\n", f) < 0 || fclose(f))
			_exit(2);
		if (access("/proc/config.gz", R_OK))
			fprintf(stderr, "  (no /proc/config.gz here: /boot is the only config)\n");
		if (kcfg_both(t, &d, op, 123))
			_exit(1);
		setenv("LSKEL_KCONFIG_PATH", gz, 1);
		if (kcfg_both(t, &d, op, 77))
			_exit(1);
		f = fopen(cfg, "w");
		if (!f || fputs("CONFIG_HZ=4294967296\n", f) < 0 || fclose(f))
			_exit(2);
		unsetenv("LSKEL_KCONFIG_PATH");
		_exit(kcfg_refused(t, &d));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		print_message("SKIP: no private mount namespace for /boot\n");
		skip();
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* maps.M.max_entries on a LIBBPF_PIN_BY_NAME map (lskel only: bpftool 7.1's light skeleton
 * does not pin): a second load with the same size reuses the first one's pin. */
static void test_pinned_size(void **state)
{
	char dir[] = "/sys/fs/bpf/lskel-compat-XXXXXX", cmd[8192];

	(void)state;
	if (!mkdtemp(dir))
		fail_msg("mkdtemp %s failed", dir);
	snprintf(cmd, sizeof(cmd), "%s/compat-t-lskel/pinsize %s | grep -qx 'first max=64, "
		 "second max=64, the same pinned map'", abs_build(), dir);
	if (sh(cmd)) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		sh(cmd);
		fail_msg("pinsize: the second load did not reuse the pin of the same size");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(sh(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpftool),
		cmocka_unit_test(test_lskel),
		cmocka_unit_test(test_max_entries_oracle),
		cmocka_unit_test(test_autoload_oracle),
		cmocka_unit_test(test_kconfig_sources),
		cmocka_unit_test(test_kconfig_oracle),
		cmocka_unit_test(test_pinned_size),
	};

	FILE *f = popen("zcat /proc/config.gz | grep '^CONFIG_HZ='", "r");

	if (!f || !fgets(hz_line, sizeof(hz_line), f)) {
		fprintf(stderr, "test_compat: cannot read CONFIG_HZ from /proc/config.gz\n");
		return 1;
	}
	pclose(f);
	return cmocka_run_group_tests_name("bpftool compatibility", tests, NULL, NULL);
}
