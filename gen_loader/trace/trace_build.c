// SPDX-License-Identifier: BSD-2-Clause
/* Object model -> trace. Order per object: BTF, maps (inner templates, creation, initial
 * values, freeze), map-in-map slots, programs (with their load-time resolutions), prog-array
 * slots; the same order libbpf uses, so kernel state compares one to one. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "chain.h"
#include "ksym_share.h"
#include "trace.h"
#include "err.h"

#define ATTR_OFF(f) ((__u32)offsetof(union bpf_attr, f))

struct builder {
	struct lsk_trace *t;
	struct lsk_trace_obj *to;
	int oi;
	const struct lsk_chain *c;
	struct lsk_ksym_share *ks;
	int own[64];		/* lookups of a SEC("?...") program, closed after its load */
	size_t nr_own;
};

static int nomem(struct builder *b)
{
	return lsk_err(ENOMEM, "%s: out of memory building the trace", b->to->obj->path);
}

/* New bpf() op with a zeroed attr chunk; returns op index, attr pointer in *attr. */
static int bpf_op(struct builder *b, __u32 cmd, enum lsk_subject subj, int idx, const char *what,
		  union bpf_attr **attr)
{
	char label[40];
	int op, ch;

	op = lsk_trace_add_op(b->t, cmd, b->oi, subj, idx, what);
	if (op < 0)
		return nomem(b);
	snprintf(label, sizeof(label), "attr op %d", op);
	ch = lsk_trace_add_chunk(b->t, NULL, sizeof(union bpf_attr), label);
	if (ch < 0)
		return nomem(b);
	b->t->ops[op].attr = ch;
	b->t->ops[op].attr_size = sizeof(union bpf_attr);
	*attr = b->t->chunks[ch].data;
	return op;
}

static union bpf_attr *attr_of(struct builder *b, int op)
{
	return b->t->chunks[b->t->ops[op].attr].data;
}

static int fix(struct builder *b, int op, enum lsk_fix_kind kind, int chunk, __u32 off, int src)
{
	return lsk_trace_add_fix(b->t, op, kind, chunk, off, src) ? nomem(b) : 0;
}

static int attr_fix(struct builder *b, int op, enum lsk_fix_kind kind, __u32 off, int src)
{
	return fix(b, op, kind, b->t->ops[op].attr, off, src);
}

static int chunk(struct builder *b, const void *data, size_t size, const char *label)
{
	int c = lsk_trace_add_chunk(b->t, data, size, label);

	return c < 0 ? nomem(b) : c;
}

static int add_btf(struct builder *b)
{
	struct lsk_obj *obj = b->to->obj;
	union bpf_attr *a;
	const void *raw;
	__u32 size;
	char what[256];
	int op, c;

	b->to->btf_op = -1;
	if (!obj->btf)
		return 0;
	raw = btf__raw_data(obj->btf, &size);
	if (!raw)
		return nomem(b);
	c = chunk(b, raw, size, "btf");
	if (c < 0)
		return c;
	snprintf(what, sizeof(what), "BTF of object '%s'", obj->name);
	op = bpf_op(b, BPF_BTF_LOAD, LSK_SUBJ_OBJ, 0, what, &a);
	if (op < 0)
		return op;
	a = attr_of(b, op);
	a->btf_size = size;
	b->t->ops[op].makes_fd = true;
	b->to->btf_op = op;
	return attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(btf), c);
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
static int nr_cpus_chunk(struct builder *b, int map_idx, const char *map_what)
{
	struct lsk_kcfg_desc d = { .type = LSK_KCFG_INT, .sz = 4 };
	char what[300];
	int c, v, op;

	if (b->t->cpus_chunk > 0)
		return b->t->cpus_chunk;
	snprintf(d.name, sizeof(d.name), "%s", LSKEL_KCFG_NR_CPUS);
	c = chunk(b, &d, sizeof(d), "kconfig descriptors");
	if (c < 0)
		return c;
	v = chunk(b, NULL, 8, "number of possible CPUs");
	if (v < 0)
		return v;
	snprintf(what, sizeof(what), "number of possible CPUs (max_entries of %s)", map_what);
	op = lsk_trace_add_op(b->t, LSK_CMD_KCONFIG, b->oi, LSK_SUBJ_MAP, map_idx, what);
	if (op < 0)
		return nomem(b);
	b->t->ops[op].name = c;
	b->t->ops[op].dst = v;
	b->t->cpus_chunk = v;
	return v;
}

/* Map @idx of the object, or its inner map template (@tmpl). The max_entries of a .maps map
 * is an input of the op: the caller may set skel->maps.M.max_entries between open and load
 * (0 keeps the compiled value). */
static int map_create(struct builder *b, const struct lsk_map *m, int idx, int inner_op,
		      bool tmpl)
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
	op = bpf_op(b, BPF_MAP_CREATE, LSK_SUBJ_MAP, idx, what, &a);
	if (op < 0)
		return op;
	a = attr_of(b, op);
	a->map_type = m->type;
	a->key_size = m->key_size;
	a->value_size = m->value_size;
	a->max_entries = m->max_entries;
	a->map_flags = m->map_flags;
	a->numa_node = m->numa_node;
	a->map_extra = m->map_extra;
	memcpy(a->map_name, m->kname, sizeof(a->map_name));
	b->t->ops[op].makes_fd = true;
	if (b->to->btf_op >= 0 && map_takes_btf(m->type) &&
	    (m->btf_key_type_id || m->btf_value_type_id)) {
		a->btf_key_type_id = m->btf_key_type_id;
		a->btf_value_type_id = m->btf_value_type_id;
		err = attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(btf_fd), b->to->btf_op);
		if (err)
			return err;
	}
	if (inner_op >= 0) {
		err = attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(inner_map_fd), inner_op);
		if (err)
			return err;
	}
	if (cpus > 0) {
		err = attr_fix(b, op, LSK_FIX_U32, ATTR_OFF(max_entries), cpus);
		if (err)
			return err;
	}
	if (!tmpl && m->kind == LSK_MAP_USER) {
		/* after the CPU count: the caller's value wins */
		b->to->max_input[idx] = b->t->nr_inputs++;
		err = attr_fix(b, op, LSK_FIX_INPUT, ATTR_OFF(max_entries), b->to->max_input[idx]);
		if (err)
			return err;
	}
	return op;
}

/* MAP_UPDATE_ELEM of @map_op: key @key (u32), value either bytes or an fd of op @fd_op. */
static int map_update(struct builder *b, int map_op, const char *what, __u32 key,
		      const void *value, size_t value_size, int fd_op, __u64 flags)
{
	union bpf_attr *a;
	int op, kc, vc, err;

	kc = chunk(b, &key, sizeof(key), "key");
	if (kc < 0)
		return kc;
	vc = chunk(b, value, value_size, "value");
	if (vc < 0)
		return vc;
	op = bpf_op(b, BPF_MAP_UPDATE_ELEM, b->t->ops[map_op].subj, b->t->ops[map_op].idx, what,
		    &a);
	if (op < 0)
		return op;
	a = attr_of(b, op);
	a->flags = flags;
	err = attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(map_fd), map_op);
	err = err ?: attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(key), kc);
	err = err ?: attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(value), vc);
	if (!err && fd_op >= 0)
		err = fix(b, op, LSK_FIX_FD, vc, 0, fd_op);
	return err;
}

/* Let the caller override the initial value just recorded (skel->rodata set between open
 * and load): a USER_INIT op in front of the MAP_UPDATE_ELEM that was added last. */
static int user_init(struct builder *b, int map_idx, const char *what)
{
	int upd = b->t->nr_ops - 1;
	int vc = b->t->nr_chunks - 2;	/* the update's value chunk precedes its attr chunk */
	struct lsk_op tmp;
	int op;

	op = lsk_trace_add_op(b->t, LSK_CMD_USER_INIT, b->oi, LSK_SUBJ_MAP, map_idx, what);
	if (op < 0)
		return nomem(b);
	b->t->ops[op].dst = vc;
	b->t->ops[op].src = b->t->nr_inputs;
	b->to->map_input[map_idx] = b->t->nr_inputs++;
	tmp = b->t->ops[upd];
	b->t->ops[upd] = b->t->ops[op];
	b->t->ops[op] = tmp;
	return 0;
}

static int kconfig_fill(struct builder *b, const struct lsk_map *m, int value_chunk)
{
	struct lsk_obj *obj = b->to->obj;
	struct lsk_kcfg_desc *d;
	size_t i, n = 0;
	int op, c;

	d = calloc(obj->nr_externs + 1, sizeof(*d));
	if (!d)
		return nomem(b);
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
	c = chunk(b, d, n * sizeof(*d), "kconfig descriptors");
	free(d);
	if (c < 0)
		return c;
	op = lsk_trace_add_op(b->t, LSK_CMD_KCONFIG, b->oi, LSK_SUBJ_MAP, m - obj->maps,
			      ".kconfig values");
	if (op < 0)
		return nomem(b);
	b->t->ops[op].name = c;
	b->t->ops[op].dst = value_chunk;
	return 0;
}

static int resolve_op(struct builder *b, __u32 cmd, const char *sym, const char *what_fmt,
		      const char *pname, int ext);

/* A struct_ops map (obj_struct_ops.c) is created with the object's BTF and the kernel's value
 * type bpf_struct_ops_NAME, looked up by name at load time in front of the creation. Its value
 * is set after the programs are loaded (add_st_ops_values). */
static int st_ops_map(struct builder *b, size_t i)
{
	const struct lsk_map *m = &b->to->obj->maps[i];
	char sym[128];
	int rop, op;

	if (b->to->btf_op < 0)
		return lsk_err(EINVAL, "%s: struct_ops '%s' needs the object's BTF",
			       b->to->obj->path, m->name);
	snprintf(sym, sizeof(sym), "bpf_struct_ops_%s", m->st_ops->type);
	rop = resolve_op(b, LSK_CMD_BTF_ID, sym, "kernel value type '%s' of struct_ops '%s' of "
			 "object '%s'", m->name, -1);
	if (rop < 0)
		return rop;
	op = map_create(b, m, i, -1, false);	/* LSK_MAP_STRUCT_OPS: no max_entries input */
	if (op < 0)
		return op;
	b->to->map_op[i] = op;
	b->t->ops[rop].subj = LSK_SUBJ_MAP;
	b->t->ops[rop].idx = i;
	b->t->ops[rop].btf_kind = BTF_KIND_STRUCT;
	b->t->ops[rop].btf_dst = LSK_BTF_DST_U32;
	b->t->ops[rop].dst = b->t->ops[op].attr;
	b->t->ops[rop].dst_off = ATTR_OFF(btf_vmlinux_value_type_id);
	return attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(btf_fd), b->to->btf_op);
}

/* Create map @i of the object with its initial value, kconfig values, caller's value and
 * freeze: every op a reused pinned map skips. */
static int add_map(struct builder *b, size_t i)
{
	struct lsk_obj *obj = b->to->obj;
	const struct lsk_map *m = &obj->maps[i];
	int inner = -1, op, err;
	char what[256];

	if (m->kind == LSK_MAP_STRUCT_OPS)
		return st_ops_map(b, i);
	if (m->inner) {
		inner = map_create(b, m->inner, i, -1, true);
		if (inner < 0)
			return inner;
		snprintf(b->t->ops[inner].what, sizeof(b->t->ops[inner].what),
			 "inner map template of map '%s' of object '%s'", m->name, obj->name);
	}
	op = map_create(b, m, i, inner, false);
	if (op < 0)
		return op;
	b->to->map_op[i] = op;
	if (inner >= 0) {
		int c;

		/* copy: adding an op may move the ops array */
		snprintf(what, sizeof(what), "%s", b->t->ops[inner].what);
		c = lsk_trace_add_op(b->t, LSK_CMD_CLOSE, b->oi, LSK_SUBJ_MAP, i, what);

		if (c < 0)
			return nomem(b);
		b->t->ops[c].src = inner;
	}
	if (m->kind == LSK_MAP_USER)
		return 0;
	snprintf(what, sizeof(what), "initial value of map '%s' of object '%s'", m->name,
		 obj->name);
	err = map_update(b, op, what, 0, m->init_data, m->value_size, -1, 0);
	if (err)
		return err;
	if (m->kind != LSK_MAP_KCONFIG) {
		err = user_init(b, i, what);
		if (err)
			return err;
	}
	if (m->kind == LSK_MAP_KCONFIG) {
		/* the value chunk was the last one added; fill it before the update */
		int upd = b->t->nr_ops - 1;
		int vc = b->t->nr_chunks - 2;	/* value chunk precedes the attr chunk */
		struct lsk_op tmp;

		err = kconfig_fill(b, m, vc);
		if (err)
			return err;
		/* swap so KCONFIG runs before the update */
		tmp = b->t->ops[upd];
		b->t->ops[upd] = b->t->ops[upd + 1];
		b->t->ops[upd + 1] = tmp;
	}
	if (m->map_flags & BPF_F_RDONLY_PROG) {
		union bpf_attr *a;
		int f;

		snprintf(what, sizeof(what), "freeze of map '%s' of object '%s'", m->name,
			 obj->name);
		f = bpf_op(b, BPF_MAP_FREEZE, LSK_SUBJ_MAP, i, what, &a);
		if (f < 0)
			return f;
		err = attr_fix(b, f, LSK_FIX_FD, ATTR_OFF(map_fd), op);
		if (err)
			return err;
	}
	return 0;
}

/* LIBBPF_PIN_BY_NAME: the runtime looks the pin up before the load and passes the pinned
 * map's id in an input slot; the loader then takes its fd and skips the creation. */
static int map_reuse(struct builder *b, size_t i)
{
	struct lsk_obj *obj = b->to->obj;
	union bpf_attr *a;
	char what[256];
	int op;

	snprintf(what, sizeof(what), "pinned map '%s' of object '%s'", obj->maps[i].name,
		 obj->name);
	op = bpf_op(b, LSK_CMD_MAP_REUSE, LSK_SUBJ_MAP, i, what, &a);
	if (op < 0)
		return op;
	b->t->ops[op].attr_size = offsetof(union bpf_attr, open_flags) + 4;
	b->t->ops[op].src = b->t->nr_inputs++;
	return op;
}

static int add_maps(struct builder *b)
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
			b->t->ops[reuse].dst = b->to->map_op[i];
			b->t->ops[reuse].skip_to = b->t->nr_ops;
		}
	}
	return 0;
}

/* SEC("?...") program @pi of object @oi: an op that skips what follows (its load, or an
 * update naming it) unless the caller asked for it; the caller sets skip_to. -1: none. */
static int skip_unless_asked(struct lsk_trace *t, int oi, int pi, const char *what)
{
	const struct lsk_prog *p = &t->objs[oi].obj->progs[pi];
	char w[300];
	int op;

	if (!p->optional)
		return -1;
	snprintf(w, sizeof(w), "autoload of program '%s' of object '%s' (section '%s'): %s",
		 p->name, t->objs[oi].obj->name, p->sec_name, what);
	op = lsk_trace_add_op(t, LSK_CMD_SKIP, oi, LSK_SUBJ_PROG, pi, w);
	if (op < 0)
		return lsk_err(ENOMEM, "out of memory building the trace");
	t->ops[op].src = t->objs[oi].prog_input[pi];
	return op;
}

static int add_slots(struct builder *b, enum lsk_slot_kind kind)
{
	struct lsk_obj *obj = b->to->obj;
	size_t i;
	int j, err;

	for (i = 0; i < obj->nr_maps; i++) {
		const struct lsk_map *m = &obj->maps[i];

		if (m->slot_kind != kind)
			continue;
		for (j = 0; j < m->nr_init_slots; j++) {
			int src, tgt = m->init_slots[j];
			char what[256];
			__u32 zero = 0;

			int skip = -1;

			if (tgt < 0 || (m->init_slot_names && m->init_slot_names[j]))
				continue;
			if (kind == LSK_SLOT_PROG) {
				skip = skip_unless_asked(b->t, b->oi, tgt, "its prog-array slot");
				if (skip < -1)
					return skip;
			}
			src = kind == LSK_SLOT_PROG ? b->to->prog_op[tgt] : b->to->map_op[tgt];
			snprintf(what, sizeof(what), "slot %d of map '%s' of object '%s' <- %s '%s'",
				 j, m->name, obj->name, kind == LSK_SLOT_PROG ? "program" : "map",
				 kind == LSK_SLOT_PROG ? obj->progs[tgt].name : obj->maps[tgt].name);
			err = map_update(b, b->to->map_op[i], what, j, &zero, 4, src, 0);
			if (err)
				return err;
			if (skip >= 0)
				b->t->ops[skip].skip_to = b->t->nr_ops;
		}
	}
	return 0;
}

static int resolve_op(struct builder *b, __u32 cmd, const char *sym, const char *what_fmt,
		      const char *pname, int ext)
{
	char what[256];
	int op, c;

	c = chunk(b, sym, strlen(sym) + 1, "symbol name");
	if (c < 0)
		return c;
	snprintf(what, sizeof(what), what_fmt, sym, pname, b->to->obj->name);
	op = lsk_trace_add_op(b->t, cmd, b->oi, ext >= 0 ? LSK_SUBJ_EXTERN : LSK_SUBJ_PROG,
			      ext, what);
	if (op < 0)
		return nomem(b);
	b->t->ops[op].name = c;
	return op;
}

/* Attach target name and BTF kind as libbpf resolves SEC("tp_btf/x"), fentry, lsm, iter. */
static int attach_btf_name(const struct lsk_prog *p, char *buf, size_t n, __u32 *kind)
{
	*kind = BTF_KIND_FUNC;
	if (p->type == BPF_PROG_TYPE_STRUCT_OPS) {	/* the kernel struct it implements */
		*kind = BTF_KIND_STRUCT;
		return snprintf(buf, n, "%s", p->attach_target);
	}
	if (p->type == BPF_PROG_TYPE_TRACING && p->expected_attach_type == BPF_TRACE_RAW_TP) {
		*kind = BTF_KIND_TYPEDEF;
		return snprintf(buf, n, "btf_trace_%s", p->attach_target);
	}
	if (p->type == BPF_PROG_TYPE_LSM)
		return snprintf(buf, n, "bpf_lsm_%s", p->attach_target);
	if (p->type == BPF_PROG_TYPE_TRACING && p->expected_attach_type == BPF_TRACE_ITER)
		return snprintf(buf, n, "bpf_iter_%s", p->attach_target);
	return snprintf(buf, n, "%s", p->attach_target);
}

/* A ksym, kfunc or attach target found in a module leaves that module's BTF fd in the fd-table
 * slot of the op that looked it up (fd_array for kfuncs). The verifier takes its own
 * reference at PROG_LOAD, so the fd is closed right after the load of the last program using
 * the symbol; a vmlinux symbol leaves no fd and its CLOSE does nothing. (On failure the
 * loader closes every fd anyway.) */
static int close_op(struct builder *b, int rop, int prog_op, const char *prog)
{
	char what[256];
	int c;

	snprintf(what, sizeof(what), "module BTF (if any) of '%s', last used by program '%s' of "
		 "object '%s'", (const char *)b->t->chunks[b->t->ops[rop].name].data, prog,
		 b->to->obj->name);
	c = lsk_trace_add_op(b->t, LSK_CMD_CLOSE, b->oi, LSK_SUBJ_PROG, b->t->ops[prog_op].idx,
			     what);
	if (c < 0)
		return nomem(b);
	b->t->ops[c].src = rop;
	return 0;
}

static int close_module_btfs(struct builder *b, int attach_op, int prog_op, const char *prog)
{
	size_t i;
	int err = attach_op >= 0 ? close_op(b, attach_op, prog_op, prog) : 0;

	for (i = 0; !err && i < b->ks->n; i++) {
		if (!b->ks->u[i].done_in_prog)
			continue;
		b->ks->u[i].done_in_prog = false;
		err = close_op(b, b->ks->u[i].op, prog_op, prog);
	}
	for (i = 0; !err && i < b->nr_own; i++)
		err = close_op(b, b->own[i], prog_op, prog);
	b->nr_own = 0;
	return err;
}

/* A BTF_ID op looking up @e for reference @r of program @p, its result written into the
 * program's instructions (chunk @ic); returns the op or a negative errno. */
static int ksym_lookup_op(struct builder *b, const struct lsk_prog *p, const struct lsk_ref *r,
			  const struct lsk_extern *e, __u32 kind, bool weak, int ic)
{
	struct lsk_op *o;
	int rop;

	rop = resolve_op(b, LSK_CMD_BTF_ID, e->name,
			 "BTF id of ksym '%s' for program '%s' of object '%s'", p->name,
			 r->obj >= 0 ? -1 : r->idx);
	if (rop < 0)
		return rop;
	o = &b->t->ops[rop];
	o->weak = weak;
	o->btf_kind = kind;
	o->btf_dst = r->kind == LSK_REF_KFUNC ? LSK_BTF_DST_KFUNC : LSK_BTF_DST_LDIMM64;
	o->dst = ic;
	o->dst_off = r->insn_idx * sizeof(struct bpf_insn);
	return rop;
}

/* Typed ksym or kfunc reference (extern @e of the reference's object): the first one of a
 * symbol looks it up and keeps the result in a cell, later ones (any program, any object)
 * reuse it. */
static int ksym_btf_op(struct builder *b, const struct lsk_prog *p, const struct lsk_ref *r,
		       const struct lsk_extern *e, int ic)
{
	__u32 kind = e->is_func ? BTF_KIND_FUNC : BTF_KIND_VAR;
	struct lsk_ksym_use *u = lsk_ksym_share_find(b->ks, e->name, kind);
	struct lsk_op *o;
	int rop, cell;

	if (p->optional) {	/* may be skipped: shares no lookup, closes its own fds */
		if (b->nr_own == sizeof(b->own) / sizeof(b->own[0]))
			return lsk_err(E2BIG, "%s: program '%s' (SEC(\"%s\")) uses more than %zu "
				       "kernel symbols by BTF id", b->to->obj->path, p->name,
				       p->sec_name, sizeof(b->own) / sizeof(b->own[0]));
		rop = ksym_lookup_op(b, p, r, e, kind, e->is_weak, ic);
		if (rop < 0)
			return rop;
		b->own[b->nr_own++] = rop;
		return 0;
	}
	if (!u)
		return lsk_err(EINVAL, "internal: ksym '%s' of program '%s' was not counted",
			       e->name, p->name);
	rop = ksym_lookup_op(b, p, r, e, kind, u->weak, ic);
	if (rop < 0)
		return rop;
	o = &b->t->ops[rop];
	if (u->op < 0) {
		cell = lsk_trace_add_chunk(b->t, NULL, 8, "ksym lookup result");
		if (cell < 0)
			return nomem(b);
		b->t->ops[rop].cell = cell;
		u->op = rop;
	} else {
		o->same_as = u->op;
		o->cell = b->t->ops[u->op].cell;
	}
	if (--u->left == 0)
		u->done_in_prog = true;
	return 0;
}

static int add_prog(struct builder *b, size_t pi)
{
	struct lsk_obj *obj = b->to->obj;
	struct lsk_prog *p = &obj->progs[pi];
	struct bpf_insn *insns;
	union bpf_attr *a;
	const char *lic;
	int op, ic, lc, c, err = 0;
	size_t i;
	char what[256];

	ic = chunk(b, p->insns, p->insn_cnt * sizeof(*p->insns), "insns");
	if (ic < 0)
		return ic;
	/* a --dynamic definition from an object without a license runs as part of its target */
	lic = p->dyn_target && !obj->license[0] ? b->t->objs[p->dyn_tobj].obj->license :
						  obj->license;
	lc = chunk(b, lic, strlen(lic) + 1, "license");
	if (lc < 0)
		return lc;
	/* Instructions referencing maps name them by fd table slot (BPF_PSEUDO_MAP_IDX): no
	 * per-instruction fd patching at load time. */
	for (i = 0; i < p->nr_refs; i++) {
		const struct lsk_ref *r = &p->refs[i];
		/* code composed in from another object names that object's maps and externs */
		const struct lsk_trace_obj *rto = r->obj >= 0 ? &b->t->objs[r->obj] : b->to;
		const struct lsk_obj *ro = rto->obj;
		const struct lsk_extern *e;
		int rop;

		insns = b->t->chunks[ic].data;
		switch (r->kind) {
		case LSK_REF_MAP_FD:
			insns[r->insn_idx].src_reg = BPF_PSEUDO_MAP_IDX;
			insns[r->insn_idx].imm = rto->map_op[r->idx];
			break;
		case LSK_REF_MAP_VALUE:
			insns[r->insn_idx].src_reg = BPF_PSEUDO_MAP_IDX_VALUE;
			insns[r->insn_idx].imm = rto->map_op[r->idx];
			break;
		case LSK_REF_KCONFIG:
			insns[r->insn_idx].src_reg = BPF_PSEUDO_MAP_IDX_VALUE;
			insns[r->insn_idx].imm = rto->map_op[ro->kconfig_map];
			break;
		case LSK_REF_KSYM_ADDR:
			e = &ro->externs[r->idx];
			rop = resolve_op(b, LSK_CMD_KSYM_ADDR, e->name,
					 "address of ksym '%s' for program '%s' of object '%s'",
					 p->name, r->obj >= 0 ? -1 : r->idx);
			if (rop < 0)
				return rop;
			b->t->ops[rop].weak = e->is_weak;
			b->t->ops[rop].dst = ic;
			b->t->ops[rop].dst_off = r->insn_idx * sizeof(struct bpf_insn);
			break;
		case LSK_REF_KSYM_BTF:
		case LSK_REF_KFUNC:
			err = ksym_btf_op(b, p, r, &ro->externs[r->idx], ic);
			if (err)
				return err;
			if (r->kind == LSK_REF_KSYM_BTF)
				insns[r->insn_idx].src_reg = BPF_PSEUDO_BTF_ID;
			break;
		case LSK_REF_EXT_CALL:
			return lsk_err(ENOENT, "%s: program '%s' calls extern function '%s', defined "
				       "by none of the objects given", obj->path, p->name,
				       ro->externs[r->idx].name);
		}
	}
	snprintf(what, sizeof(what), "program '%s' of object '%s'", p->name, obj->name);
	op = bpf_op(b, BPF_PROG_LOAD, LSK_SUBJ_PROG, pi, what, &a);
	if (op < 0)
		return op;
	b->t->ops[op].makes_fd = true;
	b->to->prog_op[pi] = op;
	a = attr_of(b, op);
	a->prog_type = p->type;
	a->insn_cnt = p->insn_cnt;
	a->prog_flags = p->prog_flags;
	a->expected_attach_type = p->expected_attach_type;
	a->kern_version = obj->kern_version;
	snprintf(a->prog_name, sizeof(a->prog_name), "%s", p->name);
	err = attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(insns), ic);
	err = err ?: attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(license), lc);
	err = err ?: attr_fix(b, op, LSK_FIX_FDTAB, ATTR_OFF(fd_array), 0);
	if (err)
		return err;
	if (b->to->btf_op >= 0) {
		err = attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(prog_btf_fd), b->to->btf_op);
		if (err)
			return err;
		if (p->nr_func_info) {
			c = chunk(b, p->func_info, p->nr_func_info * sizeof(*p->func_info),
				  "func_info");
			if (c < 0)
				return c;
			a = attr_of(b, op);
			a->func_info_rec_size = sizeof(*p->func_info);
			a->func_info_cnt = p->nr_func_info;
			err = attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(func_info), c);
		}
		if (!err && p->nr_line_info) {
			c = chunk(b, p->line_info, p->nr_line_info * sizeof(*p->line_info),
				  "line_info");
			if (c < 0)
				return c;
			a = attr_of(b, op);
			a->line_info_rec_size = sizeof(*p->line_info);
			a->line_info_cnt = p->nr_line_info;
			err = attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(line_info), c);
		}
		if (!err && p->nr_core_relos) {
			c = chunk(b, p->core_relos, p->nr_core_relos * sizeof(*p->core_relos),
				  "core_relos");
			if (c < 0)
				return c;
			a = attr_of(b, op);
			a->core_relo_rec_size = sizeof(*p->core_relos);
			a->core_relo_cnt = p->nr_core_relos;
			err = attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(core_relos), c);
		}
		if (err)
			return err;
	} else if (p->nr_core_relos) {
		return lsk_err(EINVAL, "%s: program '%s' has CO-RE relocations but the object has no "
			       "BTF", obj->path, p->name);
	}
	if (p->type == BPF_PROG_TYPE_EXT) {
		const struct lsk_chain_target *ct = lsk_chain_target_of(b->c, b->oi, pi);

		if (!ct)
			return lsk_err(ENOENT, "%s: program '%s' (freplace) has no target",
				       obj->path, p->name);
		/* the target's BTF id is known now; its fd comes from the fd table */
		attr_of(b, op)->attach_btf_id = ct->btf_id;
		err = attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(attach_prog_fd),
			       b->t->objs[ct->tobj].prog_op[ct->tprog]);
		return err ?: close_module_btfs(b, -1, op, p->name);
	}
	if (p->attach_btf) {
		char sym[128];
		__u32 kind;
		int rop;

		attach_btf_name(p, sym, sizeof(sym), &kind);
		/* The resolution must run before the load: move it in front. */
		rop = resolve_op(b, LSK_CMD_BTF_ID, sym,
				 "attach target '%s' of program '%s' of object '%s'", p->name, -1);
		if (rop < 0)
			return rop;
		b->t->ops[rop].idx = pi;
		b->t->ops[rop].btf_kind = kind;
		b->t->ops[rop].btf_dst = LSK_BTF_DST_U32;
		b->t->ops[rop].dst = b->t->ops[op].attr;
		b->t->ops[rop].dst_off = ATTR_OFF(attach_btf_id);
		{
			struct lsk_op tmp = b->t->ops[rop];

			memmove(&b->t->ops[op + 1], &b->t->ops[op], sizeof(tmp));
			b->t->ops[op] = tmp;
			b->to->prog_op[pi] = op + 1;
		}
		return close_module_btfs(b, op, op + 1, p->name);
	}
	return close_module_btfs(b, -1, op, p->name);
}

/* The caller's edits of a struct_ops map's data members (skel->struct_ops.NAME, the struct
 * as the object lays it out): one USER_INIT per run of adjacent data members, copied into
 * the value at the data offset. Function-pointer members and holes are never copied. */
static int st_ops_user_init(struct builder *b, size_t i, int vc, int slot)
{
	const struct lsk_st_ops *st = b->to->obj->maps[i].st_ops;
	char what[256];
	int k = 0, j, op;

	while (k < st->nr_members) {
		__u32 start, end;

		if (st->members[k].is_func || !st->members[k].size) {
			k++;
			continue;
		}
		start = st->members[k].off;
		end = start + st->members[k].size;
		for (j = k + 1; j < st->nr_members && !st->members[j].is_func &&
		     st->members[j].off == end; j++)
			end += st->members[j].size;
		snprintf(what, sizeof(what), "caller's value of members '%s'..'%s' of struct_ops "
			 "'%s' of object '%s'", st->members[k].name, st->members[j - 1].name,
			 b->to->obj->maps[i].name, b->to->obj->name);
		op = lsk_trace_add_op(b->t, LSK_CMD_USER_INIT, b->oi, LSK_SUBJ_MAP, i, what);
		if (op < 0)
			return nomem(b);
		b->t->ops[op].dst = vc;
		b->t->ops[op].dst_off = st->data_off + start;
		b->t->ops[op].src = slot;
		b->t->ops[op].user_off = start;
		b->t->ops[op].user_size = end - start;
		k = j;
	}
	return 0;
}

/* A registered plain struct_ops map stays registered when its fd is closed: if a later op
 * fails, the loader deletes its value (unregisters it) before closing the fds. The attr
 * is filled by the update's own fixups, so it is complete exactly when the update ran. */
static int st_ops_undo(struct builder *b, int op, size_t i, int kc)
{
	int c = chunk(b, NULL, offsetof(union bpf_attr, flags), "unregister attr");
	int err;

	if (c < 0)
		return c;
	b->t->ops[op].undo = c;
	err = fix(b, op, LSK_FIX_FD, c, ATTR_OFF(map_fd), b->to->map_op[i]);
	return err ?: fix(b, op, LSK_FIX_PTR, c, ATTR_OFF(key), kc);
}

/* struct_ops values, after the programs: the object's data with the caller's edits, program
 * fds in the function-pointer members. The update registers a plain .struct_ops map with the
 * kernel; a .struct_ops.link one is registered by the link __attach creates. */
static int add_st_ops_values(struct builder *b)
{
	struct lsk_obj *obj = b->to->obj;
	size_t i;
	int j, err;

	for (i = 0; i < obj->nr_maps; i++) {
		const struct lsk_map *m = &obj->maps[i];
		__u32 zero = 0;
		union bpf_attr *a;
		char what[256];
		int kc, vc, op;

		if (m->kind != LSK_MAP_STRUCT_OPS)
			continue;
		kc = chunk(b, &zero, sizeof(zero), "key");
		vc = kc < 0 ? kc : chunk(b, m->init_data, m->value_size, "struct_ops value");
		if (vc < 0)
			return vc;
		b->to->map_input[i] = b->t->nr_inputs++;
		err = st_ops_user_init(b, i, vc, b->to->map_input[i]);
		if (err)
			return err;
		snprintf(what, sizeof(what), "value of struct_ops '%s' (struct %s) of object '%s'%s",
			 m->name, m->st_ops->type, obj->name, m->st_ops->link ? "" :
			 ": registers it");
		op = bpf_op(b, BPF_MAP_UPDATE_ELEM, LSK_SUBJ_MAP, i, what, &a);
		if (op < 0)
			return op;
		err = attr_fix(b, op, LSK_FIX_FD, ATTR_OFF(map_fd), b->to->map_op[i]);
		err = err ?: attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(key), kc);
		err = err ?: attr_fix(b, op, LSK_FIX_PTR, ATTR_OFF(value), vc);
		if (!err && !m->st_ops->link)
			err = st_ops_undo(b, op, i, kc);
		for (j = 0; !err && j < m->st_ops->nr_members; j++) {
			const struct lsk_st_member *sm = &m->st_ops->members[j];

			if (sm->prog >= 0)
				err = fix(b, op, LSK_FIX_FD, vc, m->st_ops->data_off + sm->off,
					  b->to->prog_op[sm->prog]);
		}
		if (err)
			return err;
	}
	return 0;
}

static int build_obj(struct builder *b)
{
	struct lsk_obj *obj = b->to->obj;
	size_t i;
	int err;

	b->to->map_op = malloc((obj->nr_maps + 1) * sizeof(int));
	b->to->map_input = malloc((obj->nr_maps + 1) * sizeof(int));
	b->to->max_input = malloc((obj->nr_maps + 1) * sizeof(int));
	b->to->prog_input = malloc((obj->nr_progs + 1) * sizeof(int));
	b->to->prog_op = malloc((obj->nr_progs + 1) * sizeof(int));
	if (!b->to->map_op || !b->to->prog_op || !b->to->map_input || !b->to->max_input ||
	    !b->to->prog_input)
		return nomem(b);
	for (i = 0; i < obj->nr_maps; i++)
		b->to->map_op[i] = b->to->map_input[i] = b->to->max_input[i] = -1;
	for (i = 0; i < obj->nr_progs; i++) {
		b->to->prog_op[i] = -1;
		/* SEC("?...") programs: the caller's autoload flag is an input of the load */
		b->to->prog_input[i] = lsk_prog_is_entry(&obj->progs[i]) &&
				       obj->progs[i].optional ? (int)b->t->nr_inputs++ : -1;
	}
	err = add_btf(b);
	err = err ?: add_maps(b);
	err = err ?: add_slots(b, LSK_SLOT_MAP);
	for (i = 0; !err && i < obj->nr_progs; i++) {
		int skip;

		if (!lsk_prog_is_entry(&obj->progs[i]))
			continue;
		skip = skip_unless_asked(b->t, b->oi, i, "its load");
		if (skip < -1)
			return skip;
		err = add_prog(b, i);
		if (skip >= 0)
			b->t->ops[skip].skip_to = b->t->nr_ops;
	}
	err = err ?: add_slots(b, LSK_SLOT_PROG);
	err = err ?: add_st_ops_values(b);
	return err;
}

/* Slots naming other objects and declared map values: after every object is loaded. */
static int add_chain_updates(struct lsk_trace *t, struct lsk_obj **objs, const struct lsk_chain *c)
{
	size_t i;
	int err;

	for (i = 0; i < c->nr_slots; i++) {
		const struct lsk_chain_slot *s = &c->slots[i];
		const struct lsk_map *m = &objs[s->obj]->maps[s->map];
		bool prog = m->type == BPF_MAP_TYPE_PROG_ARRAY;
		struct builder b = { .t = t, .to = &t->objs[s->obj], .oi = s->obj, .c = c };
		int src = prog ? t->objs[s->tobj].prog_op[s->tidx] : t->objs[s->tobj].map_op[s->tidx];
		int skip = prog ? skip_unless_asked(t, s->tobj, s->tidx, "its prog-array slot") :
				  -1;
		char what[256];
		__u32 zero = 0;

		if (skip < -1)
			return skip;
		snprintf(what, sizeof(what), "slot %u of map '%s' of object '%s' <- %s '%s' of object "
			 "'%s'", s->slot, m->name, objs[s->obj]->name, prog ? "program" : "map",
			 prog ? objs[s->tobj]->progs[s->tidx].name : objs[s->tobj]->maps[s->tidx].name,
			 objs[s->tobj]->name);
		err = map_update(&b, t->objs[s->obj].map_op[s->map], what, s->slot, &zero, 4, src, 0);
		if (err)
			return err;
		if (skip >= 0)
			t->ops[skip].skip_to = t->nr_ops;
	}
	for (i = 0; i < c->nr_values; i++) {
		const struct lsk_chain_value *v = &c->values[i];
		const struct lsk_map *m = &objs[v->obj]->maps[v->map];
		struct builder b = { .t = t, .to = &t->objs[v->obj], .oi = v->obj, .c = c };
		char what[256];

		snprintf(what, sizeof(what), "value of key %u of map '%s' of object '%s'", v->key,
			 m->name, objs[v->obj]->name);
		err = map_update(&b, t->objs[v->obj].map_op[v->map], what, v->key, &v->value,
				 m->value_size, -1, 0);
		if (err)
			return err;
	}
	return 0;
}

int lsk_trace_build(struct lsk_obj **objs, size_t nr, struct lsk_trace **tp)
{
	struct lsk_chain *c;
	int err;

	err = lsk_chain_resolve(objs, nr, NULL, &c);
	if (err)
		return err;
	err = lsk_trace_build_chain(objs, nr, c, tp);
	lsk_chain_free(c);
	return err;
}

int lsk_trace_build_chain(struct lsk_obj **objs, size_t nr, const struct lsk_chain *c,
			  struct lsk_trace **tp)
{
	struct lsk_trace *t = calloc(1, sizeof(*t));
	struct lsk_ksym_share ks;
	size_t i;
	int err = 0;

	if (!t)
		return lsk_err(ENOMEM, "out of memory");
	err = lsk_ksym_share_init(&ks, objs, nr);
	if (err) {
		free(t);
		return err;
	}
	t->objs = calloc(nr ? nr : 1, sizeof(*t->objs));
	if (!t->objs) {
		lsk_ksym_share_free(&ks);
		free(t);
		return lsk_err(ENOMEM, "out of memory");
	}
	t->nr_objs = nr;
	for (i = 0; i < nr; i++) {
		t->objs[i].obj = objs[i];
		t->objs[i].btf_op = -1;
	}
	for (i = 0; i < nr && !err; i++) {
		int oi = c->order[i];
		struct builder b = { .t = t, .to = &t->objs[oi], .oi = oi, .c = c, .ks = &ks };

		err = build_obj(&b);
	}
	lsk_ksym_share_free(&ks);
	if (!err)
		err = add_chain_updates(t, objs, c);
	if (err) {
		lsk_trace_free(t);
		return err;
	}
	*tp = t;
	return 0;
}
