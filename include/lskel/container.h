/* SPDX-License-Identifier: BSD-2-Clause */
/* The NAME.lskel container file: a compiled loader, its blob and the manifest (names of
 * objects, maps, programs, ops) in one little-endian file for lskel-run. Header-only; the
 * reader checks every size, offset, count and reference before anything reaches the kernel. */
#ifndef LSKEL_CONTAINER_H
#define LSKEL_CONTAINER_H

#include <lskel/runtime.h>

#define LSKEL_CNT_MAGIC 0x434b534cU	/* "LSKC" */
#define LSKEL_CNT_VERSION 1U
#define LSKEL_CNT_MAX_SECTIONS 32U

struct lskel_cnt_hdr {
	__u32 magic;
	__u32 version;
	__u32 hdr_size;		/* sizeof(struct lskel_cnt_hdr) */
	__u32 total_size;	/* the file's size */
	__u32 nr_sections;	/* section table follows the header */
	__u32 reserved[3];
};

struct lskel_cnt_sec {
	__u32 type;
	__u32 off;
	__u32 size;
	__u32 count;		/* entries, for tables */
};

enum lskel_cnt_sec_type {
	LSKEL_CNT_META = 1,	/* struct lskel_cnt_meta */
	LSKEL_CNT_INSNS,	/* loader instructions */
	LSKEL_CNT_DATA,		/* the blob */
	LSKEL_CNT_BTF,		/* the loader's BTF */
	LSKEL_CNT_FUNC_INFO,	/* struct bpf_func_info[count] */
	LSKEL_CNT_STRINGS,	/* NUL-terminated strings, referenced by offset */
	LSKEL_CNT_OPS,		/* struct lskel_cnt_op[count] */
	LSKEL_CNT_MAPS,		/* struct lskel_cnt_map[count] */
	LSKEL_CNT_PROGS,	/* struct lskel_cnt_prog[count] */
	LSKEL_CNT_KCFG,		/* struct lskel_cnt_kcfg[count] */
	LSKEL_CNT_PINS,		/* struct lskel_cnt_pin[count] */
	LSKEL_CNT_SIG,		/* signed loaders: struct lskel_cnt_sig, then the signature */
};

struct lskel_cnt_sig {
	__u8 excl_hash[32];	/* SHA-256 of the loader instructions */
	__u32 sig_size;		/* detached PKCS#7 (DER) over the instructions, after this */
	__u32 reserved;
};

struct lskel_cnt_meta {
	__u32 name;		/* string */
	__u32 nr_ops;
	__u32 fdtab_off;
	__u32 inputs_size;
	__u32 nr_inputs;
	__u32 nr_objs;
	__u32 reserved[2];
};

struct lskel_cnt_op {
	__u32 cmd;
	__u32 what;		/* string */
};

enum { LSKEL_CNT_MAP_SHARED = 1, LSKEL_CNT_MAP_RDONLY = 2 };

struct lskel_cnt_map {
	__u32 name, obj;	/* strings */
	__u32 slot;		/* fd table slot */
	__u32 type, key_size, value_size, max_entries;
	__u32 flags;		/* LSKEL_CNT_MAP_* */
	__u32 pinning;		/* LIBBPF_PIN_* of the definition */
	__u32 reserved;
};

struct lskel_cnt_prog {
	__u32 name, obj;	/* strings */
	__u32 slot;
	__u32 prog_type, expected_attach_type;
	__u32 attach;		/* enum lskel_attach_kind */
	__u32 target;		/* string */
	__u32 reserved;
};

struct lskel_cnt_kcfg {
	__u32 name;		/* string */
	__u32 type, input_off, size, is_signed, is_weak;
};

/* struct lskel_pin, with the name as a string offset. */
struct lskel_cnt_pin {
	__u32 name;		/* string */
	__u32 op, slot, input;
	__u32 type, key_size, value_size, max_entries, map_flags;
	__u32 reserved;
	__u64 map_extra;
};

/* A validated container: pointers into the caller's buffer. */
struct lskel_cnt {
	const struct lskel_cnt_meta *meta;
	const char *strings;
	__u32 strings_size;
	const struct lskel_cnt_op *ops;
	const struct lskel_cnt_map *maps;
	__u32 nr_maps;
	const struct lskel_cnt_prog *progs;
	__u32 nr_progs;
	const struct lskel_cnt_kcfg *kcfg;
	__u32 nr_kcfg;
	const struct lskel_cnt_pin *pins;
	__u32 nr_pins;
	const struct lskel_cnt_sig *sig;
	__u32 sig_sec_size;
	const void *insns, *data, *btf, *func_info;
	__u32 insns_size, data_size, btf_size, nr_func_info;
};

static inline const char *lskel_cnt_str(const struct lskel_cnt *c, __u32 off)
{
	return c->strings + off;	/* checked by lskel_cnt_parse */
}

static inline int lskel_cnt_bad(char *err, size_t n, const char *what, __u32 a, __u32 b)
{
	snprintf(err, n, what, a, b);
	return -EINVAL;
}

static inline int lskel_cnt_str_ok(const struct lskel_cnt *c, __u32 off)
{
	return off < c->strings_size;	/* the section ends with a NUL */
}

/* Check everything; fill @c. Returns 0 or -EINVAL with a one-line reason in @err. */
static inline int lskel_cnt_parse(const void *buf, size_t size, struct lskel_cnt *c, char *err,
				  size_t errlen)
{
	const unsigned char *b = (const unsigned char *)buf;
	const struct lskel_cnt_sec *secs;
	struct lskel_cnt_hdr h;
	struct lskel_blob_hdr bh;
	__u32 i, seen = 0;

	memset(c, 0, sizeof(*c));
	if (size < sizeof(h))
		return lskel_cnt_bad(err, errlen, "file of %u bytes is shorter than the %u-byte header",
				     (__u32)size, (__u32)sizeof(h));
	memcpy(&h, b, sizeof(h));
	if (h.magic != LSKEL_CNT_MAGIC)
		return lskel_cnt_bad(err, errlen, "bad magic 0x%08x (want 0x%08x): not an lskel "
				     "container", h.magic, LSKEL_CNT_MAGIC);
	if (h.version != LSKEL_CNT_VERSION)
		return lskel_cnt_bad(err, errlen, "container version %u, this runtime reads version %u",
				     h.version, LSKEL_CNT_VERSION);
	if (h.hdr_size != sizeof(h))
		return lskel_cnt_bad(err, errlen, "header size %u, expected %u", h.hdr_size,
				     (__u32)sizeof(h));
	if (h.total_size != size)
		return lskel_cnt_bad(err, errlen, "header says %u bytes, the file has %u (truncated or "
				     "padded)", h.total_size, (__u32)size);
	if (!h.nr_sections || h.nr_sections > LSKEL_CNT_MAX_SECTIONS ||
	    (size - sizeof(h)) / sizeof(*secs) < h.nr_sections)
		return lskel_cnt_bad(err, errlen, "section count %u invalid (at most %u)",
				     h.nr_sections, LSKEL_CNT_MAX_SECTIONS);
	secs = (const struct lskel_cnt_sec *)(b + sizeof(h));
	for (i = 0; i < h.nr_sections; i++) {
		const struct lskel_cnt_sec *s = &secs[i];
		const void *p = b + s->off;
		__u32 ent = 0;

		if (s->off > size || s->size > size - s->off)
			return lskel_cnt_bad(err, errlen, "section %u lies outside the file (offset %u)", i,
					     s->off);
		if (s->off % 8)
			return lskel_cnt_bad(err, errlen, "section %u offset %u is not 8-byte aligned", i,
					     s->off);
		if (!s->type || s->type > LSKEL_CNT_SIG || (seen & (1u << s->type)))
			return lskel_cnt_bad(err, errlen, "section %u: type %u unknown or repeated", i,
					     s->type);
		seen |= 1u << s->type;
		switch (s->type) {
		case LSKEL_CNT_META: ent = sizeof(struct lskel_cnt_meta); c->meta = (const struct lskel_cnt_meta *)p; break;
		case LSKEL_CNT_INSNS: ent = sizeof(struct bpf_insn); c->insns = p; c->insns_size = s->size; break;
		case LSKEL_CNT_DATA: ent = 1; c->data = p; c->data_size = s->size; break;
		case LSKEL_CNT_BTF: ent = 1; c->btf = p; c->btf_size = s->size; break;
		case LSKEL_CNT_FUNC_INFO: ent = sizeof(struct bpf_func_info); c->func_info = p; c->nr_func_info = s->count; break;
		case LSKEL_CNT_STRINGS: ent = 1; c->strings = (const char *)p; c->strings_size = s->size; break;
		case LSKEL_CNT_OPS: ent = sizeof(struct lskel_cnt_op); c->ops = (const struct lskel_cnt_op *)p; break;
		case LSKEL_CNT_MAPS: ent = sizeof(struct lskel_cnt_map); c->maps = (const struct lskel_cnt_map *)p; c->nr_maps = s->count; break;
		case LSKEL_CNT_PROGS: ent = sizeof(struct lskel_cnt_prog); c->progs = (const struct lskel_cnt_prog *)p; c->nr_progs = s->count; break;
		case LSKEL_CNT_KCFG: ent = sizeof(struct lskel_cnt_kcfg); c->kcfg = (const struct lskel_cnt_kcfg *)p; c->nr_kcfg = s->count; break;
		case LSKEL_CNT_PINS: ent = sizeof(struct lskel_cnt_pin); c->pins = (const struct lskel_cnt_pin *)p; c->nr_pins = s->count; break;
		case LSKEL_CNT_SIG: ent = 1; c->sig = (const struct lskel_cnt_sig *)p; c->sig_sec_size = s->size; break;
		}
		if (ent > 1 && (s->size % ent || s->size / ent != s->count))
			return lskel_cnt_bad(err, errlen, "section type %u: size %u does not hold its %u "
					     "entries", s->type, s->count);
	}
	for (i = LSKEL_CNT_META; i <= LSKEL_CNT_OPS; i++)
		if (!(seen & (1u << i)))
			return lskel_cnt_bad(err, errlen, "required section type %u missing", i, 0);
	if (!c->strings_size || c->strings[c->strings_size - 1])
		return lskel_cnt_bad(err, errlen, "string table is empty or not NUL-terminated (%u/%u)", 0,
				     0);
	for (i = 0; i < h.nr_sections; i++)
		if (secs[i].type == LSKEL_CNT_META && secs[i].count != 1)
			return lskel_cnt_bad(err, errlen, "META section has %u entries, not 1",
					     secs[i].count, 0);
	if (!lskel_cnt_str_ok(c, c->meta->name))
		return lskel_cnt_bad(err, errlen, "name string offset %u out of range",
				     c->meta->name, 0);
	if (!c->insns_size || c->insns_size > (1u << 20))
		return lskel_cnt_bad(err, errlen, "loader of %u bytes: empty or too large",
				     c->insns_size, 0);
	if (c->data_size < sizeof(bh) + LSKEL_BLOB_TAIL || c->data_size > (64u << 20))
		return lskel_cnt_bad(err, errlen, "blob of %u bytes: too small or too large",
				     c->data_size, 0);
	memcpy(&bh, c->data, sizeof(bh));
	if (bh.magic != LSKEL_BLOB_MAGIC || bh.version != LSKEL_BLOB_VERSION)
		return lskel_cnt_bad(err, errlen, "blob header magic 0x%08x version %u invalid",
				     bh.magic, bh.version);
	if (bh.nr_ops != c->meta->nr_ops)
		return lskel_cnt_bad(err, errlen, "blob header disagrees with the manifest: %u ops "
				     "in the blob, %u in the manifest", bh.nr_ops, c->meta->nr_ops);
	if (bh.fdtab_off != c->meta->fdtab_off || bh.inputs_size != c->meta->inputs_size)
		return lskel_cnt_bad(err, errlen, "blob header disagrees with the manifest: fd table "
				     "at %u or input area of %u bytes differs", bh.fdtab_off,
				     bh.inputs_size);
	if (bh.fdtab_off > c->data_size || (c->data_size - bh.fdtab_off) / 4 < bh.nr_ops ||
	    bh.steps_off > c->data_size ||
	    (c->data_size - bh.steps_off) / sizeof(struct lskel_step) < bh.nr_steps ||
	    bh.inputs_off > c->data_size || c->data_size - bh.inputs_off < bh.inputs_size)
		return lskel_cnt_bad(err, errlen, "blob tables lie outside the blob (%u ops, %u "
				     "steps)", bh.nr_ops, bh.nr_steps);
	if (c->meta->nr_inputs > c->meta->inputs_size / 8 || bh.inputs_size > 32768)
		return lskel_cnt_bad(err, errlen, "%u input slots do not fit %u input bytes",
				     c->meta->nr_inputs, c->meta->inputs_size);
	for (i = 0; i < h.nr_sections; i++)
		if (secs[i].type == LSKEL_CNT_OPS && secs[i].count != c->meta->nr_ops)
			return lskel_cnt_bad(err, errlen, "%u op names for %u ops", secs[i].count,
					     c->meta->nr_ops);
	if (!c->nr_func_info || c->nr_func_info > 16)
		return lskel_cnt_bad(err, errlen, "%u loader functions (1..16)", c->nr_func_info, 0);
	for (i = 0; i < c->meta->nr_ops; i++)
		if (!lskel_cnt_str_ok(c, c->ops[i].what))
			return lskel_cnt_bad(err, errlen, "op %u: name offset %u out of range", i,
					     c->ops[i].what);
	for (i = 0; i < c->nr_maps; i++)
		if (!lskel_cnt_str_ok(c, c->maps[i].name) || !lskel_cnt_str_ok(c, c->maps[i].obj) ||
		    c->maps[i].slot >= c->meta->nr_ops)
			return lskel_cnt_bad(err, errlen, "map %u: bad name or fd slot %u", i,
					     c->maps[i].slot);
	for (i = 0; i < c->nr_progs; i++)
		if (!lskel_cnt_str_ok(c, c->progs[i].name) || !lskel_cnt_str_ok(c, c->progs[i].obj) ||
		    !lskel_cnt_str_ok(c, c->progs[i].target) || c->progs[i].slot >= c->meta->nr_ops ||
		    c->progs[i].attach > LSKEL_ATTACH_URETPROBE)
			return lskel_cnt_bad(err, errlen, "program %u: bad name, fd slot %u or attach "
					     "kind", i, c->progs[i].slot);
	for (i = 0; i < c->nr_kcfg; i++)
		if (!lskel_cnt_str_ok(c, c->kcfg[i].name) || c->kcfg[i].size > 256 ||
		    c->kcfg[i].input_off > c->meta->inputs_size ||
		    c->kcfg[i].size > c->meta->inputs_size - c->kcfg[i].input_off ||
		    c->kcfg[i].type < 1 || c->kcfg[i].type > 5)
			return lskel_cnt_bad(err, errlen, "kconfig value %u: bad name, type or place %u",
					     i, c->kcfg[i].input_off);
	if (c->sig && c->sig_sec_size < sizeof(*c->sig))
		return lskel_cnt_bad(err, errlen, "signature section of %u bytes is shorter than "
				     "its %u-byte header", c->sig_sec_size, (__u32)sizeof(*c->sig));
	if (c->sig && (c->sig->sig_size > c->sig_sec_size - sizeof(*c->sig) || !c->sig->sig_size))
		return lskel_cnt_bad(err, errlen, "signature section of %u bytes holds no %u-byte "
				     "signature", c->sig_sec_size, c->sig->sig_size);
	for (i = 0; i < c->nr_pins; i++)
		if (!lskel_cnt_str_ok(c, c->pins[i].name) || c->pins[i].op >= c->meta->nr_ops ||
		    c->pins[i].slot >= c->meta->nr_ops || c->pins[i].input >= c->meta->nr_inputs)
			return lskel_cnt_bad(err, errlen, "pinned map %u: bad name, op or input slot %u",
					     i, c->pins[i].input);
	return 0;
}

/* The runtime's description of a parsed container (tables allocated: lskel_cnt_desc_free). */
static inline int lskel_cnt_desc(const struct lskel_cnt *c, struct lskel_desc *d)
{
	__u32 *cmds = (__u32 *)calloc(c->meta->nr_ops + 1, sizeof(__u32));
	const char **what = (const char **)calloc(c->meta->nr_ops + 1, sizeof(char *));
	struct lskel_kcfg *k = (struct lskel_kcfg *)calloc(c->nr_kcfg + 1, sizeof(*k));
	struct lskel_pin *p = (struct lskel_pin *)calloc(c->nr_pins + 1, sizeof(*p));
	__u32 i;

	if (!cmds || !what || !k || !p) {
		free(cmds);
		free(what);
		free(k);
		free(p);
		return -ENOMEM;
	}
	for (i = 0; i < c->nr_pins; i++) {
		p[i].name = lskel_cnt_str(c, c->pins[i].name);
		p[i].op = c->pins[i].op;
		p[i].slot = c->pins[i].slot;
		p[i].input = c->pins[i].input;
		p[i].type = c->pins[i].type;
		p[i].key_size = c->pins[i].key_size;
		p[i].value_size = c->pins[i].value_size;
		p[i].max_entries = c->pins[i].max_entries;
		p[i].map_flags = c->pins[i].map_flags;
		p[i].map_extra = c->pins[i].map_extra;
	}
	for (i = 0; i < c->meta->nr_ops; i++) {
		cmds[i] = c->ops[i].cmd;
		what[i] = lskel_cnt_str(c, c->ops[i].what);
	}
	for (i = 0; i < c->nr_kcfg; i++) {
		k[i].name = lskel_cnt_str(c, c->kcfg[i].name);
		k[i].type = c->kcfg[i].type;
		k[i].input_off = c->kcfg[i].input_off;
		k[i].size = c->kcfg[i].size;
		k[i].is_signed = c->kcfg[i].is_signed;
		k[i].is_weak = c->kcfg[i].is_weak;
	}
	memset(d, 0, sizeof(*d));
	d->name = lskel_cnt_str(c, c->meta->name);
	d->insns = c->insns;
	d->insns_sz = c->insns_size;
	d->data = c->data;
	d->data_sz = c->data_size;
	d->btf = c->btf;
	d->btf_sz = c->btf_size;
	d->func_info = c->func_info;
	d->nr_func_info = c->nr_func_info;
	d->nr_ops = c->meta->nr_ops;
	d->fdtab_off = c->meta->fdtab_off;
	d->inputs_size = c->meta->inputs_size;
	d->nr_inputs = c->meta->nr_inputs;
	d->op_cmd = cmds;
	d->op_what = what;
	d->kcfg = k;
	d->nr_kcfg = c->nr_kcfg;
	d->pins = p;
	d->nr_pins = c->nr_pins;
	if (c->sig) {
		d->excl_hash = c->sig->excl_hash;
		d->sig = c->sig + 1;
		d->sig_sz = c->sig->sig_size;
	}
	return 0;
}

static inline void lskel_cnt_desc_free(struct lskel_desc *d)
{
	free((void *)d->op_cmd);
	free((void *)d->op_what);
	free((void *)d->kcfg);
	free((void *)d->pins);
}

#endif
