/* SPDX-License-Identifier: BSD-2-Clause */
/* Values of .kconfig externs from the running kernel's configuration, for exec_direct:
 * the runtime's implementation (include/lskel/kconfig.h), so both executors agree. */
#ifndef LSK_KCONFIG_H
#define LSK_KCONFIG_H

#include <stddef.h>
#include "trace.h"

/* Fill @value (the .kconfig map value, @size bytes) for the @nr descriptors from the config
 * at @path (NULL: as the runtime, lskel_cfg_find). Missing weak ones stay zero. */
int lsk_kconfig_fill(const struct lsk_kcfg_desc *d, size_t nr, void *value, size_t size,
		     const char *path);

#endif
