// SPDX-License-Identifier: BSD-2-Clause
/* Test input: a second definition of lib_score. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__noinline int lib_score(struct xdp_md *ctx, int bonus)
{
	return bonus;
}
