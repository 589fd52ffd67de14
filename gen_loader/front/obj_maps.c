// SPDX-License-Identifier: BSD-2-Clause
/* Maps: BTF-defined maps in .maps (with inner maps and static initialisers), one map per
 * global data section, and the .kconfig map. Names follow libbpf so tools see the same. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "obj_internal.h"
#include "err.h"

static struct lsk_map *new_map(struct lsk_obj *obj)
{
	struct lsk_map *nm = realloc(obj->maps, (obj->nr_maps + 1) * sizeof(*nm));

	if (!nm)
		return NULL;
	obj->maps = nm;
	memset(&nm[obj->nr_maps], 0, sizeof(*nm));
	nm[obj->nr_maps].sec_idx = -1;
	return &nm[obj->nr_maps++];
}

static void sanitize_name(char *p)
{
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
}

/* libbpf's internal map naming: object-name prefix + section name, 15 characters. */
static void internal_map_kname(const struct lsk_obj *obj, const char *sec, char *out)
{
	size_t sfx = strlen(sec) > 7 ? strlen(sec) : 7, pfx;

	if (sfx >= BPF_OBJ_NAME_LEN)
		sfx = BPF_OBJ_NAME_LEN - 1;
	if (strchr(sec + 1, '.'))
		pfx = 0;
	else
		pfx = BPF_OBJ_NAME_LEN - sfx - 1 < strlen(obj->name) ?
		      BPF_OBJ_NAME_LEN - sfx - 1 : strlen(obj->name);
	snprintf(out, BPF_OBJ_NAME_LEN, "%.*s%.*s", (int)pfx, obj->name, (int)sfx, sec);
	sanitize_name(out);
}

static int field_int(struct lsk_reader *r, const char *map, const struct btf_member *m,
		     const char *fname, __u32 *res)
{
	const struct btf *btf = r->obj->btf;
	const struct btf_type *t = lsk_btf_skip_mods(btf, m->type, NULL), *arr;

	if (!t || !btf_is_ptr(t))
		return lsk_err(EINVAL, "%s: map '%s': field '%s' is not a pointer (use __uint)",
			       r->obj->path, map, fname);
	arr = btf__type_by_id(btf, t->type);
	if (!arr || !btf_is_array(arr))
		return lsk_err(EINVAL, "%s: map '%s': field '%s' is not a pointer to an array "
			       "(use __uint)", r->obj->path, map, fname);
	*res = btf_array(arr)->nelems;
	return 0;
}

static int field_type(struct lsk_reader *r, const char *map, const struct btf_member *m,
		      const char *fname, __u32 *type_id, __u32 *size)
{
	const struct btf *btf = r->obj->btf;
	const struct btf_type *t = lsk_btf_skip_mods(btf, m->type, NULL);
	long sz;

	if (!t || !btf_is_ptr(t))
		return lsk_err(EINVAL, "%s: map '%s': field '%s' is not a pointer (use __type)",
			       r->obj->path, map, fname);
	sz = btf__resolve_size(btf, t->type);
	if (sz < 0)
		return lsk_err(EINVAL, "%s: map '%s': cannot size the type of field '%s'",
			       r->obj->path, map, fname);
	if (*size && *size != (__u32)sz)
		return lsk_err(EINVAL, "%s: map '%s': %s size %u conflicts with its type's size "
			       "%ld", r->obj->path, map, fname, *size, sz);
	*size = sz;
	*type_id = t->type;
	return 0;
}

static bool is_map_in_map(__u32 type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int parse_map_def(struct lsk_reader *r, struct lsk_map *map, const struct btf_type *def,
			 bool is_inner);

static int parse_values(struct lsk_reader *r, struct lsk_map *map, const struct btf_member *m,
			bool is_inner)
{
	const struct btf *btf = r->obj->btf;
	const struct btf_type *t = lsk_btf_skip_mods(btf, m->type, NULL), *pt;

	if (is_inner)
		return lsk_err(EINVAL, "%s: map '%s': inner maps of inner maps are not supported",
			       r->obj->path, map->name);
	if (!t || !btf_is_array(t) || btf_array(t)->nelems)
		return lsk_err(EINVAL, "%s: map '%s': 'values' must be a zero-sized array "
			       "(use __array)", r->obj->path, map->name);
	t = lsk_btf_skip_mods(btf, btf_array(t)->type, NULL);
	if (!t || !btf_is_ptr(t))
		return lsk_err(EINVAL, "%s: map '%s': 'values' must hold pointers",
			       r->obj->path, map->name);
	pt = lsk_btf_skip_mods(btf, t->type, NULL);
	if (pt && btf_is_func_proto(pt)) {
		if (map->type != BPF_MAP_TYPE_PROG_ARRAY)
			return lsk_err(EINVAL, "%s: map '%s': program values need a prog array",
				       r->obj->path, map->name);
		map->slot_kind = LSK_SLOT_PROG;
		return 0;
	}
	if (!pt || !btf_is_struct(pt))
		return lsk_err(EINVAL, "%s: map '%s': 'values' must point to a map definition",
			       r->obj->path, map->name);
	if (!is_map_in_map(map->type))
		return lsk_err(EINVAL, "%s: map '%s': inner map given for a map that is not a "
			       "map-in-map", r->obj->path, map->name);
	map->inner = calloc(1, sizeof(*map->inner));
	if (!map->inner)
		return lsk_err(ENOMEM, "%s: out of memory", r->obj->path);
	map->inner->sec_idx = -1;
	if (asprintf(&map->inner->name, "%s.inner", map->name) < 0) {
		map->inner->name = NULL;
		return lsk_err(ENOMEM, "%s: out of memory", r->obj->path);
	}
	snprintf(map->inner->kname, sizeof(map->inner->kname), "%s", map->inner->name);
	map->slot_kind = LSK_SLOT_MAP;
	return parse_map_def(r, map->inner, pt, true);
}

static int parse_map_def(struct lsk_reader *r, struct lsk_map *map, const struct btf_type *def,
			 bool is_inner)
{
	const struct btf *btf = r->obj->btf;
	const struct btf_member *m = btf_members(def);
	int i, err = 0;
	bool has_values = false;
	const struct btf_member *values = NULL;

	for (i = 0; i < btf_vlen(def) && !err; i++, m++) {
		const char *f = btf__name_by_offset(btf, m->name_off);

		if (!f || !f[0])
			return lsk_err(EINVAL, "%s: map '%s': unnamed field", r->obj->path,
				       map->name);
		if (!strcmp(f, "type"))
			err = field_int(r, map->name, m, f, &map->type);
		else if (!strcmp(f, "max_entries"))
			err = field_int(r, map->name, m, f, &map->max_entries);
		else if (!strcmp(f, "map_flags"))
			err = field_int(r, map->name, m, f, &map->map_flags);
		else if (!strcmp(f, "numa_node"))
			err = field_int(r, map->name, m, f, &map->numa_node);
		else if (!strcmp(f, "pinning"))
			err = field_int(r, map->name, m, f, &map->pinning);
		else if (!strcmp(f, "map_extra")) {
			__u32 v = 0;

			err = field_int(r, map->name, m, f, &v);
			map->map_extra = v;
		} else if (!strcmp(f, "key_size")) {
			__u32 v;

			err = field_int(r, map->name, m, f, &v);
			if (!err && map->key_size && map->key_size != v)
				err = lsk_err(EINVAL, "%s: map '%s': key_size %u conflicts with key "
					      "type size %u", r->obj->path, map->name, v,
					      map->key_size);
			map->key_size = v;
		} else if (!strcmp(f, "value_size")) {
			__u32 v;

			err = field_int(r, map->name, m, f, &v);
			if (!err && map->value_size && map->value_size != v)
				err = lsk_err(EINVAL, "%s: map '%s': value_size %u conflicts with "
					      "value type size %u", r->obj->path, map->name, v,
					      map->value_size);
			map->value_size = v;
		} else if (!strcmp(f, "key")) {
			err = field_type(r, map->name, m, f, &map->btf_key_type_id, &map->key_size);
		} else if (!strcmp(f, "value")) {
			err = field_type(r, map->name, m, f, &map->btf_value_type_id,
					 &map->value_size);
		} else if (!strcmp(f, "values")) {
			has_values = true;
			values = m;
		} else {
			return lsk_err(ENOTSUP, "%s: map '%s': unknown field '%s'", r->obj->path,
				       map->name, f);
		}
	}
	if (err)
		return err;
	if (map->pinning > 1)
		return lsk_err(ENOTSUP, "%s: map '%s': pinning %u is not LIBBPF_PIN_NONE or "
			       "LIBBPF_PIN_BY_NAME", r->obj->path, map->name, map->pinning);
	if (!map->type)
		return lsk_err(EINVAL, "%s: map '%s': no map type", r->obj->path, map->name);
	if (has_values) {
		err = parse_values(r, map, values, is_inner);
		if (err)
			return err;
		if (!map->value_size)
			map->value_size = 4;
		if (map->value_size != 4)
			return lsk_err(EINVAL, "%s: map '%s': value_size must be 4 for 'values'",
				       r->obj->path, map->name);
	}
	return 0;
}

static int read_user_maps(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;
	int id, i;

	if (r->elf->maps_idx < 0)
		return 0;
	if (!obj->btf)
		return lsk_err(EINVAL, "%s: section '.maps' needs BTF, and the object has no .BTF",
			       obj->path);
	id = lsk_btf_find_datasec(obj->btf, ".maps");
	if (id < 0)
		return lsk_err(EINVAL, "%s: section '.maps' has no BTF DATASEC", obj->path);
	sec = btf__type_by_id(obj->btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++) {
		const struct btf_type *v = btf__type_by_id(obj->btf, vs[i].type), *def;
		const char *name = btf__name_by_offset(obj->btf, v->name_off);
		struct lsk_map *map;
		int err;

		def = lsk_btf_skip_mods(obj->btf, v->type, NULL);
		if (!def || !btf_is_struct(def))
			return lsk_err(EINVAL, "%s: .maps: '%s' is not a struct", obj->path, name);
		map = new_map(obj);
		if (!map)
			return lsk_err(ENOMEM, "%s: out of memory", obj->path);
		map->name = strdup(name);
		if (!map->name)
			return lsk_err(ENOMEM, "%s: out of memory", obj->path);
		snprintf(map->kname, sizeof(map->kname), "%s", name);
		map->kind = LSK_MAP_USER;
		map->sec_idx = r->elf->maps_idx;
		map->sec_off = vs[i].offset;
		map->sec_sz = vs[i].size;
		err = parse_map_def(r, map, def, false);
		if (err)
			return err;
	}
	return 0;
}

static bool has_global_var(const struct btf *btf, __u32 datasec)
{
	const struct btf_type *t = btf__type_by_id(btf, datasec);
	const struct btf_var_secinfo *vs = btf_var_secinfos(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *v = btf__type_by_id(btf, vs[i].type);

		if (v && btf_is_var(v) && btf_var(v)->linkage != BTF_VAR_STATIC)
			return true;
	}
	return false;
}

static int add_data_map(struct lsk_reader *r, int sec_idx, enum lsk_map_kind kind)
{
	struct lsk_obj *obj = r->obj;
	const struct lsk_elf_sec *s = &r->elf->secs[sec_idx];
	struct lsk_map *map = new_map(obj);
	int id;

	if (!map)
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	map->name = strdup(s->name);
	if (!map->name)
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	internal_map_kname(obj, s->name, map->kname);
	map->kind = kind;
	map->type = BPF_MAP_TYPE_ARRAY;
	map->key_size = 4;
	map->value_size = s->size;
	map->max_entries = 1;
	if (kind == LSK_MAP_RODATA)
		map->map_flags |= BPF_F_RDONLY_PROG;
	map->sec_idx = sec_idx;
	if (obj->btf && (id = lsk_btf_find_datasec(obj->btf, s->name)) > 0)
		map->btf_value_type_id = id;
	/* as libbpf: mmapable (and in the skeleton) only with a non-static variable */
	if (map->btf_value_type_id && has_global_var(obj->btf, map->btf_value_type_id))
		map->map_flags |= BPF_F_MMAPABLE;
	if (kind != LSK_MAP_BSS) {
		map->init_data = malloc(s->size);
		if (!map->init_data)
			return lsk_err(ENOMEM, "%s: out of memory", obj->path);
		memcpy(map->init_data, s->data, s->size);
	}
	return 0;
}

static bool has_prefix(const char *s, const char *p)
{
	size_t n = strlen(p);

	return !strncmp(s, p, n) && (s[n] == '\0' || s[n] == '.');
}

static int read_data_maps(struct lsk_reader *r)
{
	size_t i;
	int err;

	for (i = 1; i < r->elf->nr_secs; i++) {
		const struct lsk_elf_sec *s = &r->elf->secs[i];
		enum lsk_map_kind kind;

		if (s->sh.sh_flags & SHF_EXECINSTR || !s->size)
			continue;
		if (has_prefix(s->name, ".data..percpu"))
			return lsk_err(ENOTSUP, "%s: section '%s': per-CPU global data is not "
				       "supported", r->obj->path, s->name);
		if (s->sh.sh_type == SHT_PROGBITS && has_prefix(s->name, ".data"))
			kind = LSK_MAP_DATA;
		else if (s->sh.sh_type == SHT_PROGBITS && has_prefix(s->name, ".rodata"))
			kind = LSK_MAP_RODATA;
		else if (s->sh.sh_type == SHT_NOBITS && has_prefix(s->name, ".bss"))
			kind = LSK_MAP_BSS;
		else
			continue;
		r->sec_kind[i] = kind == LSK_MAP_DATA ? LSK_SEC_DATA :
				 kind == LSK_MAP_RODATA ? LSK_SEC_RODATA : LSK_SEC_BSS;
		err = add_data_map(r, i, kind);
		if (err)
			return err;
	}
	return 0;
}

static int read_kconfig_map(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	struct lsk_map *map;
	__u32 size = 0;
	size_t i;

	for (i = 0; i < obj->nr_externs; i++) {
		const struct lsk_extern *e = &obj->externs[i];

		if (e->kind == LSK_EXT_KCONFIG && e->kcfg_off + e->kcfg_sz > size)
			size = e->kcfg_off + e->kcfg_sz;
	}
	if (!size)
		return 0;
	map = new_map(obj);
	if (!map)
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	map->name = strdup(".kconfig");
	if (!map->name)
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	internal_map_kname(obj, ".kconfig", map->kname);
	map->kind = LSK_MAP_KCONFIG;
	map->type = BPF_MAP_TYPE_ARRAY;
	map->key_size = 4;
	map->value_size = size;
	map->max_entries = 1;
	map->map_flags = BPF_F_MMAPABLE | BPF_F_RDONLY_PROG;
	map->btf_value_type_id = lsk_btf_find_datasec(obj->btf, ".kconfig");
	map->init_data = calloc(1, size);
	if (!map->init_data)
		return lsk_err(ENOMEM, "%s: out of memory", obj->path);
	obj->kconfig_map = obj->nr_maps - 1;
	return 0;
}

int lsk_read_maps(struct lsk_reader *r)
{
	int err;

	if (r->elf->maps_idx >= 0)
		r->sec_kind[r->elf->maps_idx] = LSK_SEC_MAPS;
	err = read_user_maps(r);
	if (!err)
		err = read_data_maps(r);
	if (!err)
		err = read_kconfig_map(r);
	return err;
}

static struct lsk_map *map_at(struct lsk_obj *obj, size_t off)
{
	size_t i;

	for (i = 0; i < obj->nr_maps; i++) {
		struct lsk_map *m = &obj->maps[i];

		if (m->kind == LSK_MAP_USER && off >= m->sec_off && off < m->sec_off + m->sec_sz)
			return m;
	}
	return NULL;
}

static long values_offset(const struct lsk_obj *obj, const struct lsk_map *m)
{
	int id = btf__find_by_name_kind(obj->btf, m->name, BTF_KIND_VAR);
	const struct btf_type *def;
	const struct btf_member *mem;
	int i;

	if (id < 0)
		return -1;
	def = lsk_btf_skip_mods(obj->btf, btf__type_by_id(obj->btf, id)->type, NULL);
	mem = btf_members(def);
	for (i = 0; i < btf_vlen(def); i++, mem++)
		if (!strcmp(btf__name_by_offset(obj->btf, mem->name_off), "values"))
			return btf_member_bit_offset(def, i) / 8;
	return -1;
}

int lsk_read_map_inits(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	const struct lsk_elf_sec *rs;
	size_t i, nrel;

	if (r->elf->maps_idx < 0 || r->elf->secs[r->elf->maps_idx].rel_idx < 0)
		return 0;
	rs = &r->elf->secs[r->elf->secs[r->elf->maps_idx].rel_idx];
	nrel = rs->size / sizeof(Elf64_Rel);
	for (i = 0; i < nrel; i++) {
		const Elf64_Rel *rel = (const Elf64_Rel *)rs->data + i;
		size_t slot;
		struct lsk_map *m;
		const char *sname;
		long voff;
		GElf_Sym sym;
		int err, *ns;

		err = lsk_elf_sym(r->elf, ELF64_R_SYM(rel->r_info), &sym);
		if (err)
			return err;
		sname = lsk_elf_sym_name(r->elf, &sym);
		m = map_at(obj, rel->r_offset);
		if (!m)
			return lsk_err(EINVAL, "%s: .rel.maps: relocation at offset 0x%llx is in no map",
				       obj->path, (unsigned long long)rel->r_offset);
		voff = values_offset(obj, m);
		if (m->slot_kind == LSK_SLOT_NONE || voff < 0 ||
		    rel->r_offset < m->sec_off + voff || (rel->r_offset - m->sec_off - voff) % 8)
			return lsk_err(EINVAL, "%s: map '%s': relocation at offset 0x%llx is not a "
				       "'values' slot", obj->path, m->name,
				       (unsigned long long)rel->r_offset);
		slot = (rel->r_offset - m->sec_off - voff) / 8;
		if (slot >= m->max_entries)
			return lsk_err(EINVAL, "%s: map '%s': initialiser slot %zu beyond max_entries "
				       "%u", obj->path, m->name, slot, m->max_entries);
		if (slot >= (size_t)m->nr_init_slots) {
			char **nn = realloc(m->init_slot_names, (slot + 1) * sizeof(*nn));

			if (nn)
				m->init_slot_names = nn;
			ns = nn ? realloc(m->init_slots, (slot + 1) * sizeof(*ns)) : NULL;
			if (!ns)
				return lsk_err(ENOMEM, "%s: out of memory", obj->path);
			while ((size_t)m->nr_init_slots <= slot) {
				nn[m->nr_init_slots] = NULL;
				ns[m->nr_init_slots++] = -1;
			}
			m->init_slots = ns;
		}
		if (sym.st_shndx == SHN_UNDEF) {
			/* a program or map of another object: resolved when objects are chained */
			free(m->init_slot_names[slot]);
			m->init_slot_names[slot] = strdup(sname);
			if (!m->init_slot_names[slot])
				return lsk_err(ENOMEM, "%s: out of memory", obj->path);
			continue;
		}
		if (m->slot_kind == LSK_SLOT_PROG) {
			struct lsk_prog *p;

			if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx >= r->elf->nr_secs ||
			    r->sec_kind[sym.st_shndx] != LSK_SEC_PROG)
				return lsk_err(EINVAL, "%s: map '%s': slot %zu names '%s', which is not "
					       "a program", obj->path, m->name, slot, sname);
			p = lsk_find_prog_at(obj, sym.st_shndx, sym.st_value / 8);
			if (!p || p->is_subprog)
				return lsk_err(EINVAL, "%s: map '%s': slot %zu names '%s', which is not "
					       "an entry program", obj->path, m->name, slot, sname);
			m->init_slots[slot] = p - obj->progs;
		} else {
			struct lsk_map *target;

			if (sym.st_shndx != r->elf->maps_idx)
				return lsk_err(EINVAL, "%s: map '%s': slot %zu names '%s', which is not "
					       "a map", obj->path, m->name, slot, sname);
			target = map_at(obj, sym.st_value);
			if (!target)
				return lsk_err(EINVAL, "%s: map '%s': slot %zu names an unknown map",
					       obj->path, m->name, slot);
			if (target == m || target->slot_kind != LSK_SLOT_NONE)
				return lsk_err(EINVAL, "%s: map '%s': slot %zu names map '%s', which "
					       "cannot be an inner map", obj->path, m->name, slot,
					       target->name);
			m->init_slots[slot] = target - obj->maps;
		}
	}
	return 0;
}
