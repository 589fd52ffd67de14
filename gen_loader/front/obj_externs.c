// SPDX-License-Identifier: BSD-2-Clause
/* Externs: .kconfig variables and .ksyms variables/functions (typed, typeless, weak).
 * Their BTF is rewritten as the kernel accepts it: extern VARs become allocated ints in
 * .ksyms, extern FUNCs become global, .kconfig gets its layout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "obj_internal.h"
#include "err.h"

int lsk_find_extern(const struct lsk_obj *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->nr_externs; i++)
		if (!strcmp(obj->externs[i].name, name))
			return i;
	return -1;
}

static const char *datasec_of(const struct btf *btf, __u32 type_id)
{
	__u32 i, n = btf__type_cnt(btf);

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const struct btf_var_secinfo *vs;
		int j;

		if (!btf_is_datasec(t))
			continue;
		vs = btf_var_secinfos(t);
		for (j = 0; j < btf_vlen(t); j++)
			if (vs[j].type == type_id)
				return btf__name_by_offset(btf, t->name_off);
	}
	return NULL;
}

static int extern_btf_id(const struct btf *btf, const char *name)
{
	__u32 i, n = btf__type_cnt(btf);

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *tn;

		if (!btf_is_var(t) && !btf_is_func(t))
			continue;
		tn = btf__name_by_offset(btf, t->name_off);
		if (!tn || strcmp(tn, name))
			continue;
		if (btf_is_var(t) && btf_var(t)->linkage != BTF_VAR_GLOBAL_EXTERN)
			return -EINVAL;
		if (btf_is_func(t) && btf_vlen(t) != BTF_FUNC_EXTERN)
			return -EINVAL;
		return i;
	}
	return -ENOENT;
}

static enum lsk_kcfg_type kcfg_type(const struct btf *btf, __u32 id, bool *is_signed)
{
	const struct btf_type *t = lsk_btf_skip_mods(btf, id, NULL);
	const char *name;

	if (!t)
		return LSK_KCFG_UNKNOWN;
	name = btf__name_by_offset(btf, t->name_off);
	*is_signed = false;
	if (btf_is_int(t)) {
		int enc = btf_int_encoding(t);

		if (enc & BTF_INT_BOOL)
			return t->size == 1 ? LSK_KCFG_BOOL : LSK_KCFG_UNKNOWN;
		*is_signed = enc & BTF_INT_SIGNED;
		if (t->size == 1)
			return LSK_KCFG_CHAR;
		if (t->size < 1 || t->size > 8 || (t->size & (t->size - 1)))
			return LSK_KCFG_UNKNOWN;
		return LSK_KCFG_INT;
	}
	if (btf_is_enum(t)) {
		if (t->size == 4 && name && !strcmp(name, "libbpf_tristate"))
			return LSK_KCFG_TRISTATE;
		return LSK_KCFG_UNKNOWN;
	}
	if (btf_is_array(t)) {
		const struct btf_type *et = lsk_btf_skip_mods(btf, btf_array(t)->type, NULL);

		if (btf_array(t)->nelems && et && btf_is_int(et) && et->size == 1)
			return LSK_KCFG_CHAR_ARR;
	}
	return LSK_KCFG_UNKNOWN;
}

static int cmp_vsi_off(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int cmp_externs(const void *a, const void *b)
{
	const struct lsk_extern *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Append a zeroed extern named @name (weak as symbol @sym is) to @obj; NULL when out of memory. */
static struct lsk_extern *new_extern(struct lsk_obj *obj, const char *name, const GElf_Sym *sym)
{
	struct lsk_extern *ne = realloc(obj->externs, (obj->nr_externs + 1) * sizeof(*ne)), *e;

	if (!ne)
		return NULL;
	obj->externs = ne;
	e = &ne[obj->nr_externs];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (!e->name)
		return NULL;
	obj->nr_externs++;
	e->is_weak = GELF_ST_BIND(sym->st_info) == STB_WEAK;
	return e;
}

static int add_extern(struct lsk_reader *r, const GElf_Sym *sym)
{
	struct lsk_obj *obj = r->obj;
	struct btf *btf = obj->btf;
	const char *name = lsk_elf_sym_name(r->elf, sym);
	struct lsk_extern *e;
	const struct btf_type *t;
	const char *sec;
	int id;

	id = btf ? extern_btf_id(btf, name) : -ENOENT;
	if (id == -ENOENT && GELF_ST_TYPE(sym->st_info) != STT_OBJECT) {
		/* clang gives no BTF to an extern function only named in a map initialiser:
		 * a program of another object, resolved when objects are chained */
		e = new_extern(obj, name, sym);
		if (!e)
			return lsk_err(ENOMEM, "%s: out of memory", obj->path);
		e->kind = LSK_EXT_LINK;
		e->is_func = true;
		return 0;
	}
	if (!btf)
		return lsk_err(EINVAL, "%s: extern '%s' needs BTF, and the object has no .BTF",
			       obj->path, name);
	if (id == -ENOENT)
		return lsk_err(EINVAL, "%s: extern '%s' has no BTF VAR or FUNC", obj->path, name);
	if (id < 0)
		return lsk_err(EINVAL, "%s: extern '%s': BTF type is not extern", obj->path, name);
	sec = datasec_of(btf, id);
	t = btf__type_by_id(btf, id);
	if (!sec && btf_is_func(t))
		sec = "";	/* a plain extern function: defined by another object */
	if (!sec || (sec[0] && strcmp(sec, ".kconfig") && strcmp(sec, ".ksyms")))
		return lsk_err(ENOTSUP, "%s: extern '%s' lives in section '%s'; only .kconfig and "
			       ".ksyms externs can be resolved at load time", obj->path, name,
			       sec ? sec : "(none)");
	e = new_extern(obj, name, sym);
	if (!e)
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	e->btf_id = id;
	if (!sec[0]) {
		e->kind = LSK_EXT_LINK;
		e->is_func = true;
	} else if (!strcmp(sec, ".kconfig")) {
		long sz;

		e->kind = LSK_EXT_KCONFIG;
		if (btf_is_func(t))
			return lsk_err(EINVAL, "%s: .kconfig extern '%s' is a function", obj->path,
				       name);
		sz = btf__resolve_size(btf, t->type);
		e->kcfg_type = kcfg_type(btf, t->type, &e->kcfg_signed);
		if (sz <= 0 || e->kcfg_type == LSK_KCFG_UNKNOWN)
			return lsk_err(ENOTSUP, "%s: .kconfig extern '%s' has a type kconfig values "
				       "cannot have", obj->path, name);
		e->kcfg_sz = sz;
		if (strncmp(name, "CONFIG_", 7) && strcmp(name, "LINUX_KERNEL_VERSION") &&
		    strncmp(name, "LINUX_HAS_", 10))
			return lsk_err(ENOTSUP, "%s: .kconfig extern '%s' is not CONFIG_*, "
				       "LINUX_KERNEL_VERSION or LINUX_HAS_*", obj->path, name);
	} else {
		__u32 tid;

		e->kind = LSK_EXT_KSYM;
		e->is_func = btf_is_func(t);
		if (e->is_func) {
			e->typed = true;
		} else {
			lsk_btf_skip_mods(btf, t->type, &tid);
			e->typed = tid != 0;	/* 'extern const void x __ksym' is typeless */
		}
	}
	return 0;
}

/* Lay out .kconfig (descending alignment, then size, then name, as libbpf) and fix BTF. */
static int layout_kconfig(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	struct btf *btf = obj->btf;
	struct btf_type *sec;
	struct btf_var_secinfo *vs;
	size_t *order, i, j, n = 0;
	__u32 off = 0;
	int id;

	id = lsk_btf_find_datasec(btf, ".kconfig");
	if (id < 0)
		return 0;
	order = calloc(obj->nr_externs + 1, sizeof(*order));
	if (!order)
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	for (i = 0; i < obj->nr_externs; i++)
		if (obj->externs[i].kind == LSK_EXT_KCONFIG)
			order[n++] = i;
	/* insertion sort by (align desc, size asc, name): small n */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0; j--) {
			struct lsk_extern *a = &obj->externs[order[j - 1]];
			struct lsk_extern *b = &obj->externs[order[j]];
			int aa = btf__align_of(btf, btf__type_by_id(btf, a->btf_id)->type);
			int ba = btf__align_of(btf, btf__type_by_id(btf, b->btf_id)->type);
			bool swap = aa != ba ? aa < ba :
				    a->kcfg_sz != b->kcfg_sz ? a->kcfg_sz > b->kcfg_sz :
				    strcmp(a->name, b->name) > 0;
			size_t tmp;

			if (!swap)
				break;
			tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	}
	for (i = 0; i < n; i++) {
		struct lsk_extern *e = &obj->externs[order[i]];
		int al = btf__align_of(btf, btf__type_by_id(btf, e->btf_id)->type);

		if (al <= 0)
			al = 1;
		e->kcfg_off = (off + al - 1) / al * al;
		off = e->kcfg_off + e->kcfg_sz;
	}
	free(order);
	sec = (struct btf_type *)btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++) {
		struct btf_type *vt = (struct btf_type *)btf__type_by_id(btf, vs[i].type);
		int ei = lsk_find_extern(obj, btf__name_by_offset(btf, vt->name_off));

		if (ei < 0 || !btf_is_var(vt))
			return lsk_err(EINVAL, "%s: .kconfig DATASEC entry %zu has no extern symbol",
				       obj->path, i);
		btf_var(vt)->linkage = BTF_VAR_GLOBAL_ALLOCATED;
		vs[i].offset = obj->externs[ei].kcfg_off;
	}
	qsort(vs, btf_vlen(sec), sizeof(*vs), cmp_vsi_off);	/* the kernel wants them in order */
	sec->size = off;
	return 0;
}

static int find_int_id(const struct btf *btf)
{
	__u32 i, n = btf__type_cnt(btf);

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		if (btf_is_int(t) && t->size == 4 && btf_int_bits(t) == 32)
			return i;
	}
	return 0;
}

/* .ksyms: every entry becomes a 4-byte allocated VAR; FUNCs get global linkage and
 * parameter names, the way the kernel's BTF checks accept them. */
static int fix_ksyms_btf(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	struct btf *btf = obj->btf;
	int id, int_id, dummy = 0, i, vlen;
	const struct btf_type *sec;
	bool has_func = false;
	__u32 off = 0;

	id = lsk_btf_find_datasec(btf, ".ksyms");
	if (id < 0)
		return 0;
	int_id = find_int_id(btf);
	if (!int_id) {
		int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
		if (int_id < 0)
			return lsk_err(ENOMEM, "%s: cannot extend BTF", obj->path);
	}
	sec = btf__type_by_id(btf, id);
	for (i = 0; i < btf_vlen(sec); i++)
		if (btf_is_func(btf__type_by_id(btf, btf_var_secinfos(sec)[i].type)))
			has_func = true;
	if (has_func) {
		dummy = btf__add_var(btf, "dummy_ksym", BTF_VAR_GLOBAL_ALLOCATED, int_id);
		if (dummy < 0)
			return lsk_err(ENOMEM, "%s: cannot extend BTF", obj->path);
	}
	sec = btf__type_by_id(btf, id);	/* the BTF may have moved */
	vlen = btf_vlen(sec);
	for (i = 0; i < vlen; i++) {
		struct btf_var_secinfo *vs = &btf_var_secinfos(sec)[i];
		struct btf_type *vt = (struct btf_type *)btf__type_by_id(btf, vs->type);

		if (btf_is_func(vt)) {
			struct btf_type *proto = (struct btf_type *)btf__type_by_id(btf, vt->type);
			const struct btf_type *dt = btf__type_by_id(btf, dummy);
			struct btf_param *p = btf_params(proto);
			int j;

			for (j = 0; j < btf_vlen(proto); j++)
				if (p[j].type && !p[j].name_off)
					p[j].name_off = dt->name_off;
			vs->type = dummy;
			vt->info = (vt->info & ~0xffff) | BTF_FUNC_GLOBAL;
		} else {
			btf_var(vt)->linkage = BTF_VAR_GLOBAL_ALLOCATED;
			vt->type = int_id;
		}
		vs->offset = off;
		vs->size = sizeof(int);
		off += sizeof(int);
	}
	((struct btf_type *)sec)->size = off;
	return 0;
}

/* Extern functions of other objects: the kernel refuses BTF_FUNC_EXTERN and unnamed
 * parameters, so they become global with named parameters, as libbpf does for kfuncs. */
static int fix_link_btf(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	int arg = -1;
	size_t i;

	for (i = 0; i < obj->nr_externs; i++) {
		struct btf_type *ft, *proto;
		struct btf_param *p;
		int j;

		if (obj->externs[i].kind != LSK_EXT_LINK || !obj->externs[i].btf_id)
			continue;
		if (arg < 0) {
			arg = btf__add_str(obj->btf, "arg");
			if (arg < 0)
				return lsk_err(ENOMEM, "%s: cannot extend BTF", obj->path);
		}
		ft = (struct btf_type *)btf__type_by_id(obj->btf, obj->externs[i].btf_id);
		proto = (struct btf_type *)btf__type_by_id(obj->btf, ft->type);
		ft->info = (ft->info & ~0xffff) | BTF_FUNC_GLOBAL;
		p = btf_params(proto);
		for (j = 0; j < btf_vlen(proto); j++)
			if (p[j].type && !p[j].name_off)
				p[j].name_off = arg;
	}
	return 0;
}

int lsk_read_externs(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	size_t i;
	int err;

	for (i = 1; i < r->elf->nr_syms; i++) {
		GElf_Sym sym;
		const char *name;

		lsk_elf_sym(r->elf, i, &sym);
		name = lsk_elf_sym_name(r->elf, &sym);
		if (sym.st_shndx != SHN_UNDEF || !name[0])
			continue;
		if (GELF_ST_BIND(sym.st_info) != STB_GLOBAL &&
		    GELF_ST_BIND(sym.st_info) != STB_WEAK)
			continue;
		err = add_extern(r, &sym);
		if (err)
			return err;
	}
	if (!obj->nr_externs || !obj->btf)	/* without BTF only link externs exist */
		return 0;
	qsort(obj->externs, obj->nr_externs, sizeof(*obj->externs), cmp_externs);
	err = layout_kconfig(r);
	if (!err)
		err = fix_ksyms_btf(r);
	if (!err)
		err = fix_link_btf(r);
	return err;
}
