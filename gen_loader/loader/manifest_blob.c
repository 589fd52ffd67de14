// SPDX-License-Identifier: BSD-2-Clause
/* The manifest (manifest.c) serialised into the blob, in loader_abi.h's layout. The map and
 * program entries are the ones the skeleton's bind tables serialise (emit_skel.c): the
 * runtime compares them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "manifest.h"
#include "err.h"


struct mf_strs {
	char *buf;
	__u32 len, cap;
	int oom;
};

static __u32 mf_str(struct mf_strs *s, const char *str)
{
	size_t n = strlen(str) + 1;
	__u32 off = s->len;

	if (s->len + n > s->cap) {
		size_t cap = (s->len + n) * 2 + 256;
		char *nb = realloc(s->buf, cap);

		if (!nb) {
			s->oom = 1;
			return 0;
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, str, n);
	s->len += n;
	return off;
}

static int check_name(const char *what, const char *name, int kind)
{
	if (lskel_name_ok(name, kind))
		return 0;
	return lsk_err(EINVAL, "%s name '%.200s' cannot be used at run time (pin paths and "
		       "messages take %s of at most %u bytes)", what, name,
		       kind == LSKEL_NAME_IDENT ? "C identifiers" : kind == LSKEL_NAME_MAP ?
		       "letters, digits, '_' and single dots" : "letters, digits, '_' and '-'",
		       LSKEL_MF_NAME_MAX - 1);
}

static int fill_map(const struct lsk_mf_map *e, struct lskel_mf_map *out, struct mf_strs *st)
{
	int err = check_name("map", e->name, LSKEL_NAME_MAP);

	if (err)
		return err;
	*out = (struct lskel_mf_map){
		.name = mf_str(st, e->name), .obj = e->obj, .slot = e->slot,
		.type = e->m->type, .key_size = e->m->key_size,
		.value_size = e->m->value_size, .max_entries = e->m->max_entries,
		.flags = (e->shared ? LSKEL_MF_MAP_SHARED : 0) |
			 (e->rdonly ? LSKEL_MF_MAP_RDONLY : 0),
		.pinning = e->m->pinning,
		.input = e->input < 0 ? ~0u : (__u32)e->input,
		.init_off = e->init_off,
	};
	return 0;
}

static int fill_prog(const struct lsk_mf_prog *e, struct lskel_mf_prog *out, struct mf_strs *st)
{
	int err = check_name("program", e->p->name, LSKEL_NAME_IDENT);

	if (err)
		return err;
	*out = (struct lskel_mf_prog){
		.name = mf_str(st, e->p->name), .obj = e->obj, .slot = e->slot,
		.prog_type = e->p->type,
		.expected_attach_type = e->p->expected_attach_type,
		.attach = e->attach,
		.target = mf_str(st, e->p->attach_target),
	};
	return 0;
}

static int fill(const struct lsk_manifest *mf, const struct lsk_trace *t, const char *name,
		struct lskel_mf_hdr *h, struct lskel_mf_obj *objs, struct lskel_mf_op *ops,
		struct lskel_mf_map *maps, struct lskel_mf_prog *progs, struct lskel_mf_kcfg *kcfg,
		struct lskel_mf_pin *pins, struct mf_strs *st)
{
	size_t i, oi, nm = 0, np = 0;
	int err;

	err = check_name("the load's", name, LSKEL_NAME_FILE);
	if (err)
		return err;
	mf_str(st, "");
	h->name = mf_str(st, name);
	for (i = 0; i < t->nr_ops; i++) {
		ops[i].cmd = t->ops[i].cmd;
		ops[i].what = mf_str(st, t->ops[i].what);
	}
	for (oi = 0; oi < t->nr_objs; oi++) {	/* strings in object order, as runtime.h reads */
		const struct lsk_obj *obj = t->objs[oi].obj;

		if (!obj->name[0] || strchr(obj->name, '/') || strlen(obj->name) >= LSKEL_MF_NAME_MAX)
			return lsk_err(EINVAL, "object name '%.200s' cannot be used at run time",
				       obj->name);
		objs[oi].name = mf_str(st, obj->name);
		for (; nm < mf->nr_maps && mf->maps[nm].obj == oi; nm++) {
			err = fill_map(&mf->maps[nm], &maps[nm], st);
			if (err)
				return err;
		}
		for (; np < mf->nr_progs && mf->progs[np].obj == oi; np++) {
			err = fill_prog(&mf->progs[np], &progs[np], st);
			if (err)
				return err;
		}
	}
	for (i = 0; i < mf->nr_kcfg && !err; i++) {
		const struct lsk_kcfg_entry *k = &mf->kcfg[i];

		err = check_name("kconfig", k->d->name, LSKEL_NAME_IDENT);
		kcfg[i] = (struct lskel_mf_kcfg){ mf_str(st, k->d->name), k->d->type, k->input_off,
						  k->d->sz, k->d->is_signed, k->d->is_weak };
	}
	for (i = 0; i < mf->nr_pins && !err; i++) {
		const struct lskel_pin *p = &mf->pins[i];

		err = check_name("pinned map", p->name, LSKEL_NAME_IDENT);
		pins[i] = (struct lskel_mf_pin){ mf_str(st, p->name), p->op, p->slot, p->input,
						 p->type, p->key_size, p->value_size,
						 p->max_entries, p->map_flags, 0, p->map_extra };
	}
	return err ? err : st->oom ? lsk_err(ENOMEM, "out of memory") : 0;
}

int lsk_manifest_append(const struct lsk_manifest *mf, const struct lsk_trace *t,
			const char *name, struct lsk_blob *b, const void *btf, __u32 btf_size,
			const struct bpf_func_info *func_info, __u32 nr_func_info)
{
	struct lskel_mf_hdr h = { .magic = LSKEL_MF_MAGIC, .version = LSKEL_MF_VERSION };
	struct lskel_mf_map *maps = NULL;
	struct lskel_mf_prog *progs = NULL;
	struct lskel_mf_kcfg *kcfg = NULL;
	struct lskel_mf_pin *pins = NULL;
	struct lskel_mf_obj *objs = NULL;
	struct lskel_mf_op *ops = NULL;
	struct mf_strs st = {};
	__u32 off[LSKEL_MF_END + 1], at, size;
	unsigned char *nd, *m;
	int err;

	h.nr_objs = t->nr_objs;
	h.nr_ops = t->nr_ops;
	h.nr_inputs = t->nr_inputs;
	h.nr_maps = mf->nr_maps;
	h.nr_progs = mf->nr_progs;
	h.nr_kcfg = mf->nr_kcfg;
	h.nr_pins = mf->nr_pins;
	h.nr_func_info = nr_func_info;
	h.btf_size = btf_size;
	objs = calloc(h.nr_objs + 1, sizeof(*objs));
	ops = calloc(h.nr_ops + 1, sizeof(*ops));
	maps = calloc(h.nr_maps + 1, sizeof(*maps));
	progs = calloc(h.nr_progs + 1, sizeof(*progs));
	kcfg = calloc(h.nr_kcfg + 1, sizeof(*kcfg));
	pins = calloc(h.nr_pins + 1, sizeof(*pins));
	if (!objs || !ops || !maps || !progs || !kcfg || !pins) {
		err = lsk_err(ENOMEM, "out of memory");
		goto out;
	}
	err = fill(mf, t, name, &h, objs, ops, maps, progs, kcfg, pins, &st);
	if (err)
		goto out;
	h.strings_size = st.len;
	size = lskel_mf_layout(&h, off);
	at = b->size - LSKEL_BLOB_TAIL;	/* 8-aligned: the tail follows an aligned chunk end */
	if (!size || at + (__u64)size + LSKEL_BLOB_TAIL > (64u << 20)) {
		err = lsk_err(E2BIG, "the manifest does not fit a blob of at most 64 MiB");
		goto out;
	}
	h.size = size;
	nd = realloc(b->data, at + size + LSKEL_BLOB_TAIL);
	if (!nd) {
		err = lsk_err(ENOMEM, "out of memory");
		goto out;
	}
	b->data = nd;
	m = nd + at;
	memset(m, 0, size + LSKEL_BLOB_TAIL);
	memcpy(m, &h, sizeof(h));
	memcpy(m + off[LSKEL_MF_OBJS], objs, h.nr_objs * sizeof(*objs));
	memcpy(m + off[LSKEL_MF_OPS], ops, h.nr_ops * sizeof(*ops));
	memcpy(m + off[LSKEL_MF_MAPS], maps, h.nr_maps * sizeof(*maps));
	memcpy(m + off[LSKEL_MF_PROGS], progs, h.nr_progs * sizeof(*progs));
	memcpy(m + off[LSKEL_MF_KCFG], kcfg, h.nr_kcfg * sizeof(*kcfg));
	memcpy(m + off[LSKEL_MF_PINS], pins, h.nr_pins * sizeof(*pins));
	memcpy(m + off[LSKEL_MF_FUNC_INFO], func_info, nr_func_info * sizeof(*func_info));
	if (btf_size)	/* a signed loader has no compat loader, so no BTF (btf is NULL) */
		memcpy(m + off[LSKEL_MF_BTF], btf, btf_size);
	memcpy(m + off[LSKEL_MF_STRINGS], st.buf, st.len);
	b->size = at + size + LSKEL_BLOB_TAIL;
	((struct lskel_blob_hdr *)b->data)->manifest_off = at;
out:
	free(objs);
	free(ops);
	free(maps);
	free(progs);
	free(kcfg);
	free(pins);
	free(st.buf);
	return err;
}
