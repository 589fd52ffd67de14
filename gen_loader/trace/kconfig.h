/* SPDX-License-Identifier: BSD-2-Clause */
/* Values of .kconfig externs from the running kernel's configuration. */
#ifndef LSK_KCONFIG_H
#define LSK_KCONFIG_H

#include <stddef.h>
#include "trace.h"

/* Fill @value (the .kconfig map value) for the @nr descriptors from the config at @path
 * (NULL: /proc/config.gz, then /boot/config-$(uname -r)). Missing weak ones stay zero. */
int lsk_kconfig_fill(const struct lsk_kcfg_desc *d, size_t nr, void *value, size_t size,
		     const char *path);

#endif
