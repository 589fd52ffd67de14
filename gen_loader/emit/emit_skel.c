// SPDX-License-Identifier: BSD-2-Clause
/* Skeleton emission. The header holds the loader, its blob and small tables (where each map
 * and program fd, data section and initial value goes); the logic is in lskel/runtime.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "emit_skel.h"
#include "emit_skel_tables.h"
#include "emit_ctype.h"
#include "emit_st_ops.h"
#include "sec_def.h"
#include "err.h"

static void emit_bytes(FILE *f, const char *var, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i;

	fprintf(f, "static const char %s[] =\n\t\"", var);
	for (i = 0; i < n; i++) {
		if (i && i % 24 == 0)
			fprintf(f, "\"\n\t\"");
		fprintf(f, "\\x%02x", p[i]);
	}
	fprintf(f, "\";\n\n");
}

/* One struct per data section, its variables at their offsets (static variables are not
 * exposed, as with bpftool: they become padding). Types are spelled by emit_ctype.c. */
static int emit_data_types(FILE *f, const char *prefix, const struct lsk_manifest *mf,
			   const struct lsk_obj *obj, size_t oi)
{
	size_t i;
	int j, err;

	if (!obj->btf)
		return 0;
	for (i = 0; i < mf->nr_maps; i++) {
		const struct lsk_map *m = mf->maps[i].m;
		const char *id = mf->maps[i].ident;
		const struct btf_type *sec;
		const struct btf_var_secinfo *vs;
		__u32 off = 0;
		int pad = 0, last = -1;

		if (mf->maps[i].obj != oi || !mf->maps[i].exposed)
			continue;
		sec = btf__type_by_id(obj->btf, m->btf_value_type_id);
		vs = btf_var_secinfos(sec);
		fprintf(f, "struct %s__%s {\n", prefix, id);
		for (j = 0; j < btf_vlen(sec); j++) {
			const struct btf_type *v = btf__type_by_id(obj->btf, vs[j].type);

			if (!btf_is_var(v) || btf_var(v)->linkage == BTF_VAR_STATIC ||
			    vs[j].offset < off)
				continue;
			if (vs[j].offset > off)
				fprintf(f, "\tchar __pad%d[%u];\n", pad++, vs[j].offset - off);
			fprintf(f, "\t");
			err = lsk_emit_ctype(f, obj->btf, v->type,
					     btf__name_by_offset(obj->btf, v->name_off), 1);
			if (err)
				return lsk_err(-err, "%s: section '%s', variable '%s': %s", obj->path,
					       m->name, btf__name_by_offset(obj->btf, v->name_off),
					       lsk_errmsg());
			fprintf(f, ";\n");
			off = vs[j].offset + vs[j].size;
			last = j;
		}
		if (sec->size > off)
			fprintf(f, "\tchar __pad%d[%u];\n", pad, sec->size - off);
		if (!sec->size)
			fprintf(f, "\tchar __empty;\n");
		fprintf(f, "};\n");
		if (last >= 0)	/* explicit padding: the last variable is where BTF puts it */
			fprintf(f, "LSKEL_STATIC_ASSERT(offsetof(struct %s__%s, %s) == %u, "
				"\"layout of %s\");\n", prefix, id, btf__name_by_offset(obj->btf,
				btf__type_by_id(obj->btf, vs[last].type)->name_off), vs[last].offset,
				m->name);
		fprintf(f, "\n");
	}
	return 0;
}

/* NAME__assert(): the layout of every exposed variable checked at compile time (size and
 * offset as BTF says), as bpftool's header has it; C11 _Static_assert or C++ static_assert. */
static void emit_assert(FILE *f, const char *name, const struct lsk_trace *t,
			const struct lsk_manifest *mf)
{
	size_t oi, i;
	int j;

	fprintf(f, "__attribute__((unused)) static void\n%1$s__assert(struct %1$s *s "
		"__attribute__((unused)))\n{\n", name);
	for (oi = 0; oi < t->nr_objs; oi++) {
		const struct lsk_obj *obj = t->objs[oi].obj;
		struct lsk_skel_names n;

		lsk_skel_names_of(name, t, oi, &n);
		for (i = 0; obj->btf && i < mf->nr_maps; i++) {
			const struct lsk_map *m = mf->maps[i].m;
			const char *id = mf->maps[i].ident;
			const struct btf_type *sec;
			const struct btf_var_secinfo *vs;
			__u32 off = 0;

			if (mf->maps[i].obj != oi || !mf->maps[i].exposed)
				continue;
			sec = btf__type_by_id(obj->btf, m->btf_value_type_id);
			vs = btf_var_secinfos(sec);
			for (j = 0; j < btf_vlen(sec); j++) {
				const struct btf_type *v = btf__type_by_id(obj->btf, vs[j].type);
				const char *vn;

				if (!btf_is_var(v) || btf_var(v)->linkage == BTF_VAR_STATIC ||
				    vs[j].offset < off)
					continue;
				off = vs[j].offset + vs[j].size;
				vn = btf__name_by_offset(obj->btf, v->name_off);
				fprintf(f, "\tLSKEL_STATIC_ASSERT(sizeof(s->%s%s->%s) == %u,"
					" \"unexpected size of '%s'\");\n", n.member, id, vn,
					vs[j].size, vn);
				fprintf(f, "\tLSKEL_STATIC_ASSERT(offsetof(struct %s__%s, %s) =="
					" %u, \"unexpected offset of '%s'\");\n", n.type, id, vn,
					vs[j].offset, vn);
			}
		}
	}
	fprintf(f, "}\n\n");
}

/* NAME__P__attach_KIND(skel, int ARG): a link on the fd the caller names, with the program's
 * expected attach type. */
static void emit_fd_link_helper(FILE *f, const char *name, const struct lsk_skel_names *n, const char *fn,
				const struct lsk_prog *p, const char *comment, const char *kind,
				const char *arg)
{
	fprintf(f, "/* %s: %s */\n"
		"static inline int %s__attach_%s(struct %s *skel, int %s)"
		"\n{\n\treturn lskel_set_link(&skel->ctx, &skel->%slinks.%s_fd,\n"
		"\t\tlskel_link_create(skel->%sprogs.%s.prog_fd, %s, %u, 0), "
		"\"%s\", \"%s\");\n}\n\n", p->name, comment, fn, kind, name, arg, n->member,
		p->name, n->member, p->name, arg, p->expected_attach_type, p->name, kind);
}

/* Explicit attach helpers for programs whose target only the caller knows. */
static void emit_attach_helpers(FILE *f, const char *name, const struct lsk_trace *t)
{
	size_t oi, i;

	for (oi = 0; oi < t->nr_objs; oi++) {
		const struct lsk_obj *obj = t->objs[oi].obj;
		struct lsk_skel_names n;
		char fn[256];

		lsk_skel_names_of(name, t, oi, &n);
		for (i = 0; i < obj->nr_progs; i++) {
			const struct lsk_prog *p = &obj->progs[i];

			if (!lsk_prog_is_entry(p))
				continue;
			snprintf(fn, sizeof(fn), "%s__%s", n.type, p->name);
			switch (p->type) {
			case BPF_PROG_TYPE_XDP:
				fprintf(f, "/* %s: XDP link on @ifindex (flags: XDP_FLAGS_*_MODE) */\n"
					"static inline int %s__attach_xdp(struct %s *skel, int ifindex, "
					"__u32 flags)\n{\n\treturn lskel_set_link(&skel->ctx, "
					"&skel->%slinks.%s_fd,\n\t\tlskel_link_create(skel->%sprogs.%s."
					"prog_fd, ifindex, BPF_XDP, flags), \"%s\", \"xdp\");\n}\n\n",
					p->name, fn, name, n.member, p->name, n.member, p->name, p->name);
				break;
			case BPF_PROG_TYPE_SCHED_CLS:
				fprintf(f, "/* %s: tcx link on @ifindex, ingress or (egress != 0) egress */\n"
					"static inline int %s__attach_tc(struct %s *skel, int ifindex, "
					"int egress)\n{\n\treturn lskel_set_link(&skel->ctx, "
					"&skel->%slinks.%s_fd,\n\t\tlskel_link_create(skel->%sprogs.%s."
					"prog_fd, ifindex,\n\t\t\tegress ? LSKEL_BPF_TCX_EGRESS : "
					"LSKEL_BPF_TCX_INGRESS, 0), \"%s\", \"tcx\");\n}\n\n", p->name, fn,
					name, n.member, p->name, n.member, p->name, p->name);
				break;
			case BPF_PROG_TYPE_CGROUP_SKB:
			case BPF_PROG_TYPE_CGROUP_SOCK:
			case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
			case BPF_PROG_TYPE_CGROUP_SOCKOPT:
			case BPF_PROG_TYPE_CGROUP_SYSCTL:
			case BPF_PROG_TYPE_CGROUP_DEVICE:
			case BPF_PROG_TYPE_SOCK_OPS:
				emit_fd_link_helper(f, name, &n, fn, p, "cgroup link on the cgroup (v2) "
						    "directory fd", "cgroup", "cgroup_fd");
				break;
			case BPF_PROG_TYPE_SK_LOOKUP:
			case BPF_PROG_TYPE_FLOW_DISSECTOR:
				emit_fd_link_helper(f, name, &n, fn, p, "link in the network namespace of "
						    "@netns_fd", "netns", "netns_fd");
				break;
			case BPF_PROG_TYPE_SK_MSG:
			case BPF_PROG_TYPE_SK_SKB:
				emit_fd_link_helper(f, name, &n, fn, p, "link to a sockmap or sockhash",
						    "sockmap", "map_fd");
				break;
			case 32:	/* BPF_PROG_TYPE_NETFILTER */
				fprintf(f, "/* %s: netfilter hook link */\n"
					"static inline int %s__attach_netfilter(struct %s *skel, __u32 pf, "
					"__u32 hooknum, int priority)\n{\n\treturn lskel_set_link(&skel->ctx, "
					"&skel->%slinks.%s_fd,\n\t\tlskel_link_netfilter(skel->%sprogs.%s."
					"prog_fd, pf, hooknum, priority), \"%s\", \"netfilter\");\n}\n\n",
					p->name, fn, name, n.member, p->name, n.member, p->name, p->name);
				break;
			default:
				break;
			}
		}
	}
}

/* The members of object @oi: maps, progs, links, data section pointers. */
static void emit_members(FILE *f, const char *prefix, const struct lsk_manifest *mf,
			 const struct lsk_obj *obj, size_t oi, const char *ind)
{
	size_t i, nm = 0, np = 0;

	fprintf(f, "%sstruct {\n", ind);
	for (i = 0; i < mf->nr_maps; i++) {
		if (mf->maps[i].obj != oi)
			continue;
		fprintf(f, "%s\tstruct lskel_map_desc %s;\n", ind, mf->maps[i].ident);
		nm++;
	}
	if (!nm)
		fprintf(f, "%s\tint __none;\n", ind);
	fprintf(f, "%s} maps;\n%sstruct {\n", ind, ind);
	for (i = 0; i < mf->nr_progs; i++) {
		if (mf->progs[i].obj != oi)
			continue;
		fprintf(f, "%s\tstruct lskel_prog_desc %s;\n", ind, mf->progs[i].p->name);
		np++;
	}
	if (!np)
		fprintf(f, "%s\tint __none;\n", ind);
	fprintf(f, "%s} progs;\n%sstruct {\n", ind, ind);
	for (i = 0; i < mf->nr_progs; i++)
		if (mf->progs[i].obj == oi)
			fprintf(f, "%s\tint %s_fd;\n", ind, mf->progs[i].p->name);
	lsk_emit_st_ops_links(f, obj, ind);	/* checked by emit_data_types */
	if (!np)
		fprintf(f, "%s\tint __none;\n", ind);
	fprintf(f, "%s} links;\n", ind);
	lsk_emit_st_ops_members(f, prefix, obj, ind);
	/* the handle subskeletons open on: lib__open(skel->obj) */
	fprintf(f, "%sstruct lskel_handle obj_handle_;\n%sstruct lskel_handle *obj;\n", ind, ind);
	for (i = 0; i < mf->nr_maps; i++)
		if (mf->maps[i].obj == oi && mf->maps[i].exposed)
			fprintf(f, "%sstruct %s__%s *%s;\n", ind, prefix, mf->maps[i].ident,
				mf->maps[i].ident);
}

static void emit_struct(FILE *f, const char *name, const struct lsk_trace *t,
			const struct lsk_manifest *mf)
{
	size_t i;

	fprintf(f, "struct %s {\n\tstruct lskel_ctx ctx;\n", name);
	if (t->nr_objs == 1) {
		emit_members(f, name, mf, t->objs[0].obj, 0, "\t");
	} else {
		for (i = 0; i < t->nr_objs; i++) {
			struct lsk_skel_names n;

			lsk_skel_names_of(name, t, i, &n);
			fprintf(f, "\tstruct %s {\n", n.type);
			emit_members(f, n.type, mf, t->objs[i].obj, i, "\t\t");
			n.member[strlen(n.member) - 1] = '\0';
			fprintf(f, "\t} %s;\n", n.member);
		}
	}
	fprintf(f, "};\n\n");
}

static void emit_functions(FILE *f, const char *name)
{
	fprintf(f,
		"static inline void %1$s__destroy(struct %1$s *skel)\n"
		"{\n\tlskel_destroy(&%1$s__desc, skel);\n}\n\n"
		"static inline struct %1$s *%1$s__open(void)\n"
		"{\n"
		"\tstruct %1$s *skel = (struct %1$s *)calloc(1, sizeof(*skel));\n\n"
		"\tif (!skel)\n\t\treturn NULL;\n"
		"\tif (lskel_open(&%1$s__desc, skel)) {\n"
		"\t\t%1$s__destroy(skel);\n\t\treturn NULL;\n\t}\n"
		"\treturn skel;\n}\n\n"
		"static inline int %1$s__load(struct %1$s *skel)\n"
		"{\n\treturn lskel_load(&%1$s__desc, skel);\n}\n\n"
		"static inline struct %1$s *%1$s__open_and_load(void)\n"
		"{\n"
		"\tstruct %1$s *skel = %1$s__open();\n\n"
		"\tif (!skel)\n\t\treturn NULL;\n"
		"\tif (%1$s__load(skel)) {\n"
		"\t\t%1$s__destroy(skel);\n\t\treturn NULL;\n\t}\n"
		"\treturn skel;\n}\n\n"
		"static inline void %1$s__detach(struct %1$s *skel)\n"
		"{\n\tlskel_detach(&%1$s__desc, skel);\n}\n\n", name);
}

/* NAME__P__attach(skel) for every program (bpftool's names: the link fd, 0 when the program
 * needs a target, -errno), and NAME__attach: the runtime's lskel_attach, which attaches every
 * loaded program the same way (lskel_attach_one), then the struct_ops links, all or none, and
 * refuses a skeleton that was not loaded. */
static void emit_attach(FILE *f, const char *name, const struct lsk_trace *t)
{
	size_t oi, i, k = 0;

	for (oi = 0; oi < t->nr_objs; oi++) {
		const struct lsk_obj *obj = t->objs[oi].obj;
		struct lsk_skel_names n;

		lsk_skel_names_of(name, t, oi, &n);
		for (i = 0; i < obj->nr_progs; i++)
			if (lsk_prog_is_entry(&obj->progs[i]))
				fprintf(f, "static inline int %s__%s__attach(struct %s *skel)\n{\n"
					"\treturn lskel_attach_one(&%s__desc, skel, %zu);\n}\n\n",
					n.type, obj->progs[i].name, name, name, k++);
	}
	fprintf(f, "static inline int %1$s__attach(struct %1$s *skel)\n{\n"
		"\treturn lskel_attach(&%1$s__desc, skel);\n}\n\n", name);
}

int lsk_emit_skel(FILE *f, const char *name, const struct lsk_trace *t,
		  const struct lsk_loader *l)
{
	const struct lsk_obj *obj = t->objs[0].obj;
	char guard[160];
	size_t i;
	int err;

	for (i = 0; name[i] && i + 1 < sizeof(guard); i++)
		guard[i] = isalnum((unsigned char)name[i]) ? toupper((unsigned char)name[i]) : '_';
	guard[i] = '\0';
	fprintf(f, "/* SPDX-License-Identifier: BSD-2-Clause */\n"
		"/* Light skeleton of %s%s, generated by lskel. Do not edit. */\n"
		"#ifndef __%s_LSKEL_H__\n#define __%s_LSKEL_H__\n\n"
		"%s"
		"#include <lskel/runtime.h>\n%s\n", obj->path, t->nr_objs > 1 ? " and the objects "
		"chained with it" : "", guard, guard,
		l->mf->uses_config ? "/* CONFIG_* externs: the runtime reads "
		"/boot/config-$(uname -r), or /proc/config.gz\n * through the system's libz.so.1 (dlopen: no -lz needed) */\n"
		: "", lsk_skel_uses_usdt(l->mf) ? "#include <lskel/usdt.h>\n" : "");
	for (i = 0; i < t->nr_objs; i++) {
		struct lsk_skel_names n;

		lsk_skel_names_of(name, t, i, &n);
		err = emit_data_types(f, n.type, l->mf, t->objs[i].obj, i);
		err = err ?: lsk_emit_st_ops_types(f, n.type, t->objs[i].obj);
		if (!err && lsk_emit_st_ops_links(NULL, t->objs[i].obj, ""))
			err = -EEXIST;
		if (err)
			return err;
	}
	emit_struct(f, name, t, l->mf);
	{
		char var[200];

		snprintf(var, sizeof(var), "%s__insns", name);
		emit_bytes(f, var, l->insns, l->nr_insns * sizeof(*l->insns));
		snprintf(var, sizeof(var), "%s__data", name);
		emit_bytes(f, var, l->blob->data, l->blob->size);
		if (l->compat_insns) {	/* for kernels without may_goto (compile.h) */
			snprintf(var, sizeof(var), "%s__compat_insns", name);
			emit_bytes(f, var, l->compat_insns,
				   l->nr_compat_insns * sizeof(*l->compat_insns));
		}
		snprintf(var, sizeof(var), "%s__btf", name);
		emit_bytes(f, var, l->btf, l->btf_size);
		if (l->is_signed) {
			/* lskel verify reads these three back from the header */
			fprintf(f, "/* Signed loader: SHA-256 of %s__insns (the data map is exclusive "
				"to it) and a\n * detached PKCS#7 over %s__insns; the loader checks "
				"the SHA-256 of %s__data. */\n", name, name, name);
			snprintf(var, sizeof(var), "%s__excl_hash", name);
			emit_bytes(f, var, l->excl_hash, sizeof(l->excl_hash));
			snprintf(var, sizeof(var), "%s__sig", name);
			emit_bytes(f, var, l->sig, l->sig_len);
			snprintf(var, sizeof(var), "%s__sig_next", name);
			emit_bytes(f, var, l->sig_next, l->sig_next_len);
		}
	}
	err = lsk_emit_skel_tables(f, name, t, l);
	if (err)
		return err;
	emit_functions(f, name);
	emit_attach(f, name, t);
	emit_attach_helpers(f, name, t);
	emit_assert(f, name, t, l->mf);
	fprintf(f, "#endif /* __%s_LSKEL_H__ */\n", guard);
	return ferror(f) ? lsk_err(EIO, "write error") : 0;
}
