/* SPDX-License-Identifier: BSD-2-Clause */
/* lskel runtime, signed loaders and the blob's manifest: SHA-256 of the loader and its
 * data, the manifest parser and the checks the runtime makes before any bpf() call. */
#ifndef LSKEL_SIGNED_H
#define LSKEL_SIGNED_H

#include <lskel/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SHA-256 (FIPS 180-4), so the runtime checks a signed loader's hashes before any bpf()
 * call: the kernel computes the same ones again when it loads. */
static inline __u32 lskel_ror32(__u32 x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline void lskel_sha256_block(__u32 h[8], const unsigned char *p)
{
	static const __u32 k[64] = {
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
		0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
		0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
		0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
		0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
		0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
		0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
		0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
		0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
		0xc67178f2 };
	__u32 w[64], v[8], t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (__u32)p[4 * i] << 24 | (__u32)p[4 * i + 1] << 16 | (__u32)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (lskel_ror32(w[i - 15], 7) ^ lskel_ror32(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       (lskel_ror32(w[i - 2], 17) ^ lskel_ror32(w[i - 2], 19) ^ (w[i - 2] >> 10));
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] + (lskel_ror32(v[4], 6) ^ lskel_ror32(v[4], 11) ^ lskel_ror32(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + k[i] + w[i];
		t2 = (lskel_ror32(v[0], 2) ^ lskel_ror32(v[0], 13) ^ lskel_ror32(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

/* SHA-256 of @n bytes at @data into @out. */
static inline void lskel_sha256(const void *data, size_t n, unsigned char out[32])
{
	__u32 h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
		       0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = (const unsigned char *)data;
	unsigned char last[128];
	size_t i, rest = n % 64, tail = rest < 56 ? 64 : 128;
	__u64 bits = (__u64)n * 8;

	for (i = 0; i + 64 <= n; i += 64)
		lskel_sha256_block(h, p + i);
	memset(last, 0, sizeof(last));
	if (rest)
		memcpy(last, p + i, rest);
	last[rest] = 0x80;
	for (i = 0; i < 8; i++)
		last[tail - 1 - i] = (unsigned char)(bits >> (8 * i));
	lskel_sha256_block(h, last);
	if (tail == 128)
		lskel_sha256_block(h, last + 64);
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

/* The blob hash a signed loader compares with (LSKEL_SIGNED_HASH_INSN), -EBADMSG when the
 * instructions do not begin with the blob check. */
static inline int lskel_loader_blob_hash(const void *insns, __u32 insns_sz, unsigned char h[32])
{
	const struct bpf_insn *in = (const struct bpf_insn *)insns;
	int k;

	if (insns_sz % sizeof(*in) || insns_sz / sizeof(*in) < LSKEL_SIGNED_HASH_INSN(4))
		return -EBADMSG;
	if (in[0].code != (BPF_LD | BPF_IMM | BPF_DW) || in[0].src_reg != BPF_PSEUDO_MAP_IDX ||
	    in[0].imm)
		return -EBADMSG;
	for (k = 0; k < 4; k++) {
		const struct bpf_insn *ld = &in[LSKEL_SIGNED_HASH_INSN(k)];
		__u64 v;

		if (ld[0].code != (BPF_LD | BPF_IMM | BPF_DW) || ld[0].src_reg || ld[1].code)
			return -EBADMSG;
		v = (__u64)(__u32)ld[0].imm | (__u64)(__u32)ld[1].imm << 32;
		memcpy(h + 8 * k, &v, 8);	/* little-endian, as the loader compares */
	}
	return 0;
}

/* Names the runtime acts on: pin path components, map, program, object and kconfig names.
 * LSKEL_NAME_IDENT: C identifier; LSKEL_NAME_MAP: also '.' (".rodata", "obj.bss"), never
 * "..", LSKEL_NAME_FILE: identifier characters and '-' (object and load names). */
enum { LSKEL_NAME_IDENT, LSKEL_NAME_MAP, LSKEL_NAME_FILE };

/* 1 when @s is a name of @kind no longer than LSKEL_MF_NAME_MAX - 1 bytes. */
static inline int lskel_name_ok(const char *s, int kind)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char ch = s[i];

		if (i >= LSKEL_MF_NAME_MAX - 1)
			return 0;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
		    (i && ch >= '0' && ch <= '9') || (kind == LSKEL_NAME_FILE && ch == '-' && i))
			continue;
		if (kind == LSKEL_NAME_FILE && ch >= '0' && ch <= '9')
			continue;
		if (kind == LSKEL_NAME_MAP && ch == '.' && s[i + 1] != '.' && s[i + 1])
			continue;
		if (kind == LSKEL_NAME_MAP && ch >= '0' && ch <= '9')
			continue;
		return 0;
	}
	return i > 0;
}

/* A parsed manifest: pointers into the blob (lskel_mf_parse checked every one). */
struct lskel_mf {
	const struct lskel_blob_hdr *bh;
	const struct lskel_mf_hdr *h;
	const struct lskel_mf_obj *objs;
	const struct lskel_mf_op *ops;
	const struct lskel_mf_map *maps;
	const struct lskel_mf_prog *progs;
	const struct lskel_mf_kcfg *kcfg;
	const struct lskel_mf_pin *pins;
	const struct bpf_func_info *func_info;
	const void *btf;
	const char *strings;
};

enum { LSKEL_MF_OBJS, LSKEL_MF_OPS, LSKEL_MF_MAPS, LSKEL_MF_PROGS, LSKEL_MF_KCFG, LSKEL_MF_PINS,
       LSKEL_MF_FUNC_INFO, LSKEL_MF_BTF, LSKEL_MF_STRINGS, LSKEL_MF_END };

/* Offsets of the manifest's tables from its header (writer and reader share it). Returns
 * the manifest's size, or 0 when the counts are out of bounds. */
static inline __u32 lskel_mf_layout(const struct lskel_mf_hdr *h, __u32 off[LSKEL_MF_END + 1])
{
	const __u64 n[LSKEL_MF_END] = {
		(__u64)h->nr_objs * sizeof(struct lskel_mf_obj),
		(__u64)h->nr_ops * sizeof(struct lskel_mf_op),
		(__u64)h->nr_maps * sizeof(struct lskel_mf_map),
		(__u64)h->nr_progs * sizeof(struct lskel_mf_prog),
		(__u64)h->nr_kcfg * sizeof(struct lskel_mf_kcfg),
		(__u64)h->nr_pins * sizeof(struct lskel_mf_pin),
		(__u64)h->nr_func_info * sizeof(struct bpf_func_info),
		h->btf_size, h->strings_size };
	__u64 at = sizeof(*h);
	int i;

	for (i = 0; i < LSKEL_MF_END; i++) {
		if (n[i] > (64u << 20))
			return 0;
		off[i] = (__u32)at;
		at = (at + n[i] + 7) & ~7ull;
	}
	off[LSKEL_MF_END] = (__u32)at;
	return at > (64u << 20) ? 0 : (__u32)at;
}

static inline const char *lskel_mf_str(const struct lskel_mf *m, __u32 off)
{
	return m->strings + off;	/* lskel_mf_parse checked it */
}

/* Say why a manifest is refused (printf-like, into @err; control bytes shown as ?): -EINVAL. */
static inline int lskel_mf_bad(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int lskel_mf_bad(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	for (p = err; *p; p++)	/* a refused name may hold anything: no control bytes out */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

/* A string offset and its content: inside the table, printable, of at most @max bytes. */
static inline int lskel_mf_text_ok(const struct lskel_mf *m, __u32 off, __u32 max)
{
	const char *s;
	__u32 i;

	if (off >= m->h->strings_size)
		return 0;
	for (s = m->strings + off, i = 0; s[i]; i++)
		if (i >= max || (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

static inline int lskel_mf_name_ok(const struct lskel_mf *m, __u32 off, int kind)
{
	return off < m->h->strings_size && lskel_name_ok(m->strings + off, kind);
}

/* The manifest's tables (objects, op descriptions, maps, programs, kconfig values, pins):
 * every name, slot and offset inside what it refers to. */
static inline int lskel_mf_check_tables(const struct lskel_mf *m, __u32 mo, char *err,
					size_t errlen)
{
	const struct lskel_mf_hdr *h = m->h;
	const struct lskel_blob_hdr *bh = m->bh;
	__u32 i, nops = h->nr_ops;

	for (i = 0; i < h->nr_objs; i++)	/* file names: pin names replace what bpffs refuses */
		if (!lskel_mf_text_ok(m, m->objs[i].name, LSKEL_MF_NAME_MAX - 1) ||
		    !m->strings[m->objs[i].name] || strchr(m->strings + m->objs[i].name, '/'))
			return lskel_mf_bad(err, errlen, "object %u: invalid name", i);
	for (i = 0; i < nops; i++)
		if (!lskel_mf_text_ok(m, m->ops[i].what, 512))
			return lskel_mf_bad(err, errlen, "op %u: bad description string", i);
	for (i = 0; i < h->nr_maps; i++) {
		const struct lskel_mf_map *p = &m->maps[i];

		if (!lskel_mf_name_ok(m, p->name, LSKEL_NAME_MAP) || p->obj >= h->nr_objs ||
		    p->slot >= nops || m->ops[p->slot].cmd != BPF_MAP_CREATE || p->flags > 3 ||
		    (p->input != ~0u && p->input >= h->nr_inputs) ||
		    (p->init_off != ~0u && (p->init_off > mo || mo - p->init_off < p->value_size)))
			return lskel_mf_bad(err, errlen, "map %u (%.64s): bad name, object, fd slot, "
					    "input or initial value", i,
					    p->name < h->strings_size ? lskel_mf_str(m, p->name) : "?");
	}
	for (i = 0; i < h->nr_progs; i++) {
		const struct lskel_mf_prog *p = &m->progs[i];

		if (!lskel_mf_name_ok(m, p->name, LSKEL_NAME_IDENT) || p->obj >= h->nr_objs ||
		    p->slot >= nops || m->ops[p->slot].cmd != BPF_PROG_LOAD ||
		    p->attach > LSKEL_ATTACH_MAX ||
		    !lskel_mf_text_ok(m, p->target, LSKEL_MF_TARGET_MAX))
			return lskel_mf_bad(err, errlen, "program %u (%.64s): bad name, object, fd "
					    "slot, attach kind or target", i,
					    p->name < h->strings_size ? lskel_mf_str(m, p->name) : "?");
	}
	for (i = 0; i < h->nr_kcfg; i++) {
		const struct lskel_mf_kcfg *k = &m->kcfg[i];

		if (!lskel_mf_name_ok(m, k->name, LSKEL_NAME_IDENT) || k->type < 1 || k->type > 5 ||
		    !k->size || k->size > 256 || k->input_off < h->nr_inputs * 8 ||
		    k->input_off > bh->inputs_size || k->size > bh->inputs_size - k->input_off ||
		    k->is_signed > 1 || k->is_weak > 1 || (k->type != 5 && k->size > 8))
			return lskel_mf_bad(err, errlen, "kconfig value %u: bad name, type, size or "
					    "place", i);
	}
	for (i = 0; i < h->nr_pins; i++) {
		const struct lskel_mf_pin *p = &m->pins[i];

		if (!lskel_mf_name_ok(m, p->name, LSKEL_NAME_IDENT) || p->op >= nops ||
		    m->ops[p->op].cmd != LSKEL_CMD_MAP_REUSE || p->slot >= nops ||
		    m->ops[p->slot].cmd != BPF_MAP_CREATE || p->input >= h->nr_inputs)
			return lskel_mf_bad(err, errlen, "pinned map %u: bad name, op, fd slot or "
					    "input slot", i);
	}
	return 0;
}

/* Check the blob @data (its header, tables and the manifest at manifest_off: every count,
 * offset, slot, name and string) and fill @m. Returns 0 or -EINVAL with a reason in @err.
 * What it accepts the runtime may act on; signed loaders check the blob's hash first. */
static inline int lskel_mf_parse(const void *data, __u32 size, struct lskel_mf *m, char *err,
				 size_t errlen)
{
	const unsigned char *b = (const unsigned char *)data;
	const struct lskel_blob_hdr *bh = (const struct lskel_blob_hdr *)data;
	__u32 off[LSKEL_MF_END + 1], mo, nops;
	const struct lskel_mf_hdr *h;

	memset(m, 0, sizeof(*m));
	if (size < sizeof(*bh) + LSKEL_BLOB_TAIL || size > (64u << 20))
		return lskel_mf_bad(err, errlen, "blob of %u bytes: too small or too large", size);
	if (bh->magic != LSKEL_BLOB_MAGIC)
		return lskel_mf_bad(err, errlen, "blob header magic 0x%08x is not LSKB's",
				    bh->magic);
	if (bh->version != LSKEL_BLOB_VERSION)
		return lskel_mf_bad(err, errlen, "blob format version %u: this runtime reads "
				    "version %s", bh->version, LSKEL_STR(LSKEL_BLOB_VERSION_NR));
	if (bh->fdtab_off > size || (size - bh->fdtab_off) / 4 < bh->nr_ops ||
	    bh->steps_off > size || (size - bh->steps_off) / sizeof(struct lskel_step) < bh->nr_steps ||
	    bh->inputs_off > size || size - bh->inputs_off < bh->inputs_size ||
	    bh->inputs_size > 32768 || bh->inputs_size % 8)
		return lskel_mf_bad(err, errlen, "blob tables lie outside the blob (%u ops)",
				    bh->nr_ops);
	mo = bh->manifest_off;
	if (mo % 8 || mo < sizeof(*bh) || mo > size - LSKEL_BLOB_TAIL ||
	    size - LSKEL_BLOB_TAIL - mo < sizeof(*h))
		return lskel_mf_bad(err, errlen, "manifest offset %u outside the blob", mo);
	h = (const struct lskel_mf_hdr *)(b + mo);
	if (h->magic != LSKEL_MF_MAGIC || h->version != LSKEL_MF_VERSION)
		return lskel_mf_bad(err, errlen, "manifest version %u or magic invalid",
				    h->version);
	if (!lskel_mf_layout(h, off) || off[LSKEL_MF_END] != h->size ||
	    h->size > size - LSKEL_BLOB_TAIL - mo)
		return lskel_mf_bad(err, errlen, "manifest of %u bytes does not hold its tables or "
				    "does not fit the blob", h->size);
	nops = h->nr_ops;
	if (nops != bh->nr_ops)
		return lskel_mf_bad(err, errlen, "%u ops in the manifest, %u in the blob header",
				    nops, bh->nr_ops);
	if (h->nr_inputs > bh->inputs_size / 8)
		return lskel_mf_bad(err, errlen, "%u input slots in the manifest do not fit the blob "
				    "header's input area", h->nr_inputs);
	if (!h->nr_objs)
		return lskel_mf_bad(err, errlen, "the manifest names no object");
	m->bh = bh;
	m->h = h;
	m->objs = (const struct lskel_mf_obj *)(b + mo + off[LSKEL_MF_OBJS]);
	m->ops = (const struct lskel_mf_op *)(b + mo + off[LSKEL_MF_OPS]);
	m->maps = (const struct lskel_mf_map *)(b + mo + off[LSKEL_MF_MAPS]);
	m->progs = (const struct lskel_mf_prog *)(b + mo + off[LSKEL_MF_PROGS]);
	m->kcfg = (const struct lskel_mf_kcfg *)(b + mo + off[LSKEL_MF_KCFG]);
	m->pins = (const struct lskel_mf_pin *)(b + mo + off[LSKEL_MF_PINS]);
	m->func_info = (const struct bpf_func_info *)(b + mo + off[LSKEL_MF_FUNC_INFO]);
	m->btf = b + mo + off[LSKEL_MF_BTF];
	m->strings = (const char *)(b + mo + off[LSKEL_MF_STRINGS]);
	if (!h->strings_size || m->strings[h->strings_size - 1])
		return lskel_mf_bad(err, errlen, "manifest strings are empty or not NUL-terminated "
				    "(%u bytes)", h->strings_size);
	if (!lskel_mf_name_ok(m, h->name, LSKEL_NAME_FILE))
		return lskel_mf_bad(err, errlen, "the load's name (string %u) is not a valid name",
				    h->name);
	/* the compat loader's BTF; none (both 0) when there is no compat loader */
	if ((h->nr_func_info || h->btf_size) && (!h->nr_func_info || h->nr_func_info > 16 ||
						 !h->btf_size || h->btf_size > 65536))
		return lskel_mf_bad(err, errlen, "%u loader functions or the loader's BTF size "
				    "invalid", h->nr_func_info);
	return lskel_mf_check_tables(m, mo, err, errlen);
}

/* The check a signed loader's blob gets before any bpf() call: the instructions hash to
 * the exclusive-map hash, and the blob to the hash compiled into them. The kernel checks
 * the signature over the instructions (where it can), and the loader the blob again. */
static inline int lskel_signed_check(const struct lskel_desc *d, char *err, size_t n)
{
	unsigned char h[32], want[32];

	lskel_sha256(d->insns, d->insns_sz, h);
	if (memcmp(h, d->excl_hash, 32)) {
		snprintf(err, n, "the loader instructions do not hash to the exclusive-map hash "
			 "(tampered with)");
		return -EBADMSG;
	}
	if (lskel_loader_blob_hash(d->insns, d->insns_sz, want)) {
		snprintf(err, n, "the signed loader does not begin with its blob check");
		return -EBADMSG;
	}
	lskel_sha256(d->data, d->data_sz, h);
	if (memcmp(h, want, 32)) {
		snprintf(err, n, "data blob hash mismatch: the blob is not the one this loader was "
			 "signed with (tampered with or swapped)");
		return -EBADMSG;
	}
	return 0;
}

/* The runtime acts on @d's tables (fd slots, pins, kconfig descriptors, attach specs, the
 * loader's BTF): they must say what the manifest in the (hash-checked) blob says. */
static inline int lskel_mf_agrees(const struct lskel_desc *d, const struct lskel_mf *m,
				  char *err, size_t n)
{
	const struct lskel_mf_hdr *h = m->h;
	__u32 i;

	if (d->nr_ops != h->nr_ops || d->fdtab_off != m->bh->fdtab_off ||
	    d->inputs_size != m->bh->inputs_size || d->nr_inputs != h->nr_inputs)
		return lskel_mf_bad(err, n, "op count, fd table or input area differ (%u ops)",
				    d->nr_ops);
	if (d->nr_func_info != h->nr_func_info || d->btf_sz != h->btf_size ||
	    memcmp(d->func_info, m->func_info, h->nr_func_info * sizeof(struct bpf_func_info)) ||
	    memcmp(d->btf, m->btf, h->btf_size))
		return lskel_mf_bad(err, n, "the loader's BTF or func_info (%u functions) differ",
				    d->nr_func_info);
	/* a compat loader exactly when the manifest has its BTF, and never beside a signed one
	 * (it would load unchecked where the kernel refuses the signed loop loader) */
	if (!d->compat_insns_sz != !h->nr_func_info || (d->compat_insns_sz && d->excl_hash) ||
	    d->compat_insns_sz % 8 || d->compat_insns_sz > (1u << 20))
		return lskel_mf_bad(err, n, "a compat loader of %u bytes where the manifest has %u "
				    "loader functions (none when signed)", d->compat_insns_sz,
				    h->nr_func_info);
	if (d->nr_kcfg != h->nr_kcfg)
		return lskel_mf_bad(err, n, "%u kconfig values", d->nr_kcfg);
	for (i = 0; i < h->nr_kcfg; i++) {
		const struct lskel_kcfg *a = &d->kcfg[i];
		const struct lskel_mf_kcfg *b = &m->kcfg[i];

		if (strcmp(a->name, lskel_mf_str(m, b->name)) || a->type != b->type ||
		    a->input_off != b->input_off || a->size != b->size ||
		    a->is_signed != b->is_signed || a->is_weak != b->is_weak)
			return lskel_mf_bad(err, n, "kconfig value %u (%.64s)", i, a->name);
	}
	if (d->nr_pins != h->nr_pins)
		return lskel_mf_bad(err, n, "%u pinned maps", d->nr_pins);
	for (i = 0; i < h->nr_pins; i++) {
		const struct lskel_pin *a = &d->pins[i];
		const struct lskel_mf_pin *b = &m->pins[i];

		if (strcmp(a->name, lskel_mf_str(m, b->name)) || a->op != b->op || a->slot != b->slot ||
		    a->input != b->input || a->type != b->type || a->key_size != b->key_size ||
		    a->value_size != b->value_size || a->max_entries != b->max_entries ||
		    a->map_flags != b->map_flags || a->map_extra != b->map_extra)
			return lskel_mf_bad(err, n, "pinned map %u (%.64s)", i, a->name);
	}
	if (d->maps || d->nr_maps) {	/* skeletons: where fds and data sections go */
		if (d->nr_maps != h->nr_maps)
			return lskel_mf_bad(err, n, "%u maps", d->nr_maps);
		for (i = 0; i < h->nr_maps; i++) {
			const struct lskel_map_bind *a = &d->maps[i];
			const struct lskel_mf_map *b = &m->maps[i];

			if (strcmp(a->name, lskel_mf_str(m, b->name)) || a->slot != b->slot ||
			    a->size != b->value_size || a->init_off != b->init_off ||
			    a->input != b->input || !a->rdonly != !(b->flags & LSKEL_MF_MAP_RDONLY) ||
			    !a->shared != !(b->flags & LSKEL_MF_MAP_SHARED))
				return lskel_mf_bad(err, n, "map %u (%.64s)", i, a->name);
		}
	}
	if (d->progs || d->nr_progs) {
		if (d->nr_progs != h->nr_progs)
			return lskel_mf_bad(err, n, "%u programs", d->nr_progs);
		for (i = 0; i < h->nr_progs; i++) {
			const struct lskel_prog_bind *a = &d->progs[i];
			const struct lskel_mf_prog *b = &m->progs[i];

			if (strcmp(a->name, lskel_mf_str(m, b->name)) || a->slot != b->slot ||
			    a->attach != b->attach || strcmp(a->target, lskel_mf_str(m, b->target)))
				return lskel_mf_bad(err, n, "program %u (%.64s)", i, a->name);
		}
	}
	return 0;
}

/* Before the first bpf() call of a load: a signed loader's hashes, then the manifest in the
 * blob, then @d's tables against it. Returns 0 or a negative errno with ctx.errmsg set. */
static inline int lskel_check_desc(const struct lskel_desc *d, struct lskel_ctx *c)
{
	struct lskel_mf m;
	char why[256], what[320];
	int err;

	if (d->excl_hash) {
		err = lskel_signed_check(d, why, sizeof(why));
		if (err)
			return lskel_fail(c, -1, err, "%s: %s", d->name, why);
	}
	if (lskel_mf_parse(d->data, d->data_sz, &m, why, sizeof(why)))
		return lskel_fail(c, -1, -EINVAL, "%s: invalid blob: %s", d->name, why);
	if (lskel_mf_agrees(d, &m, why, sizeof(why))) {
		snprintf(what, sizeof(what), "the skeleton's tables differ from the manifest in its "
			 "blob: %.200s", why);
		return lskel_fail(c, -1, -EINVAL, "%s: %s", d->name, what);
	}
	return 0;
}

/* A description of the load from a parsed manifest: name, op table, kconfig descriptors,
 * pins, the loader's BTF and func_info (tables allocated: lskel_mf_desc_free). The caller
 * sets insns and, for signed loaders, excl_hash and sig. */
static inline int lskel_mf_desc(const struct lskel_mf *m, const void *data, __u32 data_sz,
				struct lskel_desc *d)
{
	const struct lskel_mf_hdr *h = m->h;
	__u32 *cmds = (__u32 *)calloc(h->nr_ops + 1, sizeof(__u32));
	const char **what = (const char **)calloc(h->nr_ops + 1, sizeof(char *));
	struct lskel_kcfg *k = (struct lskel_kcfg *)calloc(h->nr_kcfg + 1, sizeof(*k));
	struct lskel_pin *p = (struct lskel_pin *)calloc(h->nr_pins + 1, sizeof(*p));
	__u32 i;

	memset(d, 0, sizeof(*d));
	if (!cmds || !what || !k || !p) {
		free(cmds);
		free((void *)what);
		free(k);
		free(p);
		return -ENOMEM;
	}
	for (i = 0; i < h->nr_ops; i++) {
		cmds[i] = m->ops[i].cmd;
		what[i] = lskel_mf_str(m, m->ops[i].what);
	}
	for (i = 0; i < h->nr_kcfg; i++) {
		const struct lskel_mf_kcfg *s = &m->kcfg[i];

		k[i].name = lskel_mf_str(m, s->name);
		k[i].type = s->type;
		k[i].input_off = s->input_off;
		k[i].size = s->size;
		k[i].is_signed = s->is_signed;
		k[i].is_weak = s->is_weak;
	}
	for (i = 0; i < h->nr_pins; i++) {
		const struct lskel_mf_pin *s = &m->pins[i];

		p[i].name = lskel_mf_str(m, s->name);
		p[i].op = s->op;
		p[i].slot = s->slot;
		p[i].input = s->input;
		p[i].type = s->type;
		p[i].key_size = s->key_size;
		p[i].value_size = s->value_size;
		p[i].max_entries = s->max_entries;
		p[i].map_flags = s->map_flags;
		p[i].map_extra = s->map_extra;
	}
	d->name = lskel_mf_str(m, h->name);
	d->data = data;
	d->data_sz = data_sz;
	d->btf = m->btf;
	d->btf_sz = h->btf_size;
	d->func_info = m->func_info;
	d->nr_func_info = h->nr_func_info;
	d->nr_ops = h->nr_ops;
	d->fdtab_off = m->bh->fdtab_off;
	d->inputs_size = m->bh->inputs_size;
	d->nr_inputs = h->nr_inputs;
	d->op_cmd = cmds;
	d->op_what = what;
	d->kcfg = k;
	d->nr_kcfg = h->nr_kcfg;
	d->pins = p;
	d->nr_pins = h->nr_pins;
	return 0;
}

static inline void lskel_mf_desc_free(struct lskel_desc *d)
{
	free((void *)d->op_cmd);
	free((void *)d->op_what);
	free((void *)d->kcfg);
	free((void *)d->pins);
	d->op_cmd = NULL;
	d->op_what = NULL;
	d->kcfg = NULL;
	d->pins = NULL;
}

#ifdef __cplusplus
}
#endif

#endif
