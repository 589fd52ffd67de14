// SPDX-License-Identifier: BSD-2-Clause
/* Printing the object model and the trace: one line per op, fixups indented below it. */
#include <stddef.h>
#include <string.h>
#include <bpf/btf.h>
#include "dump.h"
#include "sec_def.h"

static const char *const map_kinds[] = { "user", "data", "rodata", "bss", "kconfig",
					  "struct_ops" };
static const char *const ref_kinds[] = { "map_fd", "map_value", "ksym_addr", "ksym_btf",
					 "kfunc", "kconfig", "call" };

static unsigned long long fnv1a(const void *p, size_t n)
{
	const unsigned char *b = p;
	unsigned long long h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void dump_map(FILE *f, const struct lsk_obj *obj, const struct lsk_map *m, const char *ind,
		     int idx)
{
	int i;

	fprintf(f, "%smap %d '%s': %s %s key=%u value=%u max=%u flags=0x%x kname='%s'", ind, idx,
		m->name, map_kinds[m->kind], lsk_map_type_name(m->type), m->key_size,
		m->value_size, m->max_entries, m->map_flags, m->kname);
	if (m->btf_key_type_id || m->btf_value_type_id)
		fprintf(f, " btf_key=%u btf_value=%u", m->btf_key_type_id, m->btf_value_type_id);
	if (m->pinning)
		fprintf(f, " pinning=by_name");
	if (m->numa_node)
		fprintf(f, " numa=%u", m->numa_node);
	if (m->map_extra)
		fprintf(f, " extra=0x%llx", (unsigned long long)m->map_extra);
	if (m->init_data)
		fprintf(f, " init=%u bytes fnv1a=%016llx", m->value_size,
			fnv1a(m->init_data, m->value_size));
	fputc('\n', f);
	for (i = 0; i < m->nr_init_slots; i++)
		if (m->init_slot_names[i])
			fprintf(f, "%s  slot %d = %s '%s' of another object\n", ind, i,
				m->slot_kind == LSK_SLOT_PROG ? "program" : "map",
				m->init_slot_names[i]);
		else if (m->init_slots[i] >= 0)
			fprintf(f, "%s  slot %d = %s '%s'\n", ind, i,
				m->slot_kind == LSK_SLOT_PROG ? "program" : "map",
				m->slot_kind == LSK_SLOT_PROG ? obj->progs[m->init_slots[i]].name :
				obj->maps[m->init_slots[i]].name);
	if (m->inner)
		dump_map(f, obj, m->inner, "      inner ", -1);
	if (m->st_ops) {
		fprintf(f, "%s  struct %s (%u bytes at value offset %u)%s\n", ind, m->st_ops->type,
			m->st_ops->size, m->st_ops->data_off, m->st_ops->link ?
			", registered by a link" : ", registered by the update");
		for (i = 0; i < m->st_ops->nr_members; i++)
			if (m->st_ops->members[i].prog >= 0)
				fprintf(f, "%s  member %d '%s' at %u <- program '%s'\n", ind, i,
					m->st_ops->members[i].name, m->st_ops->members[i].off,
					obj->progs[m->st_ops->members[i].prog].name);
	}
}

void lsk_dump_obj(FILE *f, const struct lsk_obj *obj)
{
	lsk_dump_obj_in(f, &obj, 0);
}

void lsk_dump_obj_in(FILE *f, const struct lsk_obj *const *objs, size_t oi)
{
	const struct lsk_obj *obj = objs[oi];
	size_t i, j;

	fprintf(f, "object '%s': license '%s' btf=%s maps=%zu programs=%zu externs=%zu\n",
		obj->name, obj->license, obj->btf ? "yes" : "no", obj->nr_maps, obj->nr_progs,
		obj->nr_externs);
	for (i = 0; i < obj->nr_maps; i++)
		dump_map(f, obj, &obj->maps[i], "  ", i);
	for (i = 0; i < obj->nr_progs; i++) {
		const struct lsk_prog *p = &obj->progs[i];

		if (p->is_subprog) {
			fprintf(f, "  subprog '%s': section '%s' insns [%zu, +%zu)\n", p->name,
				p->sec_name, p->sec_insn_off, p->sec_insn_cnt);
			continue;
		}
		fprintf(f, "  program %zu '%s': SEC '%s' type=%s attach_type=%u flags=0x%x "
			"insns=%zu func_info=%zu line_info=%zu core_relos=%zu fnv1a=%016llx\n", i,
			p->name, p->sec_name, lsk_prog_type_name(p->type), p->expected_attach_type,
			p->prog_flags, p->insn_cnt, p->nr_func_info, p->nr_line_info,
			p->nr_core_relos, fnv1a(p->insns, p->insn_cnt * sizeof(*p->insns)));
		if (p->type == BPF_PROG_TYPE_EXT)
			fprintf(f, "    replaces function '%s' of a program of another object\n",
				p->attach_target);
		else if (p->attach_btf)
			fprintf(f, "    attach target '%s' (resolved at load time)\n",
				p->attach_target);
		for (j = 0; j < p->nr_refs; j++) {
			const struct lsk_ref *r = &p->refs[j];
			const struct lsk_obj *ro = r->obj >= 0 ? objs[r->obj] : obj;
			const char *name = r->kind <= LSK_REF_MAP_VALUE ? ro->maps[r->idx].name :
					   ro->externs[r->idx].name;

			fprintf(f, "    insn %zu: %s '%s'", r->insn_idx, ref_kinds[r->kind], name);
			if (r->obj >= 0)
				fprintf(f, " of object '%s' (composed code)", ro->name);
			fputc('\n', f);
		}
	}
	for (i = 0; i < obj->nr_unloaded; i++)
		fprintf(f, "  section '%s': not loaded (no program refers to it)\n",
			obj->unloaded[i]);
	for (i = 0; i < obj->nr_externs; i++) {
		const struct lsk_extern *e = &obj->externs[i];

		if (e->kind == LSK_EXT_LINK)
			fprintf(f, "  extern function '%s' (defined by another object)\n", e->name);
		else if (e->kind == LSK_EXT_KCONFIG)
			fprintf(f, "  extern kconfig '%s'%s type=%d off=%u size=%u\n", e->name,
				e->is_weak ? " weak" : "", e->kcfg_type, e->kcfg_off, e->kcfg_sz);
		else
			fprintf(f, "  extern ksym '%s'%s %s%s\n", e->name, e->is_weak ? " weak" : "",
				e->is_func ? "function" : "variable",
				e->typed ? " typed" : " typeless");
	}
}

struct field {
	__u32 cmd;
	__u32 off;
	const char *name;
};

#define F(c, f) { c, offsetof(union bpf_attr, f), #f }
static const struct field fields[] = {
	F(BPF_MAP_CREATE, btf_fd), F(BPF_MAP_CREATE, inner_map_fd), F(BPF_MAP_CREATE, max_entries),
	F(BPF_MAP_UPDATE_ELEM, map_fd), F(BPF_MAP_UPDATE_ELEM, key), F(BPF_MAP_UPDATE_ELEM, value),
	F(BPF_MAP_FREEZE, map_fd),
	F(BPF_BTF_LOAD, btf),
	F(BPF_PROG_LOAD, insns), F(BPF_PROG_LOAD, license), F(BPF_PROG_LOAD, prog_btf_fd),
	F(BPF_PROG_LOAD, func_info), F(BPF_PROG_LOAD, line_info), F(BPF_PROG_LOAD, fd_array),
	F(BPF_PROG_LOAD, core_relos), F(BPF_PROG_LOAD, attach_btf_id),
	F(BPF_PROG_LOAD, attach_prog_fd),
};

static const char *field_name(__u32 cmd, __u32 off)
{
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].cmd == cmd && fields[i].off == off)
			return fields[i].name;
	return NULL;
}

static void dump_dst(FILE *f, const struct lsk_trace *t, const struct lsk_op *op, int chunk,
		     __u32 off)
{
	const char *fname;
	size_t i;

	if (chunk == op->attr && (fname = field_name(op->cmd, off))) {
		fprintf(f, "attr.%s", fname);
		return;
	}
	for (i = 0; i < t->nr_ops; i++) {
		if (t->ops[i].attr == chunk) {
			fname = field_name(t->ops[i].cmd, off);
			if (fname)
				fprintf(f, "op %zu attr.%s", i, fname);
			else
				fprintf(f, "op %zu attr+%u", i, off);
			return;
		}
	}
	if (!strcmp(t->chunks[chunk].label, "insns"))
		fprintf(f, "chunk %d insns[%u]", chunk, off / 8);
	else
		fprintf(f, "chunk %d %s+%u", chunk, t->chunks[chunk].label, off);
}

static void dump_attr(FILE *f, const struct lsk_op *op, const union bpf_attr *a)
{
	switch (op->cmd) {
	case BPF_MAP_CREATE:
		fprintf(f, " type=%s key=%u value=%u max=%u flags=0x%x name='%.16s'",
			lsk_map_type_name(a->map_type), a->key_size, a->value_size,
			a->max_entries, a->map_flags, a->map_name);
		if (a->btf_key_type_id || a->btf_value_type_id)
			fprintf(f, " btf_key=%u btf_value=%u", a->btf_key_type_id,
				a->btf_value_type_id);
		break;
	case BPF_MAP_UPDATE_ELEM:
		fprintf(f, " flags=%llu", (unsigned long long)a->flags);
		break;
	case BPF_BTF_LOAD:
		fprintf(f, " size=%u", a->btf_size);
		break;
	case BPF_PROG_LOAD:
		fprintf(f, " type=%s attach_type=%u flags=0x%x name='%.16s' insns=%u func_info=%u "
			"line_info=%u core_relos=%u", lsk_prog_type_name(a->prog_type),
			a->expected_attach_type, a->prog_flags, a->prog_name, a->insn_cnt,
			a->func_info_cnt, a->line_info_cnt, a->core_relo_cnt);
		if (a->attach_btf_id)
			fprintf(f, " attach_btf_id=%u", a->attach_btf_id);
		break;
	default:
		break;
	}
}

static void dump_user_init(FILE *f, const struct lsk_trace *t,
			   const struct lsk_op_user_init *u)
{
	if (u->user_size)
		fprintf(f, " input slot %d [%u, +%u) -> chunk %d at %u", u->input, u->user_off,
			u->user_size, u->dst, u->dst_off);
	else
		fprintf(f, " input slot %d -> chunk %d (%u bytes)", u->input, u->dst,
			t->chunks[u->dst].size);
}

void lsk_dump_trace(FILE *f, const struct lsk_trace *t)
{
	size_t i, j, bytes = 0;

	for (i = 0; i < t->nr_chunks; i++)
		bytes += t->chunks[i].size;
	fprintf(f, "trace: %zu ops, %zu chunks, %zu data bytes\n", t->nr_ops, t->nr_chunks, bytes);
	for (i = 0; i < t->nr_ops; i++) {
		const struct lsk_op *op = &t->ops[i];

		fprintf(f, "op %zu: [%s] %s %s", i, t->objs[op->obj].obj->name,
			lsk_cmd_name(op->cmd), op->what);
		if (op->attr >= 0)
			dump_attr(f, op, t->chunks[op->attr].data);
		switch (op->cmd) {
		case LSK_CMD_KSYM_ADDR:
		case LSK_CMD_BTF_ID:
			fprintf(f, " symbol='%s'", (const char *)t->chunks[op->sym.name].data);
			if (op->cmd == LSK_CMD_BTF_ID)
				fprintf(f, " kind=%u", op->sym.btf_kind);
			if (op->sym.weak)
				fprintf(f, " weak");
			if (op->sym.same_as >= 0)
				fprintf(f, " (result of op %d)", op->sym.same_as);
			fprintf(f, " -> ");
			dump_dst(f, t, op, op->sym.dst, op->sym.dst_off);
			break;
		case LSK_CMD_CLOSE:
			fprintf(f, " fd(op %d)", op->close.fd_op);
			break;
		case LSK_CMD_KCONFIG:
			fprintf(f, " %zu values -> chunk %d", t->chunks[op->kconfig.descs].size /
				sizeof(struct lsk_kcfg_desc), op->kconfig.dst);
			break;
		case LSK_CMD_MAP_REUSE:
			fprintf(f, " id in input slot %d -> fd of op %d, else ops %zu..%d create it",
				op->reuse.input, op->reuse.map_op, i + 1, op->reuse.skip_to - 1);
			break;
		case LSK_CMD_SKIP:
			fprintf(f, " unless input slot %d is set, ops %zu..%d are skipped",
				op->skip.input, i + 1, op->skip.skip_to - 1);
			break;
		case LSK_CMD_USER_INIT:
			dump_user_init(f, t, &op->user_init);
			break;
		}
		fputc('\n', f);
		if (op->undo >= 0)
			fprintf(f, "      undone if a later op fails: MAP_DELETE_ELEM, attr chunk %d\n",
				op->undo);
		for (j = 0; j < op->nr_fix; j++) {
			const struct lsk_fixup *x = &op->fix[j];

			fprintf(f, "      ");
			dump_dst(f, t, op, x->chunk, x->off);
			if (x->kind == LSK_FIX_FD)
				fprintf(f, " <- fd(op %d)\n", x->src);
			else if (x->kind == LSK_FIX_FDTAB)
				fprintf(f, " <- &fd_table\n");
			else if (x->kind == LSK_FIX_U32)
				fprintf(f, " <- u32 of chunk %d (%s)\n", x->src, t->chunks[x->src].label);
			else if (x->kind == LSK_FIX_INPUT)
				fprintf(f, " <- input slot %d (the caller's value, if not 0)\n",
					x->src);
			else
				fprintf(f, " <- &chunk %d (%s, %u bytes, fnv1a=%016llx)\n", x->src,
					t->chunks[x->src].label, t->chunks[x->src].size,
					fnv1a(t->chunks[x->src].data, t->chunks[x->src].size));
		}
	}
}
