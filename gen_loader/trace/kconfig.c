// SPDX-License-Identifier: BSD-2-Clause
/* .kconfig values for exec_direct, computed by the runtime's own code (lskel/kconfig.h): the
 * oracle and the loader it checks read the same config file and parse it the same way. */
#include <errno.h>
#include <stdlib.h>
#include <lskel/kconfig.h>
#include "kconfig.h"
#include "err.h"

int lsk_kconfig_fill(const struct lsk_kcfg_desc *d, size_t nr, void *value, size_t size,
		     const char *path)
{
	struct lskel_kcfg *k = calloc(nr ? nr : 1, sizeof(*k));
	struct lskel_desc desc = { .name = "exec_direct" };
	struct lskel_ctx c = { .failed_op = -1, .kconfig_path = path };
	size_t i;
	int err;

	if (!k)
		return lsk_err(ENOMEM, "out of memory");
	if (size > UINT32_MAX || nr > UINT32_MAX) {
		free(k);
		return lsk_err(E2BIG, "kconfig: %zu values in a map of %zu bytes", nr, size);
	}
	for (i = 0; i < nr; i++) {
		k[i].name = d[i].name;
		k[i].type = d[i].type;
		k[i].input_off = d[i].off;
		k[i].size = d[i].sz;
		k[i].is_signed = d[i].is_signed;
		k[i].is_weak = d[i].is_weak;
	}
	desc.kcfg = k;
	desc.nr_kcfg = (__u32)nr;
	desc.inputs_size = (__u32)size;
	err = lskel_fill_kconfig(&desc, (char *)value, &c);
	free(k);
	return err ? lsk_err(-err, "%s", c.errmsg) : 0;
}
