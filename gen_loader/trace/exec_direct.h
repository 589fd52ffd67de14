/* SPDX-License-Identifier: BSD-2-Clause */
/* Replays a trace with bpf() from user space: the reference loader and the oracle. */
#ifndef LSK_EXEC_DIRECT_H
#define LSK_EXEC_DIRECT_H

#include <stddef.h>
#include "trace.h"

struct lsk_exec_opts {
	int fail_at;		/* inject a failure at this op (-1: none) */
	int fail_errno;		/* errno the injected failure reports */
	char *log_buf;		/* verifier log of a failed PROG_LOAD/BTF_LOAD, may be NULL */
	size_t log_size;
	const char *kconfig_path;	/* kernel config to read (NULL: as the runtime) */
	const void *const *user_init;	/* per input slot: initial value or NULL, may be NULL;
					 * for a caller's max_entries or a SEC("?...")
					 * program's autoload flag, its __u32 */
	size_t nr_user_init;
};

/* Outcome of a failed replay. */
struct lsk_exec_error {
	int op;			/* failing op, -1 when no op failed */
	int err;		/* negative errno */
};

/* Run every op of @t. On success *fdsp holds one fd per op (-1 where none remains open); on
 * failure every fd made so far is closed, @eout says which op failed, lsk_errmsg() names it. */
int lsk_exec_direct(const struct lsk_trace *t, const struct lsk_exec_opts *opts, int **fdsp,
		    struct lsk_exec_error *eout);
/* Close every fd of a successful replay and free the table. */
void lsk_exec_close(const struct lsk_trace *t, int *fds);

#endif
