// SPDX-License-Identifier: BSD-2-Clause
/* struct_ops maps: every variable of .struct_ops or .struct_ops.link is a map of type
 * BPF_MAP_TYPE_STRUCT_OPS implementing the kernel struct that is its type. The object's BTF
 * gives the struct's layout (members by name, offsets, which are function pointers); the
 * relocations of the section name the programs in the function-pointer members. Each such
 * program is attached to the struct (attach_btf_id of struct NAME, resolved at load time) at
 * its member index (expected_attach_type), as libbpf does.
 *
 * Layout contract: the map value is the kernel's struct bpf_struct_ops_NAME, a common header
 * and `data` (struct NAME) on a cache line boundary. A BPF loader cannot read kernel BTF, so
 * the value is built here, from the object's layout, with data at LSK_ST_OPS_DATA_OFF; the
 * runtime checks before the load that the running kernel's bpf_struct_ops_NAME and NAME have
 * exactly this layout (lskel/struct_ops.h) and refuses by member name otherwise. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "obj_internal.h"
#include "err.h"

#define R_BPF_64_ABS64 2
#define LSK_BPF_F_LINK (1U << 13)	/* newer than the 6.1 UAPI headers */
/* offsetof(struct bpf_struct_ops_NAME, data): header, then ____cacheline_aligned_in_smp */
#define LSK_ST_OPS_DATA_OFF 64U

static bool is_func_ptr(const struct btf *btf, __u32 type)
{
	const struct btf_type *t = lsk_btf_skip_mods(btf, type, NULL);

	if (!t || !btf_is_ptr(t))
		return false;
	t = lsk_btf_skip_mods(btf, t->type, NULL);
	return t && btf_is_func_proto(t);
}

/* The object's layout of struct @tid, member by member. */
static int read_members(struct lsk_reader *r, const char *var, __u32 tid, struct lsk_st_ops *st)
{
	const struct btf *btf = r->obj->btf;
	const struct btf_type *t = btf__type_by_id(btf, tid);
	const struct btf_member *m = btf_members(t);
	int i;

	st->nr_members = btf_vlen(t);
	st->members = calloc(st->nr_members + 1, sizeof(*st->members));
	if (!st->members)
		return lsk_err(ENOMEM, "%s: out of memory", r->obj->path);
	for (i = 0; i < st->nr_members; i++, m++) {
		struct lsk_st_member *sm = &st->members[i];
		__u32 bits = btf_member_bit_offset(t, i);
		long sz = btf__resolve_size(btf, m->type);

		sm->name = btf__name_by_offset(btf, m->name_off);
		sm->prog = -1;
		if (!sm->name || !sm->name[0] || btf_member_bitfield_size(t, i) || bits % 8 ||
		    sz < 0 || bits / 8 + (__u64)sz > t->size)
			return lsk_err(EINVAL, "%s: struct_ops '%s': member %d of struct %s is "
				       "unnamed, a bitfield or of unknown size", r->obj->path, var,
				       i, st->type);
		sm->off = bits / 8;
		sm->size = sz;
		sm->is_func = is_func_ptr(btf, m->type);
	}
	return 0;
}

static struct lsk_map *new_st_map(struct lsk_obj *obj)
{
	struct lsk_map *nm = realloc(obj->maps, (obj->nr_maps + 1) * sizeof(*nm));

	if (!nm)
		return NULL;
	obj->maps = nm;
	memset(&nm[obj->nr_maps], 0, sizeof(*nm));
	return &nm[obj->nr_maps++];
}

/* One variable of section @sec: a map with the variable's initial value as its data. */
static int add_var(struct lsk_reader *r, int sec, bool link, const struct btf_var_secinfo *vs)
{
	struct lsk_obj *obj = r->obj;
	const struct lsk_elf_sec *s = &r->elf->secs[sec];
	const struct btf_type *v = btf__type_by_id(obj->btf, vs->type), *t;
	const char *var = v ? btf__name_by_offset(obj->btf, v->name_off) : NULL;
	struct lsk_st_ops *st;
	struct lsk_map *m;
	__u32 tid;
	int err;

	if (!v || !btf_is_var(v) || !var || !var[0])
		return lsk_err(EINVAL, "%s: section '%s': entry at offset %u is not a named "
			       "variable", obj->path, s->name, vs->offset);
	t = lsk_btf_skip_mods(obj->btf, v->type, &tid);
	if (!t || !btf_is_struct(t) || !btf__name_by_offset(obj->btf, t->name_off)[0])
		return lsk_err(EINVAL, "%s: struct_ops '%s' is not of a named struct type",
			       obj->path, var);
	if (vs->size != t->size || !s->data || vs->offset > s->size ||
	    t->size > s->size - vs->offset)
		return lsk_err(EINVAL, "%s: struct_ops '%s': %u bytes at offset %u do not fit "
			       "section '%s'", obj->path, var, t->size, vs->offset, s->name);
	st = calloc(1, sizeof(*st));
	m = st ? new_st_map(obj) : NULL;
	if (!m) {
		free(st);
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	}
	m->st_ops = st;
	st->type = btf__name_by_offset(obj->btf, t->name_off);
	st->btf_id = tid;
	st->size = t->size;
	st->data_off = LSK_ST_OPS_DATA_OFF;
	st->link = link;
	m->value_size = (st->data_off + t->size + LSK_ST_OPS_DATA_OFF - 1) /
			LSK_ST_OPS_DATA_OFF * LSK_ST_OPS_DATA_OFF;
	m->name = strdup(var);
	m->init_data = calloc(1, m->value_size);
	if (!m->name || !m->init_data)
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	snprintf(m->kname, sizeof(m->kname), "%s", var);
	m->kind = LSK_MAP_STRUCT_OPS;
	m->type = BPF_MAP_TYPE_STRUCT_OPS;
	m->key_size = 4;
	m->max_entries = 1;
	m->map_flags = link ? LSK_BPF_F_LINK : 0;
	m->sec_idx = sec;
	m->sec_off = vs->offset;
	m->sec_sz = t->size;
	memcpy((char *)m->init_data + st->data_off, (const char *)s->data + vs->offset, t->size);
	err = read_members(r, var, tid, st);
	return err;
}

static struct lsk_map *map_of(struct lsk_obj *obj, int sec, size_t off)
{
	size_t i;

	for (i = 0; i < obj->nr_maps; i++) {
		struct lsk_map *m = &obj->maps[i];

		if (m->kind == LSK_MAP_STRUCT_OPS && m->sec_idx == sec && off >= m->sec_off &&
		    off < m->sec_off + m->sec_sz)
			return m;
	}
	return NULL;
}

/* The program a function-pointer member names: its member index becomes the program's
 * expected attach type, the struct its attach target (one struct and index per program). */
static int bind_prog(struct lsk_reader *r, struct lsk_map *m, int mi, const GElf_Sym *sym)
{
	struct lsk_obj *obj = r->obj;
	struct lsk_st_member *sm = &m->st_ops->members[mi];
	const char *fn = lsk_elf_sym_name(r->elf, sym);
	struct lsk_prog *p = NULL;
	size_t i;

	for (i = 0; i < obj->nr_progs; i++)
		if (obj->progs[i].sec_idx == sym->st_shndx &&
		    obj->progs[i].sec_insn_off * 8 == sym->st_value)
			p = &obj->progs[i];
	if (GELF_ST_TYPE(sym->st_info) != STT_FUNC || !p || !lsk_prog_is_entry(p))
		return lsk_err(EINVAL, "%s: struct_ops '%s', member '%s': '%s' is not a program",
			       obj->path, m->name, sm->name, fn);
	if (p->type != BPF_PROG_TYPE_STRUCT_OPS)
		return lsk_err(EINVAL, "%s: struct_ops '%s', member '%s': program '%s' is in "
			       "section '%s', not SEC(\"struct_ops/...\")", obj->path, m->name,
			       sm->name, p->name, p->sec_name);
	if (p->attach_btf && (strcmp(p->attach_target, m->st_ops->type) ||
			      p->expected_attach_type != (__u32)mi))
		return lsk_err(EINVAL, "%s: program '%s' is used as member '%s' of struct %s "
			       "and as member %u of struct %s: one program, one member",
			       obj->path, p->name, sm->name, m->st_ops->type,
			       p->expected_attach_type, p->attach_target);
	p->attach_btf = true;
	p->attach_target = m->st_ops->type;
	p->expected_attach_type = mi;
	sm->prog = p - obj->progs;
	return 0;
}

static int read_relocs(struct lsk_reader *r, int sec)
{
	struct lsk_obj *obj = r->obj;
	const struct lsk_elf_sec *s = &r->elf->secs[sec], *rs;
	const Elf64_Rel *rel;
	size_t i;
	int err, mi;

	if (s->rel_idx < 0)
		return 0;
	rs = &r->elf->secs[s->rel_idx];
	rel = rs->data;
	for (i = 0; rel && i < rs->size / sizeof(*rel); i++) {
		size_t off = rel[i].r_offset;
		struct lsk_map *m = map_of(obj, sec, off);
		GElf_Sym sym;
		__u64 addend;

		if (!m || ELF64_R_TYPE(rel[i].r_info) != R_BPF_64_ABS64 || off + 8 > s->size)
			return lsk_err(EINVAL, "%s: section '%s': relocation at offset 0x%zx is not "
				       "a function pointer of a struct_ops variable", obj->path,
				       s->name, off);
		for (mi = 0; mi < m->st_ops->nr_members; mi++)
			if (m->st_ops->members[mi].off == off - m->sec_off)
				break;
		memcpy(&addend, (const char *)s->data + off, 8);
		if (mi == m->st_ops->nr_members || !m->st_ops->members[mi].is_func || addend)
			return lsk_err(EINVAL, "%s: struct_ops '%s': relocation at offset %zu is "
				       "not a function-pointer member", obj->path, m->name,
				       off - m->sec_off);
		err = lsk_elf_sym(r->elf, ELF64_R_SYM(rel[i].r_info), &sym);
		err = err ?: bind_prog(r, m, mi, &sym);
		if (err)
			return err;
	}
	return 0;
}

/* Function-pointer members carry program fds only: no object bytes reach the kernel there. */
static int check_func_slots(struct lsk_obj *obj, struct lsk_map *m)
{
	int i;

	for (i = 0; i < m->st_ops->nr_members; i++) {
		const struct lsk_st_member *sm = &m->st_ops->members[i];
		char *at = (char *)m->init_data + m->st_ops->data_off + sm->off;
		__u32 j;

		if (!sm->is_func || sm->prog >= 0)
			continue;
		for (j = 0; j < sm->size; j++)
			if (at[j])
				return lsk_err(EINVAL, "%s: struct_ops '%s': member '%s' is set but "
					       "names no program", obj->path, m->name, sm->name);
	}
	return 0;
}

static int read_section(struct lsk_reader *r, int sec, bool link)
{
	struct lsk_obj *obj = r->obj;
	const char *name = r->elf->secs[sec].name;
	const struct btf_type *ds;
	const struct btf_var_secinfo *vs;
	size_t i, first = obj->nr_maps;
	int id = obj->btf ? lsk_btf_find_datasec(obj->btf, name) : -ENOENT, j, err;

	if (id <= 0)
		return lsk_err(EINVAL, "%s: section '%s' has no BTF: struct_ops need it",
			       obj->path, name);
	ds = btf__type_by_id(obj->btf, id);
	vs = btf_var_secinfos(ds);
	for (j = 0; j < btf_vlen(ds); j++) {
		err = add_var(r, sec, link, &vs[j]);
		if (err)
			return err;
	}
	err = read_relocs(r, sec);
	for (i = first; !err && i < obj->nr_maps; i++)
		err = check_func_slots(obj, &obj->maps[i]);
	return err;
}

int lsk_read_struct_ops(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	size_t i;
	int err;

	for (i = 1; i < r->elf->nr_secs; i++) {
		const char *name = r->elf->secs[i].name;

		if (strncmp(name, ".struct_ops", 11) || r->elf->secs[i].sh.sh_type == SHT_REL)
			continue;
		if (strcmp(name, ".struct_ops") && strcmp(name, ".struct_ops.link"))
			return lsk_err(ENOTSUP, "%s: section '%s': only .struct_ops and "
				       ".struct_ops.link hold struct_ops variables", obj->path, name);
		err = read_section(r, i, !strcmp(name, ".struct_ops.link"));
		if (err)
			return err;
	}
	for (i = 0; i < obj->nr_progs; i++) {
		const struct lsk_prog *p = &obj->progs[i];

		if (lsk_prog_is_entry(p) && p->type == BPF_PROG_TYPE_STRUCT_OPS && !p->attach_btf)
			return lsk_err(EINVAL, "%s: struct_ops program '%s' is used by no "
				       ".struct_ops variable", obj->path, p->name);
	}
	return 0;
}
