// SPDX-License-Identifier: BSD-2-Clause
/* Manifest serialisation into the blob. The map and program entries are in the order and
 * with the values the skeleton's bind tables use (emit_skel.c): the runtime compares them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "manifest.h"
#include "sec_def.h"
#include "err.h"

#define ALIGN8(x) (((x) + 7u) & ~7u)

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

/* The blob offset of map @i of object @oi's initial value (its USER_INIT chunk), ~0u. */
static __u32 init_off(const struct lsk_trace *t, const struct lsk_blob *b, size_t oi, size_t i)
{
	__u32 off = ~0u;
	size_t j;

	for (j = 0; j < t->nr_ops; j++)
		if (t->ops[j].cmd == LSK_CMD_USER_INIT && t->ops[j].obj == (int)oi &&
		    t->ops[j].idx == (int)i)
			off = b->chunk_off[t->ops[j].user_init.dst];
	return off;
}

static int fill(const struct lsk_trace *t, const char *name, const struct lsk_blob *b,
		struct lskel_mf_hdr *h, struct lskel_mf_obj *objs, struct lskel_mf_op *ops,
		struct lskel_mf_map *maps, struct lskel_mf_prog *progs, struct lskel_mf_kcfg *kcfg,
		struct lskel_mf_pin *pins, struct mf_strs *st)
{
	struct lsk_kcfg_entry *ke = NULL;
	struct lskel_pin *pe = NULL;
	size_t i, oi, nm = 0, np = 0;
	int n, err;

	err = check_name("the load's", name, LSKEL_NAME_FILE);
	if (err)
		return err;
	mf_str(st, "");
	h->name = mf_str(st, name);
	for (i = 0; i < t->nr_ops; i++) {
		ops[i].cmd = t->ops[i].cmd;
		ops[i].what = mf_str(st, t->ops[i].what);
	}
	for (oi = 0; oi < t->nr_objs; oi++) {
		const struct lsk_trace_obj *to = &t->objs[oi];
		const struct lsk_obj *obj = to->obj;

		if (!obj->name[0] || strchr(obj->name, '/') || strlen(obj->name) >= LSKEL_MF_NAME_MAX)
			return lsk_err(EINVAL, "object name '%.200s' cannot be used at run time",
				       obj->name);
		objs[oi].name = mf_str(st, obj->name);
		for (i = 0; i < obj->nr_maps; i++, nm++) {
			const struct lsk_map *m = &obj->maps[i];
			const char *mn = m->kind == LSK_MAP_USER ? m->name : m->kname;
			bool shared = m->kind == LSK_MAP_USER && to->map_op[i] >= 0 &&
				      t->ops[to->map_op[i]].obj != (int)oi;

			err = check_name("map", mn, LSKEL_NAME_MAP);
			if (err)
				return err;
			maps[nm] = (struct lskel_mf_map){
				.name = mf_str(st, mn), .obj = oi, .slot = to->map_op[i],
				.type = m->type, .key_size = m->key_size,
				.value_size = m->value_size, .max_entries = m->max_entries,
				.flags = (shared ? LSKEL_MF_MAP_SHARED : 0) |
					 (m->kind == LSK_MAP_RODATA ? LSKEL_MF_MAP_RDONLY : 0),
				.pinning = m->pinning,
				.input = to->map_input[i] < 0 ? ~0u : (__u32)to->map_input[i],
				.init_off = init_off(t, b, oi, i),
			};
		}
		for (i = 0; i < obj->nr_progs; i++) {
			const struct lsk_prog *p = &obj->progs[i];

			if (!lsk_prog_is_entry(p))
				continue;
			err = check_name("program", p->name, LSKEL_NAME_IDENT);
			if (err)
				return err;
			progs[np++] = (struct lskel_mf_prog){
				.name = mf_str(st, p->name), .obj = oi, .slot = to->prog_op[i],
				.prog_type = p->type,
				.expected_attach_type = p->expected_attach_type,
				.attach = lsk_prog_attach_kind(p),
				.target = mf_str(st, p->attach_target),
			};
		}
	}
	n = lsk_kcfg_list(t, b, &ke);
	if (n < 0)
		return n;
	for (i = 0; i < (size_t)n && !err; i++) {
		err = check_name("kconfig", ke[i].d->name, LSKEL_NAME_IDENT);
		kcfg[i] = (struct lskel_mf_kcfg){ mf_str(st, ke[i].d->name), ke[i].d->type,
						  ke[i].input_off, ke[i].d->sz, ke[i].d->is_signed,
						  ke[i].d->is_weak };
	}
	free(ke);
	if (err)
		return err;
	n = lsk_pin_list(t, &pe);
	if (n < 0)
		return n;
	for (i = 0; i < (size_t)n && !err; i++) {
		err = check_name("pinned map", pe[i].name, LSKEL_NAME_IDENT);
		pins[i] = (struct lskel_mf_pin){ mf_str(st, pe[i].name), pe[i].op, pe[i].slot,
						 pe[i].input, pe[i].type, pe[i].key_size,
						 pe[i].value_size, pe[i].max_entries,
						 pe[i].map_flags, 0, pe[i].map_extra };
	}
	free(pe);
	return err ? err : st->oom ? lsk_err(ENOMEM, "out of memory") : 0;
}

int lsk_manifest_append(const struct lsk_trace *t, const char *name, struct lsk_blob *b,
			const void *btf, __u32 btf_size, const struct bpf_func_info *func_info,
			__u32 nr_func_info)
{
	struct lskel_mf_hdr h = { .magic = LSKEL_MF_MAGIC, .version = LSKEL_MF_VERSION };
	struct lskel_mf_map *maps = NULL;
	struct lskel_mf_prog *progs = NULL;
	struct lskel_mf_kcfg *kcfg = NULL;
	struct lskel_mf_pin *pins = NULL;
	struct lskel_mf_obj *objs = NULL;
	struct lskel_mf_op *ops = NULL;
	struct lsk_kcfg_entry *ke = NULL;
	struct lskel_pin *pe = NULL;
	struct mf_strs st = {};
	__u32 off[LSKEL_MF_END + 1], at, size;
	unsigned char *nd, *m;
	size_t oi, i;
	int nk, np, err;

	h.nr_objs = t->nr_objs;
	h.nr_ops = t->nr_ops;
	h.nr_inputs = t->nr_inputs;
	for (oi = 0; oi < t->nr_objs; oi++) {
		h.nr_maps += t->objs[oi].obj->nr_maps;
		for (i = 0; i < t->objs[oi].obj->nr_progs; i++)
			h.nr_progs += lsk_prog_is_entry(&t->objs[oi].obj->progs[i]);
	}
	nk = lsk_kcfg_list(t, b, &ke);
	np = lsk_pin_list(t, &pe);
	free(ke);
	free(pe);
	if (nk < 0 || np < 0)
		return nk < 0 ? nk : np;
	h.nr_kcfg = nk;
	h.nr_pins = np;
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
	err = fill(t, name, b, &h, objs, ops, maps, progs, kcfg, pins, &st);
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
