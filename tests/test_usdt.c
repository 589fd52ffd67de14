// SPDX-License-Identifier: BSD-2-Clause
/* USDT auto-attach through a generated light skeleton (lskel/usdt.h), on the kernel: the
 * target tests/usdt/target.c (found through $PATH as libbpf resolves a bare name) fires
 * probes with constant, register, sub-register, stack and frame-pointer memory arguments of
 * 1/2/4/8 bytes, signed and unsigned, one name at two sites and one probe behind a
 * semaphore; tests/bpf/usdt_args.bpf.c records them with usdt.bpf.h. Checked: every value,
 * the semaphore counted while attached and 0 after detach, the spec map written before and
 * zeroed after, a second attach, no fd or kernel object left after destroy, the same values
 * through libbpf's own USDT attach of the same object, and each refusal's message. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "usdt_args.lskel.h"
#include "usdt_refused.lskel.h"
#include "kstate.h"
#include "samples.h"

static char target[PATH_MAX + 32];

/* Run the target once; returns the semaphore value it printed (its own reading). */
static long run_target(void)
{
	int p[2], status;
	char out[64] = "";
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(target, target, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(n > 0);
	out[n] = '\0';
	return strtol(out, NULL, 10);
}

/* The layout of each recorder in the skeleton's .bss (an anonymous struct there). */
struct rec {
	__u64 hits;
	long nr;
	long args[12];
};
#define REC(b, m) ((const struct rec *)&(b)->m)
_Static_assert(sizeof(((struct usdt_args__bss *)0)->consts) == sizeof(struct rec), "rec");

static void expect_args(const char *probe, const struct rec *r, __u64 hits, const long *want,
			long nr)
{
	long i;

	if (r->hits != hits || r->nr != nr)
		fail_msg("%s: %llu hits, %ld args; expected %llu, %ld", probe,
			 (unsigned long long)r->hits, r->nr, (unsigned long long)hits, nr);
	for (i = 0; i < nr; i++)
		if (r->args[i] != want[i])
			fail_msg("%s: argument %ld is %ld (0x%lx), expected %ld (0x%lx)", probe, i,
				 r->args[i], r->args[i], want[i], want[i]);
}

/* What the target passes (tests/usdt/target.c, run with argc 1). */
static const long want_consts[] = { 5, -7, -3, 0x123456789L };
static const long want_regs[] = { -100, 200, -1000, 60000, -100000, 3000000000L, -(1L << 40),
				  (long)0xffffffffffffff01UL };
static const long want_mem[] = { -5, 250, -30000, 65000, -2000000000L, 4000000000L,
				 -5000000000L, (long)0xfedcba9876543210UL };
static const long want_frame[] = { -1234, 0xdeadbeefL, -77 };

static void expect_all(const struct usdt_args__bss *b, __u64 hits, long sema)
{
	const long want_guarded[] = { sema };

	expect_args("consts", REC(b, consts), hits, want_consts, 4);
	expect_args("regs", REC(b, regs), hits, want_regs, 8);
	expect_args("mem", REC(b, mem), hits, want_mem, 8);
	expect_args("frame", REC(b, frame), hits, want_frame, 3);
	expect_args("guarded", REC(b, guarded), hits, want_guarded, 1);
	assert_int_equal(b->twice_hits, 2 * hits);
	assert_int_equal(b->twice[1], 10);
	assert_int_equal(b->twice[2], 60);
}

/* Spec entries of __bpf_usdt_specs that are not all zero. */
static int specs_written(int map_fd, struct lskel_usdt_spec *first)
{
	struct lskel_usdt_spec sp, zero;
	__u32 k;
	int n = 0;

	memset(&zero, 0, sizeof(zero));
	for (k = 0; k < 256; k++) {
		assert_int_equal(bpf_map_lookup_elem(map_fd, &k, &sp), 0);
		if (memcmp(&sp, &zero, sizeof(sp)) && !n++ && first)
			*first = sp;
	}
	return n;
}

static void test_attach_values(void **state)
{
	struct id_set before[4] = {};
	int fds0 = count_fds();
	struct lskel_usdt_state *st;
	struct usdt_args *s;
	char left[512];
	long sema;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	s = usdt_args__open_and_load();
	assert_non_null(s);
	assert_int_equal(specs_written(s->maps.__bpf_usdt_specs.map_fd, NULL), 0);
	assert_int_equal(run_target(), 0);	/* not attached: nothing counts the semaphore */
	if (usdt_args__attach(s))
		fail_msg("attach: %s", s->ctx.errmsg);
	st = (struct lskel_usdt_state *)s->ctx.usdt;
	assert_non_null(st);
	/* one spec per distinct argument string: five probes, and twice's two sites */
	assert_int_equal(specs_written(s->maps.__bpf_usdt_specs.map_fd, NULL), 7);
	assert_int_equal(st->progs[5].nr_fds, 1);	/* twice: its second site's link */
	assert_int_equal(st->progs[5].nr_ids, 2);
	assert_true(s->links.usdt_twice_fd >= 0 && s->links.usdt_consts_fd >= 0);
	sema = run_target();
	print_message("semaphore while attached: %ld\n", sema);
	assert_int_equal(sema, 1);
	expect_all(s->bss, 1, 1);

	usdt_args__detach(s);
	assert_null(s->ctx.usdt);
	assert_int_equal(s->links.usdt_twice_fd, -1);
	assert_int_equal(specs_written(s->maps.__bpf_usdt_specs.map_fd, NULL), 0);
	assert_int_equal(run_target(), 0);	/* the kernel counted it back down */
	assert_int_equal(s->bss->consts.hits, 1);	/* detached: not recorded */
	assert_int_equal(s->bss->twice_hits, 2);

	if (usdt_args__attach(s))	/* again, on the same skeleton */
		fail_msg("attach again: %s", s->ctx.errmsg);
	assert_int_equal(run_target(), 1);
	expect_all(s->bss, 2, 1);
	usdt_args__destroy(s);	/* attached: destroy undoes it */
	assert_int_equal(run_target(), 0);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	assert_int_equal(count_fds(), fds0);
	ids_free(before);
}

/* A program attached alone (NAME__P__attach), then the whole skeleton: the spec ids stay
 * distinct, and a failing __attach undoes the USDT programs it had attached. */
static void test_attach_one(void **state)
{
	struct usdt_args *s = usdt_args__open_and_load();
	struct lskel_usdt_spec sp;
	int fds0;

	(void)state;
	assert_non_null(s);
	fds0 = count_fds();
	assert_true(usdt_args__usdt_regs__attach(s) >= 0);
	assert_int_equal(specs_written(s->maps.__bpf_usdt_specs.map_fd, &sp), 1);
	/* regs' spec, as decoded: -1@%dil 1@%sil -2@%dx 2@%cx -4@%r8d 4@%r9d -8@8(%rsp) ... */
	assert_int_equal(sp.nr_args, 8);
	assert_int_equal(sp.args[0].type, LSKEL_USDT_ARG_REG);
	assert_int_equal(sp.args[0].reg_off, offsetof(struct pt_regs, rdi));
	assert_int_equal(sp.args[0].is_signed, 1);
	assert_int_equal(sp.args[0].bitshift, 56);
	assert_int_equal(sp.args[3].reg_off, offsetof(struct pt_regs, rcx));
	assert_int_equal(sp.args[3].is_signed, 0);
	assert_int_equal(sp.args[3].bitshift, 48);
	assert_int_equal(sp.args[6].type, LSKEL_USDT_ARG_REG_DEREF);
	assert_int_equal(sp.args[6].reg_off, offsetof(struct pt_regs, rsp));
	assert_int_equal((long)sp.args[6].val_off, 8);
	assert_int_equal(sp.args[7].bitshift, 0);
	run_target();
	assert_int_equal(s->bss->regs.hits, 1);
	assert_int_equal(s->bss->consts.hits, 0);
	if (usdt_args__attach(s))
		fail_msg("attach: %s", s->ctx.errmsg);
	assert_int_equal(specs_written(s->maps.__bpf_usdt_specs.map_fd, NULL), 7);
	run_target();
	assert_int_equal(s->bss->regs.hits, 2);
	assert_int_equal(s->bss->consts.hits, 1);
	usdt_args__detach(s);
	assert_int_equal(count_fds(), fds0);
	usdt_args__destroy(s);
}

/* The same object through libbpf 1.1's own USDT support: the same values. */
static void test_libbpf_same(void **state)
{
	char path[PATH_MAX];
	struct usdt_args__bss b, *lsk;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *links[8];
	struct usdt_args *s;
	struct bpf_map *m;
	int n = 0, i, zero = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/bpf/usdt_args.bpf.o", build_dir());
	obj = bpf_object__open_file(path, NULL);
	assert_non_null(obj);
	assert_int_equal(bpf_object__load(obj), 0);
	bpf_object__for_each_program(prog, obj) {
		links[n] = bpf_program__attach(prog);
		if (!links[n])
			fail_msg("libbpf attach of %s: %d", bpf_program__name(prog), -errno);
		n++;
	}
	assert_int_equal(run_target(), 1);
	m = bpf_object__find_map_by_name(obj, ".bss");
	assert_non_null(m);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(m), &zero, &b), 0);
	for (i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	expect_all(&b, 1, 1);

	s = usdt_args__open_and_load();
	assert_non_null(s);
	if (usdt_args__attach(s))
		fail_msg("attach: %s", s->ctx.errmsg);
	assert_int_equal(run_target(), 1);
	lsk = s->bss;
	assert_memory_equal(lsk, &b, sizeof(b));
	usdt_args__destroy(s);
	print_message("libbpf and lskel recorded the same %zu bytes\n", sizeof(b));
}

/* Argument strings decoded and refused without a kernel. */
static void test_parse(void **state)
{
	struct lskel_usdt_spec sp;
	const char *bad = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(lskel_usdt_parse_spec(" -4@$-9  8@(%rax) 2@-1204(%rbp) -1@%r15b ", &sp,
					       &bad, &len), 0);
	assert_int_equal(sp.nr_args, 4);
	assert_int_equal(sp.args[0].type, LSKEL_USDT_ARG_CONST);
	assert_int_equal((long)sp.args[0].val_off, -9);
	assert_int_equal(sp.args[0].bitshift, 32);
	assert_int_equal(sp.args[1].type, LSKEL_USDT_ARG_REG_DEREF);
	assert_int_equal(sp.args[1].reg_off, offsetof(struct pt_regs, rax));
	assert_int_equal(sp.args[1].val_off, 0);
	assert_int_equal((long)sp.args[2].val_off, -1204);
	assert_int_equal(sp.args[2].reg_off, offsetof(struct pt_regs, rbp));
	assert_int_equal(sp.args[3].reg_off, offsetof(struct pt_regs, r15));
	assert_int_equal(sp.args[3].is_signed, 1);
	assert_int_equal(lskel_usdt_parse_spec("", &sp, &bad, &len), 0);
	assert_int_equal(sp.nr_args, 0);
	assert_int_equal(lskel_usdt_parse_spec("8@%rax 3@%rbx", &sp, &bad, &len), -EINVAL);
	assert_int_equal(len, 6);
	assert_memory_equal(bad, "3@%rbx", 6);
	assert_int_equal(lskel_usdt_parse_spec("1@%ah", &sp, &bad, &len), -EINVAL);
	assert_int_equal(lskel_usdt_parse_spec("4@counter(%rip)", &sp, &bad, &len), -EINVAL);
	assert_int_equal(lskel_usdt_parse_spec("4@%eaxx", &sp, &bad, &len), -EINVAL);
	assert_int_equal(lskel_usdt_parse_spec("4@-4(%rbp)x", &sp, &bad, &len), -EINVAL);
	assert_int_equal(lskel_usdt_parse_spec("4@$", &sp, &bad, &len), -EINVAL);
	assert_int_equal(lskel_usdt_parse_spec("@%rax", &sp, &bad, &len), -EINVAL);
}

/* Each refused program alone: a message naming the binary, the probe and what is wrong, and
 * nothing left behind (links, spec entries). */
static void expect_refused(const char *prog, const char *why1, const char *why2)
{
	struct usdt_refused *s = usdt_refused__open_and_load();
	int fds0, err = 0, i, found = 0;

	assert_non_null(s);
	fds0 = count_fds();
	for (i = 0; i < (int)usdt_refused__desc.nr_progs; i++)
		if (!strcmp(usdt_refused__desc.progs[i].name, prog)) {
			err = lskel_attach_one(&usdt_refused__desc, s, i);
			found = 1;
		}
	assert_true(found);
	print_message("%s: %s\n", prog, s->ctx.errmsg);
	assert_true(err < 0);
	if (!strstr(s->ctx.errmsg, why1) || (why2 && !strstr(s->ctx.errmsg, why2)))
		fail_msg("'%s' lacks '%s' or '%s'", s->ctx.errmsg, why1, why2 ? why2 : "");
	assert_int_equal(specs_written(s->maps.__bpf_usdt_specs.map_fd, NULL), 0);
	usdt_refused__detach(s);
	assert_int_equal(count_fds(), fds0);
	usdt_refused__destroy(s);
}

static void test_refused(void **state)
{
	struct usdt_refused *s;

	(void)state;
	expect_refused("no_binary", "binary 'lskel_no_such_binary' not found in $PATH", NULL);
	expect_refused("no_probe", "no USDT probe lskel_test:nope in '", target);
	expect_refused("no_provider", "no USDT probe other:consts in '", target);
	expect_refused("bad_index", "lskel_test:bad_index", "argument spec '-4@-4(%rbp,%rax,4)' "
		       "(of '-4@-4(%rbp,%rax,4)') is not supported on x86-64");
	expect_refused("bad_xmm", "lskel_test:bad_xmm", "argument spec '8@%xmm0'");
	expect_refused("bad_many", "USDT probe lskel_test:bad_many in '", "has 13 arguments");
	expect_refused("no_notes", "'/proc/self/exe' has no .note.stapsdt section", NULL);
	expect_refused("not_elf", "'/proc/self/cmdline' is not an ELF file", NULL);
	expect_refused("bad_target", "expected SEC(\"usdt/PATH:PROVIDER:NAME\")",
		       "program 'bad_target'");
	/* __attach of them all: the first refusal, all or nothing */
	s = usdt_refused__open_and_load();
	assert_non_null(s);
	assert_true(usdt_refused__attach(s) < 0);
	if (!strstr(s->ctx.errmsg, "attaching USDT program"))
		fail_msg("__attach: '%s'", s->ctx.errmsg);
	assert_int_equal(s->links.no_binary_fd, -1);
	usdt_refused__destroy(s);
}

/* Probe sites of PROVIDER:NAME in @path through the runtime's own reader: how many, or
 * -errno (elf_open's or the note walk's). */
static long sites_of(const char *path, const char *name)
{
	struct lskel_usdt_site *sites = NULL;
	struct lskel_usdt_elf e;
	char why[400];
	long n = lskel_usdt_elf_open(path, &e, why, sizeof(why));

	if (!n)
		n = lskel_usdt_sites(&e, path, "lskel_test", name, &sites, why, sizeof(why));
	if (n > 0)
		assert_true(sites[0].off > 0 && sites[0].off < e.sz);
	free(sites);
	if (e.f)
		munmap((void *)e.f, e.sz);
	return n;
}

/* Hostile files: every byte of .note.stapsdt set to 0x00, 0x7f and 0xff in turn, and the
 * file cut at several lengths; the reader refuses or finds sites inside the file, never
 * reads outside it (make check SAN=1 runs this under ASan/UBSan). In a private temp dir. */
static void test_malformed(void **state)
{
	char dir[] = "/tmp/lskel-usdt-XXXXXX", copy[64], why[400];
	static const unsigned char vals[] = { 0x00, 0x7f, 0xff };
	const long cuts[] = { 0, 10, 64, 200, 1000, 4096, 8192, -1 };
	struct lskel_usdt_elf e;
	unsigned char *buf, old;
	size_t sz, off, nsz, i, v, refused = 0, found = 0;
	int fd;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(copy, sizeof(copy), "%s/t", dir);
	f = fopen(target, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	rewind(f);
	buf = malloc(sz);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, sz, f), sz);
	fclose(f);
	fd = open(copy, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, sz), (ssize_t)sz);
	assert_int_equal(sites_of(copy, "regs"), 1);
	assert_int_equal(sites_of(copy, "twice"), 2);
	assert_int_equal(lskel_usdt_elf_open(copy, &e, why, sizeof(why)), 0);
	off = e.notes->sh_offset;
	nsz = e.notes->sh_size;
	munmap((void *)e.f, e.sz);
	for (i = off; i < off + nsz; i++)
		for (v = 0; v < sizeof(vals); v++) {
			old = buf[i];
			if (old == vals[v])
				continue;
			assert_int_equal(pwrite(fd, &vals[v], 1, i), 1);
			if (sites_of(copy, "twice") < 0)
				refused++;
			else
				found++;
			assert_int_equal(pwrite(fd, &old, 1, i), 1);
		}
	print_message("%zu note bytes changed: %zu refused, %zu read\n", nsz, refused, found);
	assert_true(refused > 0 && found > 0);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		size_t len = cuts[i] < 0 ? sz - 1 : (size_t)cuts[i];

		assert_int_equal(ftruncate(fd, len), 0);
		assert_true(sites_of(copy, "twice") < 0);	/* notes are near the end */
	}
	close(fd);
	free(buf);
	assert_int_equal(unlink(copy), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_attach_values),
		cmocka_unit_test(test_attach_one),
		cmocka_unit_test(test_libbpf_same),
		cmocka_unit_test(test_refused),
	};
	char dir[PATH_MAX], path[PATH_MAX * 2];
	const char *old = getenv("PATH");

	/* the programs name "lskel_usdt_target": found through $PATH, as libbpf looks */
	snprintf(path, sizeof(path), "%s/tests", build_dir());
	if (!realpath(path, dir)) {
		fprintf(stderr, "test_usdt: no %s\n", path);
		return 1;
	}
	snprintf(target, sizeof(target), "%s/lskel_usdt_target", dir);
	snprintf(path, sizeof(path), "%s%s%s", dir, old ? ":" : "", old ? old : "");
	setenv("PATH", path, 1);
	libbpf_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
