// SPDX-License-Identifier: BSD-2-Clause
/* The real-world corpus: every BPF object Debian ships in libxdp1, in libbpf-tools (embedded in
 * the tools' executables, extracted here) and in cilium-ebpf's testdata goes through lskel as
 * it goes through libbpf 1.1:
 * - lskel gen makes a skeleton; the skeleton compiles alone as C11 and as C++17;
 * - libbpf's bpf_object__load as-is and the skeleton's open + load have the same outcome;
 *   where both load, the kernel state is the same (tests/helpers/kstate.c); where both fail,
 *   lskel's error names the program or map libbpf names;
 * - big-endian objects are refused naming the file and the byte order.
 * Generation and compilation run in parallel (one worker per CPU), loads one at a time. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include "kstate.h"
#include "samples.h"

#define MAX_OBJS 256

enum outcome { OUT_NONE, OUT_OK, OUT_FAIL };

struct cobj {
	char group[16];
	char name[96];		/* file name without .o / .elf */
	char ident[96];		/* skeleton name: a C identifier */
	char path[600];
	/* libbpf */
	enum outcome lb;
	int lb_err;
	bool lb_open_failed;	/* refused by bpf_object__open, before any bpf() */
	char lb_names[4][96];	/* 'names' libbpf's messages give for the failure */
	int nr_lb_names;
	/* lskel */
	bool gen_ok, c11_ok, cxx_ok, drv_ok;
	enum outcome sk;
	char sk_msg[1024];
	int ndiff;
	char *diff;
	/* verdict */
	const char *verdict;
	bool bad;
};

static struct cobj objs[MAX_OBJS];
static int nr_objs;
static char work[512];

static void die(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fail_msg("%s", buf);
}

static void set_ident(struct cobj *o)
{
	size_t i;

	memcpy(o->ident, o->name, sizeof(o->ident));
	for (i = 0; o->ident[i]; i++)
		if (!((o->ident[i] >= 'a' && o->ident[i] <= 'z') ||
		      (o->ident[i] >= 'A' && o->ident[i] <= 'Z') ||
		      (o->ident[i] >= '0' && o->ident[i] <= '9')))
			o->ident[i] = '_';
}

static struct cobj *add_obj(const char *group, const char *name, const char *path)
{
	struct cobj *o;

	if (nr_objs == MAX_OBJS)
		die("more than %d corpus objects", MAX_OBJS);
	o = &objs[nr_objs++];
	snprintf(o->group, sizeof(o->group), "%s", group);
	snprintf(o->name, sizeof(o->name), "%s", name);
	snprintf(o->path, sizeof(o->path), "%s", path);
	set_ident(o);
	return o;
}

/* The files of installed Debian package @pkg ending in @suffix (with @dir in their path). */
static int package_files(const char *pkg, const char *dir, const char *suffix,
			 void (*fn)(const char *path))
{
	char cmd[256], line[1024];
	size_t ls = strlen(suffix);
	int n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "dpkg-query -L %s", pkg);	/* "not installed": in the log */
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t l;
		struct stat st;

		line[strcspn(line, "\n")] = 0;
		l = strlen(line);
		if (l < ls || strcmp(line + l - ls, suffix) || !strstr(line, dir))
			continue;
		if (lstat(line, &st) || !S_ISREG(st.st_mode))
			continue;	/* symlinked tools (ext4dist -> fsdist) are the same object */
		fn(line);
		n++;
	}
	pclose(f);
	return n;
}

static const char *base_of(const char *path, char *buf, size_t n, const char *strip)
{
	const char *b = strrchr(path, '/');
	size_t l;

	snprintf(buf, n, "%s", b ? b + 1 : path);
	l = strlen(buf);
	if (strip && l > strlen(strip) && !strcmp(buf + l - strlen(strip), strip))
		buf[l - strlen(strip)] = 0;
	return buf;
}

static void add_libxdp(const char *path)
{
	char n[128];

	add_obj("libxdp1", base_of(path, n, sizeof(n), ".o"), path);
}

static void add_cilium(const char *path)
{
	char n[128];

	add_obj("cilium", base_of(path, n, sizeof(n), ".elf"), path);
}

/* Extract the object embedded in a libbpf-tools executable (tests/corpus/extract.c). */
static void add_tool(const char *path)
{
	char n[128], cmd[2048], out[700];

	if (!strstr(path, "bin/"))
		return;
	base_of(path, n, sizeof(n), NULL);
	snprintf(out, sizeof(out), "%s/objs/%s", work, n);
	snprintf(cmd, sizeof(cmd), "%1$s/tests/corpus-extract '%2$s' '%3$s' > '%3$s.extract'",
		 build_dir(), path, out);
	if (system(cmd))
		return;		/* a script or a binary without an object */
	snprintf(out, sizeof(out), "%s/objs/%s.bpf.o", work, n);
	add_obj("libbpf-tools", n, out);
}

static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Generation and compilation of one object (in a worker process): files only. */
static void build_one(const struct cobj *o)
{
	const char *b = build_dir(), *w = work, *id = o->ident;

	if (run("%s/bin/lskel gen -n %s -o %s/skel/%s.lskel.h '%s' 2> %s/skel/%s.gen.err",
		b, id, w, id, o->path, w, id))
		_exit(0);
	run("%s/tests/corpus-cc.sh c11 %s/skel %s > %s/skel/%s.c11.err 2>&1 && "
	    "touch %s/skel/%s.c11.ok", b, w, id, w, id, w, id);
	run("%s/tests/corpus-cc.sh cxx17 %s/skel %s > %s/skel/%s.cxx.err 2>&1 && "
	    "touch %s/skel/%s.cxx.ok", b, w, id, w, id, w, id);
	run("%s/tests/corpus-cc.sh driver %s/skel %s > %s/skel/%s.drv.err 2>&1", b, w, id, w, id);
	run("test ! -f tests/corpus/%s.c || %s/tests/corpus-cc.sh run %s/skel %s > "
	    "%s/skel/%s.run.err 2>&1", id, b, w, id, w, id);
	_exit(0);
}

static void build_slots(void);

static void build_all(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i, running = 0, st;

	if (ncpu < 1)
		ncpu = 1;
	for (i = 0; i < nr_objs; i++) {
		pid_t p;

		if (running == ncpu) {
			wait(&st);
			running--;
		}
		p = fork();
		assert_true(p >= 0);
		if (!p)
			build_one(&objs[i]);
		running++;
	}
	build_slots();
	while (running-- > 0)
		wait(&st);
}

static const char *obj_path(const char *name)
{
	int i;

	for (i = 0; i < nr_objs; i++)
		if (!strcmp(objs[i].name, name))
			return objs[i].path;
	return NULL;
}

#define SLOTS_REPLACE "--replace 'xdpfilt_dny_all:xdpfilt_dny_all = " \
		      "xdp-dispatcher:xdp_dispatcher:prog0' --replace " \
		      "'xdpfilt_alw_all:xdpfilt_alw_all = xdp-dispatcher:xdp_dispatcher:prog1'"

/* libxdp's dispatcher with two xdpfilt programs in its slots: one chain skeleton. */
static void build_slots(void)
{
	const char *b = build_dir(), *w = work, *id = "xdp_dispatcher_slots";
	const char *d = obj_path("xdp-dispatcher"), *dny = obj_path("xdpfilt_dny_all");
	const char *alw = obj_path("xdpfilt_alw_all");

	if (!d || !dny || !alw)
		return;
	if (run("%s/bin/lskel gen -n %s " SLOTS_REPLACE " -o %s/skel/%s.lskel.h %s %s %s 2> "
		"%s/skel/%s.gen.err", b, id, w, id, d, dny, alw, w, id))
		return;
	run("%s/tests/corpus-cc.sh c11 %s/skel %s > %s/skel/%s.c11.err 2>&1 && "
	    "%s/tests/corpus-cc.sh cxx17 %s/skel %s > %s/skel/%s.cxx.err 2>&1 && "
	    "%s/tests/corpus-cc.sh run %s/skel %s > %s/skel/%s.run.err 2>&1",
	    b, w, id, w, id, b, w, id, w, id, b, w, id, w, id);
}

static bool exists(const char *fmt, const char *id, const char *ext)
{
	char p[700];

	snprintf(p, sizeof(p), fmt, work, id, ext);
	return !access(p, F_OK);
}

static void read_file(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t l = 0;

	buf[0] = 0;
	if (!f)
		return;
	l = fread(buf, 1, n - 1, f);
	buf[l] = 0;
	fclose(f);
}

/* The quoted names of "prog 'x'" / "map 'x'" in libbpf's messages about the failure. */
static void libbpf_names(struct cobj *o, const char *log)
{
	static const char *const keys[] = { "prog '", "map '", "program '" };
	const char *p;
	size_t k;

	for (k = 0; k < 3; k++) {
		for (p = strstr(log, keys[k]); p; p = strstr(p + 1, keys[k])) {
			const char *s = p + strlen(keys[k]), *e = strchr(s, '\'');
			char name[96];
			int i;

			if (!e || e - s >= (long)sizeof(name) || e == s)
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)(e - s), s);
			for (i = 0; i < o->nr_lb_names; i++)
				if (!strcmp(o->lb_names[i], name))
					break;
			if (i == o->nr_lb_names && o->nr_lb_names < 4)
				snprintf(o->lb_names[o->nr_lb_names++], 96, "%s", name);
		}
	}
}

static void rm_pins(const char *dir)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		return;
}

static void load_one(struct cobj *o)
{
	static char log[1 << 16], out[1 << 16];
	char pins_lb[100], pins_sk[100], pins_ref[100], cmd[2048], drv[700];
	struct libbpf_load_opts lo = { .log = log, .log_size = sizeof(log) };
	size_t l;
	FILE *f;

	snprintf(pins_lb, sizeof(pins_lb), "/sys/fs/bpf/lskel-corpus-%d-lb", getpid());
	snprintf(pins_sk, sizeof(pins_sk), "/sys/fs/bpf/lskel-corpus-%d-sk", getpid());
	snprintf(pins_ref, sizeof(pins_ref), "/sys/fs/bpf/lskel-corpus-%d-ref", getpid());
	mkdir(pins_lb, 0700);
	mkdir(pins_sk, 0700);
	mkdir(pins_ref, 0700);
	lo.pin_root = pins_lb;
	assert_int_equal(kstate_from_libbpf_ex(o->path, &lo, NULL, &o->lb_err), 0);
	o->lb = o->lb_err ? OUT_FAIL : OUT_OK;
	o->lb_open_failed = lo.open_failed;
	if (o->lb_err)
		libbpf_names(o, log);

	o->gen_ok = exists("%s/skel/%s%s", o->ident, ".lskel.h");
	o->c11_ok = exists("%s/skel/%s%s", o->ident, ".c11.ok");
	o->cxx_ok = exists("%s/skel/%s%s", o->ident, ".cxx.ok");
	snprintf(drv, sizeof(drv), "%s/skel/%s.drv", work, o->ident);
	o->drv_ok = !access(drv, X_OK);
	if (!o->gen_ok) {
		snprintf(cmd, sizeof(cmd), "%s/skel/%s.gen.err", work, o->ident);
		read_file(cmd, o->sk_msg, sizeof(o->sk_msg));
		o->sk = OUT_FAIL;
		goto out;
	}
	if (!o->drv_ok) {
		snprintf(cmd, sizeof(cmd), "%s/skel/%s.drv.err", work, o->ident);
		read_file(cmd, o->sk_msg, sizeof(o->sk_msg));
		o->sk = OUT_NONE;
		goto out;
	}
	snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' '%s'", drv, o->path, pins_sk, pins_ref);
	f = popen(cmd, "r");
	assert_non_null(f);
	l = fread(out, 1, sizeof(out) - 1, f);
	out[l] = 0;
	pclose(f);
	if (!strncmp(out, "LSKEL OK ", 9)) {
		o->sk = OUT_OK;
		o->ndiff = atoi(out + 9);
		if (o->ndiff)
			o->diff = strdup(strchr(out, '\n') ? strchr(out, '\n') + 1 : "");
	} else if (!strncmp(out, "LSKEL FAIL ", 11)) {
		o->sk = OUT_FAIL;
		snprintf(o->sk_msg, sizeof(o->sk_msg), "%.1000s", out + 11);
	} else {
		o->sk = OUT_NONE;
		snprintf(o->sk_msg, sizeof(o->sk_msg), "driver said: %.900s", out);
	}
out:
	o->sk_msg[strcspn(o->sk_msg, "\n")] = 0;
	rm_pins(pins_lb);
	rm_pins(pins_sk);
	rm_pins(pins_ref);
}

/* lskel's error must name what libbpf's names (quoted as lskel quotes it). An object libbpf
 * refuses at open, before any bpf(), may have several problems and each tool reports the
 * first it meets: there lskel must refuse it at generation, naming the file. */
static bool names_same(const struct cobj *o)
{
	char q[128];
	int i;

	if (o->lb_open_failed && !o->gen_ok)
		return strstr(o->sk_msg, o->path) != NULL;
	for (i = 0; i < o->nr_lb_names; i++) {
		snprintf(q, sizeof(q), "'%s'", o->lb_names[i]);
		if (strstr(o->sk_msg, q))
			return true;
	}
	return o->nr_lb_names == 0 && o->sk_msg[0];
}

static void judge(struct cobj *o)
{
	bool be = strstr(o->name, "-eb") != NULL;

	if (o->gen_ok && (!o->c11_ok || !o->cxx_ok)) {
		o->verdict = "HEADER";
		o->bad = true;
	} else if (be && o->group[0] == 'c') {
		o->bad = o->sk != OUT_FAIL || !strstr(o->sk_msg, "big-endian") ||
			 !strstr(o->sk_msg, o->path);
		o->verdict = o->bad ? "BE-NOT-REFUSED" : "refused (big-endian)";
	} else if (o->sk == OUT_NONE) {
		o->verdict = "DRIVER";
		o->bad = true;
	} else if (o->lb == OUT_OK && o->sk == OUT_OK) {
		o->bad = o->ndiff != 0;
		o->verdict = o->bad ? "STATE-DIFFERS" : "both load, same state";
	} else if (o->lb == OUT_OK) {
		o->verdict = "LSKEL-ONLY-FAILURE";
		o->bad = true;
	} else if (o->sk == OUT_OK) {
		o->verdict = "LIBBPF-ONLY-FAILURE";
		o->bad = true;
	} else {
		o->bad = !names_same(o);
		o->verdict = o->bad ? "FAIL-NAMES-DIFFER" : "both fail, same name";
	}
}

/* WORK/objs.list: the objects of this run ("GROUP\tNAME\tPATH"), so that a later run on another
 * kernel loads the same objects with the same generated skeletons and drivers. */
static void write_list(void)
{
	char path[600];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/objs.list", work);
	f = fopen(path, "w");
	if (!f)
		return;
	for (i = 0; i < nr_objs; i++)
		fprintf(f, "%s\t%s\t%s\n", objs[i].group, objs[i].name, objs[i].path);
	fclose(f);
}

/* LSK_CORPUS_PREBUILT=1 (make check-vm, in the 6.1 guest): the corpus an earlier run built
 * (WORK/objs.list, WORK/skel) loaded on the running kernel; nothing extracted or generated. */
static int read_list(void)
{
	char path[600], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/objs.list", work);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "LSK_CORPUS_PREBUILT: no %s: run test_corpus without it first\n",
			path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *name = strchr(line, '\t'), *p;

		line[strcspn(line, "\n")] = 0;
		p = name ? strchr(name + 1, '\t') : NULL;
		if (!p) {
			fclose(f);
			fprintf(stderr, "%s: bad line '%s'\n", path, line);
			return -1;
		}
		*name++ = 0;
		*p++ = 0;
		add_obj(line, name, p);
	}
	fclose(f);
	return nr_objs ? 0 : -1;
}

/* The kernel's major.minor ("6.18"), naming the outcome file of this run. */
static const char *kernel_label(void)
{
	static char l[sizeof(((struct utsname *)0)->release)];
	struct utsname u;
	char *d;

	if (!l[0] && !uname(&u)) {
		snprintf(l, sizeof(l), "%s", u.release);
		d = strchr(l, '.');
		d = d ? strchr(d + 1, '.') : NULL;
		if (d)
			*d = 0;
	}
	return l;
}

static void ensure_bpffs(void)
{
	struct statfs s;

	if (statfs("/sys/fs/bpf", &s) || s.f_type != BPF_FS_MAGIC)
		assert_int_equal(mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL), 0);
}

static int setup(void **state)
{
	int n;

	(void)state;
	snprintf(work, sizeof(work), "%s/corpus", build_dir());
	if (getenv("LSK_CORPUS_PREBUILT")) {
		ensure_bpffs();
		return read_list();
	}
	if (run("rm -rf %s && mkdir -p %s/objs %s/skel", work, work, work))
		return -1;
	n = package_files("libxdp1", "/bpf/", ".o", add_libxdp);
	if (n <= 0) {
		fprintf(stderr, "libxdp1 is not installed: run scripts/install-deps.sh\n");
		return -1;
	}
	n = package_files("libbpf-tools", "/", "", add_tool);
	if (n <= 0) {
		fprintf(stderr, "libbpf-tools is not installed: run scripts/install-deps.sh\n");
		return -1;
	}
	n = package_files("golang-github-cilium-ebpf-dev", "testdata/", ".elf", add_cilium);
	if (n <= 0) {
		fprintf(stderr, "golang-github-cilium-ebpf-dev is not installed: run "
			"scripts/install-deps.sh\n");
		return -1;
	}
	ensure_bpffs();
	build_all();
	write_list();
	return 0;
}

static void test_corpus(void **state)
{
	int i, agree = 0, lskel_only = 0, header = 0, bad = 0, gens = 0;
	int per_group[3][3] = {};	/* objects, agree, bad */
	static const char *const groups[] = { "libxdp1", "libbpf-tools", "cilium" };
	char opath[600];
	FILE *of;

	(void)state;
	/* WORK/outcome-KERNEL.txt: one line per object, joined across kernels by make check-vm */
	snprintf(opath, sizeof(opath), "%s/outcome-%s.txt", work, kernel_label());
	of = fopen(opath, "w");
	for (i = 0; i < nr_objs; i++) {
		struct cobj *o = &objs[i];
		int g = o->group[0] == 'l' ? (o->group[3] == 'x' ? 0 : 1) : 2;

		load_one(o);
		judge(o);
		gens += o->gen_ok;
		per_group[g][0]++;
		if (o->bad) {
			bad++;
			per_group[g][2]++;
		} else {
			agree++;
			per_group[g][1]++;
		}
		if (of)
			fprintf(of, "CORPUS %s %s %s %s %s %s\n", kernel_label(), o->group, o->name,
				o->lb == OUT_OK ? "ok" : "fail", o->sk == OUT_OK ? "ok" :
				o->sk == OUT_FAIL ? "fail" : "-", o->verdict);
		lskel_only += !strcmp(o->verdict, "LSKEL-ONLY-FAILURE");
		header += !strcmp(o->verdict, "HEADER");
		printf("  %-13s %-28s libbpf %-5s lskel %-5s %s\n", o->group, o->name,
		       o->lb == OUT_OK ? "ok" : "fail", o->sk == OUT_OK ? "ok" :
		       o->sk == OUT_FAIL ? "fail" : "-", o->verdict);
		if (o->bad || (o->sk == OUT_FAIL && getenv("LSK_CORPUS_VERBOSE")))
			printf("      lskel: %.300s\n      libbpf: %d, names:%s%s%s\n%s",
			       o->sk_msg, o->lb_err, o->nr_lb_names ? " " : " none",
			       o->nr_lb_names ? o->lb_names[0] : "",
			       o->nr_lb_names > 1 ? " ..." : "", o->diff ? o->diff : "");
	}
	if (of)
		fclose(of);
	printf("\n  corpus          objects  agree with libbpf  disagree\n");
	for (i = 0; i < 3; i++)
		printf("  %-15s %7d  %17d  %8d\n", groups[i], per_group[i][0], per_group[i][1],
		       per_group[i][2]);
	printf("  %-15s %7d  %17d  %8d\n", "all", nr_objs, agree, bad);
	printf("  lskel-only failures: %d (must be 0); header compile failures: %d of %d "
	       "generated headers (must be 0)\n", lskel_only, header, gens);
	assert_int_equal(lskel_only, 0);
	assert_int_equal(header, 0);
	assert_int_equal(bad, 0);
	assert_true(per_group[0][0] > 0 && per_group[1][0] > 0 && per_group[2][0] > 0);
}

/* libxdp's dispatcher configured as libxdp configures it, run with its slots empty
 * (tests/corpus/xdp_dispatcher.c): the verdict follows the config. */
static void test_libxdp_dispatcher(void **state)
{
	static const char *const want[] = {
		"CONF 0 0 0 -> RETVAL 2 RODATA same",			/* no program: XDP_PASS */
		"CONF 2 0x80000000 0 -> RETVAL 31 RODATA same",		/* slot 1 ends the chain */
		"CONF 2 0x80000004 0x80000004 -> RETVAL 2 RODATA same",	/* both chain on */
		"CONF 1 0x4 0 -> RETVAL 31 RODATA same",		/* slot 0 ends it */
	};
	char bin[600], cmd[700], out[4096];
	size_t n, i;
	FILE *f;

	(void)state;
	snprintf(bin, sizeof(bin), "%s/skel/xdp_dispatcher.run", work);
	if (access(bin, X_OK)) {
		snprintf(cmd, sizeof(cmd), "%s.err", bin);
		read_file(cmd, out, sizeof(out));
		fail_msg("the dispatcher test did not build:\n%s", out);
	}
	snprintf(cmd, sizeof(cmd), "%s 2>&1", bin);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	assert_int_equal(pclose(f), 0);
	printf("%s", out);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(out, want[i]))
			fail_msg("missing '%s'", want[i]);
}

/* The dispatcher's slots filled with xdpfilt programs as freplace: the trace is golden
 * (tests/golden/xdp_dispatcher_slots.trace, reviewed by hand: each component an EXT program
 * whose attach_btf_id is prog0/prog1 of the dispatcher's BTF and whose attach_prog_fd is
 * the dispatcher's fd), and the kernel test runs where EXT loads are allowed. */
static void test_libxdp_dispatcher_slots(void **state)
{
	char cmd[2048], out[4096], pins[128];
	size_t n;
	FILE *f;

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s/bin/lskel dump --trace " SLOTS_REPLACE " %s %s %s > "
		 "%s/slots.trace && cmp -s %s/slots.trace tests/golden/xdp_dispatcher_slots.trace"
		 " || { diff -u tests/golden/xdp_dispatcher_slots.trace %s/slots.trace | head -30;"
		 " exit 1; }", build_dir(), obj_path("xdp-dispatcher"),
		 obj_path("xdpfilt_dny_all"), obj_path("xdpfilt_alw_all"), work, work, work);
	if (system(cmd))
		fail_msg("the trace differs from tests/golden/xdp_dispatcher_slots.trace");
	snprintf(pins, sizeof(pins), "/sys/fs/bpf/lskel-slots-%d", getpid());
	mkdir(pins, 0700);
	snprintf(cmd, sizeof(cmd), "%s/skel/xdp_dispatcher_slots.run %s 2>&1", work, pins);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	n = pclose(f);
	rm_pins(pins);
	printf("%s", out);
	if (n)
		fail_msg("the slots test failed (is it built? %s/skel/xdp_dispatcher_slots.run.err)",
			 work);
	if (!strncmp(out, "SKIP: ", 6))
		return;
	if (!strstr(out, "CONF 1 0x80000000 0 -> RETVAL 1\n") ||
	    !strstr(out, "CONF 2 0x80000002 0x80000000 -> RETVAL 2\n"))
		fail_msg("unexpected verdicts");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_libxdp_dispatcher),
		cmocka_unit_test(test_libxdp_dispatcher_slots),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("real-world corpus: lskel vs libbpf 1.1", tests, setup,
					   NULL);
}
