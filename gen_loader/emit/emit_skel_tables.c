// SPDX-License-Identifier: BSD-2-Clause
/* The skeleton's tables: the manifest (manifest.c) serialised as C initialisers the runtime
 * reads (lskel_desc), each row labelled with the op, map or program it describes. Nothing
 * here decides a fact; the runtime checks the tables against the blob's copy of the
 * manifest (lskel_mf_agrees). C and C++: positional initialisers, labels in comments. */
#include <errno.h>
#include <string.h>
#include "emit_skel_tables.h"
#include "emit_ctype.h"
#include "emit_st_ops.h"
#include "err.h"

void lsk_skel_names_of(const char *name, const struct lsk_trace *t, size_t oi,
		       struct lsk_skel_names *n)
{
	char id[64];

	if (t->nr_objs == 1) {
		snprintf(n->type, sizeof(n->type), "%s", name);
		n->member[0] = '\0';
		return;
	}
	lsk_c_ident(id, sizeof(id), t->objs[oi].obj->name);
	snprintf(n->type, sizeof(n->type), "%s__%s", name, id);
	snprintf(n->member, sizeof(n->member), "%s.", id);
}

/* A table value: the number, or ~0u (the -1 in a comment) for none. */
static void emit_slot(FILE *f, long v)
{
	if (v < 0)
		fprintf(f, "~0u /* %ld */", v);
	else
		fprintf(f, "%ld", v);
}

static void emit_op_tables(FILE *f, const char *name, const struct lsk_trace *t,
			   const struct lsk_loader *l)
{
	size_t i;

	fprintf(f, "static const __u32 %s__op_cmd[] = {", name);
	for (i = 0; i < t->nr_ops; i++) {
		if (i % 16 == 0)
			fprintf(f, "\n\t/* op %zu */", i);
		fprintf(f, " %u,", t->ops[i].cmd);
	}
	fprintf(f, "\n};\n\nstatic const char *const %s__op_what[] = {\n", name);
	for (i = 0; i < t->nr_ops; i++)
		fprintf(f, "\t/* op %zu */ \"%s\",\n", i, t->ops[i].what);
	fprintf(f, "};\n\nstatic const struct bpf_func_info %s__func_info[] = {\n", name);
	for (i = 0; i < l->nr_func_info; i++)	/* the compat loader's */
		fprintf(f, "\t/* loader function %zu */ { %u, %u },\n", i,
			l->func_info[i].insn_off, l->func_info[i].type_id);
	if (!l->nr_func_info)	/* signed: no compat loader (C has no empty arrays) */
		fprintf(f, "\t{ 0, 0 },\n");
	fprintf(f, "};\n\n");
}

/* Map rows: fd_off, slot, data_off, size, init_off, input, rdonly, name, shared, max_input. */
static void emit_map_table(FILE *f, const char *name, const struct lsk_trace *t,
			   const struct lsk_manifest *mf)
{
	size_t i;

	fprintf(f, "/* Maps: fd_off, slot, data_off, size, init_off, input, rdonly, name, shared, "
		"max_input. */\nstatic const struct lskel_map_bind %s__maps[] = {\n", name);
	for (i = 0; i < mf->nr_maps; i++) {
		const struct lsk_mf_map *e = &mf->maps[i];
		struct lsk_skel_names n;

		lsk_skel_names_of(name, t, e->obj, &n);
		fprintf(f, "\t/* map %zu: '%s' of object '%s' */\n", i, e->m->name,
			t->objs[e->obj].obj->name);
		fprintf(f, "\t{ offsetof(struct %s, %smaps.%s), %d, ", name, n.member, e->ident,
			e->slot);
		if (e->exposed)
			fprintf(f, "offsetof(struct %s, %s%s)", name, n.member, e->ident);
		else
			fprintf(f, "~0u");
		fprintf(f, ", %u, ", e->m->value_size);
		emit_slot(f, e->init_off == ~0u ? -1 : (long)e->init_off);
		fprintf(f, ", ");
		emit_slot(f, e->input);
		fprintf(f, ", %d, \"%s\", %d, ", e->rdonly, e->name, e->shared);
		emit_slot(f, e->max_input);
		fprintf(f, " },\n");
	}
	if (!mf->nr_maps)
		fprintf(f, "\t{ 0, 0, 0, 0, 0, 0, 0, \"\", 0, 0 },\n");
	fprintf(f, "};\n\n");
}

/* Program rows: fd_off, slot, link_off, attach kind, target, name, autoload input. */
static void emit_prog_table(FILE *f, const char *name, const struct lsk_trace *t,
			    const struct lsk_manifest *mf)
{
	size_t i;

	fprintf(f, "/* Programs: fd_off, slot, link_off, attach kind, target, name, autoload "
		"input. */\nstatic const struct lskel_prog_bind %s__progs[] = {\n", name);
	for (i = 0; i < mf->nr_progs; i++) {
		const struct lsk_mf_prog *e = &mf->progs[i];
		struct lsk_skel_names n;

		lsk_skel_names_of(name, t, e->obj, &n);
		fprintf(f, "\t/* program %zu: '%s' of object '%s' */\n", i, e->p->name,
			t->objs[e->obj].obj->name);
		fprintf(f, "\t{ offsetof(struct %s, %sprogs.%s), %d, offsetof(struct %s, "
			"%slinks.%s_fd), %u, \"%s\", \"%s\", ", name, n.member, e->p->name, e->slot,
			name, n.member, e->p->name, e->attach, e->p->attach_target, e->p->name);
		emit_slot(f, e->autoload_input);
		fprintf(f, " },\n");
	}
	if (!mf->nr_progs)
		fprintf(f, "\t{ 0, 0, 0, 0, \"\", \"\", 0 },\n");
	fprintf(f, "};\n\n");
}

/* kconfig rows: name, type, input_off, size, signed, weak; pin rows: name, op, slot, input,
 * type, key size, value size, max_entries, flags, map_extra. */
static void emit_kcfg_pins(FILE *f, const char *name, const struct lsk_manifest *mf)
{
	size_t i;

	fprintf(f, "/* kconfig values: name, type, input_off, size, signed, weak. */\n"
		"static const struct lskel_kcfg %s__kcfg[] = {\n", name);
	for (i = 0; i < mf->nr_kcfg; i++) {
		const struct lsk_kcfg_desc *d = mf->kcfg[i].d;

		fprintf(f, "\t{ \"%s\", %u, %u, %u, %u, %u },\n", d->name, d->type,
			mf->kcfg[i].input_off, d->sz, d->is_signed, d->is_weak);
	}
	if (!mf->nr_kcfg)
		fprintf(f, "\t{ \"\", 0, 0, 0, 0, 0 },\n");
	fprintf(f, "};\n\n/* Pinned maps: name, op, slot, input, type, key size, value size, "
		"max_entries, flags,\n * map_extra. */\n");
	fprintf(f, "static const struct lskel_pin %s__pins[] = {\n", name);
	for (i = 0; i < mf->nr_pins; i++) {
		const struct lskel_pin *p = &mf->pins[i];

		fprintf(f, "\t{ \"%s\", %u, %u, %u, %u, %u, %u, %u, 0x%x, %lluULL },\n", p->name,
			p->op, p->slot, p->input, p->type, p->key_size, p->value_size,
			p->max_entries, p->map_flags, (unsigned long long)p->map_extra);
	}
	if (!mf->nr_pins)
		fprintf(f, "\t{ \"\", 0, 0, 0, 0, 0, 0, 0, 0, 0 },\n");
	fprintf(f, "};\n\n");
}

/* The name table subskeletons bind through, and each object's handle. */
static void emit_syms(FILE *f, const char *name, const struct lsk_trace *t,
		      const struct lsk_manifest *mf)
{
	size_t i;

	fprintf(f, "/* Manifest (subskeletons bind by name): name, object, kind, bind, offset, "
		"size, type\n * signature, section. */\nstatic const struct lskel_sym %s__syms[] = {\n",
		name);
	for (i = 0; i < mf->nr_syms; i++) {
		const struct lsk_mf_sym *s = &mf->syms[i];
		const struct lsk_mf_var *v = s->var;

		fprintf(f, "\t{ \"%s\", %u, %u, %u, %u, %u, 0x%016llxULL, \"%s\" },\n", s->name,
			s->obj, s->kind, s->bind, v ? v->off : 0, v ? v->size : 0,
			v ? (unsigned long long)v->sig : 0ULL, v ? mf->maps[v->map].m->name : "");
	}
	if (!mf->nr_syms)
		fprintf(f, "\t{ \"\", 0, 0, 0, 0, 0, 0, \"\" },\n");
	fprintf(f, "};\n\nstatic const struct lskel_handle_bind %s__handles[] = {\n", name);
	for (i = 0; i < t->nr_objs; i++) {
		struct lsk_skel_names n;

		lsk_skel_names_of(name, t, i, &n);
		fprintf(f, "\t/* object '%1$s' */\n\t{ offsetof(struct %2$s, %3$sobj_handle_), "
			"offsetof(struct %2$s, %3$sobj) },\n", t->objs[i].obj->name, name,
			n.member);
	}
	fprintf(f, "};\n\n");
}

bool lsk_skel_uses_usdt(const struct lsk_manifest *mf)
{
	size_t i;

	for (i = 0; i < mf->nr_progs; i++)
		if (mf->progs[i].attach == LSKEL_ATTACH_USDT)
			return true;
	return false;
}

static void emit_desc(FILE *f, const char *name, const struct lsk_trace *t,
		      const struct lsk_loader *l, int nst)
{
	const struct lsk_manifest *mf = l->mf;

	fprintf(f,
		"static const struct lskel_desc %1$s__desc = {\n"
		"\t\"%1$s\",\n"
		"\t%1$s__insns, sizeof(%1$s__insns) - 1,\n"
		"\t%1$s__data, sizeof(%1$s__data) - 1,\n"
		"\t%1$s__btf, sizeof(%1$s__btf) - 1,\n"
		"\t%1$s__func_info, %2$u,\n"
		"\t%3$zu, %4$u, %5$u, %6$zu,\t/* ops, fd table offset, input area size, inputs */\n"
		"\t%1$s__op_cmd, %1$s__op_what,\n"
		"\t%1$s__maps, %7$zu,\n"
		"\t%1$s__progs, %8$zu,\n"
		"\t%1$s__kcfg, %9$zu,\n"
		"\t%1$s__pins, %10$zu,\n",
		name, l->nr_func_info, t->nr_ops, l->blob->fdtab_off, l->blob->inputs_size,
		t->nr_inputs, mf->nr_maps, mf->nr_progs, mf->nr_kcfg, mf->nr_pins);
	if (l->is_signed)
		fprintf(f, "\t(const unsigned char *)%1$s__excl_hash, %1$s__sig, "
			"sizeof(%1$s__sig) - 1,\n", name);
	else
		fprintf(f, "\tNULL, NULL, 0,\t/* unsigned */\n");
	fprintf(f, "\t%1$s__syms, %2$zu, %1$s__handles, %3$zu,\n", name, mf->nr_syms, t->nr_objs);
	if (l->is_signed)
		fprintf(f, "\t%1$s__sig_next, sizeof(%1$s__sig_next) - 1,\n", name);
	else
		fprintf(f, "\tNULL, 0,\n");
	if (nst)
		fprintf(f, "\t%s__st_ops, %d,\n", name, nst);
	else
		fprintf(f, "\tNULL, 0,\t/* no struct_ops */\n");
	fprintf(f, "\t%s\n", lsk_skel_uses_usdt(mf) ? "&lskel_usdt_hooks," :
		"NULL,\t/* no usdt/ programs */");
	if (l->compat_insns)
		fprintf(f, "\t%1$s__compat_insns, sizeof(%1$s__compat_insns) - 1,\n};\n\n", name);
	else
		fprintf(f, "\tNULL, 0,\t/* no compat loader (signed) */\n};\n\n");
}

int lsk_emit_skel_tables(FILE *f, const char *name, const struct lsk_trace *t,
			 const struct lsk_loader *l)
{
	int nst;

	emit_op_tables(f, name, t, l);
	emit_map_table(f, name, t, l->mf);
	emit_prog_table(f, name, t, l->mf);
	emit_kcfg_pins(f, name, l->mf);
	emit_syms(f, name, t, l->mf);
	nst = lsk_emit_st_ops_table(f, name, t, l);
	if (nst < 0)
		return nst;
	emit_desc(f, name, t, l, nst);
	return ferror(f) ? lsk_err(EIO, "write error") : 0;
}
