// SPDX-License-Identifier: BSD-2-Clause
/* Multi-target and syscall probes through generated skeletons, on the kernel: uprobe.multi
 * attaches every function of this test binary matching a glob through one link (counted
 * per function, link info checked); kprobe.multi and ksyscall/kretsyscall are refused at
 * attach with the missing kernel feature named (this kernel has neither fprobe nor a kprobe
 * PMU; the 6.1 guest runs them). The syscall entry symbol is chosen for this kernel. A USDT
 * program on a binary without USDT notes is refused at attach (tests/test_usdt.c has the rest). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "umulti.lskel.h"
#include "kprobes_refused.lskel.h"
#include "kstate.h"

/* The uprobe.multi targets: four functions of this binary (in its .symtab). */
__attribute__((noinline, used)) int lskel_um_target_a(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

__attribute__((noinline, used)) int lskel_um_target_b(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 2;
}

__attribute__((noinline, used)) int lskel_um_target_c(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 3;
}

__attribute__((noinline, used)) int lskel_um_target_long(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 4;
}

static int call_all(void)
{
	return lskel_um_target_a(0) + lskel_um_target_b(1) + lskel_um_target_c(2) +
	       lskel_um_target_long(3);
}

/* Link info of @fd: its type and, for a uprobe_multi link, how many probes (6.8 layout). */
static void link_info(int fd, __u32 *type, __u32 *count)
{
	unsigned char info[256] = { 0 };
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (__u64)(uintptr_t)info;
	assert_int_equal(syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)), 0);
	memcpy(type, info, 4);
	memcpy(count, info + 16 + 36, 4);	/* uprobe_multi: 4 pointers, path_size, count */
}

static void test_uprobe_multi(void **state)
{
	struct id_set before[4] = {};
	int fds0 = count_fds(), i;
	char left[512];
	__u32 type, count;
	struct umulti *s;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	s = umulti__open_and_load();
	assert_non_null(s);
	if (umulti__attach(s))
		fail_msg("attach: %s", s->ctx.errmsg);
	link_info(s->links.um_entry_fd, &type, &count);
	print_message("uprobe.multi link: type %u, %u probes\n", type, count);
	assert_int_equal(type, 12);	/* BPF_LINK_TYPE_UPROBE_MULTI */
	assert_int_equal(count, 4);
	link_info(s->links.um_return_fd, &type, &count);
	assert_int_equal(count, 3);
	for (i = 0; i < 5; i++)
		assert_int_equal(call_all(), 16);
	for (i = 0; i < 4; i++)
		assert_int_equal(s->bss->entries[i], 5);
	assert_int_equal(s->bss->returns, 15);	/* a, b, c: '?' matches one character */
	umulti__detach(s);
	call_all();
	assert_int_equal(s->bss->entries[0], 5);	/* detached: not counted */
	umulti__destroy(s);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	assert_int_equal(count_fds(), fds0);
	ids_free(before);
}

/* The globs as libbpf's: '*' any run, '?' one character. */
static void test_glob(void **state)
{
	(void)state;
	assert_true(lskel_glob("lskel_um_*", "lskel_um_target_a"));
	assert_true(lskel_glob("*target_?", "lskel_um_target_b"));
	assert_false(lskel_glob("*target_?", "lskel_um_target_long"));
	assert_true(lskel_glob("a*b*c", "aXbYbZc"));
	assert_false(lskel_glob("a*b*c", "aXbYbZ"));
	assert_true(lskel_glob("*", ""));
	assert_false(lskel_glob("?", ""));
}

/* The syscall entry symbol for this kernel: the x86-64 wrapper where kallsyms has one. */
static void test_syscall_symbol(void **state)
{
	char sym[64];

	(void)state;
	assert_int_equal(lskel_syscall_symbol("unlinkat", sym, sizeof(sym)), 0);
	print_message("ksyscall/unlinkat -> %s\n", sym);
#if defined(__x86_64__)
	assert_string_equal(sym, "__x64_sys_unlinkat");
#endif
}

/* One refused program per skeleton: __attach fails naming what the kernel lacks. */
static void expect_refused(const char *prog, const char *why)
{
	struct kprobes_refused *s = kprobes_refused__open_and_load();
	int err, i;

	assert_non_null(s);
	for (i = 0; i < (int)kprobes_refused__desc.nr_progs; i++)	/* one at a time */
		if (strcmp(kprobes_refused__desc.progs[i].name, prog))
			*(int *)((char *)s + kprobes_refused__desc.progs[i].link_off) = 0x7fffffff;
	err = kprobes_refused__attach(s);
	print_message("%s: %s\n", prog, s->ctx.errmsg);
	assert_true(err < 0);
	if (!strstr(s->ctx.errmsg, why))
		fail_msg("'%s' lacks '%s'", s->ctx.errmsg, why);
	for (i = 0; i < (int)kprobes_refused__desc.nr_progs; i++)
		*(int *)((char *)s + kprobes_refused__desc.progs[i].link_off) = -1;
	kprobes_refused__destroy(s);
}

static void test_kprobes_refused(void **state)
{
	struct stat st;

	(void)state;
	if (!stat("/sys/bus/event_source/devices/kprobe", &st))
		skip();	/* a kernel with kprobes: the 6.1 guest attaches these */
	expect_refused("kmulti", "no fprobe (CONFIG_FPROBE)");
	expect_refused("ksys", "no kprobe PMU (CONFIG_KPROBE_EVENTS)");
	expect_refused("kretsys", "no kprobe PMU (CONFIG_KPROBE_EVENTS)");
	expect_refused("usdt_probe", "'/proc/self/exe' has no .note.stapsdt section");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_syscall_symbol),
		cmocka_unit_test(test_uprobe_multi),
		cmocka_unit_test(test_kprobes_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
