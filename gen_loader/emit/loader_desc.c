// SPDX-License-Identifier: BSD-2-Clause
/* In-memory loader descriptions, read back from the manifest in the blob (the same bytes a
 * container or a skeleton carries). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "loader_desc.h"
#include "err.h"

int lsk_loader_desc(const struct lsk_trace *t, const struct lsk_loader *l, struct lskel_desc *d)
{
	struct lskel_mf m;
	char why[256];
	int err;

	(void)t;
	memset(d, 0, sizeof(*d));
	if (lskel_mf_parse(l->blob->data, l->blob->size, &m, why, sizeof(why)))
		return lsk_err(EINVAL, "internal error: the blob's manifest: %s", why);
	err = lskel_mf_desc(&m, l->blob->data, l->blob->size, d);
	if (err)
		return lsk_err(-err, "out of memory");
	d->insns = l->insns;
	d->insns_sz = l->nr_insns * sizeof(struct bpf_insn);
	d->compat_insns = l->compat_insns;
	d->compat_insns_sz = l->nr_compat_insns * sizeof(struct bpf_insn);
	if (l->is_signed) {
		d->excl_hash = l->excl_hash;
		d->sig = l->sig;
		d->sig_sz = l->sig_len;
	}
	return 0;
}

void lsk_loader_desc_free(struct lskel_desc *d)
{
	lskel_mf_desc_free(d);
}
