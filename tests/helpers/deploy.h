/* SPDX-License-Identifier: BSD-2-Clause */
/* Test helpers for lskel-run deployments: a private bpffs for the test, a fingerprint of
 * what a deployment directory pins (maps' definitions and read-only contents, programs'
 * types and tags, links' types and the tag of their program), and pin counts. */
#ifndef LSK_TEST_DEPLOY_H
#define LSK_TEST_DEPLOY_H

#include <stddef.h>

/* Mount a bpffs on a fresh directory under $TMPDIR; its path goes to @dir. 0 or -errno. */
int bpffs_private(char *dir, size_t n);
void bpffs_release(const char *dir);
/* Sorted lines describing every pin under @dir (recursively) into @out; -errno on error. */
int deploy_fingerprint(const char *dir, char *out, size_t n);
/* Entries (pins, files, directories) under @dir, recursively; -1 when @dir is missing. */
int count_entries(const char *dir);

#endif
