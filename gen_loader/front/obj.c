// SPDX-License-Identifier: BSD-2-Clause
/* Reading one BPF object: ELF -> BTF -> externs -> maps -> programs -> relocations -> link. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "obj_internal.h"
#include "err.h"

static void obj_name_from_path(const char *path, char *out, size_t n)
{
	const char *base = strrchr(path, '/');
	char *dot;

	snprintf(out, n, "%s", base ? base + 1 : path);
	dot = strchr(out, '.');
	if (dot)
		*dot = '\0';
}

static int read_license(struct lsk_reader *r)
{
	struct lsk_obj *obj = r->obj;
	const struct lsk_elf_sec *s;

	if (r->elf->license_idx >= 0) {
		s = &r->elf->secs[r->elf->license_idx];
		if (!s->data || !s->size || !memchr(s->data, '\0', s->size) ||
		    strlen(s->data) >= sizeof(obj->license))
			return lsk_err(EINVAL, "%s: section 'license': not a NUL-terminated string "
				       "of at most %zu bytes", obj->path, sizeof(obj->license) - 1);
		memcpy(obj->license, s->data, strlen(s->data) + 1);
	}
	if (r->elf->version_idx >= 0) {
		s = &r->elf->secs[r->elf->version_idx];
		if (s->size != 4)
			return lsk_err(EINVAL, "%s: section 'version': %zu bytes, not 4", obj->path,
				       s->size);
		memcpy(&obj->kern_version, s->data, 4);
	}
	return 0;
}

static void free_reader(struct lsk_reader *r)
{
	size_t i;

	if (r->relocs)
		for (i = 0; i < r->elf->nr_secs; i++)
			free(r->relocs[i]);
	free(r->relocs);
	free(r->nr_relocs);
	free(r->sec_kind);
	lsk_btf_ext_free(r->ext);
	lsk_elf_close(r->elf);	/* what the object keeps is copied out of it */
}

int lsk_obj_open_mem(const char *path, const void *buf, size_t size, struct lsk_obj **objp)
{
	struct lsk_reader r = {};
	struct lsk_obj *obj;
	int err;

	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return lsk_err(ENOMEM, "%s: out of memory", path);
	obj->kconfig_map = -1;
	obj->path = strdup(path);
	if (!obj->path) {
		free(obj);
		return lsk_err(ENOMEM, "%s: out of memory", path);
	}
	obj_name_from_path(path, obj->name, sizeof(obj->name));
	r.obj = obj;
	err = lsk_elf_open(obj->path, buf, size, &r.elf);
	if (err)
		goto out;
	r.sec_kind = calloc(r.elf->nr_secs + 1, sizeof(*r.sec_kind));
	r.relocs = calloc(r.elf->nr_secs + 1, sizeof(*r.relocs));
	r.nr_relocs = calloc(r.elf->nr_secs + 1, sizeof(*r.nr_relocs));
	if (!r.sec_kind || !r.relocs || !r.nr_relocs) {
		err = lsk_err(ENOMEM, "%s: out of memory", path);
		goto out;
	}
	err = read_license(&r);
	if (!err)
		err = lsk_read_btf(&r);
	if (!err)
		err = lsk_read_externs(&r);
	if (!err)
		err = lsk_read_maps(&r);
	if (!err)
		err = lsk_read_progs(&r);
	if (!err)
		err = lsk_read_relocs(&r);
	if (!err)
		err = lsk_read_map_inits(&r);
	if (!err)
		err = lsk_read_struct_ops(&r);
	if (!err)
		err = lsk_check_sections(&r);
	if (!err)
		err = lsk_link_progs(&r);
out:
	free_reader(&r);
	if (err) {
		lsk_obj_free(obj);
		return err;
	}
	*objp = obj;
	return 0;
}

int lsk_obj_open(const char *path, struct lsk_obj **objp)
{
	return lsk_obj_open_mem(path, NULL, 0, objp);
}

static void free_map(struct lsk_map *m)
{
	free(m->name);
	free(m->init_data);
	free(m->init_slots);
	if (m->init_slot_names)
		for (int i = 0; i < m->nr_init_slots; i++)
			free(m->init_slot_names[i]);
	free(m->init_slot_names);
	if (m->st_ops)
		free(m->st_ops->members);
	free(m->st_ops);
	if (m->inner) {
		free_map(m->inner);
		free(m->inner);
	}
}

void lsk_obj_free(struct lsk_obj *obj)
{
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->nr_maps; i++)
		free_map(&obj->maps[i]);
	free(obj->maps);
	for (i = 0; i < obj->nr_progs; i++) {
		struct lsk_prog *p = &obj->progs[i];

		free(p->name);
		free(p->sec_name);
		free(p->replace_func);
		free(p->insns);
		free(p->func_info);
		free(p->line_info);
		free(p->core_relos);
		free(p->refs);
	}
	free(obj->progs);
	for (i = 0; i < obj->nr_externs; i++)
		free(obj->externs[i].name);
	free(obj->externs);
	for (i = 0; i < obj->nr_unloaded; i++)
		free(obj->unloaded[i]);
	free(obj->unloaded);
	btf__free(obj->btf);
	free(obj->path);
	free(obj);
}
