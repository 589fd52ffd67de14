// SPDX-License-Identifier: BSD-2-Clause
/* `lskel gen` reads no kernel state: in a private mount namespace where the kernel's BTF and
 * /proc/kallsyms read as empty and /proc/config.gz holds another kernel's config, it writes
 * byte for byte the same skeletons and containers as outside (the loads themselves are
 * tested from those same headers: skel_* and test_behaviour, with ksyms, kfuncs, CO-RE
 * and kconfig values resolved when the loader runs). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "samples.h"
#include "tool.h"

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_gen_reads_no_kernel_state(void **state)
{
	static const char *const objs[] = { "ksyms", "core_read", "net_count", "tp_counter" };
	char cmd[4096];
	const char *b = build_dir();
	size_t i;

	(void)state;
	if (!tool_found("unshare")) {
		print_message("SKIP: no unshare(1) on this machine\n");
		skip();
	}
	snprintf(cmd, sizeof(cmd), "mkdir -p %1$s/portable && printf 'CONFIG_HZ=1000\\n"
		 "CONFIG_BPF_SYSCALL=y\\n' | gzip > %1$s/portable/other-config.gz && "
		 ": > %1$s/portable/empty", b);
	assert_int_equal(sh(cmd), 0);
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		snprintf(cmd, sizeof(cmd),
			 "unshare -m sh -ec '"
			 "mount --bind %1$s/portable/empty /sys/kernel/btf/vmlinux; "
			 "mount --bind %1$s/portable/empty /proc/kallsyms; "
			 "mount --bind %1$s/portable/other-config.gz /proc/config.gz; "
			 "test ! -s /sys/kernel/btf/vmlinux; test ! -s /proc/kallsyms; "
			 "%1$s/bin/lskel gen -n %2$s -o %1$s/portable/%2$s.h %1$s/samples/%2$s.bpf.o; "
			 "%1$s/bin/lskel gen --format blob -n %2$s -o %1$s/portable/%2$s.lskel "
			 "%1$s/samples/%2$s.bpf.o' && "
			 "%1$s/bin/lskel gen -n %2$s -o %1$s/portable/%2$s.ref.h %1$s/samples/%2$s.bpf.o && "
			 "%1$s/bin/lskel gen --format blob -n %2$s -o %1$s/portable/%2$s.ref.lskel "
			 "%1$s/samples/%2$s.bpf.o && "
			 "cmp %1$s/portable/%2$s.h %1$s/portable/%2$s.ref.h && "
			 "cmp %1$s/portable/%2$s.lskel %1$s/portable/%2$s.ref.lskel", b, objs[i]);
		if (sh(cmd))
			fail_msg("%s: output differs, or gen failed, without kernel state", objs[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen_reads_no_kernel_state),
	};

	return cmocka_run_group_tests_name("portable generation", tests, NULL, NULL);
}
