// SPDX-License-Identifier: BSD-2-Clause
/* Behaviour of every sample loaded through its generated skeleton: programs run (test_run or
 * real events after __attach) and global data is read and written through the mmapped
 * skel->bss / ->data / ->rodata, including .rodata changed between open and load. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "core_read.lskel.h"
#include "ksyms.lskel.h"
#include "loop_cb.lskel.h"
#include "map_in_map.lskel.h"
#include "sock_filter.lskel.h"
#include "tc_subprogs.lskel.h"
#include "tp_counter.lskel.h"
#include "xdp_tail.lskel.h"

static int run(int prog_fd, size_t len, __u32 *retval)
{
	unsigned char pkt[2048] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len, .repeat = 1);
	int err;

	pkt[12] = 0x08;	/* IPv4 ethertype */
	err = bpf_prog_test_run_opts(prog_fd, &o);
	*retval = o.retval;
	return err;
}

static __u64 lookup_u64(int map_fd, __u32 key)
{
	__u64 v = 0;

	assert_int_equal(bpf_map_lookup_elem(map_fd, &key, &v), 0);
	return v;
}

static void test_tp_counter(void **state)
{
	struct tp_counter *s = tp_counter__open();
	__u32 tgid = getpid(), i;
	__u64 count;

	(void)state;
	assert_non_null(s);
	/* .rodata written between open and load reaches the program */
	s->rodata->settings.tgid_filter = tgid;
	s->rodata->settings.step = 5;
	s->data->data_seed = 0;
	assert_int_equal(tp_counter__load(s), 0);
	assert_int_equal(s->rodata->scale, 3);
	assert_int_equal(s->rodata->settings.step, 5);
	assert_int_equal(tp_counter__attach(s), 0);
	assert_true(s->links.count_getpid_fd >= 0);
	for (i = 0; i < 10; i++)
		syscall(SYS_getpid);
	tp_counter__detach(s);
	assert_int_equal(bpf_map_lookup_elem(s->maps.counts.map_fd, &tgid, &count), 0);
	assert_int_equal(count, 1 + 9 * 5);	/* first call inserts 1, then += step */
	assert_int_equal(s->bss->stats.hits, 10);
	assert_int_equal(s->bss->stats.last_pid, tgid);
	assert_int_equal(s->bss->total_hits, 30);
	assert_int_equal(s->data->data_seed, 0);	/* even number of xors with tgid */
	assert_int_equal(s->data_custom->custom_counter, 17);
	/* written from user space through the mapping, seen by the program */
	s->bss->stats.hits = 100;
	assert_int_equal(tp_counter__attach(s), 0);
	syscall(SYS_getpid);
	tp_counter__detach(s);
	assert_int_equal(s->bss->stats.hits, 101);
	tp_counter__destroy(s);
}

static void test_xdp_tail(void **state)
{
	struct xdp_tail *s = xdp_tail__open_and_load();
	__u32 ret;

	(void)state;
	assert_non_null(s);
	assert_int_equal(run(s->progs.xdp_entry.prog_fd, 64, &ret), 0);
	assert_int_equal(ret, 2 /* XDP_PASS via slot 0 */);
	assert_int_equal(run(s->progs.xdp_entry.prog_fd, 65, &ret), 0);
	assert_int_equal(ret, 1 /* XDP_DROP via slot 2 */);
	assert_int_equal(lookup_u64(s->maps.hits.map_fd, 0), 2);
	assert_int_equal(lookup_u64(s->maps.hits.map_fd, 1), 1);
	assert_int_equal(lookup_u64(s->maps.hits.map_fd, 2), 1);
	assert_int_equal(lookup_u64(s->maps.hits.map_fd, 3), 0);	/* tail calls never return */
	xdp_tail__destroy(s);
}

static void test_map_in_map(void **state)
{
	struct map_in_map *s = map_in_map__open_and_load();
	__u32 ret;

	(void)state;
	assert_non_null(s);
	/* socket filters see the packet without its 14-byte Ethernet header */
	assert_int_equal(run(s->progs.mim_filter.prog_fd, 64, &ret), 0);
	assert_int_equal(ret, 50);
	assert_int_equal(run(s->progs.mim_filter.prog_fd, 65, &ret), 0);
	assert_int_equal(run(s->progs.mim_filter.prog_fd, 67, &ret), 0);
	/* even length -> slot 0 -> inner_a, odd -> slot 1 -> inner_b */
	assert_int_equal(lookup_u64(s->maps.inner_a.map_fd, 0), 1);
	assert_int_equal(lookup_u64(s->maps.inner_b.map_fd, 0), 2);
	map_in_map__destroy(s);
}

static void test_loop_cb(void **state)
{
	struct loop_cb *s = loop_cb__open();
	__u32 ret;

	(void)state;
	assert_non_null(s);
	s->data->iterations = 5;
	assert_int_equal(loop_cb__load(s), 0);
	assert_int_equal(run(s->progs.loop_sum.prog_fd, 64, &ret), 0);
	assert_int_equal(ret, 2);
	assert_int_equal(s->bss->result, 0 + 1 + 2 + 3 + 4);
	s->data->iterations = 11;	/* through the mapping, after load */
	assert_int_equal(run(s->progs.loop_sum.prog_fd, 64, &ret), 0);
	assert_int_equal(s->bss->result, 55);
	loop_cb__destroy(s);
}

static long config_value(const char *name)
{
	char cmd[256], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "zcat /proc/config.gz | sed -n 's/^%s=//p'", name);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	pclose(p);
	return strtol(out, NULL, 0);
}

static void test_core_read(void **state)
{
	struct core_read *s = core_read__open_and_load();
	unsigned int a = 0, b = 0, c = 0;
	struct utsname u;

	(void)state;
	if (!s)
		fail_msg("load failed");
	assert_int_equal(core_read__attach(s), 0);
	syscall(SYS_getppid);
	core_read__detach(s);
	assert_int_equal(s->bss->seen_pid, syscall(SYS_gettid));
	assert_int_equal(s->bss->seen_tgid, getpid());
	assert_int_equal(s->bss->has_pid_field, 1);
	assert_int_equal(s->bss->has_bogus_field, 0);
	assert_int_equal(s->bss->has_task_type, 1);
	assert_int_equal(s->bss->has_bogus_type, 0);
	assert_int_equal(s->bss->pid_field_size, 4);
	uname(&u);
	sscanf(u.release, "%u.%u.%u", &a, &b, &c);
	assert_int_equal(s->bss->kernel_version, (a << 16) + (b << 8) + (c > 255 ? 255 : c));
	assert_int_equal(s->bss->config_hz, config_value("CONFIG_HZ"));
	assert_int_equal(s->bss->bpf_syscall, 1);
	assert_int_equal(s->data->never_set, 0);	/* weak and absent: 0 */
	core_read__destroy(s);
}

static unsigned long long kallsyms(const char *name)
{
	char line[256], sym[128], t;
	unsigned long long a = 0, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %127s", &a, &t, sym) == 3 && !strcmp(sym, name)) {
			found = a;
			break;
		}
	fclose(f);
	return found;
}

static void test_ksyms(void **state)
{
	struct ksyms *s = ksyms__open_and_load();
	LIBBPF_OPTS(bpf_test_run_opts, o);

	(void)state;
	assert_non_null(s);
	assert_int_equal(bpf_prog_test_run_opts(s->progs.ksym_probe.prog_fd, &o), 0);
	assert_int_equal(o.retval, 0);
	assert_true(s->bss->prog_put_addr != 0);
	assert_int_equal(s->bss->prog_put_addr, kallsyms("bpf_prog_put"));
	assert_int_equal(s->data->acquired_pid, syscall(SYS_gettid));
	assert_int_equal(s->data->missing_kfunc_exists, 0);
	ksyms__destroy(s);
}

static void test_tc_subprogs(void **state)
{
	struct tc_subprogs *s = tc_subprogs__open();
	__u32 ret;

	(void)state;
	assert_non_null(s);
	assert_int_equal(s->rodata->drop_above, 1000);
	s->rodata->drop_above = 400;
	assert_int_equal(tc_subprogs__load(s), 0);
	assert_int_equal(run(s->progs.classify.prog_fd, 60, &ret), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(run(s->progs.classify.prog_fd, 300, &ret), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(run(s->progs.classify.prog_fd, 500, &ret), 0);
	assert_int_equal(ret, 2);	/* TC_ACT_SHOT: above the limit set before load */
	assert_int_equal(s->bss->classified[0], 1);
	assert_int_equal(s->bss->classified[1], 1);
	assert_int_equal(s->bss->classified[2], 1);
	tc_subprogs__destroy(s);
}

static void test_sock_filter(void **state)
{
	struct sock_filter *s = sock_filter__open_and_load();
	__u64 per_cpu[1024] = { 0 }, total = 0;
	__u32 ret, key = 1;
	long i, ncpu = sysconf(_SC_NPROCESSORS_CONF);

	(void)state;
	assert_non_null(s);
	assert_int_equal(run(s->progs.short_only.prog_fd, 60, &ret), 0);
	assert_int_equal(ret, 46);	/* skb->len excludes the Ethernet header */
	assert_int_equal(run(s->progs.short_only.prog_fd, 200, &ret), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(bpf_map_lookup_elem(s->maps.pkt_stats.map_fd, &key, per_cpu), 0);
	for (i = 0; i < ncpu; i++)
		total += per_cpu[i];
	assert_int_equal(total, 1);
	sock_filter__destroy(s);
}

/* Tracepoint attachment reads event ids from tracefs; mount it where the kernel expects. */
static int mount_tracefs(void **state)
{
	struct stat st;

	(void)state;
	if (stat("/sys/kernel/tracing/events", &st) &&
	    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
		print_message("cannot mount tracefs: %s\n", strerror(errno));
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tp_counter),
		cmocka_unit_test(test_xdp_tail),
		cmocka_unit_test(test_map_in_map),
		cmocka_unit_test(test_loop_cb),
		cmocka_unit_test(test_core_read),
		cmocka_unit_test(test_ksyms),
		cmocka_unit_test(test_tc_subprogs),
		cmocka_unit_test(test_sock_filter),
	};

	return cmocka_run_group_tests_name("behaviour through generated skeletons", tests,
					   mount_tracefs, NULL);
}
