// SPDX-License-Identifier: BSD-2-Clause
/* Container emission: header, section table, then the 8-byte aligned sections back to back.
 * The manifest travels inside the blob (manifest.c, manifest_blob.c), so nothing here
 * steers a load. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <lskel/container.h>
#include "emit_blob.h"
#include "err.h"

int lsk_emit_container(FILE *f, const char *name, const struct lsk_trace *t,
		       const struct lsk_loader *l)
{
	static const char zero[8];
	struct lskel_cnt_sec secs[LSKEL_CNT_MAX_SECTIONS] = {};
	const void *data[LSKEL_CNT_MAX_SECTIONS];
	struct lskel_cnt_sig sig = {};
	struct lskel_cnt_hdr h = {};
	__u32 n = 0, off, i;

	for (i = 0; l->mf->has_struct_ops && i < l->mf->nr_maps; i++) {
		const struct lsk_mf_map *m = &l->mf->maps[i];

		if (m->m->kind == LSK_MAP_STRUCT_OPS)
			return lsk_err(ENOTSUP, "%s: struct_ops '%s': the container format "
				       "(lskel-run) has no struct_ops support yet (layout check, "
				       "unregistration); generate a skeleton header",
				       t->objs[m->obj].obj->path, m->m->name);
	}
	(void)name;	/* the blob's manifest names the load (lsk_loader_compile_named) */
	secs[n] = (struct lskel_cnt_sec){ LSKEL_CNT_INSNS, 0, l->nr_insns * sizeof(struct bpf_insn),
					  l->nr_insns };
	data[n++] = l->insns;
	if (l->compat_insns) {
		secs[n] = (struct lskel_cnt_sec){ LSKEL_CNT_COMPAT_INSNS, 0,
						  l->nr_compat_insns * sizeof(struct bpf_insn),
						  l->nr_compat_insns };
		data[n++] = l->compat_insns;
	}
	secs[n] = (struct lskel_cnt_sec){ LSKEL_CNT_DATA, 0, l->blob->size, 1 };
	data[n++] = l->blob->data;
	if (l->is_signed) {
		memcpy(sig.excl_hash, l->excl_hash, 32);
		sig.sig_size = l->sig_len;
		sig.sig_next_size = l->sig_next_len;
		secs[n] = (struct lskel_cnt_sec){ LSKEL_CNT_SIG, 0,
						  sizeof(sig) + l->sig_len + l->sig_next_len, 1 };
		data[n++] = NULL;
	}
	off = (sizeof(h) + n * sizeof(secs[0]) + 7) & ~7u;
	for (i = 0; i < n; i++) {
		secs[i].off = off;
		off = (off + secs[i].size + 7) & ~7u;
	}
	h.magic = LSKEL_CNT_MAGIC;
	h.version = LSKEL_CNT_VERSION;
	h.hdr_size = sizeof(h);
	h.total_size = off;
	h.nr_sections = n;
	fwrite(&h, sizeof(h), 1, f);
	fwrite(secs, sizeof(secs[0]), n, f);
	off = sizeof(h) + n * sizeof(secs[0]);
	for (i = 0; i < n; i++) {
		fwrite(zero, 1, secs[i].off - off, f);
		if (data[i]) {
			fwrite(data[i], 1, secs[i].size, f);
		} else {
			fwrite(&sig, sizeof(sig), 1, f);
			fwrite(l->sig, 1, l->sig_len, f);
			fwrite(l->sig_next, 1, l->sig_next_len, f);
		}
		off = secs[i].off + secs[i].size;
	}
	fwrite(zero, 1, h.total_size - off, f);
	return ferror(f) ? lsk_err(EIO, "write error") : 0;
}
