// SPDX-License-Identifier: BSD-2-Clause
/* NAME__PROG__attach(skel): returns the link fd and keeps it in skel->links.PROG_fd. The
 * raw tracepoint attaches with either header; the tracepoint with lskel's (bpftool 7.1
 * returns 0 for it), which the output shows. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "attach.skel.h"

int main(void)
{
	struct attach *skel = attach__open();
	int raw, tp, i;

	if (!skel)
		return 1;
	skel->rodata->target_pid = getpid();
	if (attach__load(skel))
		return 1;
	raw = attach__on_raw__attach(skel);
	tp = attach__on_tp__attach(skel);
	if (raw <= 0 || raw != skel->links.on_raw_fd || tp < 0)
		return 1;
	for (i = 0; i < 5; i++)
		getppid();
	printf("raw_hits=%ld tracepoint %s\n", skel->bss->raw_hits,
	       tp > 0 && tp == skel->links.on_tp_fd ?
	       (skel->bss->tp_hits == 5 ? "counted 5" : "miscounted") : "not attached");
	attach__destroy(skel);
	return 0;
}
