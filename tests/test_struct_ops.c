// SPDX-License-Identifier: BSD-2-Clause
/* struct_ops through light skeletons, on the kernel: a BPF congestion control (Reno through
 * the kernel's tcp_reno_* kfuncs, callbacks counted in .bss) registered by the loader's map
 * update (.struct_ops) or by the link __attach makes (.struct_ops.link), selected with
 * setsockopt(TCP_CONGESTION) on a loopback connection in a private network namespace, and
 * no longer selectable after __destroy / __detach. The runtime's layout check against the
 * kernel's BTF refuses, by member name, a struct the object was not compiled for. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <cmocka.h>
#include "cc_plain.lskel.h"
#include "cc_link.lskel.h"
#include "cc_two.lskel.h"
#include "exec_direct.h"
#include "inject.h"
#include "kstate.h"
#include "samples.h"

#define XFER (4 << 20)

static int lo_up(void **state)
{
	struct ifreq ifr;
	int fd;

	(void)state;
	if (unshare(CLONE_NEWNET))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return 0;
}

/* setsockopt(TCP_CONGESTION, @cc) on a new socket: 0 or -errno. */
static int cc_selectable(const char *cc)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	assert_true(fd >= 0);
	r = setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc)) ? -errno : 0;
	close(fd);
	return r;
}

/* XFER bytes over a loopback connection whose sender uses congestion control @cc. */
static void transfer(const char *cc)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	static char buf[1 << 16];
	char got[32] = "";
	socklen_t gl = sizeof(got);
	int srv, cli, acc;
	size_t sent = 0, rcvd = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(srv >= 0);
	assert_int_equal(bind(srv, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(srv, 1), 0);
	assert_int_equal(getsockname(srv, (struct sockaddr *)&a, &al), 0);
	cli = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(cli >= 0);
	assert_int_equal(setsockopt(cli, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc)), 0);
	assert_true(connect(cli, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EINPROGRESS);
	acc = accept4(srv, NULL, NULL, SOCK_NONBLOCK);
	assert_true(acc >= 0);
	assert_int_equal(getsockopt(cli, IPPROTO_TCP, TCP_CONGESTION, got, &gl), 0);
	assert_string_equal(got, cc);
	while (rcvd < XFER) {
		ssize_t n;

		if (sent < XFER) {
			n = send(cli, buf, sizeof(buf) < XFER - sent ? sizeof(buf) : XFER - sent, 0);
			if (n > 0)
				sent += n;
			else
				assert_int_equal(errno, EAGAIN);
		}
		n = recv(acc, buf, sizeof(buf), 0);
		if (n > 0)
			rcvd += n;
		else
			assert_true(n < 0 && errno == EAGAIN);
	}
	close(cli);
	close(acc);
	close(srv);
}

static void no_leak(struct id_set before[4], int fds0)
{
	char left[512];

	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	assert_int_equal(count_fds(), fds0);
	ids_free(before);
}

/* Plain .struct_ops: registered by the load under the name the caller set, unregistered by
 * __destroy. */
static void test_plain(void **state)
{
	struct id_set before[4] = {};
	int fds0 = count_fds();
	struct cc_plain *s;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	s = cc_plain__open();
	assert_non_null(s);
	assert_string_equal((char *)s->struct_ops.lsk_cc->name, "lsk_cc");
	snprintf((char *)s->struct_ops.lsk_cc->name, sizeof(s->struct_ops.lsk_cc->name), "lsk_cc_t");
	/* a function pointer without a program: these bytes never reach the kernel (it would
	 * take them for a program fd and refuse the update) */
	s->struct_ops.lsk_cc->set_state = 12345;
	assert_int_equal(cc_selectable("lsk_cc_t"), -ENOENT);
	if (cc_plain__load(s))
		fail_msg("load: %s", s->ctx.errmsg);
	assert_int_equal(cc_selectable("lsk_cc"), -ENOENT);
	assert_int_equal(cc_selectable("lsk_cc_t"), 0);
	transfer("lsk_cc_t");
	print_message("plain: init %llu ssthresh %llu cong_avoid %llu undo_cwnd %llu\n",
		      (unsigned long long)s->bss->calls[0], (unsigned long long)s->bss->calls[1],
		      (unsigned long long)s->bss->calls[2], (unsigned long long)s->bss->calls[3]);
	assert_true(s->bss->calls[0] >= 1);	/* init: the connection took our ops */
	assert_true(s->bss->calls[2] >= 1);	/* cong_avoid: ACKs grew the window */
	assert_int_equal(cc_plain__attach(s), 0);	/* nothing to attach: registered */
	cc_plain__destroy(s);
	assert_int_equal(cc_selectable("lsk_cc_t"), -ENOENT);
	no_leak(before, fds0);
}

/* The running kernel predates Linux 6.4, which brought struct_ops links (BPF_F_LINK): read
 * from uname, not from the BTF probe the runtime uses, so that a wrong probe fails here. */
static int before_struct_ops_links(void)
{
	struct utsname u;
	unsigned int maj = 0, min = 0;

	assert_int_equal(uname(&u), 0);
	assert_int_equal(sscanf(u.release, "%u.%u", &maj, &min), 2);
	return maj < 6 || (maj == 6 && min < 4);
}

/* Before 6.4: the load refuses the .struct_ops.link map by name and feature before anything
 * reaches the kernel, and the kernel itself refuses that map (exec_direct's replay of the
 * same trace fails at its MAP_CREATE with EINVAL: 6.1 wants map_flags 0 on struct_ops). */
static void link_refused(void)
{
	struct id_set before[4] = {}, mid[4] = {};
	struct lsk_exec_error e = { -1, 0 };
	struct lsk_exec_opts o = { .fail_at = -1 };
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	int fds0 = count_fds(), *fds = NULL;
	char path[256], left[512];
	struct cc_link *s;

	assert_int_equal(ids_snapshot(before), 0);
	s = cc_link__open();
	assert_non_null(s);
	assert_int_equal(cc_link__load(s), -EOPNOTSUPP);
	print_message("refused: %s\n", s->ctx.errmsg);
	assert_int_equal(s->ctx.failed_op, -1);
	if (!strstr(s->ctx.errmsg, "struct_ops 'lsk_cc_link'") ||
	    !strstr(s->ctx.errmsg, "BPF_F_LINK") || !strstr(s->ctx.errmsg, "Linux 6.4"))
		fail_msg("the refusal names neither the map nor the kernel feature: %s",
			 s->ctx.errmsg);
	assert_int_equal(ids_snapshot(mid), 0);	/* nothing reached the kernel */
	if (ids_new(before, mid, left, sizeof(left)))
		fail_msg("the refused load made kernel objects: %s", left);
	ids_free(mid);
	assert_int_equal(cc_link__attach(s), -EINVAL);	/* not loaded: nothing to link */
	assert_int_equal(cc_selectable("lsk_cc_link"), -ENOENT);
	cc_link__destroy(s);

	snprintf(path, sizeof(path), "%s/tests/bpf/cc_link.bpf.o", build_dir());
	assert_int_equal(lsk_obj_open(path, &obj), 0);
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	assert_true(lsk_exec_direct(t, &o, &fds, &e) < 0);
	assert_true(e.op >= 0 && (size_t)e.op < t->nr_ops && e.op < (int)cc_link__desc.nr_ops);
	if (t->ops[e.op].cmd != BPF_MAP_CREATE ||
	    !strstr(cc_link__desc.op_what[e.op], "map 'lsk_cc_link'"))
		fail_msg("exec_direct failed at op %d (%s), not at the link map's MAP_CREATE",
			 e.op, cc_link__desc.op_what[e.op]);
	print_message("exec_direct: op %d (%s %s): %s\n", e.op, lsk_cmd_name(t->ops[e.op].cmd),
		      cc_link__desc.op_what[e.op], strerror(-e.err));
	assert_int_equal(e.err, -EINVAL);
	lsk_trace_free(t);
	lsk_obj_free(obj);
	no_leak(before, fds0);
}

/* .struct_ops.link: loaded but not registered until __attach; __detach unregisters. Before
 * Linux 6.4 (the 6.1 guest): refused by the load, naming the feature. */
static void test_link(void **state)
{
	struct id_set before[4] = {};
	int fds0 = count_fds();
	struct cc_link *s;
	__u64 init;

	(void)state;
	if (before_struct_ops_links()) {
		link_refused();
		return;
	}
	assert_int_equal(ids_snapshot(before), 0);
	s = cc_link__open_and_load();
	assert_non_null(s);
	assert_int_equal(s->links.lsk_cc_link_fd, -1);
	assert_int_equal(cc_selectable("lsk_cc_link"), -ENOENT);
	if (cc_link__attach(s))
		fail_msg("attach: %s", s->ctx.errmsg);
	assert_true(s->links.lsk_cc_link_fd >= 0);
	assert_int_equal(cc_selectable("lsk_cc_link"), 0);
	transfer("lsk_cc_link");
	init = s->bss->calls[0];
	print_message("link: init %llu ssthresh %llu cong_avoid %llu undo_cwnd %llu\n",
		      (unsigned long long)init, (unsigned long long)s->bss->calls[1],
		      (unsigned long long)s->bss->calls[2], (unsigned long long)s->bss->calls[3]);
	assert_true(init >= 1);
	assert_true(s->bss->calls[2] >= 1);
	cc_link__detach(s);
	assert_int_equal(s->links.lsk_cc_link_fd, -1);
	assert_int_equal(cc_selectable("lsk_cc_link"), -ENOENT);
	assert_int_equal(cc_link__attach(s), 0);	/* again: the map can be linked anew */
	assert_int_equal(cc_selectable("lsk_cc_link"), 0);
	cc_link__destroy(s);
	assert_int_equal(cc_selectable("lsk_cc_link"), -ENOENT);
	no_leak(before, fds0);
}

static int skel_kstate(void *s, const struct lskel_desc *d, struct kstate *ks)
{
	const char *mn[16], *pn[16];
	int mf[16], pf[16];
	__u32 i;

	assert_true(d->nr_maps <= 16 && d->nr_progs <= 16);
	for (i = 0; i < d->nr_maps; i++) {
		mn[i] = d->maps[i].name;
		mf[i] = ((struct lskel_map_desc *)((char *)s + d->maps[i].fd_off))->map_fd;
	}
	for (i = 0; i < d->nr_progs; i++) {
		pn[i] = d->progs[i].name;
		pf[i] = ((struct lskel_prog_desc *)((char *)s + d->progs[i].fd_off))->prog_fd;
	}
	return kstate_collect(ks, mn, mf, d->nr_maps, pn, pf, d->nr_progs);
}

/* The loader leaves the kernel state libbpf 1.1 leaves for the plain object (maps, value type
 * id, programs' xlated code, attach types). */
static void test_same_state(void **state)
{
	struct kstate ours = {}, ref = {};
	char path[256], report[8192];
	struct cc_plain *p;
	int lerr = 0, n;

	(void)state;
	p = cc_plain__open_and_load();
	assert_non_null(p);
	assert_int_equal(skel_kstate(p, &cc_plain__desc, &ours), 0);
	snprintf(path, sizeof(path), "%s/tests/bpf/cc_plain.bpf.o", build_dir());
	assert_int_equal(kstate_from_libbpf(path, &ref, &lerr), 0);
	assert_int_equal(lerr, 0);
	n = kstate_diff(&ours, "skeleton", &ref, "libbpf", report, sizeof(report));
	if (n)
		fail_msg("%d differences:\n%s", n, report);
	print_message("cc_plain = libbpf: %zu maps, %zu programs\n", ours.nr_maps, ours.nr_progs);
	kstate_free(&ours);
	kstate_free(&ref);
	cc_plain__destroy(p);
}

/* The link object leaves the state exec_direct leaves (libbpf 1.1 knows no .struct_ops.link;
 * a second registration of one name would fail: EEXIST).
 * Needs struct_ops links (6.4): not run in the 6.1 guest, where test_link checks the
 * refusal instead. */
static void test_link_same_state(void **state)
{
	struct kstate ours = {}, ref = {};
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	char path[256], report[8192];
	struct cc_link *l;
	int n;

	(void)state;
	l = cc_link__open_and_load();
	assert_non_null(l);
	assert_int_equal(skel_kstate(l, &cc_link__desc, &ours), 0);
	snprintf(path, sizeof(path), "%s/tests/bpf/cc_link.bpf.o", build_dir());
	assert_int_equal(lsk_obj_open(path, &obj), 0);
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	assert_int_equal(kstate_from_trace(t, &ref), 0);
	n = kstate_diff(&ours, "skeleton", &ref, "exec_direct", report, sizeof(report));
	if (n)
		fail_msg("%d differences:\n%s", n, report);
	print_message("cc_link = exec_direct: %zu maps, %zu programs\n", ours.nr_maps,
		      ours.nr_progs);
	kstate_free(&ours);
	kstate_free(&ref);
	lsk_trace_free(t);
	lsk_obj_free(obj);
	cc_link__destroy(l);
}

/* Load @d (cc_plain's, altered) and expect a refusal before anything reaches the kernel. */
static void expect_refusal(const struct lskel_desc *d, const char *want)
{
	struct id_set before[4] = {};
	int fds0 = count_fds();
	struct cc_plain *s = (struct cc_plain *)calloc(1, sizeof(*s));

	assert_non_null(s);
	assert_int_equal(ids_snapshot(before), 0);
	assert_int_equal(lskel_open(d, s), 0);
	assert_true(lskel_load(d, s) < 0);
	print_message("refused: %s\n", s->ctx.errmsg);
	if (!strstr(s->ctx.errmsg, want))
		fail_msg("message '%s' lacks '%s'", s->ctx.errmsg, want);
	lskel_destroy(d, s);
	no_leak(before, fds0);
}

/* The kernel's layout is checked by name: a member moved, a member the kernel lacks, a
 * struct it does not have. */
static void test_layout_refused(void **state)
{
	struct lskel_desc d = cc_plain__desc;
	struct lskel_st_ops so = cc_plain__desc.st_ops[0];
	struct lskel_st_member m[64];

	(void)state;
	assert_true(so.nr_members <= 64);
	memcpy(m, so.members, so.nr_members * sizeof(*m));
	so.members = m;
	d.st_ops = &so;
	m[1].off += 8;
	expect_refusal(&d, "offset of member cong_avoid (kernel 8, object 16)");
	m[1].off -= 8;
	m[1].name = "cong_avoid_v2";
	expect_refusal(&d, "it has no member cong_avoid_v2");
	m[1].name = "cong_avoid";
	so.type = "lskel_no_such_ops";
	expect_refusal(&d, "no struct_ops type lskel_no_such_ops");
	so.type = "tcp_congestion_ops";
	so.value_size += 64;
	expect_refusal(&d, "value size of bpf_struct_ops_tcp_congestion_ops (kernel 256, "
		       "object 320)");
}

/* A failure at any op leaves nothing: with two plain maps, the first one's registration is
 * undone when the second one's update (or anything later) fails (inject_every_op and
 * kernel_fail_every_op count every kernel object and fd). */
static void test_failure_undoes_registration(void **state)
{
	unsigned int n;

	(void)state;
	n = kernel_fail_every_op(&cc_two__desc, sizeof(struct cc_two));
	print_message("cc_two: kernel refusal at %u ops, nothing left\n", n);
	assert_true(n > 0);
	assert_int_equal(cc_selectable("lsk_cc_a"), -ENOENT);
	n = inject_every_op(&cc_two__desc, sizeof(struct cc_two));
	print_message("cc_two: injected failure at %u ops, nothing left\n", n);
	assert_true(n > 0);
	assert_int_equal(cc_selectable("lsk_cc_a"), -ENOENT);
}

/* The link object failing at any op leaves nothing either. Needs struct_ops links (6.4): not
 * run in the 6.1 guest (its load is refused before the loader runs, see test_link). */
static void test_link_every_op(void **state)
{
	unsigned int n;

	(void)state;
	n = kernel_fail_every_op(&cc_link__desc, sizeof(struct cc_link));
	print_message("cc_link: kernel refusal at %u ops, nothing left\n", n);
	assert_true(n > 0);
}

/* sched_ext: no kernel here has it. `lskel dump` of a minimal scheduler (trace, then loader)
 * equals the reviewed golden files: the value type and struct looked up at load time, the
 * programs at members 0, 1, 3, 31, 32, the .struct_ops.link map (flags 0x2000). */
static void golden(const char *args, const char *file)
{
	const char *b = getenv("LSK_BUILD") ? getenv("LSK_BUILD") : "build";
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%1$s/bin/lskel %2$s %1$s/samples/refused/sched_simple.bpf.o > "
		 "%1$s/tests/%3$s.out && cmp -s %1$s/tests/%3$s.out tests/golden/%3$s || "
		 "{ diff -u tests/golden/%3$s %1$s/tests/%3$s.out | head -20; exit 1; }", b, args,
		 file);
	if (system(cmd))
		fail_msg("lskel %s of sched_simple differs from tests/golden/%s", args, file);
}

static void test_sched_ext_golden(void **state)
{
	(void)state;
	golden("dump", "sched_simple.dump");
	golden("dump --loader", "sched_simple.loader.dump");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_layout_refused),
		cmocka_unit_test(test_same_state),
		cmocka_unit_test(test_link_same_state),
		cmocka_unit_test(test_failure_undoes_registration),
		cmocka_unit_test(test_link_every_op),
		cmocka_unit_test(test_sched_ext_golden),
	};

	if (getenv("LSK_SKIP_TESTS"))	/* tests/vm/check: what the 6.1 guest lacks, by name */
		cmocka_set_skip_filter(getenv("LSK_SKIP_TESTS"));
	return cmocka_run_group_tests(tests, lo_up, NULL);
}
