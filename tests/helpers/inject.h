/* SPDX-License-Identifier: BSD-2-Clause */
/* Failure injection into generated loaders: make op k fail and check nothing stays. */
#ifndef LSK_TEST_INJECT_H
#define LSK_TEST_INJECT_H

#include <lskel/runtime.h>

/* A copy of @base whose blob makes op @k fail: its first step gets kind 0, which the loader
 * refuses with EINVAL before doing anything for that op. Returns 0 when op @k has no step
 * (kconfig values arrive in the context); *blob is allocated either way. */
int desc_failing_at(const struct lskel_desc *base, __u32 k, struct lskel_desc *d, char **blob);

/* A copy of @base in which the kernel refuses op @k: bpf_sys_bpf gets a command number it
 * does not know, a kallsyms or BTF lookup a name no kernel has, not weak. Returns the errno class expected (negative), 0 when op @k makes
 * no kernel call that can be made to fail this way (CLOSE, kconfig, caller values). */
int desc_kernel_failing_at(const struct lskel_desc *base, __u32 k, struct lskel_desc *d,
			   char **blob);

/* Pin root the injected loads use for LIBBPF_PIN_BY_NAME maps (NULL: the default). */
extern const char *inject_pin_root;

/* Like inject_every_op, with the kernel refusing each op (desc_kernel_failing_at). */
unsigned int kernel_fail_every_op(const struct lskel_desc *base, size_t skel_size);

/* For every op with a step: open a skeleton of @skel_size bytes on a failing copy of @base,
 * load, and assert the error names the op, no kernel object and no fd stays. Returns how
 * many ops were tested. */
unsigned int inject_every_op(const struct lskel_desc *base, size_t skel_size);

#endif
