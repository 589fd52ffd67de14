// SPDX-License-Identifier: BSD-2-Clause
/* The manifest every skeleton carries (name -> variable, map or program of an object, with a
 * variable's section, offset, size and type signature), and subskeleton headers that bind a
 * library's names through it at open: no BTF, no libbpf, no scan per access. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <lskel/runtime.h>
#include "emit_ctype.h"
#include "emit_skel.h"
#include "sec_def.h"
#include "err.h"

struct sym {
	char name[128];
	unsigned int obj, kind, bind, off, size;
	unsigned long long sig;
	const char *sec;
};

struct syms {
	struct sym *s;
	size_t n, cap;
};

static int add(struct syms *y, const char *name, unsigned int obj, unsigned int kind,
	       unsigned int bind)
{
	if (y->n == y->cap) {
		size_t cap = y->cap ? y->cap * 2 : 64;
		struct sym *n = realloc(y->s, cap * sizeof(*n));

		if (!n)
			return lsk_err(ENOMEM, "out of memory");
		y->s = n;
		y->cap = cap;
	}
	memset(&y->s[y->n], 0, sizeof(y->s[0]));
	snprintf(y->s[y->n].name, sizeof(y->s[0].name), "%s", name);
	y->s[y->n].obj = obj;
	y->s[y->n].kind = kind;
	y->s[y->n].bind = bind;
	y->n++;
	return 0;
}

/* The variables of exposed section @m: calls @fn for each non-static one. */
static int for_each_var(const struct lsk_obj *obj, const struct lsk_map *m,
			int (*fn)(void *ctx, const struct lsk_obj *obj, const struct lsk_map *m,
				  const struct btf_var_secinfo *vs, const char *name), void *ctx)
{
	const struct btf_type *sec = btf__type_by_id(obj->btf, m->btf_value_type_id);
	const struct btf_var_secinfo *vs = btf_var_secinfos(sec);
	int i, err;

	for (i = 0; i < btf_vlen(sec); i++) {
		const struct btf_type *v = btf__type_by_id(obj->btf, vs[i].type);

		if (!btf_is_var(v) || btf_var(v)->linkage == BTF_VAR_STATIC)
			continue;
		err = fn(ctx, obj, m, &vs[i], btf__name_by_offset(obj->btf, v->name_off));
		if (err)
			return err;
	}
	return 0;
}

struct var_ctx {
	struct syms *y;
	unsigned int obj, bind;
};

static int add_var(void *ctx, const struct lsk_obj *obj, const struct lsk_map *m,
		   const struct btf_var_secinfo *vs, const char *name)
{
	struct var_ctx *c = ctx;
	struct sym *s;
	int err = add(c->y, name, c->obj, LSKEL_SYM_VAR, c->bind);

	if (err)
		return err;
	s = &c->y->s[c->y->n - 1];
	s->off = vs->offset;
	s->size = vs->size;
	s->sec = m->name;
	return lsk_type_sig(obj->btf, btf__type_by_id(obj->btf, vs->type)->type, &s->sig);
}

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

int lsk_emit_manifest(FILE *f, const char *name, const struct lsk_trace *t)
{
	struct syms y = {};
	unsigned int nm = 0, np = 0;
	size_t oi, i;
	int err = 0;

	for (oi = 0; oi < t->nr_objs && !err; oi++) {
		const struct lsk_obj *obj = t->objs[oi].obj;
		char id[128];

		for (i = 0; i < obj->nr_maps && !err; i++, nm++) {
			const struct lsk_map *m = &obj->maps[i];
			struct var_ctx c = { &y, oi, nm };

			lsk_c_ident(id, sizeof(id), m->name);
			err = add(&y, id, oi, LSKEL_SYM_MAP, nm);
			if (!err && lsk_map_exposed(m) && obj->btf)
				err = for_each_var(obj, m, add_var, &c);
		}
		for (i = 0; i < obj->nr_progs && !err; i++)
			if (lsk_prog_is_entry(&obj->progs[i]))
				err = add(&y, obj->progs[i].name, oi, LSKEL_SYM_PROG, np++);
	}
	if (err) {
		free(y.s);
		return err;
	}
	if (y.n)	/* an object with no map, program or variable: nothing to sort */
		qsort(y.s, y.n, sizeof(*y.s), cmp_sym);
	for (i = 0; i + 1 < y.n; i++)
		if (!cmp_sym(&y.s[i], &y.s[i + 1])) {
			err = lsk_err(EINVAL, "object '%s' has two %s named '%s'",
				      t->objs[y.s[i].obj].obj->name, y.s[i].kind == LSKEL_SYM_VAR ?
				      "variables" : y.s[i].kind == LSKEL_SYM_MAP ? "maps" :
				      "programs", y.s[i].name);
			free(y.s);
			return err;
		}
	fprintf(f, "/* Manifest (subskeletons bind by name): name, object, kind, bind, offset, "
		"size, type\n * signature, section. */\nstatic const struct lskel_sym %s__syms[] = {\n",
		name);
	for (i = 0; i < y.n; i++)
		fprintf(f, "\t{ \"%s\", %u, %u, %u, %u, %u, 0x%016llxULL, \"%s\" },\n", y.s[i].name,
			y.s[i].obj, y.s[i].kind, y.s[i].bind, y.s[i].off, y.s[i].size, y.s[i].sig,
			y.s[i].sec ? y.s[i].sec : "");
	if (!y.n)
		fprintf(f, "\t{ \"\", 0, 0, 0, 0, 0, 0, \"\" },\n");
	fprintf(f, "};\n\nstatic const struct lskel_handle_bind %s__handles[] = {\n", name);
	for (oi = 0; oi < t->nr_objs; oi++) {
		char id[128] = "";

		if (t->nr_objs > 1) {
			lsk_c_ident(id, sizeof(id) - 1, t->objs[oi].obj->name);
			strcat(id, ".");
		}
		fprintf(f, "\t{ offsetof(struct %1$s, %2$sobj_handle_), offsetof(struct %1$s, "
			"%2$sobj) },\n", name, id);
	}
	fprintf(f, "};\n\n");
	free(y.s);
	return (int)y.n;
}

/* ---- subskeleton headers ---- */

struct sub_ctx {
	FILE *f;
	const char *name;
	char sec[128];		/* the struct member of the section being written */
	int pass;		/* 0: struct members, 1: the vars table */
	unsigned int n;
};

static int sub_var(void *ctx, const struct lsk_obj *obj, const struct lsk_map *m,
		   const struct btf_var_secinfo *vs, const char *name)
{
	struct sub_ctx *c = ctx;
	__u32 type = btf__type_by_id(obj->btf, vs->type)->type;
	unsigned long long sig;
	char decl[160];
	int err;

	if (c->pass == 0) {
		/* a pointer to it: T *name, or T (*name)[N] for an array */
		snprintf(decl, sizeof(decl), lsk_type_is_array(obj->btf, type) ? "(*%s)" : "*%s",
			 name);
		fprintf(c->f, "\t\t");
		err = lsk_emit_ctype(c->f, obj->btf, type, decl, 2);
		if (err)
			return lsk_err(-err, "%s: section '%s', variable '%s': %s", obj->path, m->name,
				       name, lsk_errmsg());
		fprintf(c->f, ";\n");
		return 0;
	}
	err = lsk_type_sig(obj->btf, type, &sig);
	if (err)
		return err;
	fprintf(c->f, "\t{ \"%s\", \"%s\", %u, 0x%016llxULL, offsetof(struct %s, %s.%s) },\n",
		name, m->name, vs->size, sig, c->name, c->sec, name);
	c->n++;
	return 0;
}

int lsk_emit_subskel(FILE *f, const char *name, const struct lsk_obj *obj)
{
	struct sub_ctx c = { .f = f, .name = name };
	char guard[128], id[128];
	size_t i, nm = 0, np = 0;
	int err = 0;

	for (i = 0; name[i] && i + 1 < sizeof(guard); i++)
		guard[i] = toupper((unsigned char)name[i]);
	guard[i] = '\0';
	fprintf(f, "/* SPDX-License-Identifier: BSD-2-Clause */\n"
		"/* Subskeleton of %s, generated by lskel. Do not edit.\n"
		" * Open it on the skeleton of any object this library was linked into:\n"
		" *   struct %s *lib = %s__open(skel->obj);\n"
		" * Variables, maps and programs are found by name; a variable whose size or type\n"
		" * differs from this build of the library is refused at open, naming it. */\n"
		"#ifndef __%s_SUBSKEL_H__\n#define __%s_SUBSKEL_H__\n\n#include <lskel/runtime.h>\n\n"
		"struct %s {\n\tstruct lskel_sub sub;\n\tstruct {\n", obj->path, name, name, guard,
		guard, name);
	for (i = 0; i < obj->nr_maps; i++) {
		lsk_c_ident(id, sizeof(id), obj->maps[i].name);
		fprintf(f, "\t\tstruct lskel_map_desc %s;\n", id);
	}
	if (!obj->nr_maps)
		fprintf(f, "\t\tint __none;\n");
	fprintf(f, "\t} maps;\n\tstruct {\n");
	for (i = 0; i < obj->nr_progs; i++)
		if (lsk_prog_is_entry(&obj->progs[i])) {
			fprintf(f, "\t\tstruct lskel_prog_desc %s;\n", obj->progs[i].name);
			np++;
		}
	if (!np)
		fprintf(f, "\t\tint __none;\n");
	fprintf(f, "\t} progs;\n");
	for (i = 0; i < obj->nr_maps && !err; i++) {
		const struct lsk_map *m = &obj->maps[i];

		if (!lsk_map_exposed(m) || !obj->btf)
			continue;
		lsk_c_ident(c.sec, sizeof(c.sec), m->name);
		fprintf(f, "\tstruct %s__%s {\n", name, c.sec);
		err = for_each_var(obj, m, sub_var, &c);
		fprintf(f, "\t} %s;\n", c.sec);
	}
	if (err)
		return err;
	fprintf(f, "};\n\nstatic const struct lskel_sub_var %s__vars[] = {\n", name);
	c.pass = 1;
	for (i = 0; i < obj->nr_maps && !err; i++) {
		const struct lsk_map *m = &obj->maps[i];

		if (!lsk_map_exposed(m) || !obj->btf)
			continue;
		lsk_c_ident(c.sec, sizeof(c.sec), m->name);
		err = for_each_var(obj, m, sub_var, &c);
	}
	if (err)
		return err;
	if (!c.n)
		fprintf(f, "\t{ \"\", \"\", 0, 0, 0 },\n");
	fprintf(f, "};\n\nstatic const struct lskel_sub_ref %s__maps[] = {\n", name);
	for (i = 0; i < obj->nr_maps; i++, nm++) {
		lsk_c_ident(id, sizeof(id), obj->maps[i].name);
		fprintf(f, "\t{ \"%s\", offsetof(struct %s, maps.%s) },\n", id, name, id);
	}
	if (!nm)
		fprintf(f, "\t{ \"\", 0 },\n");
	fprintf(f, "};\n\nstatic const struct lskel_sub_ref %s__progs[] = {\n", name);
	for (i = 0; i < obj->nr_progs; i++)
		if (lsk_prog_is_entry(&obj->progs[i]))
			fprintf(f, "\t{ \"%s\", offsetof(struct %s, progs.%s) },\n",
				obj->progs[i].name, name, obj->progs[i].name);
	if (!np)
		fprintf(f, "\t{ \"\", 0 },\n");
	fprintf(f, "};\n\nstatic const struct lskel_sub_desc %1$s__sub_desc = {\n"
		"\t\"%1$s\", %1$s__vars, %2$u, %1$s__maps, %3$zu, %1$s__progs, %4$zu,\n};\n\n"
		"/* NULL with errno set and the reason in the parent's ctx.errmsg on failure. */\n"
		"static inline struct %1$s *%1$s__open(struct lskel_handle *obj)\n{\n"
		"\treturn (struct %1$s *)lskel_sub_open(&%1$s__sub_desc, obj, sizeof(struct %1$s));\n"
		"}\n\nstatic inline void %1$s__destroy(struct %1$s *lib)\n{\n"
		"\tif (lib)\n\t\tlskel_sub_destroy(&lib->sub);\n}\n\n#endif /* __%5$s_SUBSKEL_H__ */\n",
		name, c.n, nm, np, guard);
	return ferror(f) ? lsk_err(EIO, "write error") : 0;
}
