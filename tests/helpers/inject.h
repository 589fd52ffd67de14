/* SPDX-License-Identifier: BSD-2-Clause */
/* Failure injection into generated loaders: make op k fail and check nothing stays. */
#ifndef LSK_TEST_INJECT_H
#define LSK_TEST_INJECT_H

#include <lskel/runtime.h>

/* A copy of @base whose blob makes op @k fail: its first step gets kind 0, which the loader
 * refuses with EINVAL before doing anything for that op. Returns 0 when op @k has no step
 * (kconfig values arrive in the context); *blob is allocated either way. */
int desc_failing_at(const struct lskel_desc *base, __u32 k, struct lskel_desc *d, char **blob);

/* For every op with a step: open a skeleton of @skel_size bytes on a failing copy of @base,
 * load, and assert the error names the op, no kernel object and no fd stays. Returns how
 * many ops were tested. */
unsigned int inject_every_op(const struct lskel_desc *base, size_t skel_size);

#endif
