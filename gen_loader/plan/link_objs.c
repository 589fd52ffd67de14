// SPDX-License-Identifier: BSD-2-Clause
/* Extern functions across objects, resolved statically with libbpf's linker (bpf_linker__*):
 * an object calling `extern int foo(...)` defined in another object of the same command is
 * linked with that object, so foo (its callees, func/line info, BTF) becomes an ordinary
 * subprogram of every program that calls it; the defining object's own programs are not
 * loaded a second time from the linked copy. Checks before linking, each naming objects and
 * function: a definition exists, exactly one, and both prototypes agree parameter by
 * parameter. `lskel link` writes the linked object as a standard BPF ELF. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "link_objs.h"
#include "compose.h"
#include "err.h"
#include "safe_io.h"

struct fn {
	char *name;
	bool defined;		/* global function defined in .text */
};

struct file_syms {
	const char *path;
	char name[128];		/* object name as lskel gives it */
	struct btf *btf;
	struct fn *fns;
	size_t nr_fns;
	char **progs;		/* entry program names (their sections are not .text) */
	size_t nr_progs;
};

static void obj_name(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');
	char *dot;

	snprintf(out, n, "%s", b ? b + 1 : path);
	dot = strstr(out, ".bpf.o");
	if (!dot)
		dot = strrchr(out, '.');
	if (dot && dot != out)
		*dot = '\0';
}

/* BTF extern function that is not a kfunc (not in .ksyms) */
static bool btf_extern_func(const struct btf *btf, const char *name)
{
	int id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) : -1;
	__u32 i, n;

	if (id <= 0 || btf_vlen(btf__type_by_id(btf, id)) != BTF_FUNC_EXTERN)	/* linkage */
		return false;
	n = btf__type_cnt(btf);
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const struct btf_var_secinfo *vs;
		int j;

		if (!btf_is_datasec(t) || strcmp(btf__name_by_offset(btf, t->name_off), ".ksyms"))
			continue;
		vs = btf_var_secinfos(t);
		for (j = 0; j < btf_vlen(t); j++)
			if ((int)vs[j].type == id)
				return false;
	}
	return true;
}

static int add_fn(struct file_syms *f, const char *name, bool defined)
{
	struct fn *n = realloc(f->fns, (f->nr_fns + 1) * sizeof(*n));

	if (!n)
		return lsk_err(ENOMEM, "out of memory");
	f->fns = n;
	n[f->nr_fns].name = strdup(name);
	n[f->nr_fns].defined = defined;
	if (!n[f->nr_fns].name)
		return lsk_err(ENOMEM, "out of memory");
	f->nr_fns++;
	return 0;
}

/* The extern functions @path calls, the global functions it defines, its programs. */
static int scan(const char *path, struct file_syms *f)
{
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int fd, err = 0;

	f->path = path;
	obj_name(path, f->name, sizeof(f->name));
	{	/* an object without BTF is fine here: the reader says what it lacks */
		libbpf_print_fn_t old = libbpf_set_print(NULL);

		f->btf = btf__parse_elf(path, NULL);
		libbpf_set_print(old);
	}
	if (libbpf_get_error(f->btf))
		f->btf = NULL;
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lsk_err(errno, "%s: %s", path, strerror(errno));
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		err = lsk_err(EINVAL, "%s: not an ELF object", path);
		goto out;
	}
	while (!err && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = d ? d->d_size / sh.sh_entsize : 0;
		for (i = 1; i < n && !err; i++) {
			GElf_Sym s;
			GElf_Shdr ts;
			const char *name, *sec;

			if (!gelf_getsym(d, i, &s))
				continue;
			name = elf_strptr(elf, sh.sh_link, s.st_name);
			if (!name || !name[0])
				continue;
			if (s.st_shndx == SHN_UNDEF) {
				if (GELF_ST_BIND(s.st_info) != STB_LOCAL &&
				    btf_extern_func(f->btf, name))
					err = add_fn(f, name, false);
				continue;
			}
			if (GELF_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx >= SHN_LORESERVE ||
			    !gelf_getshdr(elf_getscn(elf, s.st_shndx), &ts))
				continue;
			sec = elf_strptr(elf, shstrndx, ts.sh_name);
			if (sec && !strcmp(sec, ".text")) {
				if (GELF_ST_BIND(s.st_info) == STB_GLOBAL)
					err = add_fn(f, name, true);
			} else if (sec && GELF_ST_BIND(s.st_info) != STB_LOCAL) {
				char **np = realloc(f->progs, (f->nr_progs + 1) * sizeof(*np));

				if (!np) {
					err = lsk_err(ENOMEM, "out of memory");
					break;
				}
				f->progs = np;
				np[f->nr_progs] = strdup(name);
				if (!np[f->nr_progs++])
					err = lsk_err(ENOMEM, "out of memory");
			}
		}
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

static void free_syms(struct file_syms *f)
{
	size_t i;

	for (i = 0; i < f->nr_fns; i++)
		free(f->fns[i].name);
	for (i = 0; i < f->nr_progs; i++)
		free(f->progs[i]);
	free(f->fns);
	free(f->progs);
	btf__free(f->btf);
}

static void dump_to(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

/* "struct xdp_md *", "int", ... for messages and comparison. */
static void type_str(const struct btf *btf, __u32 id, char *buf, size_t n)
{
	struct btf_dump *d;
	FILE *f = fmemopen(buf, n, "w");
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, o, .field_name = "");

	buf[0] = '\0';
	if (!f)
		return;
	d = btf_dump__new(btf, dump_to, f, NULL);
	if (d) {
		btf_dump__emit_type_decl(d, id, &o);
		btf_dump__free(d);
	}
	fclose(f);
	buf[n - 1] = '\0';
}

/* Prototype of @name in @a (declaration) against @b (definition). */
static int same_proto(const struct file_syms *a, const struct file_syms *b, const char *name)
{
	int ia = a->btf ? btf__find_by_name_kind(a->btf, name, BTF_KIND_FUNC) : -1;
	int ib = b->btf ? btf__find_by_name_kind(b->btf, name, BTF_KIND_FUNC) : -1;
	const struct btf_type *pa, *pb;
	char ta[128], tb[128];
	int i;

	if (ia <= 0 || ib <= 0)
		return lsk_err(EINVAL, "function '%s': no BTF prototype in %s", name,
			       ia <= 0 ? a->path : b->path);
	pa = btf__type_by_id(a->btf, btf__type_by_id(a->btf, ia)->type);
	pb = btf__type_by_id(b->btf, btf__type_by_id(b->btf, ib)->type);
	type_str(a->btf, pa->type, ta, sizeof(ta));
	type_str(b->btf, pb->type, tb, sizeof(tb));
	if (strcmp(ta, tb))
		return lsk_err(EINVAL, "function '%s': object '%s' declares it returning '%s', "
			       "object '%s' defines it returning '%s'", name, a->name, ta, b->name,
			       tb);
	for (i = 0; i < btf_vlen(pa) && i < btf_vlen(pb); i++) {
		type_str(a->btf, btf_params(pa)[i].type, ta, sizeof(ta));
		type_str(b->btf, btf_params(pb)[i].type, tb, sizeof(tb));
		if (strcmp(ta, tb))
			return lsk_err(EINVAL, "function '%s': parameter %d is '%s' in object '%s' "
				       "and '%s' in object '%s'", name, i + 1, ta, a->name, tb,
				       b->name);
	}
	if (btf_vlen(pa) != btf_vlen(pb))
		return lsk_err(EINVAL, "function '%s': object '%s' declares %u parameters, object "
			       "'%s' defines %u", name, a->name, btf_vlen(pa), b->name,
			       btf_vlen(pb));
	return 0;
}

/* Does object @f define @name: a global .text function, or (@prog) an entry program? */
static bool defines(const struct file_syms *f, const char *name, bool prog)
{
	size_t j;

	for (j = 0; prog && j < f->nr_progs; j++)
		if (!strcmp(f->progs[j], name))
			return true;
	for (j = 0; !prog && j < f->nr_fns; j++)
		if (f->fns[j].defined && !strcmp(f->fns[j].name, name))
			return true;
	return false;
}

/* The one object other than @self (n: none) defining @name: 0, -ENOENT, or an error for two. */
static int find_definer(const struct file_syms *all, size_t n, size_t self, const char *name,
			bool prog, size_t *out)
{
	size_t i, found = 0;

	for (i = 0; i < n; i++) {
		if (i == self || !defines(&all[i], name, prog))
			continue;
		if (found)
			return lsk_err(EINVAL, "function '%s' is %s two objects: '%s' and '%s'", name,
				       prog ? "a program of" : "defined in", all[*out].name,
				       all[i].name);
		*out = i;
		found = 1;
	}
	return found ? 0 : -ENOENT;
}

static int definer(const struct file_syms *all, size_t n, const char *name, size_t *out)
{
	return find_definer(all, n, n, name, false, out);
}

int lsk_link_files(const char *const *in, size_t n, const char *out)
{
	struct bpf_linker *l = bpf_linker__new(out, NULL);
	size_t i;
	int err = 0;

	if (!l)
		return lsk_err(errno ?: EINVAL, "%s: cannot start libbpf's linker", out);
	for (i = 0; i < n && !err; i++)
		if (bpf_linker__add_file(l, in[i], NULL))
			err = lsk_err(EINVAL, "%s: libbpf's linker refused it (see its messages)",
				      in[i]);
	if (!err && bpf_linker__finalize(l))
		err = lsk_err(EINVAL, "%s: libbpf's linker could not finish", out);
	bpf_linker__free(l);
	return err;
}

/* Every object @i needs linked in: its definers, found and checked. *deps: indexes. */
static int deps_of(struct file_syms *all, size_t n, size_t i, const bool *dynamic, size_t *deps,
		   size_t *nr_deps)
{
	size_t j, k, d;
	int err;

	*nr_deps = 0;
	for (j = 0; j < all[i].nr_fns; j++) {
		const struct fn *f = &all[i].fns[j];

		if (f->defined)
			continue;
		err = definer(all, n, f->name, &d);
		if (err == -ENOENT) {
			int pe = find_definer(all, n, i, f->name, true, &d);

			if (pe && pe != -ENOENT)
				return pe;
			if (!pe) {
				/* a program of another object: composed in (compose.c), not linked */
				err = same_proto(&all[i], &all[d], f->name);
				if (err)
					return err;
				continue;
			}
		}
		if (err == -ENOENT)
			return lsk_err(ENOENT, "%s: object '%s' calls extern function '%s', which "
				       "none of the objects given defines", all[i].path, all[i].name,
				       f->name);
		if (err)
			return err;
		err = same_proto(&all[i], &all[d], f->name);
		if (err)
			return err;
		if (dynamic && dynamic[d])
			continue;	/* an freplace of a placeholder (compose.c), not linked in */
		for (k = 0; k < *nr_deps && deps[k] != d; k++)
			;
		if (k == *nr_deps)
			deps[(*nr_deps)++] = d;
	}
	return 0;
}

static int scan_all(char *const *paths, size_t n, struct file_syms **allp)
{
	struct file_syms *all = calloc(n + 1, sizeof(*all));
	size_t i;
	int err = 0;

	if (!all)
		return lsk_err(ENOMEM, "out of memory");
	for (i = 0; i < n && !err; i++)
		err = scan(paths[i], &all[i]);
	if (err) {
		for (i = 0; i < n; i++)
			free_syms(&all[i]);
		free(all);
		return err;
	}
	*allp = all;
	return 0;
}

int lsk_link_check(char *const *paths, size_t n)
{
	struct file_syms *all = NULL;
	size_t i, j, d, *deps = calloc(n + 1, sizeof(*deps)), nd;
	int err;

	if (!deps)
		return lsk_err(ENOMEM, "out of memory");
	err = scan_all(paths, n, &all);
	for (i = 0; !err && i < n; i++) {
		for (j = 0; !err && j < all[i].nr_fns; j++)
			if (all[i].fns[j].defined)	/* two definitions: named */
				err = definer(all, n, all[i].fns[j].name, &d);
		if (!err)
			err = deps_of(all, n, i, NULL, deps, &nd);
		if (err == -ENOENT)
			err = 0;	/* lskel link may leave externs for a later link */
	}
	if (all)
		for (i = 0; i < n; i++)
			free_syms(&all[i]);
	free(all);
	free(deps);
	return err;
}

int lsk_open_linked(char *const *paths, size_t n, const bool *dynamic, struct lsk_obj ***objsp)
{
	struct lsk_obj **objs = calloc(n + 1, sizeof(*objs));
	size_t i, j, k, nd, *deps = calloc(n + 1, sizeof(*deps));
	size_t *sub = calloc(n + 1, sizeof(*sub));
	struct file_syms *all = NULL;
	int err;

	if (!objs || !deps || !sub) {
		free(objs);
		free(deps);
		free(sub);
		return lsk_err(ENOMEM, "out of memory");
	}
	err = scan_all(paths, n, &all);
	for (i = 0; i < n && !err; i++) {
		const char *td = getenv("TMPDIR");
		char tmp[4096];
		const char **in;
		void *buf = NULL;
		size_t size = 0;
		int fd;

		err = deps_of(all, n, i, dynamic, deps, &nd);
		for (j = 0; !err && j < nd; j++) {	/* what the definers need in turn */
			size_t ns, q;

			err = deps_of(all, n, deps[j], dynamic, sub, &ns);
			for (k = 0; !err && k < ns; k++) {
				for (q = 0; q < nd && deps[q] != sub[k]; q++)
					;
				if (q == nd && sub[k] != i)
					deps[nd++] = sub[k];
			}
		}
		if (err)
			break;
		if (!nd) {
			err = lsk_obj_open(paths[i], &objs[i]);
			continue;
		}
		/* the caller and what it needs, linked; opened under the caller's name */
		snprintf(tmp, sizeof(tmp), "%s/lskel-link-XXXXXX", td && td[0] ? td : "/tmp");
		in = calloc(nd + 2, sizeof(*in));
		fd = mkstemp(tmp);
		if (!in || fd < 0) {
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			free(in);
			err = lsk_err(errno ?: ENOMEM, "%s: cannot make a temporary file for linking: "
				      "%s", tmp, strerror(errno ?: ENOMEM));
			break;
		}
		close(fd);
		in[0] = paths[i];
		for (j = 0; j < nd; j++)
			in[j + 1] = paths[deps[j]];
		err = lsk_link_files(in, nd + 1, tmp);
		free(in);
		if (!err)
			err = lsk_read_file(tmp, &buf, &size);
		unlink(tmp);
		if (!err)
			err = lsk_obj_open_mem(paths[i], buf, size, &objs[i]);
		free(buf);
		/* the definers' own programs are theirs: not loaded again from this copy */
		for (j = 0; !err && j < nd; j++)
			for (k = 0; k < all[deps[j]].nr_progs; k++) {
				size_t p;

				for (p = 0; p < objs[i]->nr_progs; p++)
					if (!objs[i]->progs[p].is_subprog &&
					    !strcmp(objs[i]->progs[p].name, all[deps[j]].progs[k]))
						objs[i]->progs[p].linked_copy = true;
			}
	}
	if (all)
		for (i = 0; i < n; i++)
			free_syms(&all[i]);
	free(all);
	free(deps);
	free(sub);
	if (!err)
		err = lsk_compose_calls(objs, n, dynamic);
	if (err) {
		for (i = 0; i < n; i++)
			lsk_obj_free(objs[i]);
		free(objs);
		return err;
	}
	*objsp = objs;
	return 0;
}
