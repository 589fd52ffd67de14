// SPDX-License-Identifier: BSD-2-Clause
/* The struct_ops part of a skeleton: the caller's view of each struct_ops variable
 * (skel->struct_ops.NAME), the link slot of .struct_ops.link maps (skel->links.NAME_fd) and
 * the table lskel/struct_ops.h checks against the running kernel and binds with. */
#include <errno.h>
#include <string.h>
#include <bpf/btf.h>
#include "emit_ctype.h"
#include "emit_st_ops.h"
#include "err.h"

bool lsk_has_st_ops(const struct lsk_obj *obj)
{
	size_t i;

	for (i = 0; i < obj->nr_maps; i++)
		if (obj->maps[i].kind == LSK_MAP_STRUCT_OPS)
			return true;
	return false;
}

/* struct PREFIX__struct_ops__VAR: the struct as the object lays it out. Pointers (function
 * pointers included) are __u64: the loader writes program fds there, not these bytes. */
int lsk_emit_st_ops_types(FILE *f, const char *prefix, const struct lsk_obj *obj)
{
	const struct btf_member *bm;
	size_t i;
	int j, err;

	for (i = 0; i < obj->nr_maps; i++) {
		const struct lsk_map *m = &obj->maps[i];
		const struct lsk_st_ops *st = m->st_ops;
		__u32 off = 0;
		int pad = 0;

		if (m->kind != LSK_MAP_STRUCT_OPS)
			continue;
		bm = btf_members(btf__type_by_id(obj->btf, st->btf_id));
		fprintf(f, "/* struct %s of struct_ops '%s': edit data members between open and load; "
			"function\n * pointers hold the programs' fds in the kernel, not these bytes */\n"
			"struct %s__struct_ops__%s {\n", st->type, m->name, prefix, m->name);
		for (j = 0; j < st->nr_members; j++) {
			const struct lsk_st_member *sm = &st->members[j];

			if (sm->off < off)	/* unions: the first member stands for the rest */
				continue;
			if (sm->off > off)
				fprintf(f, "\tchar __pad%d[%u];\n", pad++, sm->off - off);
			fprintf(f, "\t");
			err = lsk_emit_ctype(f, obj->btf, bm[j].type, sm->name, 1);
			if (err)
				return lsk_err(-err, "%s: struct_ops '%s', member '%s': %s", obj->path,
					       m->name, sm->name, lsk_errmsg());
			if (sm->prog >= 0)
				fprintf(f, ";\t/* program '%s' */\n", obj->progs[sm->prog].name);
			else
				fprintf(f, ";\n");
			off = sm->off + sm->size;
		}
		if (st->size > off)
			fprintf(f, "\tchar __pad%d[%u];\n", pad, st->size - off);
		fprintf(f, "};\nLSKEL_STATIC_ASSERT(sizeof(struct %s__struct_ops__%s) == %u, "
			"\"layout of struct_ops %s\");\n\n", prefix, m->name, st->size, m->name);
	}
	return 0;
}

/* skel->struct_ops.NAME pointers (inside the object's member struct). */
void lsk_emit_st_ops_members(FILE *f, const char *prefix, const struct lsk_obj *obj,
			     const char *ind)
{
	size_t i;

	if (!lsk_has_st_ops(obj))
		return;
	fprintf(f, "%sstruct {\n", ind);
	for (i = 0; i < obj->nr_maps; i++)
		if (obj->maps[i].kind == LSK_MAP_STRUCT_OPS)
			fprintf(f, "%s\tstruct %s__struct_ops__%s *%s;\n", ind, prefix,
				obj->maps[i].name, obj->maps[i].name);
	fprintf(f, "%s} struct_ops;\n", ind);
}

/* links.NAME_fd of the .struct_ops.link maps (@f NULL: only the check); a program of the
 * same name is refused. */
int lsk_emit_st_ops_links(FILE *f, const struct lsk_obj *obj, const char *ind)
{
	size_t i, j;

	for (i = 0; i < obj->nr_maps; i++) {
		const struct lsk_map *m = &obj->maps[i];

		if (m->kind != LSK_MAP_STRUCT_OPS || !m->st_ops->link)
			continue;
		for (j = 0; j < obj->nr_progs; j++)
			if (lsk_prog_is_entry(&obj->progs[j]) && !strcmp(obj->progs[j].name, m->name))
				return lsk_err(EEXIST, "%s: struct_ops '%s' and a program have the "
					       "same name: both would be links.%s_fd", obj->path,
					       m->name, m->name);
		if (f)
			fprintf(f, "%s\tint %s_fd;\n", ind, m->name);
	}
	return 0;
}

/* NAME__st_ops[]: per struct_ops map its binding and the layout the runtime checks. */
int lsk_emit_st_ops_table(FILE *f, const char *name, const struct lsk_trace *t,
			  const struct lsk_loader *l)
{
	size_t oi, i, nm = 0, n = 0;
	int j;

	for (oi = 0; oi < t->nr_objs; oi++) {
		const struct lsk_obj *obj = t->objs[oi].obj;

		for (i = 0; i < obj->nr_maps; i++) {
			const struct lsk_st_ops *st = obj->maps[i].st_ops;

			if (obj->maps[i].kind != LSK_MAP_STRUCT_OPS)
				continue;
			fprintf(f, "static const struct lskel_st_member %s__st_members%zu[] = {\n",
				name, n++);
			for (j = 0; j < st->nr_members; j++)
				fprintf(f, "\t{ \"%s\", %u, %u, %d },\n", st->members[j].name,
					st->members[j].off, st->members[j].size,
					st->members[j].is_func);
			fprintf(f, "};\n\n");
		}
	}
	if (!n)
		return 0;
	fprintf(f, "static const struct lskel_st_ops %s__st_ops[] = {\n", name);
	for (oi = 0, n = 0; oi < t->nr_objs; oi++) {
		const struct lsk_obj *obj = t->objs[oi].obj;
		char member[96] = "";

		if (t->nr_objs > 1) {
			lsk_c_ident(member, sizeof(member) - 1, obj->name);
			strcat(member, ".");
		}
		for (i = 0; i < obj->nr_maps; i++, nm++) {
			const struct lsk_map *m = &obj->maps[i];
			__u32 init = l->mf->maps[nm].init_off;	/* the value's blob offset */
			char link[256], ioff[32];

			if (m->kind != LSK_MAP_STRUCT_OPS)
				continue;
			if (m->st_ops->link)
				snprintf(link, sizeof(link), "offsetof(struct %s, %slinks.%s_fd)", name,
					 member, m->name);
			else
				snprintf(link, sizeof(link), "~0u");
			if (init == ~0u)
				snprintf(ioff, sizeof(ioff), "~0u");
			else
				snprintf(ioff, sizeof(ioff), "%u", init + m->st_ops->data_off);
			fprintf(f, "\t{ \"%s\", \"%s\", %zu, offsetof(struct %s, %sstruct_ops.%s), %s, "
				"%s, %u, %u, %u, %s__st_members%zu, %d },\n", m->name,
				m->st_ops->type, nm, name, member, m->name, link, ioff,
				m->st_ops->size, m->st_ops->data_off,
				m->value_size, name, n++, m->st_ops->nr_members);
		}
	}
	fprintf(f, "};\n\n");
	return n;
}
