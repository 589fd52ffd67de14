/* SPDX-License-Identifier: BSD-2-Clause */
/* The NAME.lskel container file for lskel-run: the loader's instructions (and an unsigned
 * loader's compat loader, for kernels without may_goto), its data blob and, for signed
 * loaders, the exclusive-map hash and the signature. Little-endian, fixed-width.
 * Every fact lskel-run acts on (names, slots, pins, attach specs, kconfig descriptors, the
 * loader's BTF) is in the blob's manifest (loader_abi.h), which the signed loader's blob
 * hash covers; the container adds nothing that steers a load. Header-only; the reader checks
 * every size, offset and count, the manifest, and a signed loader's hashes before anything
 * reaches the kernel. */
#ifndef LSKEL_CONTAINER_H
#define LSKEL_CONTAINER_H

#include <lskel/runtime.h>

#define LSKEL_CNT_MAGIC 0x434b534cU	/* "LSKC" */
#define LSKEL_CNT_VERSION 3U
#define LSKEL_CNT_MAX_SECTIONS 4U

struct lskel_cnt_hdr {
	__u32 magic;
	__u32 version;
	__u32 hdr_size;		/* sizeof(struct lskel_cnt_hdr) */
	__u32 total_size;	/* the file's size */
	__u32 nr_sections;	/* section table follows the header */
	__u32 reserved[3];	/* zero */
};

struct lskel_cnt_sec {
	__u32 type;
	__u32 off;
	__u32 size;
	__u32 count;		/* entries: instructions, 1 otherwise */
};

enum lskel_cnt_sec_type {
	LSKEL_CNT_INSNS = 1,	/* loader instructions (the may_goto loop loader) */
	LSKEL_CNT_COMPAT_INSNS,	/* unsigned loaders: the compat (bpf_loop) loader */
	LSKEL_CNT_DATA,		/* the blob, with the manifest */
	LSKEL_CNT_SIG,		/* signed loaders: struct lskel_cnt_sig, then the signature */
};

struct lskel_cnt_sig {
	__u8 excl_hash[32];	/* SHA-256 of the loader instructions */
	__u32 sig_size;		/* detached PKCS#7 (DER) over the instructions, after this */
	__u32 sig_next_size;	/* then one over the instructions and the blob (bpf-next) */
};

/* A validated container: pointers into the caller's buffer. */
struct lskel_cnt {
	const void *insns, *compat_insns, *data;
	__u32 insns_size, compat_insns_size, data_size;
	const struct lskel_cnt_sig *sig;	/* NULL: unsigned */
	__u32 sig_sec_size;
	struct lskel_mf mf;	/* the manifest in the blob */
};

static inline int lskel_cnt_bad(char *err, size_t n, const char *what, __u32 a, __u32 b)
{
	snprintf(err, n, what, a, b);
	return -EINVAL;
}

/* Section @s (at @p, its place in the file checked) into @c: its size and count. */
static inline int lskel_cnt_take(const struct lskel_cnt_sec *s, const void *p, struct lskel_cnt *c,
				 char *err, size_t errlen)
{
	int insns = s->type == LSKEL_CNT_INSNS || s->type == LSKEL_CNT_COMPAT_INSNS;

	if (insns && (s->size % sizeof(struct bpf_insn) || s->count != s->size / 8 || !s->size ||
		      s->size > (1u << 20)))
		return lskel_cnt_bad(err, errlen, "loader of %u bytes does not hold its %u "
				     "instructions (or is empty or over 1 MiB)", s->size, s->count);
	if (!insns && s->count != 1)
		return lskel_cnt_bad(err, errlen, "section type %u: count %u, not 1", s->type,
				     s->count);
	switch (s->type) {
	case LSKEL_CNT_INSNS:
		c->insns = p;
		c->insns_size = s->size;
		break;
	case LSKEL_CNT_COMPAT_INSNS:
		c->compat_insns = p;
		c->compat_insns_size = s->size;
		break;
	case LSKEL_CNT_DATA:
		c->data = p;
		c->data_size = s->size;
		break;
	case LSKEL_CNT_SIG:
		c->sig = (const struct lskel_cnt_sig *)p;
		c->sig_sec_size = s->size;
		break;
	}
	return 0;
}

/* Check everything, signed loaders' hashes included; fill @c. Returns 0, or -EINVAL
 * (-EBADMSG: a hash mismatch) with a one-line reason in @err. */
static inline int lskel_cnt_parse(const void *buf, size_t size, struct lskel_cnt *c, char *err,
				  size_t errlen)
{
	const unsigned char *b = (const unsigned char *)buf;
	const struct lskel_cnt_sec *secs;
	struct lskel_cnt_hdr h;
	struct lskel_desc d;
	__u32 i, seen = 0, end, last = 0;
	int e;

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
	if (h.hdr_size != sizeof(h) || h.reserved[0] || h.reserved[1] || h.reserved[2])
		return lskel_cnt_bad(err, errlen, "header size %u (expected %u) or reserved fields "
				     "set", h.hdr_size, (__u32)sizeof(h));
	if (h.total_size != size)
		return lskel_cnt_bad(err, errlen, "header says %u bytes, the file has %u (truncated or "
				     "padded)", h.total_size, (__u32)size);
	if (h.nr_sections < 2 || h.nr_sections > LSKEL_CNT_MAX_SECTIONS ||
	    (size - sizeof(h)) / sizeof(*secs) < h.nr_sections)
		return lskel_cnt_bad(err, errlen, "section count %u invalid (2 to %u)",
				     h.nr_sections, LSKEL_CNT_MAX_SECTIONS);
	secs = (const struct lskel_cnt_sec *)(b + sizeof(h));
	end = (sizeof(h) + h.nr_sections * sizeof(*secs) + 7) & ~7u;
	for (i = 0; i < h.nr_sections; i++) {
		const struct lskel_cnt_sec *s = &secs[i];
		const void *p = b + s->off;

		/* in order, back to back (8-aligned): no byte of the file is unaccounted for */
		if (s->off != end || s->off > size || s->size > size - s->off)
			return lskel_cnt_bad(err, errlen, "section %u at offset %u is not where the "
					     "previous one ends, or lies outside the file", i, s->off);
		end = (s->off + s->size + 7) & ~7u;
		if (s->type <= last || s->type > LSKEL_CNT_SIG)
			return lskel_cnt_bad(err, errlen, "section %u: type %u unknown, repeated or out "
					     "of order", i, s->type);
		last = s->type;
		seen |= 1u << s->type;
		e = lskel_cnt_take(s, p, c, err, errlen);
		if (e)
			return e;
	}
	if (end != size)
		return lskel_cnt_bad(err, errlen, "%u bytes after the last section (file of %u)",
				     (__u32)size - end, (__u32)size);
	if (!(seen & (1u << LSKEL_CNT_INSNS)) || !(seen & (1u << LSKEL_CNT_DATA)))
		return lskel_cnt_bad(err, errlen, "no loader or no data section (types seen: mask "
				     "0x%x)", seen, 0);
	if ((seen & (1u << LSKEL_CNT_SIG)) && (seen & (1u << LSKEL_CNT_COMPAT_INSNS)))
		return lskel_cnt_bad(err, errlen, "a compat loader of %u bytes in a signed container "
				     "(signed loaders have none: it would load unchecked)",
				     c->compat_insns_size, 0);
	if (c->sig && (c->sig_sec_size < sizeof(*c->sig) || !c->sig->sig_size ||
		       c->sig->sig_size > c->sig_sec_size - sizeof(*c->sig) ||
		       c->sig->sig_next_size != c->sig_sec_size - sizeof(*c->sig) - c->sig->sig_size))
		return lskel_cnt_bad(err, errlen, "signature section of %u bytes does not hold its "
				     "%u-byte signature", c->sig_sec_size,
				     c->sig_sec_size >= sizeof(*c->sig) ? c->sig->sig_size : 0);
	if (c->sig) {
		char why[200];

		memset(&d, 0, sizeof(d));
		d.insns = c->insns;
		d.insns_sz = c->insns_size;
		d.data = c->data;
		d.data_sz = c->data_size;
		d.excl_hash = c->sig->excl_hash;
		e = lskel_signed_check(&d, why, sizeof(why));
		if (e) {
			snprintf(err, errlen, "%s", why);
			return e;
		}
	}
	return lskel_mf_parse(c->data, c->data_size, &c->mf, err, errlen);
}

/* The runtime's description of a parsed container (tables allocated: lskel_cnt_desc_free). */
static inline int lskel_cnt_desc(const struct lskel_cnt *c, struct lskel_desc *d)
{
	int err = lskel_mf_desc(&c->mf, c->data, c->data_size, d);

	if (err)
		return err;
	d->insns = c->insns;
	d->insns_sz = c->insns_size;
	d->compat_insns = c->compat_insns;
	d->compat_insns_sz = c->compat_insns_size;
	if (c->sig) {
		d->excl_hash = c->sig->excl_hash;
		d->sig = c->sig + 1;
		d->sig_sz = c->sig->sig_size;
		d->sig_next = (const char *)(c->sig + 1) + c->sig->sig_size;
		d->sig_next_sz = c->sig->sig_next_size;
	}
	return 0;
}

static inline void lskel_cnt_desc_free(struct lskel_desc *d)
{
	lskel_mf_desc_free(d);
}

#endif
