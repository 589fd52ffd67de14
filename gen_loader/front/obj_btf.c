// SPDX-License-Identifier: BSD-2-Clause
/* .BTF loading and the DATASEC fix-ups the kernel requires (sizes, offsets, linkage). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "obj_internal.h"
#include "err.h"

const struct btf_type *lsk_btf_skip_mods(const struct btf *btf, __u32 id, __u32 *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int guard = 0;

	while (t && guard++ < 64 && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

int lsk_btf_find_datasec(const struct btf *btf, const char *sec_name)
{
	return btf__find_by_name_kind(btf, sec_name, BTF_KIND_DATASEC);
}

static int find_var_sym(struct lsk_reader *r, int sec_idx, const char *name, GElf_Sym *out)
{
	size_t i;

	for (i = 1; i < r->elf->nr_syms; i++) {
		GElf_Sym sym;

		lsk_elf_sym(r->elf, i, &sym);
		if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_shndx != sec_idx)
			continue;
		if (!strcmp(lsk_elf_sym_name(r->elf, &sym), name)) {
			*out = sym;
			return 0;
		}
	}
	return -ENOENT;
}

static int cmp_vsi_off(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int fixup_datasec(struct lsk_reader *r, struct btf_type *t)
{
	struct btf *btf = r->obj->btf;
	const char *name = btf__name_by_offset(btf, t->name_off);
	struct btf_var_secinfo *vs = btf_var_secinfos(t);
	bool fix_offsets = false;
	int sec_idx, i, n = btf_vlen(t);

	if (!name)
		return lsk_err(EINVAL, "%s: .BTF: DATASEC with bad name", r->obj->path);
	if (!strcmp(name, ".kconfig") || !strcmp(name, ".ksyms"))
		return 0;
	sec_idx = lsk_elf_find_sec(r->elf, name);
	if (t->size == 0) {
		if (sec_idx < 0)
			return lsk_err(EINVAL, "%s: .BTF: DATASEC '%s' names no ELF section",
				       r->obj->path, name);
		t->size = r->elf->secs[sec_idx].size;
		fix_offsets = true;
	}
	for (i = 0; i < n; i++) {
		struct btf_type *vt = (struct btf_type *)btf__type_by_id(btf, vs[i].type);
		const char *vname;
		GElf_Sym sym;

		if (!vt || !btf_is_var(vt))
			return lsk_err(EINVAL, "%s: .BTF: DATASEC '%s' entry %d is not a VAR",
				       r->obj->path, name, i);
		vname = btf__name_by_offset(btf, vt->name_off);
		if (sec_idx < 0 || find_var_sym(r, sec_idx, vname ? vname : "", &sym)) {
			if (fix_offsets)
				return lsk_err(EINVAL, "%s: .BTF: variable '%s' of DATASEC '%s' has "
					       "no ELF symbol", r->obj->path, vname, name);
			continue;
		}
		if (GELF_ST_VISIBILITY(sym.st_other) == STV_HIDDEN &&
		    btf_var(vt)->linkage == BTF_VAR_GLOBAL_ALLOCATED)
			btf_var(vt)->linkage = BTF_VAR_STATIC;
		if (fix_offsets)
			vs[i].offset = sym.st_value;
		if ((__u64)vs[i].offset + vs[i].size > t->size)
			return lsk_err(EINVAL, "%s: .BTF: variable '%s' [%u, +%u) lies outside "
				       "DATASEC '%s' (%u bytes)", r->obj->path, vname, vs[i].offset,
				       vs[i].size, name, t->size);
	}
	qsort(vs, n, sizeof(*vs), cmp_vsi_off);
	return 0;
}

/* Reference chains that do not pass through a struct or union must end within 32 steps
 * (the kernel's MAX_RESOLVE_DEPTH) and must not loop: btf_dump would never return. */
static int check_chain(const struct btf *btf, __u32 id, int depth, unsigned char *state)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int j, err;

	if (!id || state[id] == 2)
		return 0;
	if (state[id] == 1 || depth > 32)
		return -ELOOP;
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG: case BTF_KIND_ARRAY: case BTF_KIND_FUNC_PROTO:
		break;
	default:
		state[id] = 2;	/* structs, unions, enums, ints, forwards end a chain */
		return 0;
	}
	state[id] = 1;
	if (btf_is_array(t))
		err = check_chain(btf, btf_array(t)->type, depth + 1, state);
	else
		err = check_chain(btf, t->type, depth + 1, state);
	for (j = 0; !err && btf_is_func_proto(t) && j < btf_vlen(t); j++)
		err = check_chain(btf, btf_params(t)[j].type, depth + 1, state);
	state[id] = err ? 1 : 2;
	return err;
}

/* By value (members, array elements, typedefs, modifiers) a type may not contain itself:
 * libbpf's btf__align_of and btf_dump recurse along these edges without a limit. */
static int check_value_cycle(const struct btf *btf, __u32 id, int depth, unsigned char *state)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int j, err = 0;

	if (!id || state[id] == 2)
		return 0;
	if (state[id] == 1 || depth > 64)
		return -ELOOP;
	state[id] = 1;
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (j = 0; !err && j < btf_vlen(t); j++)
			err = check_value_cycle(btf, btf_members(t)[j].type, depth + 1, state);
		break;
	case BTF_KIND_ARRAY:
		err = check_value_cycle(btf, btf_array(t)->type, depth + 1, state);
		break;
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_VAR:
		err = check_value_cycle(btf, t->type, depth + 1, state);
		break;
	default:
		break;	/* pointers, functions, scalars: no containment */
	}
	state[id] = err ? 1 : 2;
	return err;
}

/* Sizes btf_dump divides by: scalars must have a real size, members a real alignment. */
static bool sane_sizes(const struct btf *btf, const struct btf_type *t)
{
	int j;

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8 ||
			t->size == 16) && btf_int_bits(t) <= t->size * 8;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8;
	case BTF_KIND_FLOAT:
		return t->size == 2 || t->size == 4 || t->size == 8 || t->size == 12 ||
		       t->size == 16;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (j = 0; j < btf_vlen(t); j++) {
			const struct btf_type *mt = btf__type_by_id(btf, btf_members(t)[j].type);

			if (btf_members(t)[j].type && mt && !btf_is_fwd(mt) && !btf_is_func_proto(mt) &&
			    btf__align_of(btf, btf_members(t)[j].type) <= 0)
				return false;
		}
		return true;
	default:
		return true;
	}
}

/* libbpf 1.1's btf__new checks the layout of types, not what they name: every string and
 * type reference is checked here, before anything (btf_dump included) follows one. */
static int validate_btf(const struct lsk_obj *obj)
{
	const struct btf *btf = obj->btf;
	__u32 i, n = btf__type_cnt(btf);
	int j;

#define BAD_REF(id) ((id) >= n)
#define BAD_STR(off) (!btf__str_by_offset(btf, (off)))
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		if (!t || BAD_STR(t->name_off))
			return lsk_err(EINVAL, "%s: section '.BTF': type [%u] has a bad name offset",
				       obj->path, i);
		switch (btf_kind(t)) {
		case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC:
		case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: case BTF_KIND_TYPE_TAG:
			if (BAD_REF(t->type))
				goto bad_ref;
			break;
		case BTF_KIND_ARRAY:
			if (BAD_REF(btf_array(t)->type) || BAD_REF(btf_array(t)->index_type))
				goto bad_ref;
			break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION:
			for (j = 0; j < btf_vlen(t); j++)
				if (BAD_STR(btf_members(t)[j].name_off) ||
				    BAD_REF(btf_members(t)[j].type))
					goto bad_ref;
			break;
		case BTF_KIND_ENUM:
			for (j = 0; j < btf_vlen(t); j++)
				if (BAD_STR(btf_enum(t)[j].name_off))
					goto bad_ref;
			break;
		case BTF_KIND_ENUM64:
			for (j = 0; j < btf_vlen(t); j++)
				if (BAD_STR(btf_enum64(t)[j].name_off))
					goto bad_ref;
			break;
		case BTF_KIND_FUNC_PROTO:
			if (BAD_REF(t->type))
				goto bad_ref;
			for (j = 0; j < btf_vlen(t); j++)
				if (BAD_STR(btf_params(t)[j].name_off) || BAD_REF(btf_params(t)[j].type))
					goto bad_ref;
			break;
		case BTF_KIND_DATASEC:
			for (j = 0; j < btf_vlen(t); j++)
				if (BAD_REF(btf_var_secinfos(t)[j].type))
					goto bad_ref;
			break;
		default:
			break;
		}
		continue;
bad_ref:
		return lsk_err(EINVAL, "%s: section '.BTF': type [%u] names a string or type that "
			       "does not exist", obj->path, i);
	}
#undef BAD_REF
#undef BAD_STR
	{
		unsigned char *state = calloc(n, 1);
		int err = 0;

		if (!state)
			return lsk_err(ENOMEM, "%s: out of memory", obj->path);
		for (i = 1; i < n && !err; i++)
			err = check_chain(btf, i, 0, state);
		if (err) {
			free(state);
			return lsk_err(EINVAL, "%s: section '.BTF': type [%u] starts a reference chain "
				       "that loops or is deeper than 32", obj->path, i - 1);
		}
		memset(state, 0, n);
		for (i = 1; i < n && !err; i++)
			err = check_value_cycle(btf, i, 0, state);
		free(state);
		if (err)
			return lsk_err(EINVAL, "%s: section '.BTF': type [%u] contains itself by value "
				       "or nests deeper than 64", obj->path, i - 1);
	}
	for (i = 1; i < n; i++)
		if (!sane_sizes(btf, btf__type_by_id(btf, i)))
			return lsk_err(EINVAL, "%s: section '.BTF': type [%u] has a size or alignment "
				       "no C type has", obj->path, i);
	return 0;
}

/* A global or weak function with hidden (or internal) visibility is private to the object:
 * as libbpf does, its BTF FUNC becomes static, so the verifier checks it in the context of
 * each caller (library helpers such as usdt.bpf.h's bpf_usdt_arg rely on that). */
static void hidden_funcs_static(struct lsk_reader *r)
{
	struct btf *btf = r->obj->btf;
	size_t i;

	for (i = 1; i < r->elf->nr_syms; i++) {
		struct btf_type *t;
		GElf_Sym sym;
		int vis, id;

		lsk_elf_sym(r->elf, i, &sym);
		vis = GELF_ST_VISIBILITY(sym.st_other);
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
		    GELF_ST_BIND(sym.st_info) == STB_LOCAL ||
		    (vis != STV_HIDDEN && vis != STV_INTERNAL))
			continue;
		id = btf__find_by_name_kind(btf, lsk_elf_sym_name(r->elf, &sym), BTF_KIND_FUNC);
		if (id <= 0)
			continue;	/* a function without BTF has no linkage to change */
		t = (struct btf_type *)btf__type_by_id(btf, id);
		if (btf_vlen(t) != BTF_FUNC_STATIC)	/* a FUNC's vlen is its linkage */
			t->info = (BTF_KIND_FUNC << 24) | BTF_FUNC_STATIC;
	}
}

int lsk_read_btf(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	const struct lsk_elf_sec *s;
	__u32 i, n;
	int err;

	if (r->elf->btf_idx < 0)
		return 0;
	s = &r->elf->secs[r->elf->btf_idx];
	obj->btf = btf__new(s->data, s->size);
	if (!obj->btf) {
		err = errno ? errno : EINVAL;
		obj->btf = NULL;
		return lsk_err(EINVAL, "%s: section '.BTF': invalid BTF (%s)", obj->path,
			       strerror(err));
	}
	err = validate_btf(obj);
	if (err)
		return err;
	if (r->elf->btf_ext_idx >= 0) {
		s = &r->elf->secs[r->elf->btf_ext_idx];
		err = lsk_btf_ext_parse(obj->path, s->data, s->size, obj->btf, &r->ext);
		if (err)
			return err;
	}
	n = btf__type_cnt(obj->btf);
	for (i = 1; i < n; i++) {
		struct btf_type *t = (struct btf_type *)btf__type_by_id(obj->btf, i);

		if (btf_is_datasec(t)) {
			err = fixup_datasec(r, t);
			if (err)
				return err;
		}
	}
	hidden_funcs_static(r);
	return 0;
}
