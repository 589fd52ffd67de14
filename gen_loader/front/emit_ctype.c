// SPDX-License-Identifier: BSD-2-Clause
/* C declarations of BTF types for generated headers. A header must compile on its own and next
 * to the user's own headers (vmlinux.h, the tool's shared header, <stdbool.h>, C++), so it
 * defines no named type at all: C's base types keep their names (`long hits` stays long, so
 * printf("%ld") written for bpftool's header still type-checks), typedefs become fixed-width
 * integer types, pointers __u64, enums their integer type, structs and unions anonymous inline
 * definitions with explicit padding. Members keep their names, so skel->bss->stats.count reads
 * as usual. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "emit_ctype.h"
#include "err.h"

/* Members spelled (or hashed) for one variable at most: real types stay far below. */
#define LSK_CTYPE_BUDGET 65536U

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t) || btf_is_type_tag(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static const char *int_name(__u32 size, bool is_signed)
{
	switch (size) {
	case 1: return is_signed ? "__s8" : "__u8";
	case 2: return is_signed ? "__s16" : "__u16";
	case 4: return is_signed ? "__s32" : "__u32";
	case 8: return is_signed ? "__s64" : "__u64";
	default: return NULL;
	}
}

/* C's base integer types by the names compilers give them in BTF, with their size here. */
static const struct {
	const char *name;
	__u32 size;
} base_ints[] = {
	{ "char", sizeof(char) }, { "signed char", sizeof(signed char) },
	{ "unsigned char", sizeof(unsigned char) },
	{ "short", sizeof(short) }, { "short int", sizeof(short) },
	{ "unsigned short", sizeof(unsigned short) },
	{ "short unsigned int", sizeof(unsigned short) },
	{ "int", sizeof(int) }, { "unsigned int", sizeof(unsigned int) },
	{ "long", sizeof(long) }, { "long int", sizeof(long) },
	{ "unsigned long", sizeof(unsigned long) },
	{ "long unsigned int", sizeof(unsigned long) },
	{ "long long", sizeof(long long) }, { "long long int", sizeof(long long) },
	{ "unsigned long long", sizeof(unsigned long long) },
	{ "long long unsigned int", sizeof(unsigned long long) },
};

/* The BTF name of integer @t when it is one of C's base types of the same size on this host
 * (it cannot clash with anything the includer defines); NULL otherwise. */
static const char *base_int_name(const struct btf *btf, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(btf, t->name_off);
	size_t i;

	for (i = 0; n && i < sizeof(base_ints) / sizeof(base_ints[0]); i++)
		if (!strcmp(n, base_ints[i].name))
			return base_ints[i].size == t->size && btf_int_bits(t) == t->size * 8 &&
			       btf_int_offset(t) == 0 ? n : NULL;
	return NULL;
}

/* Natural alignment of @id as this emitter spells it. */
static __u32 align_of(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = skip_mods(btf, &id);
	__u32 a = 1, i;

	if (!t)
		return 1;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
		return t->size >= 8 ? 8 : t->size ? t->size : 1;
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_ARRAY:
		return align_of(btf, btf_array(t)->type);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < btf_vlen(t); i++) {
			__u32 m = align_of(btf, btf_members(t)[i].type);

			a = m > a ? m : a;
		}
		return a;
	default:
		return 1;
	}
}

static void indent(FILE *f, int n)
{
	while (n-- > 0)
		fputc('\t', f);
}

static int emit(FILE *f, const struct btf *btf, __u32 id, const char *name, int ind, int depth,
		size_t *budget);

static int emit_record(FILE *f, const struct btf *btf, const struct btf_type *t, const char *name,
		       int ind, int depth, size_t *budget)
{
	const struct btf_member *m = btf_members(t);
	__u32 end = 0, i;
	int pad = 0, err;

	fprintf(f, "%s {\n", btf_is_union(t) ? "union" : "struct");
	for (i = 0; i < btf_vlen(t); i++) {
		__u32 bit = btf_member_bit_offset(t, i), bits = btf_member_bitfield_size(t, i);
		__u32 mid = m[i].type, off = bit / 8, msz;
		const char *mn = btf__name_by_offset(btf, m[i].name_off);
		const struct btf_type *mt = skip_mods(btf, &mid);
		__s64 sz = btf__resolve_size(btf, m[i].type);

		if (!mt || sz < 0)
			return lsk_err(EINVAL, "BTF type %u: member %u has no size", m[i].type, i);
		msz = (__u32)sz;
		if (btf_is_struct(t) && !bits && off > end) {
			indent(f, ind + 1);
			fprintf(f, "char __pad%d[%u];\n", pad++, off - end);
		}
		indent(f, ind + 1);
		if (bits) {
			const char *in = btf_is_int(mt) || btf_is_any_enum(mt) ?
					 int_name(mt->size, btf_is_int(mt) ?
						  !!(btf_int_encoding(mt) & BTF_INT_SIGNED) :
						  !!btf_kflag(mt)) : NULL;

			if (!in)
				return lsk_err(EINVAL, "BTF type %u: bitfield '%s' is not an integer",
					       m[i].type, mn);
			fprintf(f, "%s %s : %u;\n", in, mn, bits);
			if (btf_is_struct(t))
				end = (bit + bits + 7) / 8;
			continue;
		}
		if (off % align_of(btf, m[i].type)) {
			/* a packed member: bytes, so the layout cannot shift */
			fprintf(f, "__u8 %s[%u];\n", mn[0] ? mn : "__anon", msz);
		} else {
			err = emit(f, btf, m[i].type, mn, ind + 1, depth + 1, budget);
			if (err)
				return err;
			fprintf(f, ";\n");
		}
		if (btf_is_struct(t))
			end = off + msz;
	}
	if (btf_is_struct(t) && t->size > end) {
		indent(f, ind + 1);
		fprintf(f, "char __pad%d[%u];\n", pad, t->size - end);
	}
	if (!btf_vlen(t) && !t->size) {
		indent(f, ind + 1);
		fprintf(f, "char __empty;\n");
	}
	indent(f, ind);
	fprintf(f, "}%s%s", name[0] ? " " : "", name);
	return 0;
}

static int emit(FILE *f, const struct btf *btf, __u32 id, const char *name, int ind, int depth,
		size_t *budget)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	bool via_typedef = false;
	char arr[512];
	const char *n;

	/* typedefs are named types: spelled by size below; a base type keeps its name */
	while (t && (btf_is_mod(t) || btf_is_typedef(t) || btf_is_type_tag(t))) {
		via_typedef |= btf_is_typedef(t);
		id = t->type;
		t = btf__type_by_id(btf, id);
	}

	if (depth > 32)
		return lsk_err(ELOOP, "BTF type %u nests too deep for a C declaration", id);
	/* structs are spelled inline: a type reused many times over (a DAG) would grow the
	 * declaration without bound, so the members spelled per variable are counted */
	if (++*budget > LSK_CTYPE_BUDGET)
		return lsk_err(E2BIG, "BTF type %u spells out to more than %u members", id,
			       LSK_CTYPE_BUDGET);
	if (!t)
		return lsk_err(EINVAL, "BTF type %u does not exist", id);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		if (btf_int_encoding(t) & BTF_INT_BOOL && t->size == 1)
			n = "LSKEL_BOOL";
		else if (btf_int_encoding(t) & BTF_INT_CHAR && t->size == 1)
			n = "char";
		else if (!via_typedef && (n = base_int_name(btf, t)))
			;
		else
			n = int_name(t->size, btf_int_encoding(t) & BTF_INT_SIGNED);
		if (!n) {	/* __int128: bytes with the alignment of a __u64 */
			fprintf(f, "__u64 %s[%u]", name, t->size / 8);
			return 0;
		}
		fprintf(f, "%s %s", n, name);
		return 0;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		n = int_name(t->size, btf_kflag(t));
		if (!n)
			return lsk_err(EINVAL, "BTF type %u: enum of %u bytes", id, t->size);
		fprintf(f, "%s %s", n, name);
		return 0;
	case BTF_KIND_FLOAT:
		fprintf(f, "%s %s", t->size == 4 ? "float" : t->size == 8 ? "double" : "long double",
			name);
		return 0;
	case BTF_KIND_PTR:
		fprintf(f, "__u64 %s", name);	/* a BPF pointer: 8 bytes whatever the host */
		return 0;
	case BTF_KIND_ARRAY:
		snprintf(arr, sizeof(arr), "%s[%u]", name, btf_array(t)->nelems);
		return emit(f, btf, btf_array(t)->type, arr, ind, depth + 1, budget);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return emit_record(f, btf, t, name, ind, depth, budget);
	default:
		return lsk_err(EINVAL, "BTF type %u (kind %u) has no C declaration as data", id,
			       btf_kind(t));
	}
}

bool lsk_type_is_array(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = skip_mods(btf, &id);

	return t && btf_is_array(t);
}

int lsk_emit_ctype(FILE *f, const struct btf *btf, __u32 id, const char *name, int ind)
{
	size_t budget = 0;

	return emit(f, btf, id, name, ind, 0, &budget);
}

/* Type signatures: FNV-1a over a canonical walk of the type (kinds, sizes, signedness,
 * element counts, member names and offsets), typedefs and modifiers skipped. Two builds
 * of a variable agree exactly when a reader of one would read the other correctly. */
static void sig_feed(__u64 *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		*h ^= *b++;
		*h *= 0x100000001b3ULL;
	}
}

static void sig_u32(__u64 *h, __u32 v)
{
	sig_feed(h, &v, sizeof(v));
}

static int sig_walk(const struct btf *btf, __u32 id, __u64 *h, int depth, size_t *budget)
{
	const struct btf_type *t = skip_mods(btf, &id);
	__u32 i;
	int err;

	if (!t || depth > 32 || ++*budget > LSK_CTYPE_BUDGET)
		return -EINVAL;
	sig_u32(h, btf_kind(t));
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		sig_u32(h, t->size);
		sig_u32(h, btf_int_encoding(t));
		sig_u32(h, btf_int_bits(t));
		return 0;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		sig_u32(h, t->size);
		sig_u32(h, btf_kflag(t));
		return 0;
	case BTF_KIND_FLOAT:
		sig_u32(h, t->size);
		return 0;
	case BTF_KIND_PTR:
		return 0;	/* 8 bytes, whatever it points to */
	case BTF_KIND_ARRAY:
		sig_u32(h, btf_array(t)->nelems);
		return sig_walk(btf, btf_array(t)->type, h, depth + 1, budget);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		sig_u32(h, t->size);
		sig_u32(h, btf_vlen(t));
		for (i = 0; i < btf_vlen(t); i++) {
			const char *n = btf__name_by_offset(btf, btf_members(t)[i].name_off);

			sig_feed(h, n, strlen(n) + 1);
			sig_u32(h, btf_member_bit_offset(t, i));
			sig_u32(h, btf_member_bitfield_size(t, i));
			err = sig_walk(btf, btf_members(t)[i].type, h, depth + 1, budget);
			if (err)
				return err;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

int lsk_type_sig(const struct btf *btf, __u32 id, __u64 *sig)
{
	__u64 h = 0xcbf29ce484222325ULL;
	size_t budget = 0;
	int err = sig_walk(btf, id, &h, 0, &budget);

	if (err)
		return lsk_err(EINVAL, "BTF type %u has no layout signature", id);
	*sig = h;
	return 0;
}

/* C identifier from a map or section name: ".data.custom" -> "data_custom". */
void lsk_c_ident(char *out, size_t n, const char *name)
{
	size_t i = 0;

	if (*name == '.')
		name++;
	if (isdigit((unsigned char)*name) && n > 1)
		out[i++] = '_';	/* "1-b" (an object's file name) -> "_1_b" */
	for (; *name && i + 1 < n; name++)
		out[i++] = isalnum((unsigned char)*name) ? *name : '_';
	out[i] = '\0';
}
