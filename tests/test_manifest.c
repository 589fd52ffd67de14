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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_subskel),
	};

	return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
