// SPDX-License-Identifier: BSD-2-Clause
/* The manifest (manifest.c) is the one source of what a load exposes: its facts match the
 * trace they come from (read-only = frozen by the loader, shared = created by another
 * object's op, the initial value = the chunk the caller's USER_INIT fills), the copy in the
 * blob and the skeleton's labelled rows serialise exactly it, and a subskeleton names the
 * same maps, programs and variables. Samples and chains, no kernel. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <lskel/runtime.h>
#include "compile.h"
#include "emit_skel.h"
#include "emit_subskel.h"
#include "samples.h"
#include "err.h"

/* Does an op of @cmd for map @slot (its fd in a fixup) exist? */
static bool op_on_map(const struct lsk_trace *t, __u32 cmd, int slot)
{
	size_t i, j;

	for (i = 0; i < t->nr_ops; i++)
		for (j = 0; t->ops[i].cmd == cmd && j < t->ops[i].nr_fix; j++)
			if (t->ops[i].fix[j].kind == LSK_FIX_FD && t->ops[i].fix[j].src == slot)
				return true;
	return false;
}

static void check_facts(const char *what, const struct lsk_trace *t, const struct lsk_loader *l)
{
	const struct lsk_manifest *mf = l->mf;
	size_t i, j;

	for (i = 0; i < mf->nr_maps; i++) {
		const struct lsk_mf_map *e = &mf->maps[i];
		bool init = false;

		if (e->rdonly != (e->slot >= 0 && op_on_map(t, BPF_MAP_FREEZE, e->slot)))
			fail_msg("%s: map '%s': rdonly %d, frozen by the trace %d", what,
				 e->m->name, e->rdonly, !e->rdonly);
		if (e->m->kind == LSK_MAP_RODATA && !e->rdonly)
			fail_msg("%s: .rodata map '%s' is not read-only", what, e->m->name);
		assert_int_equal(e->shared, e->slot >= 0 && t->ops[e->slot].obj != (int)e->obj);
		for (j = 0; j < t->nr_ops; j++)
			if (t->ops[j].cmd == LSK_CMD_USER_INIT && t->ops[j].obj == (int)e->obj &&
			    t->ops[j].idx == (int)(e->m - t->objs[e->obj].obj->maps) &&
			    l->blob->chunk_off[t->ops[j].user_init.dst] == e->init_off)
				init = true;
		if (init != (e->init_off != ~0u))
			fail_msg("%s: map '%s': init_off %u is no USER_INIT chunk of it", what,
				 e->m->name, e->init_off);
	}
}

/* The blob's copy: the same maps and programs with the same slots, inputs and flags. */
static void check_blob(const char *what, const struct lsk_loader *l)
{
	const struct lsk_manifest *mf = l->mf;
	struct lskel_mf m;
	char why[256];
	size_t i;

	if (lskel_mf_parse(l->blob->data, l->blob->size, &m, why, sizeof(why)))
		fail_msg("%s: blob manifest: %s", what, why);
	assert_int_equal(m.h->nr_maps, mf->nr_maps);
	assert_int_equal(m.h->nr_progs, mf->nr_progs);
	for (i = 0; i < mf->nr_maps; i++) {
		const struct lsk_mf_map *e = &mf->maps[i];

		assert_string_equal(lskel_mf_str(&m, m.maps[i].name), e->name);
		assert_int_equal(m.maps[i].slot, (__u32)e->slot);
		assert_int_equal(m.maps[i].init_off, e->init_off);
		assert_int_equal(m.maps[i].input, e->input < 0 ? ~0u : (__u32)e->input);
		assert_int_equal(!!(m.maps[i].flags & LSKEL_MF_MAP_RDONLY), e->rdonly);
		assert_int_equal(!!(m.maps[i].flags & LSKEL_MF_MAP_SHARED), e->shared);
	}
	for (i = 0; i < mf->nr_progs; i++) {
		assert_string_equal(lskel_mf_str(&m, m.progs[i].name), mf->progs[i].p->name);
		assert_int_equal(m.progs[i].slot, (__u32)mf->progs[i].slot);
	}
}

/* Every labelled row of the skeleton names the manifest's map or program of its index and
 * carries its slot. */
static void check_skel_rows(const char *what, const struct lsk_trace *t,
			    const struct lsk_loader *l)
{
	const struct lsk_manifest *mf = l->mf;
	char *out = NULL, *line, *next, label[256];
	size_t n = 0, nm = 0, np = 0, k;
	int slot;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	assert_int_equal(lsk_emit_skel(f, "mft", t, l), 0);
	fclose(f);
	for (line = out; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "\t/* map %zu:", &k) == 1) {
			assert_int_equal(k, nm);
			snprintf(label, sizeof(label), "\t/* map %zu: '%s' of object '%s' */", k,
				 mf->maps[k].m->name, t->objs[mf->maps[k].obj].obj->name);
			assert_string_equal(line, label);
			assert_non_null(next);
			assert_non_null(strstr(next, "), "));
			assert_int_equal(sscanf(strstr(next, "), ") + 3, "%d", &slot), 1);
			assert_int_equal(slot, mf->maps[k].slot);
			nm++;
		} else if (sscanf(line, "\t/* program %zu:", &k) == 1) {
			assert_int_equal(k, np);
			snprintf(label, sizeof(label), "\t/* program %zu: '%s' of object '%s' */",
				 k, mf->progs[k].p->name, t->objs[mf->progs[k].obj].obj->name);
			assert_string_equal(line, label);
			np++;
		}
	}
	if (nm != mf->nr_maps || np != mf->nr_progs)
		fail_msg("%s: %zu map and %zu program rows for %zu maps and %zu programs", what,
			 nm, np, mf->nr_maps, mf->nr_progs);
	free(out);
}

static void check_objs(const char *what, char **paths, size_t nr)
{
	struct lsk_obj *objs[8];
	struct lsk_trace *t = NULL;
	struct lsk_loader *l = NULL;
	size_t i;

	for (i = 0; i < nr; i++)
		if (lsk_obj_open(paths[i], &objs[i]))
			fail_msg("%s: %s", paths[i], lsk_errmsg());
	if (lsk_trace_build(objs, nr, &t) || lsk_loader_compile(t, &l))
		fail_msg("%s: %s", what, lsk_errmsg());
	check_facts(what, t, l);
	check_blob(what, l);
	check_skel_rows(what, t, l);
	lsk_loader_free(l);
	lsk_trace_free(t);
	for (i = 0; i < nr; i++)
		lsk_obj_free(objs[i]);
}

static void test_samples(void **state)
{
	char path[256], *p = path;
	size_t i;

	(void)state;
	for (i = 0; i < NR_SAMPLES; i++) {
		sample_path(path, sizeof(path), sample_names[i]);
		check_objs(sample_names[i], &p, 1);
	}
}

/* A chain with maps shared between objects. */
static void test_chain(void **state)
{
	char a[256], b[256], c[256], *chain[3] = { a, b, c };

	(void)state;
	snprintf(a, sizeof(a), "%s/samples/chain/pipe_a.bpf.o", build_dir());
	snprintf(b, sizeof(b), "%s/samples/chain/pipe_b.bpf.o", build_dir());
	snprintf(c, sizeof(c), "%s/samples/chain/pipe_c.bpf.o", build_dir());
	check_objs("pipe chain", chain, 3);
}

/* The subskeleton of a sample lists the manifest's variables, maps and programs. */
static void test_subskel(void **state)
{
	char path[256], *out = NULL, want[512];
	struct lsk_manifest *mf;
	struct lsk_obj *obj;
	size_t n = 0, i;
	FILE *f;

	(void)state;
	sample_path(path, sizeof(path), "tp_counter");
	assert_int_equal(lsk_obj_open(path, &obj), 0);
	assert_int_equal(lsk_manifest_of_obj(obj, &mf), 0);
	assert_true(mf->nr_vars > 0);
	f = open_memstream(&out, &n);
	assert_non_null(f);
	assert_int_equal(lsk_emit_subskel(f, "sub", obj), 0);
	fclose(f);
	for (i = 0; i < mf->nr_vars; i++) {
		snprintf(want, sizeof(want), "\t{ \"%s\", \"%s\", %u, 0x%016llxULL,",
			 mf->vars[i].name, mf->maps[mf->vars[i].map].m->name, mf->vars[i].size,
			 (unsigned long long)mf->vars[i].sig);
		if (!strstr(out, want))
			fail_msg("subskeleton lacks the row '%s'", want);
	}
	for (i = 0; i < mf->nr_maps; i++) {
		snprintf(want, sizeof(want), "\t{ \"%s\", offsetof(struct sub, maps.%s) },",
			 mf->maps[i].ident, mf->maps[i].ident);
		assert_non_null(strstr(out, want));
	}
	free(out);
	lsk_manifest_free(mf);
	lsk_obj_free(obj);
}

/* Names the runtime builds paths from: the rules at their edges. */
static void test_name_rules(void **state)
{
	char longest[LSKEL_MF_NAME_MAX + 1];

	(void)state;
	memset(longest, 'a', sizeof(longest));
	longest[LSKEL_MF_NAME_MAX - 1] = '\0';		/* LSKEL_MF_NAME_MAX - 1 bytes */
	assert_true(lskel_name_ok(longest, LSKEL_NAME_IDENT));
	longest[LSKEL_MF_NAME_MAX - 1] = 'a';
	longest[LSKEL_MF_NAME_MAX] = '\0';		/* one more */
	assert_false(lskel_name_ok(longest, LSKEL_NAME_IDENT));
	assert_false(lskel_name_ok(longest, LSKEL_NAME_MAP));
	assert_false(lskel_name_ok("", LSKEL_NAME_IDENT));
	assert_true(lskel_name_ok("map1", LSKEL_NAME_IDENT));
	assert_false(lskel_name_ok("1map", LSKEL_NAME_IDENT));	/* a C identifier */
	assert_true(lskel_name_ok("1map", LSKEL_NAME_FILE));
	assert_false(lskel_name_ok("-map", LSKEL_NAME_FILE));
	assert_true(lskel_name_ok(".rodata", LSKEL_NAME_MAP));
	assert_true(lskel_name_ok("obj.bss", LSKEL_NAME_MAP));
	assert_false(lskel_name_ok(".", LSKEL_NAME_MAP));	/* the directory itself */
	assert_false(lskel_name_ok("..", LSKEL_NAME_MAP));
	assert_false(lskel_name_ok("a.", LSKEL_NAME_MAP));
	assert_false(lskel_name_ok("a..b", LSKEL_NAME_MAP));
	assert_false(lskel_name_ok("a.b", LSKEL_NAME_IDENT));
}

/* The blob (with its manifest) gen_loader makes of the object at @path; *@n its size. */
static unsigned char *blob_of(const char *path, __u32 *n)
{
	struct lsk_obj *obj = NULL;
	struct lsk_trace *t = NULL;
	struct lsk_loader *l = NULL;
	unsigned char *b;

	if (lsk_obj_open(path, &obj) || lsk_trace_build(&obj, 1, &t) || lsk_loader_compile(t, &l))
		fail_msg("%s: %s", path, lsk_errmsg());
	*n = (__u32)l->blob->size;
	b = malloc(*n);
	assert_non_null(b);
	memcpy(b, l->blob->data, *n);
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
	return b;
}

/* A copy of blob @good whose manifest (@m, parsed from the copy) an edit changes; then the
 * parser must refuse it naming @want. */
#define MF_REFUSED(good, n, want, ...) do { \
		unsigned char *b = malloc(n); \
		struct lskel_mf m, again; \
		char why[256] = ""; \
		assert_non_null(b); \
		memcpy(b, good, n); \
		if (lskel_mf_parse(b, n, &m, why, sizeof(why))) \
			fail_msg("unedited: %s", why); \
		__VA_ARGS__; \
		if (!lskel_mf_parse(b, n, &again, why, sizeof(why)) || !strstr(why, want)) \
			fail_msg("%s:%d: '%s', want a refusal naming '%s'", __FILE__, __LINE__, \
				 why, want); \
		free(b); \
	} while (0)

#define MF_W(p) (*(__u32 *)&(p))	/* a manifest field, to edit in the copy */

/* Each check of the manifest parser on its own: a field of a generated blob made to point
 * where the runtime must not follow, refused with the reason. */
static void test_refused_fields(void **state)
{
	char path[256];
	unsigned char *nc, *cr, *pin, *tp;
	__u32 nnc, ncr, npin, ntp;

	(void)state;
	sample_path(path, sizeof(path), "net_count");
	nc = blob_of(path, &nnc);
	sample_path(path, sizeof(path), "core_read");
	cr = blob_of(path, &ncr);
	sample_path(path, sizeof(path), "tp_counter");
	tp = blob_of(path, &ntp);
	snprintf(path, sizeof(path), "%s/tests/bpf/pinned.bpf.o", build_dir());
	pin = blob_of(path, &npin);

	/* the manifest where its header says, 8-aligned */
	MF_REFUSED(nc, nnc, "manifest offset", MF_W(((struct lskel_blob_hdr *)b)->manifest_off) += 4);
	/* an object name naming a directory: tp_counter's program target has a '/' */
	MF_REFUSED(tp, ntp, "object 0: invalid name", {
		assert_non_null(strchr(lskel_mf_str(&m, m.progs[0].target), '/'));
		MF_W(m.objs[0].name) = m.progs[0].target;
	});
	/* a map's initial value running into the manifest */
	MF_REFUSED(tp, ntp, "initial value", {
		__u32 i, mo = ((struct lskel_blob_hdr *)b)->manifest_off;

		for (i = 0; i < m.h->nr_maps && m.maps[i].init_off == ~0u; i++)
			;
		assert_true(i < m.h->nr_maps && m.maps[i].value_size);
		MF_W(m.maps[i].init_off) = mo - m.maps[i].value_size + 1;
	});
	/* a kconfig value over the input slots */
	MF_REFUSED(cr, ncr, "kconfig value 0", {
		assert_true(m.h->nr_kcfg && m.h->nr_inputs);
		MF_W(m.kcfg[0].input_off) = 0;
	});
	/* a program's slot on a map's op */
	MF_REFUSED(nc, nnc, "program 0", MF_W(m.progs[0].slot) = m.maps[0].slot);
	/* a pin whose reuse op is the map's create op, or whose slot is past the last op */
	MF_REFUSED(pin, npin, "pinned map 0", MF_W(m.pins[0].op) = m.pins[0].slot);
	MF_REFUSED(pin, npin, "pinned map 0", MF_W(m.pins[0].input) = m.h->nr_inputs);
	free(nc);
	free(cr);
	free(tp);
	free(pin);
}

/* A description made from blob @b's manifest agrees with it; @edit then changes one field
 * the runtime acts on, and lskel_mf_agrees must name @want. */
static void agrees_then_not(const unsigned char *b, __u32 n, const char *want,
			    void (*edit)(struct lskel_desc *, struct lskel_kcfg *, struct lskel_pin *))
{
	struct lskel_desc d;
	struct lskel_mf m;
	char why[256] = "";

	if (lskel_mf_parse(b, n, &m, why, sizeof(why)))
		fail_msg("blob: %s", why);
	assert_int_equal(lskel_mf_desc(&m, b, n, &d), 0);
	if (m.h->nr_func_info) {	/* a compat loader beside it (only its presence is checked) */
		d.compat_insns = b;
		d.compat_insns_sz = 8;
	}
	if (lskel_mf_agrees(&d, &m, why, sizeof(why)))
		fail_msg("unedited: %s", why);
	edit(&d, (struct lskel_kcfg *)d.kcfg, (struct lskel_pin *)d.pins);
	if (!lskel_mf_agrees(&d, &m, why, sizeof(why)) || !strstr(why, want))
		fail_msg("edited: '%s', want a disagreement naming '%s'", why, want);
	lskel_mf_desc_free(&d);
}

static void kcfg_input_off(struct lskel_desc *d, struct lskel_kcfg *k, struct lskel_pin *p)
{
	(void)p;
	assert_true(d->nr_kcfg > 0);
	k[0].input_off += 8;
}

static void pin_slot(struct lskel_desc *d, struct lskel_kcfg *k, struct lskel_pin *p)
{
	(void)k;
	assert_true(d->nr_pins > 0);
	p[0].slot = p[0].op;
}

static void pin_input(struct lskel_desc *d, struct lskel_kcfg *k, struct lskel_pin *p)
{
	(void)k;
	assert_true(d->nr_pins > 0);
	p[0].input ^= 1;
}

static void pin_flags(struct lskel_desc *d, struct lskel_kcfg *k, struct lskel_pin *p)
{
	(void)k;
	assert_true(d->nr_pins > 0);
	p[0].map_flags ^= 1;
}

/* The runtime's tables against the manifest (lskel_mf_agrees): kconfig descriptors and pins,
 * each field the runtime acts on. */
static void test_desc_agrees(void **state)
{
	char path[256];
	unsigned char *cr, *pin;
	__u32 ncr, npin;

	(void)state;
	sample_path(path, sizeof(path), "core_read");
	cr = blob_of(path, &ncr);
	snprintf(path, sizeof(path), "%s/tests/bpf/pinned.bpf.o", build_dir());
	pin = blob_of(path, &npin);
	agrees_then_not(cr, ncr, "kconfig value 0", kcfg_input_off);
	agrees_then_not(pin, npin, "pinned map 0", pin_slot);
	agrees_then_not(pin, npin, "pinned map 0", pin_input);
	agrees_then_not(pin, npin, "pinned map 0", pin_flags);
	free(cr);
	free(pin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_subskel),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_refused_fields),
		cmocka_unit_test(test_desc_agrees),
	};

	return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
