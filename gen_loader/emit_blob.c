// SPDX-License-Identifier: BSD-2-Clause
/* Container emission: header, section table, then 8-byte aligned sections. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <lskel/container.h>
#include "emit_blob.h"
#include "sec_def.h"
#include "err.h"

struct strtab {
	char *buf;
	size_t len, cap;
};

static __u32 str_add(struct strtab *s, const char *str)
{
	size_t n = strlen(str) + 1;
	__u32 off = s->len;

	if (s->len + n > s->cap) {
		size_t cap = (s->len + n) * 2 + 64;
		char *b = realloc(s->buf, cap);

		if (!b)
			return ~0u;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, str, n);
	s->len += n;
	return off;
}

struct out {
	struct lskel_cnt_sec secs[LSKEL_CNT_MAX_SECTIONS];
	const void *data[LSKEL_CNT_MAX_SECTIONS];
	__u32 n;
};

static void sec(struct out *o, __u32 type, const void *data, __u32 size, __u32 count)
{
	o->secs[o->n].type = type;
	o->secs[o->n].size = size;
	o->secs[o->n].count = count;
	o->data[o->n++] = data;
}

int lsk_emit_container(FILE *f, const char *name, const struct lsk_trace *t,
		       const struct lsk_loader *l)
{
	struct lskel_cnt_meta meta = {};
	struct lskel_cnt_op *ops = calloc(t->nr_ops + 1, sizeof(*ops));
	struct lskel_cnt_map *maps = NULL;
	struct lskel_cnt_prog *progs = NULL;
	struct lskel_cnt_kcfg *kcfg = NULL;
	struct lsk_kcfg_entry *ke = NULL;
	struct lskel_pin *pe = NULL;
	struct lskel_cnt_pin *pins = NULL;
	struct lskel_cnt_sig *sigsec = NULL;
	int npin;
	size_t nm = 0, np = 0, nk = 0, i, oi;
	struct strtab st = {};
	struct out o = {};
	struct lskel_cnt_hdr h = {};
	__u32 off;
	int err = 0;

	for (oi = 0; oi < t->nr_objs; oi++)	/* before any allocation: nothing to free */
		for (i = 0; i < t->objs[oi].obj->nr_maps; i++)
			if (t->objs[oi].obj->maps[i].kind == LSK_MAP_STRUCT_OPS) {
				free(ops);
				return lsk_err(ENOTSUP, "%s: struct_ops '%s': the container format "
					       "(lskel-run) has no struct_ops support yet (layout "
					       "check, unregistration); generate a skeleton header",
					       t->objs[oi].obj->path, t->objs[oi].obj->maps[i].name);
			}
	for (oi = 0; oi < t->nr_objs; oi++) {
		nm += t->objs[oi].obj->nr_maps;
		np += t->objs[oi].obj->nr_progs;
	}
	nk = lsk_kcfg_list(t, l->blob, &ke);
	if ((int)nk < 0)
		nk = 0;
	maps = calloc(nm + 1, sizeof(*maps));
	progs = calloc(np + 1, sizeof(*progs));
	kcfg = calloc(nk + 1, sizeof(*kcfg));
	npin = lsk_pin_list(t, &pe);
	if (npin >= 0)
		pins = calloc(npin + 1, sizeof(*pins));
	if (!ops || !maps || !progs || !kcfg || !ke || !pins) {
		err = lsk_err(ENOMEM, "out of memory");
		goto out;
	}
	str_add(&st, "");
	meta.name = str_add(&st, name);
	meta.nr_ops = t->nr_ops;
	meta.fdtab_off = l->blob->fdtab_off;
	meta.inputs_size = l->blob->inputs_size;
	meta.nr_inputs = t->nr_inputs;
	meta.nr_objs = t->nr_objs;
	for (i = 0; i < t->nr_ops; i++) {
		ops[i].cmd = t->ops[i].cmd;
		ops[i].what = str_add(&st, t->ops[i].what);
	}
	nm = np = 0;
	for (oi = 0; oi < t->nr_objs; oi++) {
		const struct lsk_trace_obj *to = &t->objs[oi];
		const struct lsk_obj *obj = to->obj;
		__u32 objname = str_add(&st, obj->name);

		for (i = 0; i < obj->nr_maps; i++, nm++) {
			const struct lsk_map *m = &obj->maps[i];

			maps[nm].name = str_add(&st, m->kind == LSK_MAP_USER ? m->name : m->kname);
			maps[nm].obj = objname;
			maps[nm].slot = to->map_op[i];
			maps[nm].type = m->type;
			maps[nm].key_size = m->key_size;
			maps[nm].value_size = m->value_size;
			maps[nm].max_entries = m->max_entries;
			maps[nm].flags = (t->ops[to->map_op[i]].obj != (int)oi ? LSKEL_CNT_MAP_SHARED : 0) |
					 (m->map_flags & BPF_F_RDONLY_PROG ? LSKEL_CNT_MAP_RDONLY : 0);
			maps[nm].pinning = m->pinning;
		}
		for (i = 0; i < obj->nr_progs; i++) {
			const struct lsk_prog *p = &obj->progs[i];

			if (!lsk_prog_is_entry(p))
				continue;
			progs[np].name = str_add(&st, p->name);
			progs[np].obj = objname;
			progs[np].slot = to->prog_op[i];
			progs[np].prog_type = p->type;
			progs[np].expected_attach_type = p->expected_attach_type;
			progs[np].attach = lsk_prog_attach_kind(p);
			progs[np].target = str_add(&st, p->attach_target);
			np++;
		}
	}
	for (i = 0; i < nk; i++) {
		kcfg[i].name = str_add(&st, ke[i].d->name);
		kcfg[i].type = ke[i].d->type;
		kcfg[i].input_off = ke[i].input_off;
		kcfg[i].size = ke[i].d->sz;
		kcfg[i].is_signed = ke[i].d->is_signed;
		kcfg[i].is_weak = ke[i].d->is_weak;
	}
	for (i = 0; i < (size_t)npin; i++) {
		pins[i] = (struct lskel_cnt_pin){ str_add(&st, pe[i].name), pe[i].op, pe[i].slot,
						  pe[i].input, pe[i].type, pe[i].key_size,
						  pe[i].value_size, pe[i].max_entries,
						  pe[i].map_flags, 0, pe[i].map_extra };
	}
	if (!st.buf) {
		err = lsk_err(ENOMEM, "out of memory");
		goto out;
	}
	sec(&o, LSKEL_CNT_META, &meta, sizeof(meta), 1);
	sec(&o, LSKEL_CNT_INSNS, l->insns, l->nr_insns * sizeof(struct bpf_insn), l->nr_insns);
	sec(&o, LSKEL_CNT_DATA, l->blob->data, l->blob->size, 1);
	sec(&o, LSKEL_CNT_BTF, l->btf, l->btf_size, 1);
	sec(&o, LSKEL_CNT_FUNC_INFO, l->func_info, l->nr_func_info * sizeof(struct bpf_func_info),
	    l->nr_func_info);
	sec(&o, LSKEL_CNT_STRINGS, st.buf, st.len, 1);
	sec(&o, LSKEL_CNT_OPS, ops, t->nr_ops * sizeof(*ops), t->nr_ops);
	sec(&o, LSKEL_CNT_MAPS, maps, nm * sizeof(*maps), nm);
	sec(&o, LSKEL_CNT_PROGS, progs, np * sizeof(*progs), np);
	sec(&o, LSKEL_CNT_KCFG, kcfg, nk * sizeof(*kcfg), nk);
	if (npin)
		sec(&o, LSKEL_CNT_PINS, pins, npin * sizeof(*pins), npin);
	if (l->is_signed) {
		sigsec = calloc(1, sizeof(struct lskel_cnt_sig) + l->sig_len);
		if (!sigsec) {
			err = lsk_err(ENOMEM, "out of memory");
			goto out;
		}
		memcpy(sigsec->excl_hash, l->excl_hash, 32);
		sigsec->sig_size = l->sig_len;
		memcpy(sigsec + 1, l->sig, l->sig_len);
		sec(&o, LSKEL_CNT_SIG, sigsec, sizeof(*sigsec) + l->sig_len, 1);
	}
	off = (sizeof(h) + o.n * sizeof(struct lskel_cnt_sec) + 7) & ~7u;
	for (i = 0; i < o.n; i++) {
		o.secs[i].off = off;
		off = (off + o.secs[i].size + 7) & ~7u;
	}
	h.magic = LSKEL_CNT_MAGIC;
	h.version = LSKEL_CNT_VERSION;
	h.hdr_size = sizeof(h);
	h.total_size = off;
	h.nr_sections = o.n;
	fwrite(&h, sizeof(h), 1, f);
	fwrite(o.secs, sizeof(o.secs[0]), o.n, f);
	off = sizeof(h) + o.n * sizeof(struct lskel_cnt_sec);
	for (i = 0; i < o.n; i++) {
		static const char zero[8];

		fwrite(zero, 1, o.secs[i].off - off, f);
		fwrite(o.data[i], 1, o.secs[i].size, f);
		off = o.secs[i].off + o.secs[i].size;
	}
	fwrite((const char[8]){ 0 }, 1, h.total_size - off, f);
	if (ferror(f))
		err = lsk_err(EIO, "write error");
out:
	free(ops);
	free(maps);
	free(progs);
	free(kcfg);
	free(ke);
	free(pins);
	free(pe);
	free(sigsec);
	free(st.buf);
	return err;
}
