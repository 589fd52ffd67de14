// SPDX-License-Identifier: BSD-2-Clause
/* Trace of an object's BTF and maps: creation (inner templates, the CPU count, the caller's
 * max_entries, a struct_ops map's kernel value type), initial values with the caller's
 * override or the kconfig fill in front, freeze, pinned-map reuse, and the slots naming the
 * object's own maps and programs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "trace_builder.h"
#include "err.h"

int lsk_tb_add_btf(struct lsk_tb *b)
{
	struct lsk_obj *obj = b->to->obj;
	const void *raw;
	__u32 size;
	char what[256];
	int op, c;

	b->to->btf_op = -1;
	if (!obj->btf)
		return 0;
	raw = btf__raw_data(obj->btf, &size);
	if (!raw)
		return lsk_tb_nomem(b);
	c = lsk_tb_chunk(b, raw, size, "btf");
	if (c < 0)
		return c;
	snprintf(what, sizeof(what), "BTF of object '%s'", obj->name);
	op = lsk_tb_bpf_op(b, BPF_BTF_LOAD, LSK_SUBJ_OBJ, 0, what);
	if (op < 0)
		return op;
	lsk_tb_attr(b, op)->btf_size = size;
	b->t->ops[op].makes_fd = true;
	b->to->btf_op = op;
	return lsk_tb_attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(btf), c);
}

static bool map_takes_btf(__u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
	case BPF_MAP_TYPE_PROG_ARRAY:	/* the kernel refuses BTF on fd arrays */
		return false;
	default:
		return true;
	}
}

/* The chunk holding the number of possible CPUs of the machine the load runs on (filled by
 * the runtime like a kconfig value), made by the first map that needs it. */
static int nr_cpus_chunk(struct lsk_tb *b, int map_idx, const char *map_what)
{
	struct lsk_kcfg_desc d = { .type = LSK_KCFG_INT, .sz = 4 };
	char what[300];
	int c, v, op;

	if (b->t->cpus_chunk > 0)
		return b->t->cpus_chunk;
	snprintf(d.name, sizeof(d.name), "%s", LSKEL_KCFG_NR_CPUS);
	c = lsk_tb_chunk(b, &d, sizeof(d), "kconfig descriptors");
	if (c < 0)
		return c;
	v = lsk_tb_chunk(b, NULL, 8, "number of possible CPUs");
	if (v < 0)
		return v;
	snprintf(what, sizeof(what), "number of possible CPUs (max_entries of %s)", map_what);
	op = lsk_tb_op(b, LSK_CMD_KCONFIG, LSK_SUBJ_MAP, map_idx, what);
	if (op < 0)
		return op;
	b->t->ops[op].kconfig.descs = c;
	b->t->ops[op].kconfig.dst = v;
	b->t->cpus_chunk = v;
	return v;
}

/* The max_entries of a .maps map is an input of the op: the caller may set
 * skel->maps.M.max_entries between open and load (0 keeps the compiled value). */
static int map_create_fixes(struct lsk_tb *b, const struct lsk_map *m, int idx, int op,
			    int inner_op, int cpus, bool tmpl)
{
	int err = 0;

	if (b->to->btf_op >= 0 && map_takes_btf(m->type) &&
	    (m->btf_key_type_id || m->btf_value_type_id))
		err = lsk_tb_attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(btf_fd), b->to->btf_op);
	if (!err && inner_op >= 0)
		err = lsk_tb_attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(inner_map_fd), inner_op);
	if (!err && cpus > 0)
		err = lsk_tb_attr_fix(b, op, LSK_FIX_U32, ATTR_OFF(max_entries), cpus);
	if (!err && !tmpl && m->kind == LSK_MAP_USER) {
		/* after the CPU count: the caller's value wins */
		b->to->max_input[idx] = b->t->nr_inputs++;
		err = lsk_tb_attr_fix(b, op, LSK_FIX_INPUT, ATTR_OFF(max_entries),
				      b->to->max_input[idx]);
	}
	return err;
}

/* MAP_CREATE of map @idx (or, @outer set, of @m: the inner template of @outer) with the
 * inner template's op @inner_op (-1: none); op index or negative errno. */
static int map_create(struct lsk_tb *b, const struct lsk_map *m, int idx, int inner_op,
		      const struct lsk_map *outer)
{
	union bpf_attr *a;
	char what[256];
	int op, err, cpus = -1;

	snprintf(what, sizeof(what), "map '%s' of object '%s'", m->name, b->to->obj->name);
	if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m->max_entries) {
		cpus = nr_cpus_chunk(b, idx, what);
		if (cpus < 0)
			return cpus;
	}
	if (outer)
		snprintf(what, sizeof(what), "inner map template of map '%s' of object '%s'",
			 outer->name, b->to->obj->name);
	op = lsk_tb_bpf_op(b, BPF_MAP_CREATE, LSK_SUBJ_MAP, idx, what);
	if (op < 0)
		return op;
	a = lsk_tb_attr(b, op);
	a->map_type = m->type;
	a->key_size = m->key_size;
	a->value_size = m->value_size;
	a->max_entries = m->max_entries;
	a->map_flags = m->map_flags;
	a->numa_node = m->numa_node;
	a->map_extra = m->map_extra;
	memcpy(a->map_name, m->kname, sizeof(a->map_name));
	if (b->to->btf_op >= 0 && map_takes_btf(m->type) &&
	    (m->btf_key_type_id || m->btf_value_type_id)) {
		a->btf_key_type_id = m->btf_key_type_id;
		a->btf_value_type_id = m->btf_value_type_id;
	}
	b->t->ops[op].makes_fd = true;
	err = map_create_fixes(b, m, idx, op, inner_op, cpus, outer != NULL);
	return err ? err : op;
}

/* The kconfig descriptors of the object's externs for KCONFIG op @op (reserved in front of
 * the update of the .kconfig map), filling value chunk @value_chunk. */
static int kconfig_fill(struct lsk_tb *b, int op, int value_chunk)
{
	struct lsk_obj *obj = b->to->obj;
	struct lsk_kcfg_desc *d;
	size_t i, n = 0;
	int c;

	d = calloc(obj->nr_externs + 1, sizeof(*d));
	if (!d)
		return lsk_tb_nomem(b);
	for (i = 0; i < obj->nr_externs; i++) {
		const struct lsk_extern *e = &obj->externs[i];

		if (e->kind != LSK_EXT_KCONFIG)
			continue;
		snprintf(d[n].name, sizeof(d[n].name), "%s", e->name);
		d[n].type = e->kcfg_type;
		d[n].off = e->kcfg_off;
		d[n].sz = e->kcfg_sz;
		d[n].is_signed = e->kcfg_signed;
		d[n].is_weak = e->is_weak;
		n++;
	}
	c = lsk_tb_chunk(b, d, n * sizeof(*d), "kconfig descriptors");
	free(d);
	if (c < 0)
		return c;
	b->t->ops[op].kconfig.descs = c;
	b->t->ops[op].kconfig.dst = value_chunk;
	return 0;
}

/* The initial value of map @i (created by op @op). In front of its update: the caller's
 * override (skel->rodata set between open and load), or for .kconfig the values filled in
 * at load time; that op is reserved first and completed once the value chunk exists. */
static int map_value(struct lsk_tb *b, size_t i, int op)
{
	const struct lsk_map *m = &b->to->obj->maps[i];
	bool kcfg = m->kind == LSK_MAP_KCONFIG;
	char what[256];
	int pre, vc, err;

	snprintf(what, sizeof(what), "initial value of map '%s' of object '%s'", m->name,
		 b->to->obj->name);
	pre = lsk_tb_op(b, kcfg ? LSK_CMD_KCONFIG : LSK_CMD_USER_INIT, LSK_SUBJ_MAP, i,
			kcfg ? ".kconfig values" : what);
	if (pre < 0)
		return pre;
	err = lsk_tb_map_update(b, op, what, 0, m->init_data, m->value_size, -1, 0, &vc);
	if (err)
		return err;
	if (kcfg)
		return kconfig_fill(b, pre, vc);
	b->t->ops[pre].user_init.dst = vc;
	b->t->ops[pre].user_init.input = b->t->nr_inputs;
	b->to->map_input[i] = b->t->nr_inputs++;
	return 0;
}

/* A struct_ops map is created with the object's BTF and the kernel's value type
 * bpf_struct_ops_NAME, looked up by name at load time in front of the creation. Its value
 * is set after the programs are loaded (trace_st_ops.c). */
static int st_ops_map(struct lsk_tb *b, size_t i)
{
	const struct lsk_map *m = &b->to->obj->maps[i];
	struct lsk_op_sym *s;
	char sym[128];
	int rop, op;

	if (b->to->btf_op < 0)
		return lsk_err(EINVAL, "%s: struct_ops '%s' needs the object's BTF",
			       b->to->obj->path, m->name);
	snprintf(sym, sizeof(sym), "bpf_struct_ops_%s", m->st_ops->type);
	rop = lsk_tb_resolve_op(b, LSK_CMD_BTF_ID, sym, "kernel value type '%s' of struct_ops "
				"'%s' of object '%s'", m->name, LSK_SUBJ_MAP, i);
	if (rop < 0)
		return rop;
	op = map_create(b, m, i, -1, NULL);	/* STRUCT_OPS: no max_entries input */
	if (op < 0)
		return op;
	b->to->map_op[i] = op;
	s = &b->t->ops[rop].sym;
	s->btf_kind = BTF_KIND_STRUCT;
	s->how = LSK_BTF_DST_U32;
	s->dst = b->t->ops[op].attr;
	s->dst_off = ATTR_OFF(btf_vmlinux_value_type_id);
	return lsk_tb_attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(btf_fd), b->to->btf_op);
}

/* Create map @i of the object with its initial value, kconfig values, caller's value and
 * freeze: every op a reused pinned map skips. */
static int add_map(struct lsk_tb *b, size_t i)
{
	struct lsk_obj *obj = b->to->obj;
	const struct lsk_map *m = &obj->maps[i];
	int inner = -1, op, err;
	char what[256];

	if (m->kind == LSK_MAP_STRUCT_OPS)
		return st_ops_map(b, i);
	if (m->inner) {
		inner = map_create(b, m->inner, i, -1, m);
		if (inner < 0)
			return inner;
	}
	op = map_create(b, m, i, inner, NULL);
	if (op < 0)
		return op;
	b->to->map_op[i] = op;
	if (inner >= 0) {
		int c;

		/* copy: adding an op may move the ops array */
		snprintf(what, sizeof(what), "%s", b->t->ops[inner].what);
		c = lsk_tb_op(b, LSK_CMD_CLOSE, LSK_SUBJ_MAP, i, what);
		if (c < 0)
			return c;
		b->t->ops[c].close.fd_op = inner;
	}
	if (m->kind == LSK_MAP_USER)
		return 0;
	err = map_value(b, i, op);
	if (err)
		return err;
	if (m->map_flags & BPF_F_RDONLY_PROG) {
		int f;

		snprintf(what, sizeof(what), "freeze of map '%s' of object '%s'", m->name,
			 obj->name);
		f = lsk_tb_bpf_op(b, BPF_MAP_FREEZE, LSK_SUBJ_MAP, i, what);
		if (f < 0)
			return f;
		err = lsk_tb_attr_fix(b, f, LSK_FIX_FD, ATTR_OFF(map_fd), op);
		if (err)
			return err;
	}
	return 0;
}

/* LIBBPF_PIN_BY_NAME: the runtime looks the pin up before the load and passes the pinned
 * map's id in an input slot; the loader then takes its fd and skips the creation. The op
 * comes first; the creation it skips is recorded after it (add_maps completes it). */
static int map_reuse(struct lsk_tb *b, size_t i)
{
	struct lsk_obj *obj = b->to->obj;
	char what[256];
	int op;

	snprintf(what, sizeof(what), "pinned map '%s' of object '%s'", obj->maps[i].name,
		 obj->name);
	op = lsk_tb_bpf_op(b, LSK_CMD_MAP_REUSE, LSK_SUBJ_MAP, i, what);
	if (op < 0)
		return op;
	b->t->ops[op].attr_size = offsetof(union bpf_attr, open_flags) + 4;
	b->t->ops[op].reuse.input = b->t->nr_inputs++;
	return op;
}

int lsk_tb_add_maps(struct lsk_tb *b)
{
	struct lsk_obj *obj = b->to->obj;
	size_t i;
	int err, reuse;

	for (i = 0; i < obj->nr_maps; i++) {
		if (b->c && b->c->alias[b->oi][i] >= 0) {
			/* the same map as an object loaded earlier: no creation of its own */
			b->to->map_op[i] = b->t->objs[b->c->alias_obj[b->oi][i]].map_op[
						b->c->alias[b->oi][i]];
			continue;
		}
		reuse = -1;
		if (obj->maps[i].pinning == LSK_PIN_BY_NAME) {
			reuse = map_reuse(b, i);
			if (reuse < 0)
				return reuse;
		}
		err = add_map(b, i);
		if (err)
			return err;
		if (reuse >= 0) {
			b->t->ops[reuse].reuse.map_op = b->to->map_op[i];
			b->t->ops[reuse].reuse.skip_to = b->t->nr_ops;
		}
	}
	return 0;
}

/* Slot @j of map @i, naming the object's own map or program @tgt. */
static int add_slot(struct lsk_tb *b, const struct lsk_map *m, size_t i, int j, int tgt)
{
	struct lsk_obj *obj = b->to->obj;
	bool prog = m->slot_kind == LSK_SLOT_PROG;
	char what[256];
	__u32 zero = 0;
	int src, skip = -1, err;

	if (prog) {
		skip = lsk_tb_skip_unless_asked(b->t, b->oi, tgt, "its prog-array slot");
		if (skip < -1)
			return skip;
	}
	src = prog ? b->to->prog_op[tgt] : b->to->map_op[tgt];
	snprintf(what, sizeof(what), "slot %d of map '%s' of object '%s' <- %s '%s'", j, m->name,
		 obj->name, prog ? "program" : "map",
		 prog ? obj->progs[tgt].name : obj->maps[tgt].name);
	err = lsk_tb_map_update(b, b->to->map_op[i], what, j, &zero, 4, src, 0, NULL);
	if (!err && skip >= 0)
		b->t->ops[skip].skip.skip_to = b->t->nr_ops;
	return err;
}

int lsk_tb_add_slots(struct lsk_tb *b, enum lsk_slot_kind kind)
{
	struct lsk_obj *obj = b->to->obj;
	size_t i;
	int j, err;

	for (i = 0; i < obj->nr_maps; i++) {
		const struct lsk_map *m = &obj->maps[i];

		if (m->slot_kind != kind)
			continue;
		for (j = 0; j < m->nr_init_slots; j++) {
			int tgt = m->init_slots[j];

			if (tgt < 0 || (m->init_slot_names && m->init_slot_names[j]))
				continue;
			err = add_slot(b, m, i, j, tgt);
			if (err)
				return err;
		}
	}
	return 0;
}
