// SPDX-License-Identifier: BSD-2-Clause
/* Hostile and careless use: every verb on inputs that are missing, empty, not ELF, cut short,
 * directories, FIFOs, device nodes, sparse 300 MiB files; every writer on outputs that are
 * device nodes, FIFOs, directories, symlinks and existing files; the skeleton API misused
 * (load twice, attach before load, NULL, a failed open, corrupted descriptors, tiny logs);
 * low fd limits; loads killed by signals; loaders racing to pin one map. After every case the
 * kernel holds no new object and the process no new fd. Everything the suite makes lives in
 * its own temporary directory (a bpffs mounted there, in a private mount namespace). */
#define _GNU_SOURCE
/* An mmap that fails on demand: the runtime (header-only) then fails part-way through open. */
#include <sys/mman.h>
static int mmap_fail_in;	/* fail the Nth mmap from now (0: never) */
static void *hostile_mmap(void *a, size_t len, int prot, int flags, int fd, off_t off)
{
	if (mmap_fail_in && !--mmap_fail_in)
		return MAP_FAILED;
	return mmap(a, len, prot, flags, fd, off);
}
#define mmap hostile_mmap
/* The pin race made deterministic: another loader pins the map between lookup and pin. */
static void pin_race_hook(const char *path);
#define LSKEL_PIN_RACE_HOOK(path) pin_race_hook(path)
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "core_read.lskel.h"	/* first: it wants zlib for /proc/config.gz */
#include "tp_counter.lskel.h"
#include "pinned.lskel.h"
#include "scale1000.lskel.h"
#include "signed_tp.lskel.h"
#include <lskel/container.h>
#undef mmap
#include "kstate.h"
#include "samples.h"

static char tmp[64];		/* the suite's directory: every path it makes is below */
static char bpffs[96];		/* a bpffs mounted at tmp/bpf */
static unsigned int cases;	/* cases tried, printed at the end */

static void pathf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void pathf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	assert_true(len > 0 && (size_t)len < n);
}

/* Kernel objects and fds of this process, before a case. */
struct watch {
	struct id_set ids[4];
	int fds;
};

static void watch_start(struct watch *w)
{
	memset(w, 0, sizeof(*w));
	assert_int_equal(ids_snapshot(w->ids), 0);
	w->fds = count_fds();
	cases++;
}

/* Nothing stays: no new prog/map/btf/link id, no new fd, no temporary file in tmp. */
static void watch_end(struct watch *w, const char *what)
{
	char left[512];
	struct dirent *e;
	DIR *d;

	if (ids_wait_gone(w->ids, left, sizeof(left)))
		fail_msg("%s: kernel objects left behind: %s", what, left);
	ids_free(w->ids);
	if (count_fds() != w->fds)
		fail_msg("%s: %d fds open, %d before", what, count_fds(), w->fds);
	d = opendir(tmp);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strstr(e->d_name, "lskel-out-") || strstr(e->d_name, "lskel-dispatch-"))
			fail_msg("%s: left a temporary file %s/%s", what, tmp, e->d_name);
	closedir(d);
}

/* Run argv with stdout/stderr into tmp/out and tmp/err; fails the test on a signal or after
 * 60 s. Returns the exit code; *err gets stderr. @nobody: run as uid/gid 65534. */
static int run_argv(char *const *argv, char *err, size_t n, int nobody)
{
	char out_path[128], err_path[128];
	int status, fd, i;
	pid_t pid;
	ssize_t len;

	pathf(out_path, sizeof(out_path), "%s/out", tmp);
	pathf(err_path, sizeof(err_path), "%s/err", tmp);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		close(0);
		if (nobody && (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
			_exit(99);
		execv(argv[0], argv);
		_exit(98);
	}
	for (i = 0; i < 6000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(10000);
	}
	if (i == 6000) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("%s %s: still running after 60 s", argv[0], argv[1]);
	}
	if (WIFSIGNALED(status))
		fail_msg("%s %s ...: killed by signal %d", argv[0], argv[1], WTERMSIG(status));
	fd = open(err_path, O_RDONLY);
	len = fd >= 0 ? read(fd, err, n - 1) : -1;
	err[len > 0 ? len : 0] = '\0';
	if (fd >= 0)
		close(fd);
	unlink(out_path);
	unlink(err_path);
	assert_true(WEXITSTATUS(status) < 98);
	return WEXITSTATUS(status);
}

/* Split a command line (single spaces, no quoting) and run it. */
static int run_line(const char *line, char *err, size_t n, int nobody)
{
	char buf[2048], *argv[32], *save = NULL, *tok;
	int argc = 0;

	pathf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return run_argv(argv, err, n, nobody);
}

static const char *lskel(void)
{
	static char p[256];

	pathf(p, sizeof(p), "%s/bin/lskel", build_dir());
	return p;
}

static const char *lskel_run(void)
{
	static char p[256];

	pathf(p, sizeof(p), "%s/bin/lskel-run", build_dir());
	return p;
}

static void copy_file(const char *from, const char *to, size_t max)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	assert_true(in >= 0 && out >= 0);
	while (max && (n = read(in, buf, max < sizeof(buf) ? max : sizeof(buf))) > 0) {
		assert_int_equal(write(out, buf, n), n);
		max -= n;
	}
	close(in);
	close(out);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* ---------------------------------------------------------------- inputs */

/* Kinds of bad input, made once in tmp/in. */
struct in_kind {
	const char *name;
	const char *path;	/* below tmp/in */
	int regular;		/* an ordinary file lskel may accept as an option file */
};

static const struct in_kind in_kinds[] = {
	{ "missing", "nosuch.bpf.o", 0 },
	{ "empty", "empty.bpf.o", 1 },
	{ "text", "text.bpf.o", 1 },
	{ "truncated ELF", "cut.bpf.o", 1 },
	{ "32-bit ELF", "elf32.bpf.o", 1 },
	{ "host object", "host.o", 1 },
	{ "directory", "dir.bpf.o", 0 },
	{ "FIFO", "fifo.bpf.o", 0 },
	{ "character device (zero)", "zero.bpf.o", 0 },
	{ "character device (null)", "null.bpf.o", 0 },
	{ "symlink to a FIFO", "link.bpf.o", 0 },
	{ "sparse 300 MiB", "big.bpf.o", 0 },
	{ "unreadable (as nobody)", "noread.bpf.o", 0 },
	{ "path with '*/'", "x*/y.bpf.o", 0 },
};
#define NR_IN_KINDS (sizeof(in_kinds) / sizeof(in_kinds[0]))

static void make_inputs(void)
{
	char p[256], obj[256], host[256];
	unsigned char c = 1;
	int fd;

	sample_path(obj, sizeof(obj), "tp_counter");
	pathf(p, sizeof(p), "%s/in", tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	pathf(p, sizeof(p), "%s/in/empty.bpf.o", tmp);
	write_text(p, "");
	pathf(p, sizeof(p), "%s/in/text.bpf.o", tmp);
	write_text(p, "slot nonsense\nnot an object\n");
	pathf(p, sizeof(p), "%s/in/cut.bpf.o", tmp);
	copy_file(obj, p, 200);
	pathf(p, sizeof(p), "%s/in/elf32.bpf.o", tmp);
	copy_file(obj, p, (size_t)-1);
	fd = open(p, O_WRONLY);
	assert_int_equal(pwrite(fd, &c, 1, 4), 1);	/* EI_CLASS = ELFCLASS32 */
	close(fd);
	pathf(host, sizeof(host), "%s/obj/util/err.o", build_dir());
	pathf(p, sizeof(p), "%s/in/host.o", tmp);
	copy_file(host, p, (size_t)-1);
	pathf(p, sizeof(p), "%s/in/dir.bpf.o", tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	pathf(p, sizeof(p), "%s/in/fifo.bpf.o", tmp);
	assert_int_equal(mkfifo(p, 0644), 0);
	pathf(p, sizeof(p), "%s/in/zero.bpf.o", tmp);
	assert_int_equal(mknod(p, S_IFCHR | 0644, makedev(1, 5)), 0);
	pathf(p, sizeof(p), "%s/in/null.bpf.o", tmp);
	assert_int_equal(mknod(p, S_IFCHR | 0644, makedev(1, 3)), 0);
	pathf(p, sizeof(p), "%s/in/link.bpf.o", tmp);
	assert_int_equal(symlink("fifo.bpf.o", p), 0);
	pathf(p, sizeof(p), "%s/in/big.bpf.o", tmp);
	copy_file(obj, p, (size_t)-1);
	assert_int_equal(truncate(p, 300 << 20), 0);	/* sparse: no disk used */
	pathf(p, sizeof(p), "%s/in/noread.bpf.o", tmp);
	copy_file(obj, p, (size_t)-1);
	assert_int_equal(chmod(p, 0), 0);
	pathf(p, sizeof(p), "%s/in/x*", tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	pathf(p, sizeof(p), "%s/in/x*/y.bpf.o", tmp);
	copy_file(obj, p, (size_t)-1);
	pathf(p, sizeof(p), "%s/out.d", tmp);	/* outputs of the input matrix */
	assert_int_equal(mkdir(p, 0755), 0);
	{	/* a container with kconfig externs, for lskel-run --kconfig */
		char line[1024], err[1024];

		sample_path(obj, sizeof(obj), "core_read");
		pathf(line, sizeof(line), "%s gen --format blob -o %s/in/core_read.lskel %s", lskel(),
		      tmp, obj);
		assert_int_equal(run_line(line, err, sizeof(err), 0), 0);
	}
}

/* A verb with IN where the bad input goes; OUT, OBJ, CERT, SPEC, SIGNED filled in. The
 * object verbs must refuse every kind; option files may be accepted when regular. */
struct verb {
	const char *fmt;
	int object;		/* IN is an object or container: every kind refused */
	int nobody_ok;		/* can run as nobody (no kernel, no root-only paths) */
};

static const struct verb verbs[] = {
	{ "L gen -o OUT IN", 1, 1 },
	{ "L gen --format blob -o OUT IN", 1, 1 },
	{ "L gen --subskeleton -o OUT IN", 1, 1 },
	{ "L gen skeleton IN", 1, 1 },
	{ "L dump IN", 1, 1 },
	{ "L dump --loader IN", 1, 1 },
	{ "L exec IN", 1, 0 },
	{ "L link -o OUT IN", 1, 1 },
	{ "L verify --cert CERT IN", 1, 1 },
	{ "L gen -o OUT OBJ IN", 1, 1 },
	{ "L verify --cert IN SIGNED", 0, 1 },
	{ "L gen --chain IN -o OUT OBJ", 0, 1 },
	{ "L gen --dispatcher IN -o OUT OBJ", 0, 1 },
	{ "L dispatcher -o OUT IN", 0, 1 },
	{ "L gen --sign --key IN --cert CERT -o OUT OBJ", 0, 1 },
	{ "R IN", 1, 0 },
	{ "R --json --no-attach --pin-dir PIN IN", 1, 0 },
	{ "R --kconfig IN --no-attach --pin-dir PIN KCNT", 0, 0 },
};
#define NR_VERBS (sizeof(verbs) / sizeof(verbs[0]))

/* @fmt with its placeholders replaced. */
static void expand(char *buf, size_t n, const char *fmt, const char *in, const char *out)
{
	char obj[256], cert[256], signed_h[256], pin[128], kcnt[128];
	const char *p;
	size_t len = 0;

	sample_path(obj, sizeof(obj), "tp_counter");
	pathf(cert, sizeof(cert), "%s/sign/cert.pem", build_dir());
	pathf(signed_h, sizeof(signed_h), "%s/skel/signed_tp.lskel.h", build_dir());
	pathf(pin, sizeof(pin), "%s/run", bpffs);
	pathf(kcnt, sizeof(kcnt), "%s/in/core_read.lskel", tmp);
	for (p = fmt; *p; ) {
		const char *rep = NULL;
		size_t skip = 1;

		if (!strncmp(p, "L ", 2)) {
			rep = lskel(), skip = 1;
		} else if (!strncmp(p, "R ", 2)) {
			rep = lskel_run(), skip = 1;
		} else if (!strncmp(p, "IN", 2)) {
			rep = in, skip = 2;
		} else if (!strncmp(p, "OUT", 3)) {
			rep = out, skip = 3;
		} else if (!strncmp(p, "OBJ", 3)) {
			rep = obj, skip = 3;
		} else if (!strncmp(p, "CERT", 4)) {
			rep = cert, skip = 4;
		} else if (!strncmp(p, "SIGNED", 6)) {
			rep = signed_h, skip = 6;
		} else if (!strncmp(p, "PIN", 3)) {
			rep = pin, skip = 3;
		} else if (!strncmp(p, "KCNT", 4)) {
			rep = kcnt, skip = 4;
		}
		if (rep && p != fmt && p[-1] != ' ')
			rep = NULL;	/* only whole words */
		if (rep) {
			len += snprintf(buf + len, n - len, "%s", rep);
			p += skip;
		} else {
			buf[len++] = *p++;
		}
		assert_true(len < n);
	}
	buf[len] = '\0';
}

/* Every verb on every kind of bad input: refused (exit 1) by name, promptly, no crash, no
 * output file, nothing loaded, no fd or temporary file left. */
static void test_bad_inputs(void **state)
{
	char line[2048], in[256], out[256], err[4096];
	size_t v, k;

	(void)state;
	make_inputs();
	for (v = 0; v < NR_VERBS; v++) {
		for (k = 0; k < NR_IN_KINDS; k++) {
			const struct in_kind *ik = &in_kinds[k];
			int nobody = !strcmp(ik->name, "unreadable (as nobody)");
			struct watch w;
			struct stat st;
			int rc;

			if (nobody && !verbs[v].nobody_ok)
				continue;
			pathf(in, sizeof(in), "%s/in/%s", tmp, ik->path);
			pathf(out, sizeof(out), "%s/out.d/o%zu_%zu", tmp, v, k);
			expand(line, sizeof(line), verbs[v].fmt, in, out);
			watch_start(&w);
			rc = run_line(line, err, sizeof(err), nobody);
			if (rc != 0 && !err[0])
				fail_msg("%s: exit %d without a message", line, rc);
			if (rc == 0 && (verbs[v].object || !ik->regular))
				fail_msg("%s (%s): accepted", line, ik->name);
			if (rc == 2)
				fail_msg("%s (%s): usage error: %s", line, ik->name, err);
			/* a regular option file's contents: the reader's own message */
			if (rc && !strstr(err, strrchr(in, '/') + 1) && !nobody &&
			    (verbs[v].object || !ik->regular))
				fail_msg("%s (%s): the message does not name the input: %s", line,
					 ik->name, err);
			if (rc && stat(out, &st) == 0)
				fail_msg("%s (%s): failed but wrote %s", line, ik->name, out);
			unlink(out);
			watch_end(&w, line);
		}
	}
	/* the inputs are as they were */
	pathf(in, sizeof(in), "%s/in/fifo.bpf.o", tmp);
	assert_int_equal(stat(in, &(struct stat){}), 0);
	{
		struct stat st;

		assert_int_equal(stat(in, &st), 0);
		assert_true(S_ISFIFO(st.st_mode));
		pathf(in, sizeof(in), "%s/in/null.bpf.o", tmp);
		assert_int_equal(stat(in, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
	}
}

/* ---------------------------------------------------------------- outputs */

/* What a writer makes: the command, and the same command made to fail. */
struct writer {
	const char *name;
	const char *ok, *bad;
};

static const struct writer writers[] = {
	{ "gen", "L gen -o OUT S/samples/tp_counter.bpf.o",
	  "L gen -o OUT S/tests/bpf/mismatch_a.bpf.o S/tests/bpf/mismatch_b.bpf.o" },
	{ "gen blob", "L gen --format blob -o OUT S/samples/tp_counter.bpf.o",
	  "L gen --format blob -o OUT S/tests/bpf/mismatch_a.bpf.o S/tests/bpf/mismatch_b.bpf.o" },
	{ "subskeleton", "L gen --subskeleton -o OUT S/samples/tp_counter.bpf.o",
	  "L gen --subskeleton -o OUT S/samples/tp_counter.bpf.o S/samples/xdp_tail.bpf.o" },
	{ "link", "L link -o OUT S/tests/link/ext_caller_a.bpf.o S/tests/link/ext_lib.bpf.o",
	  "L link -o OUT S/tests/link/ext_mismatch.bpf.o S/tests/link/ext_lib.bpf.o" },
	{ "dispatcher C", "L dispatcher --emit-c -o OUT samples/dispatch/dsp.spec",
	  "L dispatcher --emit-c -o OUT T/in/text.bpf.o" },
	{ "dispatcher", "L dispatcher -o OUT samples/dispatch/dsp.spec",
	  "L dispatcher -o OUT T/in/text.bpf.o" },
};
#define NR_WRITERS (sizeof(writers) / sizeof(writers[0]))

enum out_kind {
	OUT_NONE, OUT_REGULAR, OUT_SYMLINK, OUT_DANGLING, OUT_CHR, OUT_FIFO, OUT_DIR,
	OUT_NODIR, OUT_LINK_CHR, NR_OUT_KINDS
};

static const char *const out_names[] = {
	"new file", "existing file (0640)", "symlink to a file", "dangling symlink",
	"character device", "FIFO", "directory", "file in a missing directory",
	"symlink to a character device",
};

static void writer_line(char *buf, size_t n, const char *fmt, const char *out)
{
	char tmp_fmt[1024], *p;
	size_t len = 0;
	const char *s;

	for (s = fmt; *s; s++) {	/* S -> build dir, T -> tmp */
		if ((*s == 'S' || *s == 'T') && s[1] == '/' && (s == fmt || s[-1] == ' '))
			len += snprintf(tmp_fmt + len, sizeof(tmp_fmt) - len, "%s",
					*s == 'S' ? build_dir() : tmp);
		else
			tmp_fmt[len++] = *s;
		assert_true(len < sizeof(tmp_fmt));
	}
	tmp_fmt[len] = '\0';
	p = tmp_fmt;
	expand(buf, n, p, "", out);
}

/* Make the output of kind @k at tmp/o/NAME; returns the path -o gets. */
static void make_output(enum out_kind k, char *path, size_t n, char *aux, size_t an)
{
	char d[128];

	pathf(d, sizeof(d), "%s/o", tmp);
	mkdir(d, 0755);
	pathf(aux, an, "%s/o/target", tmp);
	pathf(path, n, "%s/o/out", tmp);
	switch (k) {
	case OUT_NONE:
		break;
	case OUT_REGULAR:
		write_text(path, "KEEP");
		assert_int_equal(chmod(path, 0640), 0);
		break;
	case OUT_SYMLINK:
		write_text(aux, "KEEP");
		assert_int_equal(chmod(aux, 0640), 0);
		assert_int_equal(symlink("target", path), 0);
		break;
	case OUT_DANGLING:
		assert_int_equal(symlink("target", path), 0);
		break;
	case OUT_CHR:
		assert_int_equal(mknod(path, S_IFCHR | 0666, makedev(1, 3)), 0);
		break;
	case OUT_LINK_CHR:
		assert_int_equal(mknod(aux, S_IFCHR | 0666, makedev(1, 3)), 0);
		assert_int_equal(symlink("target", path), 0);
		break;
	case OUT_FIFO:
		assert_int_equal(mkfifo(path, 0644), 0);
		break;
	case OUT_DIR:
		assert_int_equal(mkdir(path, 0755), 0);
		break;
	case OUT_NODIR:
		pathf(path, n, "%s/o/missing/out", tmp);
		break;
	default:
		break;
	}
}

static void remove_output(void)
{
	char p[256];

	pathf(p, sizeof(p), "%s/o/out", tmp);
	if (unlink(p))
		rmdir(p);
	pathf(p, sizeof(p), "%s/o/target", tmp);
	unlink(p);
	pathf(p, sizeof(p), "%s/o/fifo.read", tmp);
	unlink(p);
	pathf(p, sizeof(p), "%s/o", tmp);
	assert_int_equal(rmdir(p), 0);	/* nothing else was made there */
}

static int file_is(const char *path, const char *text)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) && !memcmp(buf, text, n);
}

/* A reader of the FIFO at @path copying into tmp/o/fifo.read. */
static pid_t fifo_reader(const char *path)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		char buf[65536], p[256];
		int in = open(path, O_RDONLY), out;
		ssize_t n;

		snprintf(p, sizeof(p), "%s/o/fifo.read", tmp);
		out = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		while (in >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, n) != n)
				_exit(1);
		_exit(0);
	}
	return pid;
}

static void check_output(const struct writer *wr, enum out_kind k, int ok, int rc,
			 const char *err, const char *path, const char *aux)
{
	struct stat st, lst;
	const char *what = out_names[k];
	int fails = !ok || k == OUT_DIR || k == OUT_DANGLING || k == OUT_NODIR;

	if (fails != (rc != 0))
		fail_msg("%s %s on a %s: exit %d: %s", wr->name, ok ? "ok" : "bad", what, rc, err);
	switch (k) {
	case OUT_NONE:
		assert_int_equal(stat(path, &st) == 0, !fails);
		if (!fails)
			assert_int_equal(st.st_mode & 0777, 0644 & 0777);	/* umask 022 */
		break;
	case OUT_REGULAR:
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0640);
		assert_int_equal(file_is(path, "KEEP"), fails);
		break;
	case OUT_SYMLINK:
		assert_int_equal(lstat(path, &lst), 0);
		assert_true(S_ISLNK(lst.st_mode));
		assert_int_equal(stat(aux, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0640);
		assert_int_equal(file_is(aux, "KEEP"), fails);
		break;
	case OUT_DANGLING:
		assert_int_equal(lstat(path, &lst), 0);
		assert_true(S_ISLNK(lst.st_mode));
		assert_int_equal(stat(aux, &st), -1);
		break;
	case OUT_CHR:
	case OUT_LINK_CHR:
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
		assert_int_equal(st.st_rdev, makedev(1, 3));
		break;
	case OUT_FIFO:
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISFIFO(st.st_mode));
		break;
	case OUT_DIR:
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		if (ok && !strstr(err, "is a directory"))
			fail_msg("%s on a directory: '%s'", wr->name, err);
		break;
	case OUT_NODIR:
		assert_int_equal(stat(path, &st), -1);
		break;
	default:
		break;
	}
}

/* Every writer, failing and succeeding, on every kind of output: a failure leaves the target
 * as it was; success replaces a file (its mode kept, a symlink written through), writes into
 * a device or FIFO without removing it, refuses a directory or dangling symlink. */
static void test_outputs(void **state)
{
	char line[2048], path[256], aux[256], err[4096], rd[256];
	size_t wi;
	int k, ok;

	(void)state;
	for (wi = 0; wi < NR_WRITERS; wi++) {
		for (k = 0; k < NR_OUT_KINDS; k++) {
			for (ok = 0; ok < 2; ok++) {
				const struct writer *wr = &writers[wi];
				pid_t reader = -1;
				struct watch w;
				struct stat rs;
				int rc;

				make_output((enum out_kind)k, path, sizeof(path), aux, sizeof(aux));
				writer_line(line, sizeof(line), ok ? wr->ok : wr->bad, path);
				if (k == OUT_FIFO && ok)
					reader = fifo_reader(path);
				watch_start(&w);
				rc = run_line(line, err, sizeof(err), 0);
				if (reader > 0) {
					int fd = open(path, O_WRONLY | O_NONBLOCK), st;

					if (fd >= 0)	/* unblock a reader nobody wrote to */
						close(fd);
					assert_int_equal(waitpid(reader, &st, 0), reader);
					pathf(rd, sizeof(rd), "%s/o/fifo.read", tmp);
					if (!rc && (stat(rd, &rs) || !rs.st_size))
						fail_msg("%s: nothing read from the FIFO", wr->name);
				}
				check_output(wr, (enum out_kind)k, ok, rc, err, path, aux);
				watch_end(&w, line);
				remove_output();
			}
		}
	}
}

/* ---------------------------------------------------------------- API misuse */

static __attribute__((noinline)) void assert_msg(const char *msg, const char *want)
{
	if (!strstr(msg, want))
		fail_msg("message '%s' lacks '%s'", msg, want);
}

static __u32 link_count(void)
{
	__u32 id = 0, n = 0;

	while (!bpf_link_get_next_id(id, &id))
		n++;
	return n;
}

/* Load twice, attach before load, NULL everywhere, destroy after a failed open. */
static void test_api_misuse(void **state)
{
	struct tp_counter *s;
	struct watch w;
	struct stat st0, st1;
	int i, have0;

	(void)state;
	/* a second load creates nothing and says why */
	watch_start(&w);
	s = tp_counter__open_and_load();
	assert_non_null(s);
	{
		struct id_set a[4] = {}, b[4] = {};
		char what[256];

		assert_int_equal(ids_snapshot(a), 0);
		assert_int_equal(tp_counter__load(s), -EBUSY);
		assert_msg(s->ctx.errmsg, "already loaded");
		assert_int_equal(ids_snapshot(b), 0);
		assert_int_equal(ids_new(a, b, what, sizeof(what)), 0);
		ids_free(a);
		ids_free(b);
	}
	tp_counter__destroy(s);
	watch_end(&w, "load twice");

	/* attach before load */
	watch_start(&w);
	s = tp_counter__open();
	assert_non_null(s);
	assert_int_equal(tp_counter__attach(s), -EINVAL);
	assert_msg(s->ctx.errmsg, "not loaded");
	tp_counter__detach(s);
	tp_counter__destroy(s);
	watch_end(&w, "attach before load");

	/* NULL where a skeleton may be gone: detach and destroy (load and attach of NULL are
	 * the caller's bug, as with bpftool's skeletons: a check there makes GCC warn in the
	 * callers' code about the NULL path) */
	watch_start(&w);
	tp_counter__detach(NULL);
	tp_counter__destroy(NULL);
	watch_end(&w, "NULL");

	/* open failing at each of its mmaps: destroy closes nothing it did not open (fd 0) */
	have0 = fstat(0, &st0) == 0;
	for (i = 1; i <= 5; i++) {
		watch_start(&w);
		mmap_fail_in = i;
		s = tp_counter__open();
		mmap_fail_in = 0;
		assert_null(s);
		assert_int_equal(fstat(0, &st1) == 0, have0);
		if (have0)
			assert_true(st0.st_ino == st1.st_ino && st0.st_dev == st1.st_dev);
		watch_end(&w, "failed open");
	}

	/* a global data section not mappable: the load fails, destroy closes it all */
	watch_start(&w);
	s = tp_counter__open();
	assert_non_null(s);
	mmap_fail_in = 2;
	assert_true(tp_counter__load(s) < 0);
	mmap_fail_in = 0;
	assert_msg(s->ctx.errmsg, "cannot map global data");
	assert_null(strstr(s->ctx.errmsg, "''"));	/* the map is named */
	tp_counter__detach(s);
	tp_counter__destroy(s);
	watch_end(&w, "failed load");

	/* attach twice: the second keeps the link */
	watch_start(&w);
	s = tp_counter__open_and_load();
	assert_non_null(s);
	assert_int_equal(tp_counter__attach(s), 0);
	i = s->links.count_getpid_fd;
	assert_int_equal(tp_counter__attach(s), 0);
	assert_int_equal(s->links.count_getpid_fd, i);
	tp_counter__detach(s);
	tp_counter__detach(s);
	tp_counter__destroy(s);
	watch_end(&w, "attach twice");
}

/* A copy of @base's first PROG_LOAD made to read above the frame pointer (refused). */
static char *bad_prog_blob(const struct lskel_desc *base)
{
	struct lskel_blob_hdr h;
	struct lskel_step *st;
	char *blob = (char *)malloc(base->data_sz);
	__u32 i, k = ~0u, insns_off = 0;
	struct bpf_insn bad = { BPF_LDX | BPF_MEM | BPF_DW, 0, BPF_REG_10, 8, 0 };

	assert_non_null(blob);
	memcpy(blob, base->data, base->data_sz);
	memcpy(&h, blob, sizeof(h));
	st = (struct lskel_step *)(blob + h.steps_off);
	for (i = 0; i < h.nr_steps && k == ~0u; i++)
		if (st[i].kind == LSKEL_STEP_BPF && st[i].a == BPF_PROG_LOAD)
			k = st[i].op;
	assert_true(k != ~0u);
	for (i = 0; i < h.nr_steps; i++) {
		if (st[i].op == k && st[i].kind == LSKEL_STEP_PTR && !insns_off)
			insns_off = st[i].b;
		if (st[i].op == k && st[i].kind == LSKEL_STEP_BPF) {
			__u32 zero = 0;

			memcpy(blob + st[i].b + offsetof(union bpf_attr, core_relo_cnt), &zero, 4);
		}
	}
	memcpy(blob + insns_off, &bad, sizeof(bad));	/* insn 0: reached first */
	return blob;
}

/* Logs: a 64-byte buffer says refused and truncated; size 0 is no log, not EINVAL; a
 * corrupted loader is not blamed on capabilities. */
static void test_log_messages(void **state)
{
	static char log[1 << 16];
	struct lskel_desc d = tp_counter__desc;
	struct tp_counter *s;
	struct watch w;
	char *blob = bad_prog_blob(&tp_counter__desc), small[64];
	struct bpf_insn *insns, *compat;
	int err;

	(void)state;
	d.data = blob;
	watch_start(&w);
	s = (struct tp_counter *)calloc(1, sizeof(*s));
	assert_int_equal(lskel_open(&d, s), 0);
	s->ctx.log_buf = log;
	s->ctx.log_size = sizeof(log);
	assert_int_equal(lskel_load(&d, s), -EACCES);
	assert_msg(s->ctx.errmsg, "PROG_LOAD of program 'count_getpid'");
	assert_non_null(strstr(log, "invalid read from stack"));
	lskel_destroy(&tp_counter__desc, s);
	watch_end(&w, "refused program, large log");

	watch_start(&w);
	s = (struct tp_counter *)calloc(1, sizeof(*s));
	assert_int_equal(lskel_open(&d, s), 0);
	s->ctx.log_buf = small;
	s->ctx.log_size = sizeof(small);
	err = lskel_load(&d, s);
	assert_true(err < 0);
	assert_msg(s->ctx.errmsg, "refused by the verifier");
	assert_msg(s->ctx.errmsg, "log was truncated");
	lskel_destroy(&tp_counter__desc, s);
	watch_end(&w, "refused program, 64-byte log");

	watch_start(&w);
	s = (struct tp_counter *)calloc(1, sizeof(*s));
	assert_int_equal(lskel_open(&d, s), 0);
	s->ctx.log_buf = log;
	s->ctx.log_size = 0;
	assert_int_equal(lskel_load(&d, s), -EACCES);	/* not EINVAL for the empty log */
	lskel_destroy(&tp_counter__desc, s);
	watch_end(&w, "refused program, log_size 0");
	free(blob);

	/* the loop loader corrupted (an unknown opcode first): the kernel refuses it as one
	 * without may_goto would, and the compat loader loads */
	insns = (struct bpf_insn *)malloc(tp_counter__desc.insns_sz);
	memcpy(insns, tp_counter__desc.insns, tp_counter__desc.insns_sz);
	insns[0].code = 0xff;
	d = tp_counter__desc;
	d.insns = insns;
	watch_start(&w);
	s = (struct tp_counter *)calloc(1, sizeof(*s));
	assert_int_equal(lskel_open(&d, s), 0);
	assert_int_equal(lskel_load(&d, s), 0);
	assert_int_equal(s->ctx.compat, 1);
	lskel_destroy(&tp_counter__desc, s);
	watch_end(&w, "corrupted loop loader, compat loader loaded");

	/* both loaders corrupted: refused, blamed on the loader, not on capabilities */
	compat = (struct bpf_insn *)malloc(tp_counter__desc.compat_insns_sz);
	memcpy(compat, tp_counter__desc.compat_insns, tp_counter__desc.compat_insns_sz);
	compat[0].code = 0xff;
	d.compat_insns = compat;
	watch_start(&w);
	s = (struct tp_counter *)calloc(1, sizeof(*s));
	assert_int_equal(lskel_open(&d, s), 0);
	assert_true(lskel_load(&d, s) < 0);
	assert_msg(s->ctx.errmsg, "the verifier refused the loader program");
	if (strstr(s->ctx.errmsg, "CAP_"))
		fail_msg("blamed on capabilities: %s", s->ctx.errmsg);
	lskel_destroy(&tp_counter__desc, s);
	watch_end(&w, "corrupted loaders");
	free(insns);
	free(compat);
}

/* kconfig descriptors of impossible sizes or offsets: refused by name, nothing loaded. */
static void test_kconfig_bounds(void **state)
{
	static const struct { __u32 size, off_add; } bad[] = {
		{ 0, 0 }, { 9, 0 }, { 40, 0 }, { 1, 1 << 20 }, { 8, 0x7ffffff0 },
	};
	struct lskel_kcfg *k;
	size_t i, j;

	(void)state;
	assert_true(core_read__desc.nr_kcfg > 0);
	k = (struct lskel_kcfg *)malloc(core_read__desc.nr_kcfg * sizeof(*k));
	for (j = 0; j < core_read__desc.nr_kcfg; j++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct lskel_desc d = core_read__desc;
			struct core_read *s;
			struct watch w;

			if (core_read__desc.kcfg[j].type == 5 && bad[i].size > 8)
				continue;	/* strings may be longer */
			memcpy(k, core_read__desc.kcfg, core_read__desc.nr_kcfg * sizeof(*k));
			k[j].size = bad[i].size;
			k[j].input_off += bad[i].off_add;
			d.kcfg = k;
			watch_start(&w);
			s = (struct core_read *)calloc(1, sizeof(*s));
			assert_int_equal(lskel_open(&d, s), 0);
			assert_int_equal(lskel_load(&d, s), -EINVAL);
			/* refused by the check of the C tables against the blob's manifest, or by
			 * the kconfig bounds: either names the value */
			assert_msg(s->ctx.errmsg, "kconfig ");
			assert_msg(s->ctx.errmsg, k[j].name);
			lskel_destroy(&core_read__desc, s);
			watch_end(&w, "kconfig bounds");
		}
	}
	free(k);
}

/* One kconfig value through lskel_kcfg_set: its return, and on success the @size bytes it
 * wrote; the byte after them must stay as it was (0x5a). */
static int kcfg_one(__u32 type, __u32 size, __u32 is_signed, const char *v, void *out)
{
	struct lskel_kcfg k = { "CONFIG_X", type, 0, size, is_signed, 0 };
	char dst[16];
	int err;

	memset(dst, 0x5a, sizeof(dst));
	err = lskel_kcfg_set(&k, dst, v);
	assert_int_equal((unsigned char)dst[size], 0x5a);
	if (!err)
		memcpy(out, dst, size);
	return err;
}

/* kconfig values as libbpf reads them (no kernel needed): y/n/m by type, numbers in every base
 * at the edges of their extern's size (ERANGE one past), strings cut to fit, and refused
 * junk; lskel_parse_ll at the edges of a long long. */
static void test_kconfig_values(void **state)
{
	static const struct { const char *v; __u32 size, sgn; long long want; } num[] = {
		{ "127", 1, 1, 127 }, { "-128", 1, 1, -128 }, { "255", 1, 0, 255 },
		{ "2147483647", 4, 1, 2147483647LL }, { "-2147483648", 4, 1, -2147483648LL },
		{ "4294967295", 4, 0, 4294967295LL }, { "0x1f", 4, 0, 31 }, { "017", 4, 0, 15 },
		{ "+5", 4, 1, 5 }, { "0", 4, 0, 0 }, { "-9223372036854775808", 8, 1, LLONG_MIN },
		{ "9223372036854775807", 8, 1, LLONG_MAX },
	};
	static const struct { const char *v; __u32 size, sgn; } range[] = {
		{ "128", 1, 1 }, { "-129", 1, 1 }, { "256", 1, 0 }, { "-1", 1, 0 },
		{ "2147483648", 4, 1 }, { "-2147483649", 4, 1 }, { "4294967296", 4, 0 },
		{ "-1", 4, 0 }, { "65536", 2, 0 },
	};
	static const char *const junk[] = { "12abc", "", "-", "0x", "089", "y",
					    "9223372036854775808" };
	long long n = 0;
	char s[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(num) / sizeof(num[0]); i++) {
		n = 0;
		assert_int_equal(kcfg_one(3, num[i].size, num[i].sgn, num[i].v, &n), 0);
		/* sign-extend what was written */
		if (num[i].size < 8 && num[i].sgn && (n >> (num[i].size * 8 - 1)) & 1)
			n = (long long)((unsigned long long)n | ~0ULL << (num[i].size * 8));
		if (n != num[i].want)
			fail_msg("'%s' in %u bytes read as %lld", num[i].v, num[i].size, n);
	}
	for (i = 0; i < sizeof(range) / sizeof(range[0]); i++)
		if (kcfg_one(3, range[i].size, range[i].sgn, range[i].v, &n) != -ERANGE)
			fail_msg("'%s' in %u bytes: not ERANGE", range[i].v, range[i].size);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (kcfg_one(3, 8, 1, junk[i], &n) != -EINVAL)
			fail_msg("'%s': not EINVAL", junk[i]);
	/* char: y, n or m as the letter; bool: 1 or 0 (no m); tristate: m is 2 */
	assert_int_equal(kcfg_one(1, 1, 0, "m", s), 0);
	assert_int_equal(s[0], 'm');
	assert_int_equal(kcfg_one(1, 1, 0, "yes", s), -EINVAL);
	assert_int_equal(kcfg_one(1, 1, 0, "", s), -EINVAL);
	n = -1;
	assert_int_equal(kcfg_one(2, 1, 0, "y", &n), 0);
	assert_int_equal(n & 0xff, 1);
	assert_int_equal(kcfg_one(2, 1, 0, "n", &n), 0);
	assert_int_equal(n & 0xff, 0);
	assert_int_equal(kcfg_one(2, 1, 0, "m", &n), -EINVAL);
	assert_int_equal(kcfg_one(2, 1, 0, "yy", &n), -EINVAL);
	n = 0;
	assert_int_equal(kcfg_one(4, 4, 0, "m", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(kcfg_one(4, 4, 0, "y", &n), 0);
	assert_int_equal(n, 1);
	/* strings: quoted, cut to size - 1 and terminated */
	assert_int_equal(kcfg_one(5, 4, 0, "\"abcd\"", s), 0);
	assert_string_equal(s, "abc");
	assert_int_equal(kcfg_one(5, 4, 0, "\"ab\"", s), 0);
	assert_string_equal(s, "ab");
	assert_int_equal(kcfg_one(5, 4, 0, "\"\"", s), 0);
	assert_string_equal(s, "");
	assert_int_equal(kcfg_one(5, 4, 0, "\"", s), -EINVAL);
	assert_int_equal(kcfg_one(5, 4, 0, "abc", s), -EINVAL);
	assert_int_equal(kcfg_one(5, 4, 0, "\"abc", s), -EINVAL);
	/* lskel_parse_ll: where the number ends */
	assert_string_equal(lskel_parse_ll("12,3", &n), ",3");
	assert_int_equal(n, 12);
	assert_string_equal(lskel_parse_ll("0-7", &n), "-7");
	assert_int_equal(n, 0);
	assert_null(lskel_parse_ll("-9223372036854775809", &n));
	assert_null(lskel_parse_ll("x", &n));
}

/* lskel_fill_kconfig with a config file of our own (no kernel): values by name, CONFIG_ lines
 * only, a weak value left 0 when absent, a strong one refused by name with the file's path;
 * LINUX_KERNEL_VERSION and the possible CPUs from uname and /sys, read here independently. */
static void test_kconfig_fill(void **state)
{
	struct lskel_kcfg k[] = {
		{ "CONFIG_TRI", 4, 0, 4, 0, 0 },
		{ "CONFIG_NUM", 3, 4, 4, 1, 0 },
		{ "CONFIG_STR", 5, 8, 8, 0, 0 },
		{ "CONFIG_WEAK", 3, 16, 4, 0, 1 },
		{ "LINUX_KERNEL_VERSION", 3, 20, 4, 0, 0 },
		{ LSKEL_KCFG_NR_CPUS, 3, 24, 4, 0, 0 },
		{ "CONFIG_LATE", 2, 28, 1, 0, 0 },
	};
	struct lskel_desc d;
	struct lskel_ctx c;
	struct utsname u;
	char path[128], in[32];
	unsigned int a = 0, b = 0, p = 0, x, y, cpus = 0;
	int v, got;
	FILE *f;

	(void)state;
	pathf(path, sizeof(path), "%s/kconfig-fill", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# CONFIG_LATE is not set\nCONFIG_TRI=m\nXCONFIG_NUM=9\nCONFIG_NUM=-0x10\n"
	      "CONFIG_STR=\"hello, world\"\nCONFIG_LATE=y\n", f);
	fclose(f);
	memset(&d, 0, sizeof(d));
	d.name = "kconfig_fill";
	d.kcfg = k;
	d.nr_kcfg = sizeof(k) / sizeof(k[0]);
	d.inputs_size = sizeof(in);
	memset(&c, 0, sizeof(c));
	c.kconfig_path = path;
	memset(in, 0, sizeof(in));
	assert_int_equal(lskel_fill_kconfig(&d, in, &c), 0);
	memcpy(&v, in, 4);
	assert_int_equal(v, 2);
	memcpy(&v, in + 4, 4);
	assert_int_equal(v, -16);
	assert_string_equal(in + 8, "hello, ");
	memcpy(&v, in + 16, 4);
	assert_int_equal(v, 0);
	assert_int_equal(in[28], 1);
	assert_int_equal(uname(&u), 0);
	assert_true(sscanf(u.release, "%u.%u.%u", &a, &b, &p) >= 2);
	memcpy(&v, in + 20, 4);
	assert_int_equal(v, (int)((a << 16) + (b << 8) + (p > 255 ? 255 : p)));
	f = fopen("/sys/devices/system/cpu/possible", "r");
	assert_non_null(f);
	while ((got = fscanf(f, "%u", &x)) == 1) {
		y = x;
		if (fscanf(f, "-%u", &y) < 0)
			got = 0;
		cpus += y - x + 1;
		if (got == 0 || fgetc(f) != ',')
			break;
	}
	fclose(f);
	memcpy(&v, in + 24, 4);
	assert_int_equal(v, (int)cpus);
	assert_int_equal(lskel_possible_cpus(), (int)cpus);
	/* the weak value made strong: refused, by name, with the file read */
	k[3].is_weak = 0;
	assert_int_equal(lskel_fill_kconfig(&d, in, &c), -ENOENT);
	assert_msg(c.errmsg, "CONFIG_WEAK");
	assert_msg(c.errmsg, path);
	k[3].is_weak = 1;
	/* a bad value: refused, naming it */
	k[1].is_signed = 0;
	assert_int_equal(lskel_fill_kconfig(&d, in, &c), -ERANGE);
	assert_msg(c.errmsg, "CONFIG_NUM");
	unlink(path);
}

/* The same through lskel-run: a container whose kconfig entry has size 0 or 40. */
static void test_kconfig_container(void **state)
{
	char obj[256], path[256], line[1024], err[4096];
	static const __u32 sizes[] = { 0, 40, 9 };
	size_t i;

	(void)state;
	sample_path(obj, sizeof(obj), "core_read");
	pathf(path, sizeof(path), "%s/kc.lskel", tmp);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct lskel_cnt c;
		char cerr[256];
		struct watch w;
		void *buf;
		size_t size;
		FILE *f;
		long off;

		pathf(line, sizeof(line), "%s gen --format blob -o %s %s", lskel(), path, obj);
		assert_int_equal(run_line(line, err, sizeof(err), 0), 0);
		f = fopen(path, "r+b");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		size = (size_t)ftell(f);
		rewind(f);
		buf = malloc(size);
		assert_int_equal(fread(buf, 1, size, f), size);
		assert_int_equal(lskel_cnt_parse(buf, size, &c, cerr, sizeof(cerr)), 0);
		assert_true(c.mf.h->nr_kcfg > 0);	/* kconfig descriptors: in the blob's manifest */
		off = (long)((const char *)&c.mf.kcfg[0].size - (const char *)buf);
		fseek(f, off, SEEK_SET);
		assert_int_equal(fwrite(&sizes[i], 4, 1, f), 1);
		fclose(f);
		free(buf);
		pathf(line, sizeof(line), "%s --no-attach --pin-dir %s/kc %s", lskel_run(), bpffs,
		      path);
		watch_start(&w);
		assert_int_equal(run_line(line, err, sizeof(err), 0), 1);
		assert_msg(err, "kconfig");	/* the container check or the runtime's */
		watch_end(&w, "kconfig in a container");
		unlink(path);
	}
}

/* lskel-run --json: a program name that is no identifier is refused before any bpf() call
 * (naming the program, not echoing control characters raw), and a pin directory whose parent
 * holds a quote, a backslash and a newline comes out as valid JSON. */
static void test_json_escaped(void **state)
{
	char obj[256], path[256], line[1024], err[4096], out[256], odd[256];
	struct lskel_cnt c;
	char cerr[256];
	struct watch w;
	void *buf, *orig;
	size_t size;
	char *name;
	FILE *f;

	(void)state;
	sample_path(obj, sizeof(obj), "net_count");
	pathf(path, sizeof(path), "%s/js.lskel", tmp);
	pathf(line, sizeof(line), "%s gen --format blob -o %s %s", lskel(), path, obj);
	assert_int_equal(run_line(line, err, sizeof(err), 0), 0);
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	rewind(f);
	buf = malloc(size);
	orig = malloc(size);
	assert_int_equal(fread(buf, 1, size, f), size);
	memcpy(orig, buf, size);
	assert_int_equal(lskel_cnt_parse(buf, size, &c, cerr, sizeof(cerr)), 0);
	name = (char *)lskel_mf_str(&c.mf, c.mf.progs[0].name);
	assert_true(strlen(name) >= 3);
	name[0] = '"';
	name[1] = '\\';
	name[2] = '\n';
	rewind(f);
	assert_int_equal(fwrite(buf, 1, size, f), size);
	fclose(f);
	pathf(line, sizeof(line), "%s --json --no-attach --pin-dir %s/js %s", lskel_run(), bpffs,
	      path);
	watch_start(&w);
	assert_int_equal(run_line(line, err, sizeof(err), 0), 1);
	assert_msg(err, "program 0");
	assert_true(strchr(err, '\n') == strrchr(err, '\n'));	/* one line: no raw newline */
	watch_end(&w, "json: bad name refused");

	/* the original container, pinned under a directory with JSON's special characters */
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(orig, 1, size, f), size);
	fclose(f);
	free(buf);
	free(orig);
	pathf(odd, sizeof(odd), "%s/q\"b\\s\nl", bpffs);
	assert_int_equal(mkdir(odd, 0700), 0);
	pathf(out, sizeof(out), "%s/js.json", tmp);
	pathf(line, sizeof(line), "%s --json --no-attach --pin-dir '%s/js' %s > %s && python3 -c "
	      "'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"pin_dir\"]"
	      ".endswith(\"q\\\"b\\\\s\\nl/js\")' %s", lskel_run(), odd, path, out, out);
	watch_start(&w);
	if (system(line))
		fail_msg("not valid JSON, or the directory not kept: %s", line);
	pathf(line, sizeof(line), "%s --detach --pin-dir '%s/js' > %s", lskel_run(), odd, out);
	assert_int_equal(system(line), 0);
	pathf(line, sizeof(line), "%s/js", odd);
	rmdir(line);
	rmdir(odd);
	unlink(out);
	unlink(path);
	watch_end(&w, "json");
}

/* ---------------------------------------------------------------- limits and signals */

/* With RLIMIT_NOFILE (soft and hard) only a few above what is open, a load fails or
 * succeeds, but cleanly: destroy leaves the fds as they were, the kernel nothing. */
static void test_fd_limits(void **state)
{
	int extra;

	(void)state;
	for (extra = 0; extra <= 16; extra++) {
		struct watch w;
		pid_t pid;
		int st;

		watch_start(&w);
		pid = fork();
		assert_true(pid >= 0);
		if (!pid) {
			int fds = count_fds();
			struct rlimit r = { (rlim_t)(fds + 1 + extra), (rlim_t)(fds + 1 + extra) };
			struct tp_counter *s;
			int err;

			if (setrlimit(RLIMIT_NOFILE, &r))
				_exit(2);
			s = tp_counter__open();
			if (!s)
				_exit(count_fds() == fds ? 0 : 3);
			err = tp_counter__load(s);
			if (err && !s->ctx.errmsg[0])
				_exit(4);
			tp_counter__destroy(s);
			_exit(count_fds() == fds ? 0 : 5);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fail_msg("fd limit +%d: child status 0x%x", extra, st);
		watch_end(&w, "fd limit");
	}
	/* the command line with a handful of fds */
	for (extra = 3; extra <= 12; extra += 3) {	/* fds this process has, and a few */
		char line[1024], obj[256];
		struct watch w;
		int rc;

		sample_path(obj, sizeof(obj), "tp_counter");
		pathf(line, sizeof(line), "sh -c 'ulimit -n %d; exec %s gen -o %s/lim.h %s' "
		      "2>%s/lim.err; test $? -le 1", count_fds() + extra, lskel(), tmp, obj, tmp);
		watch_start(&w);
		rc = system(line);
		if (rc) {
			char msg[512] = "";
			FILE *f;

			pathf(line, sizeof(line), "%s/lim.err", tmp);
			f = fopen(line, "r");
			if (f && !fread(msg, 1, sizeof(msg) - 1, f))
				msg[0] = '\0';
			if (f)
				fclose(f);
			fail_msg("lskel gen with %d fds: status 0x%x: %s", extra, rc, msg);
		}
		pathf(line, sizeof(line), "%s/lim.h", tmp);
		unlink(line);
		pathf(line, sizeof(line), "%s/lim.err", tmp);
		unlink(line);
		watch_end(&w, "lskel with few fds");
	}
}

/* A child loading in a loop, killed at a random moment: nothing of it stays. */
static void test_signals(void **state)
{
	static const int sigs[] = { SIGKILL, SIGINT, SIGTERM };
	unsigned int seed = (unsigned int)time(NULL);
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		for (r = 0; r < 6; r++) {
			struct watch w;
			pid_t pid;
			int st;

			watch_start(&w);
			pid = fork();
			assert_true(pid >= 0);
			if (!pid) {
				for (;;) {
					struct scale1000 *s = scale1000__open_and_load();

					scale1000__destroy(s);
				}
			}
			usleep(20000 + rand_r(&seed) % 400000);
			kill(pid, sigs[i]);
			assert_int_equal(waitpid(pid, &st, 0), pid);
			assert_true(WIFSIGNALED(st));
			watch_end(&w, "killed mid-load");
		}
	}
}

/* ---------------------------------------------------------------- pins */

static int race_map_fd = -1;	/* pinned by the hook at the next pin of lsk_test_counts */

static int race_events_fd = -1;	/* pinned by the hook at the pin of lsk_test_events */
static __u32 race_seen_counts;	/* lsk_test_counts' pinned map then: what another loader found */

static void pin_race_hook(const char *path)
{
	const char *b = strrchr(path, '/');

	if (race_events_fd >= 0 && b && !strcmp(b + 1, "lsk_test_events")) {
		char counts[256];
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd;

		snprintf(counts, sizeof(counts), "%.*s/lsk_test_counts", (int)(b - path), path);
		fd = bpf_obj_get(counts);
		assert_true(fd >= 0);
		assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
		race_seen_counts = info.id;
		close(fd);
		assert_int_equal(bpf_obj_pin(race_events_fd, path), 0);
		close(race_events_fd);
		race_events_fd = -1;
		return;
	}
	if (race_map_fd < 0 || !b || strcmp(b + 1, "lsk_test_counts"))
		return;
	assert_int_equal(bpf_obj_pin(race_map_fd, path), 0);
	close(race_map_fd);
	race_map_fd = -1;
}

static void pin_path(char *buf, size_t n, const char *name)
{
	pathf(buf, n, "%s/pins/%s", bpffs, name);
}

static void clear_pins(void)
{
	char p[256];

	pin_path(p, sizeof(p), "lsk_test_counts");
	unlink(p);
	pin_path(p, sizeof(p), "lsk_test_events");
	unlink(p);
}

static __u32 fd_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

static char pin_root[128];

/* Another loader pins the map between this one's lookup and its pin: this one reuses the
 * winner's map (same definition), or refuses it (different), and leaves no pin of its own. */
static void test_pin_race_hook(void **state)
{
	struct pinned *s;
	struct watch w;
	__u32 id;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		watch_start(&w);
		clear_pins();
		race_map_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "lsk_test_counts", 4, i ? 16 : 8, 16,
					     NULL);
		assert_true(race_map_fd >= 0);
		id = fd_id(race_map_fd);
		s = pinned__open();
		assert_non_null(s);
		s->ctx.pin_root_path = pin_root;
		if (!i) {
			if (pinned__load(s))
				fail_msg("lost the pin race: %s", s->ctx.errmsg);
			assert_int_equal(fd_id(s->maps.lsk_test_counts.map_fd), id);
		} else {
			assert_true(pinned__load(s) < 0);
			assert_msg(s->ctx.errmsg, "differs from its definition");
		}
		assert_int_equal(race_map_fd, -1);
		pinned__destroy(s);
		clear_pins();
		watch_end(&w, "pin race (hook)");
	}
}

/* Another loader pins the second map between this one's lookup and its pin, after this one
 * pinned the first, and finds that first pin: the pin stays (this load's retry and the other
 * loader share its map), and the retry reuses the other loader's second map. */
static void test_pin_race_second(void **state)
{
	struct pinned *s;
	struct watch w;
	__u32 events_id;

	(void)state;
	watch_start(&w);
	clear_pins();
	race_events_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "lsk_test_events", 4, 4,
					(__u32)lskel_possible_cpus(), NULL);
	assert_true(race_events_fd >= 0);
	events_id = fd_id(race_events_fd);
	race_seen_counts = 0;
	s = pinned__open();
	assert_non_null(s);
	s->ctx.pin_root_path = pin_root;
	if (pinned__load(s))
		fail_msg("lost the race for the second pin: %s", s->ctx.errmsg);
	assert_int_equal(race_events_fd, -1);
	assert_int_not_equal(race_seen_counts, 0);
	assert_int_equal(fd_id(s->maps.lsk_test_counts.map_fd), race_seen_counts);
	assert_int_equal(fd_id(s->maps.lsk_test_events.map_fd), events_id);
	pinned__destroy(s);
	clear_pins();
	watch_end(&w, "pin race (second pin)");
}

#define RACERS 8
static pthread_barrier_t barrier;
static __u32 racer_ids[RACERS];
static char racer_err[RACERS][512];

static void *racer(void *arg)
{
	long i = (long)arg;
	struct pinned *s = pinned__open();

	racer_ids[i] = 0;
	racer_err[i][0] = '\0';
	if (!s) {
		snprintf(racer_err[i], sizeof(racer_err[i]), "open failed");
		pthread_barrier_wait(&barrier);
		return NULL;
	}
	s->ctx.pin_root_path = pin_root;
	pthread_barrier_wait(&barrier);
	if (pinned__load(s))
		snprintf(racer_err[i], sizeof(racer_err[i]), "%s", s->ctx.errmsg);
	else
		racer_ids[i] = fd_id(s->maps.lsk_test_counts.map_fd);
	pinned__destroy(s);
	return NULL;
}

/* Threads loading one LIBBPF_PIN_BY_NAME map at the same moment: all load, one map. */
static void test_pin_race_threads(void **state)
{
	pthread_t th[RACERS];
	int round;
	long i;

	(void)state;
	for (round = 0; round < 25; round++) {
		struct watch w;

		watch_start(&w);
		clear_pins();
		assert_int_equal(pthread_barrier_init(&barrier, NULL, RACERS), 0);
		for (i = 0; i < RACERS; i++)
			assert_int_equal(pthread_create(&th[i], NULL, racer, (void *)i), 0);
		for (i = 0; i < RACERS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&barrier);
		for (i = 0; i < RACERS; i++) {
			if (racer_err[i][0])
				fail_msg("round %d, loader %ld: %s", round, i, racer_err[i]);
			assert_int_equal(racer_ids[i], racer_ids[0]);
		}
		clear_pins();
		watch_end(&w, "pin race (threads)");
	}
}

/* The pin reuse check compares every field: a pinned map differing in one is refused. */
static void test_pin_reuse_fields(void **state)
{
	static const struct {
		const char *field;
		enum bpf_map_type type;
		__u32 key, value, max, flags;
	} v[] = {
		{ "same", BPF_MAP_TYPE_HASH, 4, 8, 16, 0 },
		{ "type", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16, 0 },
		{ "key", BPF_MAP_TYPE_HASH, 8, 8, 16, 0 },
		{ "value", BPF_MAP_TYPE_HASH, 4, 16, 16, 0 },
		{ "max_entries", BPF_MAP_TYPE_HASH, 4, 8, 32, 0 },
		{ "flags", BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_NO_PREALLOC },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = v[i].flags);
		char p[256];
		struct pinned *s;
		struct watch w;
		int fd, err;

		watch_start(&w);
		clear_pins();
		fd = bpf_map_create(v[i].type, "lsk_test_counts", v[i].key, v[i].value, v[i].max,
				    &o);
		assert_true(fd >= 0);
		pin_path(p, sizeof(p), "lsk_test_counts");
		assert_int_equal(bpf_obj_pin(fd, p), 0);
		s = pinned__open();
		s->ctx.pin_root_path = pin_root;
		err = pinned__load(s);
		if (i == 0) {
			if (err)
				fail_msg("an identical pinned map refused: %s", s->ctx.errmsg);
			assert_int_equal(fd_id(s->maps.lsk_test_counts.map_fd), fd_id(fd));
		} else {
			if (!err)
				fail_msg("a pinned map differing in %s reused", v[i].field);
			assert_msg(s->ctx.errmsg, "differs from its definition");
		}
		pinned__destroy(s);
		close(fd);
		clear_pins();
		watch_end(&w, v[i].field);
	}
}

/* A refused program with a log while its maps' pins exist: the run with the log reuses the
 * pins again (main resets the header's skip_to), so the log is the verifier's. */
static void test_log_after_pin_reuse(void **state)
{
	static char log[1 << 16];
	struct lskel_desc d = pinned__desc;
	char *blob = bad_prog_blob(&pinned__desc);
	struct pinned *first, *s;
	struct watch w;
	int err;

	(void)state;
	watch_start(&w);
	clear_pins();
	first = pinned__open();
	assert_non_null(first);
	first->ctx.pin_root_path = pin_root;
	assert_int_equal(pinned__load(first), 0);	/* makes the pins the second one reuses */
	d.data = blob;
	s = (struct pinned *)calloc(1, sizeof(*s));
	assert_int_equal(lskel_open(&d, s), 0);
	s->ctx.pin_root_path = pin_root;
	s->ctx.log_buf = log;
	s->ctx.log_size = sizeof(log);
	err = lskel_load(&d, s);
	if (err != -EACCES || !strstr(log, "invalid read from stack"))
		fail_msg("load: %d %s\nlog: %.300s", err, s->ctx.errmsg, log);
	assert_msg(s->ctx.errmsg, "PROG_LOAD of program 'count_pkt'");
	lskel_destroy(&pinned__desc, s);
	pinned__destroy(first);
	clear_pins();
	free(blob);
	watch_end(&w, "refused program with a log, pins reused");
}

/* ---------------------------------------------------------------- checks that must not rot */

/* After load .rodata is the kernel map, mapped read-only: a write faults. */
static void test_rodata_readonly(void **state)
{
	struct watch w;
	pid_t pid;
	int st;

	(void)state;
	watch_start(&w);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct tp_counter *s;
		char line[512], want[32];
		__u32 key = 0;
		int found = 0;
		FILE *f;
		unsigned char *val;

		signal(SIGSEGV, SIG_DFL);	/* not cmocka's handler: the fault ends the child */
		setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });	/* no core dump to wait for */
		s = tp_counter__open();
		if (!s)
			_exit(10);
		s->rodata->settings.step = 3;
		if (tp_counter__load(s))
			_exit(10);
		val = (unsigned char *)malloc(sizeof(*s->rodata) + 4096);
		if (bpf_map_lookup_elem(s->maps.rodata.map_fd, &key, val) ||
		    memcmp(val, s->rodata, sizeof(*s->rodata)) || s->rodata->settings.step != 3)
			_exit(11);	/* not the kernel map's contents */
		snprintf(want, sizeof(want), "%lx-", (unsigned long)s->rodata);
		f = fopen("/proc/self/maps", "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, want, strlen(want)))
				found = strstr(line, " r--s ") && strstr(line, "bpf") ? 1 : 2;
		if (found != 1)
			_exit(12);	/* not a read-only shared mapping of a bpf map */
		*(volatile unsigned char *)s->rodata = 4;
		_exit(13);	/* the write went through */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
		fail_msg("rodata write: status 0x%x (exit %d; 11: not the map's values, 12: not a "
			 "read-only bpf-map mapping, 13: no fault)", st, WEXITSTATUS(st));
	watch_end(&w, "rodata read-only");
}

/* A later program's attach failing: the links made before it are closed, none stays. */
static void test_attach_all_or_none(void **state)
{
	struct lskel_prog_bind b[2];
	struct lskel_desc d = tp_counter__desc;
	struct tp_counter *s;
	struct watch w;
	__u32 links;

	(void)state;
	assert_int_equal(tp_counter__desc.nr_progs, 1);
	b[0] = tp_counter__desc.progs[0];
	b[1] = b[0];
	b[1].link_off = sizeof(struct tp_counter);	/* its own link slot, past the struct */
	b[1].target = "syscalls/sys_enter_lskel_no_such_call";
	d.progs = b;
	d.nr_progs = 2;
	watch_start(&w);
	s = (struct tp_counter *)calloc(1, sizeof(*s) + sizeof(int));
	assert_int_equal(lskel_open(&d, s), 0);
	assert_int_equal(lskel_load(&tp_counter__desc, s), 0);
	links = link_count();
	assert_true(lskel_attach(&d, s) < 0);
	assert_msg(s->ctx.errmsg, "sys_enter_lskel_no_such_call");
	assert_int_equal(s->links.count_getpid_fd, -1);
	assert_int_equal(link_count(), links);
	lskel_destroy(&tp_counter__desc, s);
	watch_end(&w, "attach all or none");
}

/* Objects sharing a map name: one differing field (each compared one) refuses the chain. */
static void test_shared_map_fields(void **state)
{
	static const struct { const char *field, *defs, *want; } v[] = {
		{ "same", "", NULL },
		{ "type", "-DTYPE=BPF_MAP_TYPE_LRU_HASH", "type 1 in" },
		{ "key size", "-DKEY=__u64", "key_size" },
		{ "value size", "-DVAL=struct_big", "value_size" },
		{ "max_entries", "-DMAX=32", "max_entries" },
		{ "flags", "-DFLAGS=BPF_F_NO_PREALLOC", "map_flags" },
		{ "key type", "-DKEY=struct_k2", "key type" },
		{ "value type", "-DVAL=struct_kv_b", "value type" },
	};
	const char *cc = getenv("LSKEL_CLANG");
	char src[256], base[256], line[2048], err[4096], out[256];
	size_t i;

	(void)state;
	pathf(src, sizeof(src), "%s/shared.bpf.c", tmp);
	write_text(src,
		"#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
		"typedef struct { __u32 a; __u32 b; } struct_kv_a;\n"
		"typedef struct { __u64 x; } struct_kv_b;\n"
		"typedef struct { __u64 a, b; } struct_big;\n"
		"typedef struct { __u16 a, b; } struct_k2;\n"
		"#ifndef TYPE\n#define TYPE BPF_MAP_TYPE_HASH\n#endif\n"
		"#ifndef KEY\n#define KEY __u32\n#endif\n"
		"#ifndef VAL\n#define VAL struct_kv_a\n#endif\n"
		"#ifndef MAX\n#define MAX 16\n#endif\n"
		"#ifndef FLAGS\n#define FLAGS 0\n#endif\n"
		"struct { __uint(type, TYPE); __uint(max_entries, MAX); __type(key, KEY);\n"
		"	__type(value, VAL); __uint(map_flags, FLAGS); } shared SEC(\".maps\");\n"
		"SEC(\"xdp\") int PROG(struct xdp_md *ctx)\n"
		"{\n\tKEY k;\n\n\t__builtin_memset(&k, 0, sizeof(k));\n\treturn bpf_map_lookup_elem(&shared, &k) ? 1 : 2;\n}\n"
		"char LICENSE[] SEC(\"license\") = \"GPL\";\n");
	pathf(base, sizeof(base), "%s/sh_base.bpf.o", tmp);
	pathf(line, sizeof(line), "%s -g -O2 -target bpf -I/usr/include/$(cc -dumpmachine) "
	      "-DPROG=prog_base -c %s -o %s", cc && cc[0] ? cc : "clang", src, base);
	assert_int_equal(system(line), 0);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char obj[256];
		struct watch w;
		int rc;

		pathf(obj, sizeof(obj), "%s/sh_%zu.bpf.o", tmp, i);
		pathf(line, sizeof(line), "%s -g -O2 -target bpf -I/usr/include/$(cc -dumpmachine) "
		      "-DPROG=prog_v %s -c %s -o %s", cc && cc[0] ? cc : "clang", v[i].defs, src,
		      obj);
		assert_int_equal(system(line), 0);
		pathf(out, sizeof(out), "%s/sh.h", tmp);
		pathf(line, sizeof(line), "%s gen -o %s %s %s", lskel(), out, base, obj);
		watch_start(&w);
		rc = run_line(line, err, sizeof(err), 0);
		if (!v[i].want && rc)
			fail_msg("identical shared maps refused: %s", err);
		if (v[i].want && !rc)
			fail_msg("shared map differing in %s accepted", v[i].field);
		if (v[i].want) {
			assert_msg(err, "shared");
			assert_msg(err, v[i].want);
		}
		unlink(out);
		unlink(obj);
		watch_end(&w, v[i].field);
	}
	unlink(base);
	unlink(src);
}

/* Names that are not C identifiers: objects named q"x?\ and 1-b give a header that compiles
 * as C11 and C++17; an explicit name that is not an identifier is refused naming the
 * character; lskel-run's JSON of such a container parses. */
static void test_names(void **state)
{
	static const char *const bad[] = { "bad name!", "1abc", "a-b", "" };
	char a[256], b[256], h[256], line[2048], err[4096];
	struct watch w;
	size_t i;

	(void)state;
	pathf(a, sizeof(a), "%s/q\"x?\\.bpf.o", tmp);
	pathf(b, sizeof(b), "%s/1-b.bpf.o", tmp);
	sample_path(line, sizeof(line), "tp_counter");
	copy_file(line, a, (size_t)-1);
	sample_path(line, sizeof(line), "xdp_tail");
	copy_file(line, b, (size_t)-1);
	pathf(h, sizeof(h), "%s/names.lskel.h", tmp);
	watch_start(&w);
	{
		char *argv[] = { (char *)lskel(), "gen", "-o", h, a, b, NULL };

		if (run_argv(argv, err, sizeof(err), 0))
			fail_msg("gen on odd names: %s", err);
	}
	pathf(line, sizeof(line), "printf '#include \"names.lskel.h\"\\n' | cc -std=c11 -pedantic "
	      "-Wall -Wextra -Werror -Wno-overlength-strings -Iinclude -I%1$s -x c -c - -o "
	      "%1$s/n.o && printf '#include \"names.lskel.h\"\\n' | c++ -std=c++17 -Wall -Wextra "
	      "-Werror -Iinclude -I%1$s -x c++ -c - -o %1$s/n.o", tmp);
	if (system(line))
		fail_msg("the header of objects q\"x?\\ and 1-b does not compile");
	pathf(line, sizeof(line), "%s/n.o", tmp);
	unlink(line);
	unlink(h);
	watch_end(&w, "odd object names");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { (char *)lskel(), "gen", "-n", (char *)bad[i], "-o", h, b, NULL };

		watch_start(&w);
		assert_int_equal(run_argv(argv, err, sizeof(err), 0), 1);
		assert_msg(err, "not");
		if (bad[i][0])
			assert_msg(err, "C identifier");
		assert_int_equal(access(h, F_OK), -1);
		watch_end(&w, "bad -n");
	}
	assert_msg(err, "empty");
	unlink(a);
	unlink(b);
}

/* More messages: a signed loader whose signing data was stripped, a container whose blob
 * header and manifest disagree (the differing fields named, not "20 ops vs 20"), a
 * read-only bpffs for lskel-run's pins; the error paths of dump and exec (an uninitialised
 * trace freed, a chain leaked: ASan sees both). */
static void test_more_messages(void **state)
{
	char path[256], line[1024], err[4096], ro[128], obj[256];
	struct lskel_desc d = signed_tp__desc;
	struct signed_tp *s;
	struct lskel_cnt c;
	struct watch w;
	char cerr[256];
	size_t size;
	void *buf;
	FILE *f;

	(void)state;
	d.excl_hash = NULL;	/* as if the container's SIG section were stripped */
	d.sig = NULL;
	d.sig_sz = 0;
	watch_start(&w);
	s = (struct signed_tp *)calloc(1, sizeof(*s));
	assert_int_equal(lskel_open(&d, s), 0);
	assert_int_equal(lskel_load(&d, s), -EBADMSG);
	assert_msg(s->ctx.errmsg, "no signing data (signature section stripped?)");
	lskel_destroy(&signed_tp__desc, s);
	watch_end(&w, "stripped signature");

	sample_path(obj, sizeof(obj), "net_count");
	pathf(path, sizeof(path), "%s/meta.lskel", tmp);
	pathf(line, sizeof(line), "%s gen --format blob -o %s %s", lskel(), path, obj);
	assert_int_equal(run_line(line, err, sizeof(err), 0), 0);
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	rewind(f);
	buf = malloc(size);
	assert_int_equal(fread(buf, 1, size, f), size);
	fclose(f);
	assert_int_equal(lskel_cnt_parse(buf, size, &c, cerr, sizeof(cerr)), 0);
	/* the manifest (in the blob) and the blob header disagree: both numbers named */
	((struct lskel_blob_hdr *)c.mf.bh)->nr_ops += 1;
	cases++;
	assert_true(lskel_cnt_parse(buf, size, &c, cerr, sizeof(cerr)) < 0);
	assert_msg(cerr, "ops in the manifest");
	assert_msg(cerr, "in the blob header");
	free(buf);

	pathf(ro, sizeof(ro), "%s/robpf", tmp);
	assert_int_equal(mkdir(ro, 0700), 0);
	assert_int_equal(mount("bpf", ro, "bpf", MS_RDONLY, NULL), 0);
	pathf(line, sizeof(line), "%s --no-attach --pin-dir %s/x %s", lskel_run(), ro, path);
	watch_start(&w);
	assert_int_equal(run_line(line, err, sizeof(err), 0), 1);
	assert_msg(err, "Read-only file system");
	if (strstr(err, "not on a bpffs"))
		fail_msg("a read-only bpffs called no bpffs: %s", err);
	watch_end(&w, "read-only bpffs");
	umount2(ro, MNT_DETACH);
	rmdir(ro);
	unlink(path);

	sample_path(obj, sizeof(obj), "tp_counter");
	pathf(line, sizeof(line), "%s dump --trace --slot nonsense %s", lskel(), obj);
	watch_start(&w);
	assert_int_equal(run_line(line, err, sizeof(err), 0), 1);
	assert_msg(err, "slot nonsense");
	watch_end(&w, "dump --slot nonsense");
	pathf(line, sizeof(line), "%s exec --slot nonsense %s", lskel(), obj);
	watch_start(&w);
	assert_int_equal(run_line(line, err, sizeof(err), 0), 1);	/* LSan would say 23 */
	assert_msg(err, "slot nonsense");
	watch_end(&w, "exec --slot nonsense");
}

/* ---------------------------------------------------------------- command line */

/* One mistaken command line: its words ('|' between them, so a word may be empty) with
 * placeholders, the exit status and what the message must say. */
struct cli_case {
	const char *words;
	int rc;
	const char *want;
};

static const struct cli_case cli_cases[] = {
	/* numbers: atoi read these as 0, 0, -1 (no failure), 1 and a wrapped 1410065407 */
	{ "L|exec|--fail-at|abc|OBJ", 1, "--fail-at 'abc': not a decimal number" },
	{ "L|exec|--fail-at||OBJ", 1, "--fail-at '': an empty value" },
	{ "L|exec|--fail-at|-1|OBJ", 1, "--fail-at '-1': not a decimal number" },
	{ "L|exec|--fail-at|1x|OBJ", 1, "--fail-at '1x': not a decimal number" },
	{ "L|exec|--fail-at|99999999999|OBJ", 1, "--fail-at '99999999999': over 2147483647" },
	/* past the trace, or an op a SEC("?...") skip jumps over: it loaded, nothing failed */
	{ "L|exec|--fail-at|9999|OBJ", 1, "--fail-at 9999: the trace has 20 operations" },
	{ "L|exec|--fail-at|5|OPT", 1, "--fail-at 5: operation 5 was not run" },
	/* an option given twice: the last one used to win without a word */
	{ "L|exec|--fail-at|1|--fail-at|2|OBJ", 1, "--fail-at given twice ('1', then '2')" },
	{ "L|gen|-n|aa|-n|bb|-o|OUT|OBJ", 1, "--name given twice ('aa', then 'bb')" },
	{ "L|gen|-o|OUT|-o|OUT2|OBJ", 1, "--output given twice" },
	{ "L|gen|-f|blob|-f|skeleton|-o|OUT|OBJ", 1, "--format given twice ('blob', then " },
	{ "L|gen|--sign|--key|KEY|--key|KEY|--cert|CERT|-o|OUT|OBJ", 1, "--key given twice" },
	{ "L|gen|--dispatcher|SPEC|--dispatcher|SPEC|-o|OUT|OBJ", 1, "--dispatcher given twice" },
	{ "L|dispatcher|--mode|static|--mode|tailcall|-o|OUT|SPEC", 1, "--mode given twice" },
	{ "L|verify|--cert|CERT|--cert|KEY|OBJ", 1, "--cert given twice" },
	/* a value left out: the next option taken as it ("lskel link -o -n OBJ" wrote ./-n;
	 * here the value cannot be created, so a regression writes nothing outside tmp) */
	{ "L|gen|-o|--name|aa|OBJ", 1, "--output '--name': an option where its value belongs" },
	{ "L|gen|-o||OBJ", 1, "--output '': an empty value" },
	{ "L|link|-o|-n/x|OBJ", 1, "--output '-n/x': an option where its value belongs" },
	/* an input as the output: it was replaced by what was generated from it */
	{ "L|gen|-o|IN|IN", 1, "output IN: is the input IN: not writing over an input" },
	{ "L|gen|--format|blob|-o|HARD|IN", 1, "output HARD: is the input IN" },
	{ "L|link|-o|IN|IN", 1, "output IN: is the input IN" },
	{ "L|gen|--chain|CHAIN|-o|CHAIN|OBJ", 1, "output CHAIN: is the input CHAIN" },
	{ "L|dispatcher|-o|TSPEC|TSPEC", 1, "output TSPEC: is the input TSPEC" },
	/* exclusive dump parts: --objects --trace printed nothing and exited 0 */
	{ "L|dump|--objects|--trace|OBJ", 2, "--objects and --trace: give one of" },
	{ "L|dump|--loader|--objects|OBJ", 2, "--loader and --objects: give one of" },
	/* bpftool's syntax: bpftool refuses these too ("object name already specified") */
	{ "L|gen|skeleton|OBJ|name|aa|name|bb", 2, "'name' given twice" },
	{ "L|gen|skeleton|OBJ|OBJ", 2, "unexpected argument 'OBJ'" },
	{ "L|gen|skeleton|OBJ|--bogus", 2, "unknown option '--bogus'" },
	{ "L|gen|skeleton|OBJ|name", 2, "'name' without the NAME after it" },
};

/* Placeholder @w of a cli_case word, or NULL. */
static const char *cli_word(const char *w)
{
	static char obj[256], opt[256], out[256], out2[256], in[256], hard[256], chain[256],
		    spec[256], tspec[256], key[256], cert[256];

	sample_path(obj, sizeof(obj), "tp_counter");
	pathf(opt, sizeof(opt), "%s/tests/bpf/opt_root.bpf.o", build_dir());
	pathf(out, sizeof(out), "%s/cli.out", tmp);
	pathf(out2, sizeof(out2), "%s/cli.out2", tmp);
	pathf(in, sizeof(in), "%s/cli_in.bpf.o", tmp);
	pathf(hard, sizeof(hard), "%s/cli_hard.bpf.o", tmp);
	pathf(chain, sizeof(chain), "%s/cli.chain", tmp);
	pathf(spec, sizeof(spec), "samples/dispatch/dsp.spec");
	pathf(tspec, sizeof(tspec), "%s/cli.spec", tmp);
	pathf(key, sizeof(key), "%s/sign/key.pem", build_dir());
	pathf(cert, sizeof(cert), "%s/sign/cert.pem", build_dir());
	return !strcmp(w, "L") ? lskel() : !strcmp(w, "OBJ") ? obj : !strcmp(w, "OPT") ? opt :
	       !strcmp(w, "OUT") ? out : !strcmp(w, "OUT2") ? out2 : !strcmp(w, "IN") ? in :
	       !strcmp(w, "HARD") ? hard : !strcmp(w, "CHAIN") ? chain :
	       !strcmp(w, "SPEC") ? spec : !strcmp(w, "TSPEC") ? tspec :
	       !strcmp(w, "KEY") ? key : !strcmp(w, "CERT") ? cert : NULL;
}

/* @text with every placeholder word replaced (messages name paths). */
static void cli_expand(char *buf, size_t n, const char *text)
{
	static const char *const names[] = { "TSPEC", "CHAIN", "HARD", "OUT2", "OUT", "OBJ",
					      "IN" };
	size_t len = 0, k;

	while (*text) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strncmp(text, names[k], strlen(names[k])))
				break;
		if (k < sizeof(names) / sizeof(names[0])) {
			len += snprintf(buf + len, n - len, "%s", cli_word(names[k]));
			text += strlen(names[k]);
		} else {
			buf[len++] = *text++;
		}
		assert_true(len < n);
	}
	buf[len] = '\0';
}

/* Hash of the file at @path (FNV-1a), to see it unchanged. */
static unsigned long long file_hash(const char *path)
{
	unsigned long long h = 1469598103934665603ULL;
	unsigned char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n, i;

	assert_true(fd >= 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ULL;
	close(fd);
	return h;
}

/* The lskel command line on mistakes: a bad number, an option given twice, a value left
 * out, an input named as the output, exclusive options, bpftool's syntax misused. Each is
 * refused naming the option and the value; nothing is written, no input changes, nothing
 * stays loaded. Then the same options used rightly still work. */
static void test_cli_args(void **state)
{
	char words[512], *argv[24], *save = NULL, *w, err[4096], want[1024], line[1024];
	const char *in = cli_word("IN"), *chain = cli_word("CHAIN"), *tspec = cli_word("TSPEC");
	unsigned long long h_in, h_chain, h_spec;
	size_t i;

	(void)state;
	copy_file(cli_word("OBJ"), in, (size_t)-1);
	assert_int_equal(link(in, cli_word("HARD")), 0);
	write_text(chain, "# no directive\n");
	copy_file(cli_word("SPEC"), tspec, (size_t)-1);
	h_in = file_hash(in);
	h_chain = file_hash(chain);
	h_spec = file_hash(tspec);
	for (i = 0; i < sizeof(cli_cases) / sizeof(cli_cases[0]); i++) {
		const struct cli_case *c = &cli_cases[i];
		struct watch w_;
		int argc = 0, rc;

		pathf(words, sizeof(words), "%s", c->words);
		for (w = words; w && argc < 23; w = save) {
			const char *rep;

			save = strchr(w, '|');
			if (save)
				*save++ = '\0';
			rep = cli_word(w);
			argv[argc++] = rep ? (char *)rep : w;
		}
		argv[argc] = NULL;
		cli_expand(want, sizeof(want), c->want);
		watch_start(&w_);
		rc = run_argv(argv, err, sizeof(err), 0);
		if (rc != c->rc || !strstr(err, want))
			fail_msg("%s: exit %d (want %d), message '%s' lacks '%s'", c->words, rc, c->rc,
				 err, want);
		print_message("  %-48.48s -> %.*s\n", c->words, (int)strcspn(err, "\n"), err);
		if (!access(cli_word("OUT"), F_OK) || !access(cli_word("OUT2"), F_OK))
			fail_msg("%s: refused but wrote its output", c->words);
		if (file_hash(in) != h_in || file_hash(chain) != h_chain ||
		    file_hash(tspec) != h_spec)
			fail_msg("%s: an input changed", c->words);
		watch_end(&w_, c->words);
	}
	/* the same options rightly used */
	pathf(line, sizeof(line), "%s dump --trace --trace %s", lskel(), cli_word("OBJ"));
	assert_int_equal(run_line(line, err, sizeof(err), 0), 0);
	pathf(line, sizeof(line), "%s gen skeleton %s name aa", lskel(), cli_word("OBJ"));
	assert_int_equal(run_line(line, err, sizeof(err), 0), 0);
	pathf(line, sizeof(line), "%s gen --chain %s -o %s %s", lskel(), chain, cli_word("OUT"),
	      in);
	assert_int_equal(run_line(line, err, sizeof(err), 0), 0);
	assert_int_equal(unlink(cli_word("OUT")), 0);
	pathf(line, sizeof(line), "%s exec --fail-at 3 %s", lskel(), cli_word("OBJ"));
	{
		struct watch w_;

		watch_start(&w_);
		assert_int_equal(run_line(line, err, sizeof(err), 0), 1);
		assert_msg(err, "op 3: ");
		assert_msg(err, "(injected)");
		watch_end(&w_, "exec --fail-at 3");
	}
	unlink(cli_word("HARD"));
	unlink(in);
	unlink(chain);
	unlink(tspec);
}

/* ---------------------------------------------------------------- setup */

static int setup(void **state)
{
	(void)state;
	umask(022);
	snprintf(tmp, sizeof(tmp), "/tmp/lskel-hostile-XXXXXX");
	if (!mkdtemp(tmp) || chmod(tmp, 0755))
		return -1;
	if (fcntl(0, F_GETFD) < 0 && open(tmp, O_RDONLY) != 0)
		return -1;	/* fd 0 open: a runtime closing it by mistake is seen */
	/* lskel's own temporary files (dispatcher builds, in-place outputs) go here too */
	setenv("TMPDIR", tmp, 1);
	/* a bpffs of our own, in a mount namespace of our own */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	snprintf(bpffs, sizeof(bpffs), "%s/bpf", tmp);
	if (mkdir(bpffs, 0700) || mount("bpf", bpffs, "bpf", 0, "mode=0700"))
		return -1;
	snprintf(pin_root, sizeof(pin_root), "%s/pins", bpffs);
	return mkdir(pin_root, 0700);
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	printf("hostile use: %u cases tried, each with kernel objects and fds counted before and "
	       "after\n", cases);
	clear_pins();
	rmdir(pin_root);
	umount2(bpffs, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd);
}

/* An freplace whose target program is SEC("?...") (autoload off: may be left out of the load)
 * is refused at generation, naming both programs: before, the loader failed at the freplace's
 * PROG_LOAD with the fd of a program never loaded (EBADF). libbpf too needs the target loaded. */
static void test_freplace_of_optional(void **state)
{
	char line[1024], err[4096], out[256], root[256], ext[256];

	(void)state;
	pathf(root, sizeof(root), "%s/tests/bpf/opt_root.bpf.o", build_dir());
	pathf(ext, sizeof(ext), "%s/samples/chain/xdisp_comp_a.bpf.o", build_dir());
	pathf(out, sizeof(out), "%s/optx.lskel.h", tmp);
	pathf(line, sizeof(line), "%s gen -n optx -o %s %s %s", lskel(), out, root, ext);
	cases++;
	assert_int_equal(run_line(line, err, sizeof(err), 0), 1);
	assert_msg(err, "program 'comp_a' of object 'xdisp_comp_a' replaces function 'slot0' of "
		   "program 'opt_root' of object 'opt_root', which is SEC(\"?xdp\")");
	assert_msg(err, "an freplace needs its target loaded");
	assert_int_equal(access(out, F_OK), -1);
	/* the same target without the freplace generates: only the pairing is refused */
	pathf(line, sizeof(line), "%s gen -n optx -o %s %s", lskel(), out, root);
	assert_int_equal(run_line(line, err, sizeof(err), 0), 0);
	assert_int_equal(unlink(out), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_api_misuse),
		cmocka_unit_test(test_log_messages),
		cmocka_unit_test(test_kconfig_bounds),
		cmocka_unit_test(test_kconfig_container),
		cmocka_unit_test(test_kconfig_values),
		cmocka_unit_test(test_kconfig_fill),
		cmocka_unit_test(test_json_escaped),
		cmocka_unit_test(test_fd_limits),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_pin_race_hook),
		cmocka_unit_test(test_pin_race_second),
		cmocka_unit_test(test_pin_race_threads),
		cmocka_unit_test(test_pin_reuse_fields),
		cmocka_unit_test(test_log_after_pin_reuse),
		cmocka_unit_test(test_rodata_readonly),
		cmocka_unit_test(test_attach_all_or_none),
		cmocka_unit_test(test_shared_map_fields),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_more_messages),
		cmocka_unit_test(test_freplace_of_optional),
		cmocka_unit_test(test_cli_args),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);	/* one case: test_hostile test_outputs */
	return cmocka_run_group_tests_name("hostile use", tests, setup, teardown);
}
