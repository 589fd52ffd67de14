// SPDX-License-Identifier: BSD-2-Clause
/* Every test binary runs with a bpffs of its own on /sys/fs/bpf, in a mount namespace of its
 * own, before main: the pins a test makes (or leaves after a failure) never reach the
 * machine's bpffs, whether tests/run-tests.sh started it (it does the same and says so with
 * LSK_PRIVATE_BPFFS=1) or someone ran it by hand. LSK_NO_NS=1, not root, or no namespaces:
 * the test runs where it is and says so. The children it starts (lskel-run, bpftool, the
 * corpus drivers) inherit the namespace. */
#define _GNU_SOURCE	/* unshare */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

__attribute__((constructor)) static void private_bpffs(void)
{
	const char *why = NULL;

	if (getenv("LSK_PRIVATE_BPFFS") || getenv("LSK_NO_NS"))
		return;
	if (geteuid())
		why = "not root";
	else if (unshare(CLONE_NEWNS))
		why = "unshare";
	else if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		why = "making / private";
	else if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		why = "mounting a bpffs on /sys/fs/bpf";
	if (why) {
		fprintf(stderr, "note: no private bpffs (%s: %s): this test's pins go to the "
			"machine's /sys/fs/bpf\n", why, strerror(errno));
		return;
	}
	setenv("LSK_PRIVATE_BPFFS", "1", 1);
}
