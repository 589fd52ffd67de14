// SPDX-License-Identifier: BSD-2-Clause
/* Attaching through generated skeletons on the kernel: a raw tracepoint by __attach, and
 * XDP, tcx and cgroup skb programs by their explicit helpers, counting real packets sent
 * over a veth pair between two network namespaces. fentry/fexit/LSM and kprobes: SKIP where
 * the kernel refuses them (this one; their trace and attach table are golden-tested); they
 * run on Debian's 6.1 in QEMU (make check-vm). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "net_count.lskel.h"
#include "tc_subprogs.lskel.h"
#include "kprobes.lskel.h"
#include "trampolines.lskel.h"
#include "uprobe_count.lskel.h"

#define NS_A "lskel_t_a"
#define NS_B "lskel_t_b"
/* Delete the two namespaces where they exist (ip's own message for a missing one is noise);
 * a failed deletion still says why. */
#define DEL_NETNS "for n in " NS_A " " NS_B "; do " \
	"[ ! -e /var/run/netns/$n ] || ip netns del $n; done"
#define CGROUP "/sys/fs/cgroup/unified/lskel_test"

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int setup_net(void **state)
{
	(void)state;
	sh(DEL_NETNS);
	if (sh("ip netns add " NS_A " && ip netns add " NS_B " && "
	       "ip link add lsk0 netns " NS_A " type veth peer name lsk1 netns " NS_B " && "
	       "ip -n " NS_A " addr add 10.77.0.1/24 dev lsk0 && "
	       "ip -n " NS_B " addr add 10.77.0.2/24 dev lsk1 && "
	       "ip -n " NS_A " link set lsk0 up && ip -n " NS_B " link set lsk1 up && "
	       "ip -n " NS_A " link set lo up && ip -n " NS_B " link set lo up"))
		return -1;
	return 0;
}

static int teardown_net(void **state)
{
	(void)state;
	sh(DEL_NETNS);
	rmdir(CGROUP);
	return 0;
}

/* Enter network namespace @name (NULL: back to where we started). */
static void enter_ns(const char *name)
{
	static int home = -1;
	char path[128];
	int fd;

	if (home < 0)
		home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!name) {
		assert_int_equal(setns(home, CLONE_NEWNET), 0);
		return;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(setns(fd, CLONE_NEWNET), 0);
	close(fd);
}

/* From namespace A, @n UDP datagrams of @len bytes to 10.77.0.2:9, in a child process
 * (optionally placed in cgroup @cg first). */
static void send_udp(int n, size_t len, const char *cg)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (!pid) {
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
		char buf[1500] = { 0 };
		int s, i;

		if (cg) {
			FILE *f = fopen(cg, "w");

			if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
				_exit(3);
		}
		enter_ns(NS_A);
		inet_pton(AF_INET, "10.77.0.2", &to.sin_addr);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (s < 0)
			_exit(1);
		for (i = 0; i < n; i++) {
			if (sendto(s, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
				_exit(2);
			usleep(20000);	/* let ARP resolve before the next one */
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static __u64 u64_at(int fd, __u32 key)
{
	__u64 v = 0;

	assert_int_equal(bpf_map_lookup_elem(fd, &key, &v), 0);
	return v;
}

static void test_raw_tracepoint_auto_attach(void **state)
{
	struct net_count *s = net_count__open();
	int i;

	(void)state;
	assert_non_null(s);
	s->rodata->watch_tgid = getpid();
	assert_int_equal(net_count__load(s), 0);
	assert_int_equal(net_count__attach(s), 0);
	assert_true(s->links.count_getpid_fd >= 0);
	assert_true(s->links.count_xdp_fd < 0);	/* needs a target: not auto-attached */
	for (i = 0; i < 5; i++)
		syscall(SYS_getpid);
	net_count__detach(s);
	syscall(SYS_getpid);
	assert_int_equal(s->bss->getpid_calls, 5);
	net_count__destroy(s);
}

static void test_xdp_and_tcx_on_veth(void **state)
{
	struct net_count *s = net_count__open_and_load();
	struct tc_subprogs *tc = tc_subprogs__open_and_load();
	char out[4096] = "";
	int ifindex;
	FILE *p;

	(void)state;
	assert_non_null(s);
	assert_non_null(tc);
	enter_ns(NS_B);
	ifindex = if_nametoindex("lsk1");
	assert_true(ifindex > 0);
	assert_int_equal(net_count__count_xdp__attach_xdp(s, ifindex, 0), 0);
	assert_int_equal(tc_subprogs__classify__attach_tc(tc, ifindex, 0), 0);
	enter_ns(NULL);
	p = popen("ip -n " NS_B " -d link show lsk1", "r");
	assert_non_null(p);
	assert_true(fread(out, 1, sizeof(out) - 1, p) > 0);
	pclose(p);
	assert_non_null(strstr(out, "xdp"));
	send_udp(10, 32, NULL);
	assert_true(u64_at(s->maps.xdp_proto.map_fd, 17) >= 10);	/* UDP */
	assert_true(tc->bss->classified[0] >= 10);	/* short packets seen at tcx ingress */
	net_count__destroy(s);	/* links go first: XDP leaves the device */
	tc_subprogs__destroy(tc);
	p = popen("ip -n " NS_B " -d link show lsk1", "r");
	memset(out, 0, sizeof(out));
	assert_true(fread(out, 1, sizeof(out) - 1, p) > 0);
	pclose(p);
	assert_null(strstr(out, "prog/xdp"));
}

static void test_cgroup_skb_egress(void **state)
{
	struct net_count *s = net_count__open_and_load();
	int cg;

	(void)state;
	assert_non_null(s);
	if (mkdir(CGROUP, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", CGROUP, strerror(errno));
	cg = open(CGROUP, O_RDONLY | O_DIRECTORY);
	assert_true(cg >= 0);
	assert_int_equal(net_count__count_egress__attach_cgroup(s, cg), 0);
	send_udp(7, 64, CGROUP "/cgroup.procs");
	assert_true(s->bss->cgroup_egress >= 7);
	net_count__destroy(s);
	close(cg);
}

/* The uprobes' target: a function of this test binary (in its .symtab). */
__attribute__((noinline)) int lskel_uprobe_target(int x)
{
	asm volatile("" ::: "memory");
	return x * 3 + 1;
}

static void test_uprobe_auto_attach(void **state)
{
	struct uprobe_count *s = uprobe_count__open_and_load();
	int i, r = 0;

	(void)state;
	assert_non_null(s);
	assert_int_equal(uprobe_count__attach(s), 0);
	for (i = 1; i <= 3; i++)
		r += lskel_uprobe_target(i * 10);
	uprobe_count__detach(s);
	lskel_uprobe_target(99);	/* detached: not counted */
	assert_int_equal(r, 31 + 61 + 91);
	assert_int_equal(s->bss->calls, 3);
	assert_int_equal(s->bss->last_arg, 30);
	assert_int_equal(s->bss->last_ret, 91);
	uprobe_count__destroy(s);
}

static void test_trampolines(void **state)
{
	struct trampolines *s = trampolines__open();
	int err;

	(void)state;
	assert_non_null(s);
	s->rodata->watch_tgid = getpid();
	err = trampolines__load(s);
	if (err == -EPERM) {
		print_message("SKIP: this kernel refuses fentry/fexit/LSM programs with EPERM (%s); "
			      "their trace and attach table are golden-tested\n", s->ctx.errmsg);
		trampolines__destroy(s);
		skip();
	}
	assert_int_equal(err, 0);
	assert_int_equal(trampolines__attach(s), 0);
	unlink("/tmp/lskel-does-not-exist");
	close(open("/proc/self/stat", O_RDONLY));
	assert_true(s->bss->unlinks >= 1);
	assert_true(s->bss->exits >= 1);
	assert_true(s->bss->opens >= 1);
	/* fmod_ret: getsid() fails while the program says so, only then */
	s->bss->deny_getsid = 1;
	errno = 0;
	assert_int_equal(getsid(getpid()), -1);	/* getsid(0) asks no LSM hook */
	assert_int_equal(errno, EPERM);
	s->bss->deny_getsid = 0;
	assert_true(getsid(getpid()) >= 0);
	assert_int_equal(s->bss->denied, 1);
	trampolines__destroy(s);
}

#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe"

static void test_kprobes(void **state)
{
	struct kprobes *s = kprobes__open();
	int i, err;

	(void)state;
	assert_non_null(s);
	s->rodata->watch_tgid = getpid();
	assert_int_equal(kprobes__load(s), 0);
	err = kprobes__attach(s);
	if (err && access(KPROBE_PMU, F_OK)) {
		print_message("SKIP: this kernel has no kprobes (%s missing; attach: %s)\n",
			      KPROBE_PMU, s->ctx.errmsg);
		kprobes__destroy(s);
		skip();
	}
	if (err)
		fail_msg("attach: %s", s->ctx.errmsg);
	for (i = 0; i < 3; i++)
		assert_int_equal(unlink("/tmp/lskel-kprobe-does-not-exist"), -1);
	kprobes__detach(s);
	unlink("/tmp/lskel-kprobe-does-not-exist");	/* detached: not counted */
	assert_int_equal(s->bss->unlinks, 3);
	assert_int_equal(s->bss->returns, 3);
	assert_int_equal(s->bss->last_ret, -ENOENT);
	kprobes__destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_tracepoint_auto_attach),
		cmocka_unit_test(test_xdp_and_tcx_on_veth),
		cmocka_unit_test(test_cgroup_skb_egress),
		cmocka_unit_test(test_uprobe_auto_attach),
		cmocka_unit_test(test_trampolines),
		cmocka_unit_test(test_kprobes),
	};

	/* the 6.1 guest (tests/vm/check) leaves out what that kernel lacks (tcx) by name */
	if (getenv("LSK_SKIP_TESTS"))
		cmocka_set_skip_filter(getenv("LSK_SKIP_TESTS"));

	return cmocka_run_group_tests_name("attach", tests, setup_net, teardown_net);
}
