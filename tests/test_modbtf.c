// SPDX-License-Identifier: BSD-2-Clause
/* Kfuncs shared by several programs and objects (samples/ct_lookup.bpf.c + tests/bpf/
 * ct_other.bpf.c, conntrack kfuncs: nf_conntrack is a module on most distribution kernels).
 * One lookup per symbol per load; each module BTF fd the loader gets is closed once, right
 * after the last program that uses it is loaded; the programs keep their BTF (and module)
 * alive after the loading process is gone. The trace and loader of this path are golden
 * (tests/golden/ct_chain.*); the module-specific check runs where nf_conntrack is a module
 * and prints SKIP with the reason elsewhere. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "ct_chain.lskel.h"
#include "kstate.h"

#define CT_MOD_BTF "/sys/kernel/btf/nf_conntrack"
#define CT_MOD_REFCNT "/sys/module/nf_conntrack/refcnt"

static __u32 run_xdp(int prog_fd)
{
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &o), 0);
	return o.retval;
}

static void test_load_run_no_fd_left(void **state)
{
	struct id_set before[4] = {};
	int fds0 = count_fds();
	struct ct_chain *s;
	char left[512];

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	s = ct_chain__open_and_load();
	if (!s)
		fail_msg("load failed: %s", strerror(errno));
	assert_int_equal(run_xdp(s->ct_lookup.progs.ct_tcp.prog_fd), 2 /* XDP_PASS */);
	assert_int_equal(run_xdp(s->ct_lookup.progs.ct_udp.prog_fd), 2);
	assert_int_equal(s->ct_lookup.bss->lookups, 2);
	assert_int_equal(s->ct_lookup.bss->found, 0);
	assert_int_equal(s->ct_lookup.bss->last_error, -ENOENT);
	assert_int_equal(run_xdp(s->ct_other.progs.ct_absent.prog_fd), 2);
	/* loaded: the skeleton's own fds (maps, programs) and no module BTF fd */
	assert_int_equal(count_fds(), fds0 + 5);
	ct_chain__destroy(s);
	assert_int_equal(count_fds(), fds0);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("left in the kernel: %s", left);
	ids_free(before);
}

static void pin_path(char *buf, size_t n, pid_t pid, const char *prog)
{
	snprintf(buf, n, "/sys/fs/bpf/lskel_modbtf_%d_%s", (int)pid, prog);
}

/* The loading process pins two programs and exits without cleaning up. */
static pid_t load_in_child(void)
{
	pid_t pid = fork();
	char path[128];
	struct ct_chain *s;

	assert_true(pid >= 0);
	if (pid)
		return pid;
	s = ct_chain__open_and_load();
	if (!s)
		_exit(1);
	pin_path(path, sizeof(path), getpid(), "ct_tcp");
	if (bpf_obj_pin(s->ct_lookup.progs.ct_tcp.prog_fd, path))
		_exit(2);
	pin_path(path, sizeof(path), getpid(), "ct_absent");
	if (bpf_obj_pin(s->ct_other.progs.ct_absent.prog_fd, path))
		_exit(3);
	_exit(0);
}

static long read_long(const char *path)
{
	char buf[32] = {};
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static void test_programs_outlive_the_loader(void **state)
{
	bool module = access(CT_MOD_BTF, F_OK) == 0;
	long ref0 = module ? read_long(CT_MOD_REFCNT) : -1, ref;
	char tcp[128], absent[128];
	int st, fd, i;
	pid_t pid;

	(void)state;
	pid = load_in_child();
	assert_int_equal(waitpid(pid, &st, 0), pid);
	pin_path(tcp, sizeof(tcp), pid, "ct_tcp");
	pin_path(absent, sizeof(absent), pid, "ct_absent");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		unlink(tcp);
		fail_msg("child load/pin failed (status 0x%x)", st);
	}
	fd = bpf_obj_get(absent);
	assert_true(fd >= 0);
	assert_int_equal(run_xdp(fd), 2);	/* conntrack kfuncs still bound: lookup ran */
	close(fd);
	fd = bpf_obj_get(tcp);
	assert_true(fd >= 0);
	assert_int_equal(run_xdp(fd), 2);
	close(fd);
	if (module) {	/* the programs hold nf_conntrack: its refcount is up while pinned */
		ref = read_long(CT_MOD_REFCNT);
		assert_true(ref > ref0);
	}
	assert_int_equal(unlink(tcp), 0);
	assert_int_equal(unlink(absent), 0);
	for (i = 0; module && i < 300 && read_long(CT_MOD_REFCNT) != ref0; i++)
		usleep(10000);	/* programs are freed after an RCU grace period */
	if (module)
		assert_int_equal(read_long(CT_MOD_REFCNT), ref0);
}

static void test_module_btf_fd(void **state)
{
	(void)state;
	if (access(CT_MOD_BTF, F_OK)) {
		print_message("SKIP: no module BTF here (%s missing: the kernel has no loadable "
			      "modules, conntrack's kfuncs are in vmlinux); the module path is "
			      "covered by tests/golden/ct_chain.loader.dump and, on a kernel with "
			      "nf_conntrack as a module, by test_programs_outlive_the_loader\n",
			      CT_MOD_BTF);
		skip();
	}
	/* with the module: the load above went through the module BTF path; the refcount
	 * check of test_programs_outlive_the_loader proved the programs hold the module, and
	 * test_load_run_no_fd_left that no module BTF fd stayed open */
	test_load_run_no_fd_left(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_run_no_fd_left),
		cmocka_unit_test(test_programs_outlive_the_loader),
		cmocka_unit_test(test_module_btf_fd),
	};

	return cmocka_run_group_tests_name("module BTF fds", tests, NULL, NULL);
}
