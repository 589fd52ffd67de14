// SPDX-License-Identifier: BSD-2-Clause
/* The load plan built directly, as typed data: slots, values and shared maps resolved, maps
 * kept apart, the freplace retyping step, the dispatcher's directives, the manifest parser
 * giving the same plan as code, lsk_plan_open's trace equal for both, and a dispatcher run
 * through the plan. Loads nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "chain.h"
#include "dispatch.h"
#include "dump.h"
#include "err.h"
#include "plan.h"
#include "plan_open.h"
#include "samples.h"

#define REF(o, n) ((struct lsk_plan_ref){ (char *)(o), (char *)(n) })

struct objs {
	struct lsk_obj *o[8];
	size_t n;
};

static void open_objs(struct objs *s, const char *dir, const char *const *names, size_t n)
{
	char path[256];
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s.bpf.o", build_dir(), dir, names[i]);
		if (lsk_obj_open(path, &s->o[i]))
			fail_msg("%s", lsk_errmsg());
	}
	s->n = n;
}

static void close_objs(struct objs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		lsk_obj_free(s->o[i]);
}

static void add(struct lsk_plan *p, struct lsk_directive d)
{
	assert_int_equal(lsk_plan_add(p, &d), 0);
}

static struct lsk_directive slot(const char *mo, const char *m, __u64 i, const char *to,
				 const char *t)
{
	return (struct lsk_directive){ .kind = LSK_DIR_SLOT,
				       .slot = { REF(mo, m), i, REF(to, t) } };
}

static struct lsk_directive value(const char *mo, const char *m, __u64 k, __u64 v)
{
	return (struct lsk_directive){ .kind = LSK_DIR_VALUE, .value = { REF(mo, m), k, v } };
}

/* The return-code dispatcher's manifest (samples/chain/dispatch.chain) as typed data. */
static void dispatch_plan(struct lsk_plan *p)
{
	add(p, slot(NULL, "chain_progs", 1, "comp_parse", "parse"));
	add(p, slot(NULL, "chain_progs", 2, "comp_filter", "filter"));
	add(p, slot(NULL, "chain_progs", 3, "comp_count", "count"));
	add(p, value(NULL, "chain_route", 2, 2));
	add(p, value(NULL, "chain_route", 10, 3));
	add(p, value(NULL, "chain_route", 18, 4));
}

static const char *const disp_objs[] = { "disp_root", "comp_parse", "comp_filter",
					 "comp_count" };

/* Slots and values land on the owner of the shared maps, the first object. */
static void test_slots_values(void **state)
{
	struct lsk_plan p = {};
	struct lsk_chain *c = NULL;
	struct objs s;

	(void)state;
	open_objs(&s, "samples/chain", disp_objs, 4);
	dispatch_plan(&p);
	assert_int_equal(lsk_chain_resolve(s.o, s.n, &p, &c), 0);
	assert_int_equal(c->nr_slots, 3);
	assert_int_equal(c->slots[1].obj, 0);
	assert_int_equal(c->slots[1].map, 1);		/* disp_root's chain_progs */
	assert_int_equal(c->slots[1].slot, 2);
	assert_int_equal(c->slots[1].tobj, 2);		/* comp_filter:filter */
	assert_int_equal(c->slots[1].tidx, 0);
	assert_int_equal(c->nr_values, 3);
	assert_int_equal(c->values[2].obj, 0);
	assert_int_equal(c->values[2].map, 2);		/* chain_route */
	assert_int_equal(c->values[2].key, 18);
	assert_int_equal(c->values[2].value, 4);
	assert_int_equal(c->alias[1][0], 1);		/* comp_parse's chain_progs is shared */
	assert_int_equal(c->alias_obj[1][0], 0);
	lsk_chain_free(c);
	c = NULL;
	/* a slot beyond max_entries, named in the message by the directive */
	add(&p, slot("disp_root", "chain_progs", 8, "comp_count", "count"));
	assert_int_equal(lsk_chain_resolve(s.o, s.n, &p, &c), -ERANGE);
	assert_non_null(strstr(lsk_errmsg(), "'slot disp_root:chain_progs 8 = comp_count:count': "
			       "slot 8 of map 'disp_root:chain_progs' is beyond max_entries 8"));
	assert_null(c);
	lsk_plan_free(&p);
	close_objs(&s);
}

/* Same-named maps of different definitions: refused, unless the plan keeps them apart. */
static void test_separate_maps(void **state)
{
	static const char *const names[] = { "mismatch_a", "mismatch_b" };
	struct lsk_plan p = {};
	struct lsk_chain *c = NULL;
	struct objs s;

	(void)state;
	open_objs(&s, "tests/bpf", names, 2);
	assert_int_equal(lsk_chain_resolve(s.o, s.n, &p, &c), -EINVAL);
	assert_non_null(strstr(lsk_errmsg(), "defined differently: max_entries 4"));
	p.separate_maps = true;
	add(&p, value(NULL, "shared_cnt", 0, 1));
	assert_int_equal(lsk_chain_resolve(s.o, s.n, &p, &c), -EINVAL);
	assert_non_null(strstr(lsk_errmsg(), "'value shared_cnt 0 = 1': map 'shared_cnt' is "
			       "defined by several objects"));
	lsk_plan_free(&p);
	p.separate_maps = true;
	add(&p, value("mismatch_b", "shared_cnt", 3, 7));
	assert_int_equal(lsk_chain_resolve(s.o, s.n, &p, &c), 0);
	assert_int_equal(c->alias[1][0], -1);
	assert_int_equal(c->values[0].obj, 1);
	assert_int_equal(c->values[0].key, 3);
	assert_int_equal(c->values[0].value, 7);
	lsk_chain_free(c);
	lsk_plan_free(&p);
	close_objs(&s);
}

/* 'replace': the chain refuses it until the named step made the program an freplace; then
 * the target resolves and the target's object loads first. */
static void test_retype_step(void **state)
{
	static const char *const names[] = { "pipe_c", "xdisp_root", "xdisp_comp_a" };
	struct lsk_plan p = {};
	struct lsk_chain *c = NULL;
	const struct lsk_chain_target *t;
	const struct lsk_prog *prog;
	struct objs s;

	(void)state;
	open_objs(&s, "samples/chain", names, 3);
	add(&p, (struct lsk_directive){ .kind = LSK_DIR_REPLACE,
		.fr = { REF("pipe_c", "stage_c"), REF("xdisp_root", "xdisp"), (char *)"slot2" } });
	assert_int_equal(lsk_chain_resolve(s.o, s.n, &p, &c), -EINVAL);
	assert_non_null(strstr(lsk_errmsg(), "was not made an freplace of 'slot2'"));
	prog = &s.o[0]->progs[0];
	assert_int_equal(prog->type, BPF_PROG_TYPE_XDP);
	assert_int_equal(lsk_plan_retype_replaced(&p, s.o, s.n), 0);
	assert_int_equal(prog->type, BPF_PROG_TYPE_EXT);
	assert_string_equal(prog->attach_target, "slot2");
	assert_int_equal(lsk_chain_resolve(s.o, s.n, &p, &c), 0);
	t = lsk_chain_target_of(c, 0, 0);
	assert_non_null(t);
	assert_int_equal(t->tobj, 1);
	assert_int_equal(t->tprog, 3);		/* xdisp, which calls slot2 */
	assert_true(t->btf_id > 0);
	assert_int_equal(c->order[0], 1);	/* xdisp_root before both freplace objects */
	lsk_chain_free(c);
	/* the step is not repeated silently */
	assert_int_equal(lsk_plan_retype_replaced(&p, s.o, s.n), -EINVAL);
	assert_non_null(strstr(lsk_errmsg(), "is an freplace program already"));
	lsk_plan_free(&p);
	close_objs(&s);
}

/* The dispatcher generator adds typed 'replace' directives in freplace mode only. */
static void test_dispatcher_directives(void **state)
{
	struct lsk_disp_comp comps[2] = { { .obj = "dsp_parse", .prog = "parse" },
					  { .obj = "dsp_count", .prog = "count" } };
	struct lsk_dispatch d = { .root = "dispatcher", .mode = LSK_MODE_STATIC, .comps = comps,
				  .nr_comps = 2 };
	struct lsk_plan p = {};
	char where[256];

	(void)state;
	assert_int_equal(lsk_disp_plan(&d, &p), 0);
	assert_int_equal(p.nr_dirs, 0);
	d.mode = LSK_MODE_FREPLACE;
	assert_int_equal(lsk_disp_plan(&d, &p), 0);
	assert_int_equal(p.nr_dirs, 2);
	assert_int_equal(p.dirs[1].kind, LSK_DIR_REPLACE);
	assert_string_equal(p.dirs[1].fr.prog.obj, "dsp_count");
	assert_string_equal(p.dirs[1].fr.prog.name, "count");
	assert_string_equal(p.dirs[1].fr.target.obj, "dispatcher");
	assert_string_equal(p.dirs[1].fr.target.name, "dispatcher");
	assert_string_equal(p.dirs[1].fr.func, "dispatcher_slot1");
	assert_string_equal(lsk_plan_where(&p.dirs[0], where, sizeof(where)),
			    "'replace dsp_parse:parse = dispatcher:dispatcher:dispatcher_slot0': ");
	lsk_plan_free(&p);
}

static void assert_same_dir(const struct lsk_directive *a, const struct lsk_directive *b)
{
	char wa[256], wb[256];
	struct lsk_directive x = *a, y = *b;

	x.file = y.file = NULL;
	x.text = y.text = NULL;
	x.line = y.line = 0;
	assert_int_equal(a->kind, b->kind);
	assert_string_equal(lsk_plan_where(&x, wa, sizeof(wa)), lsk_plan_where(&y, wb, sizeof(wb)));
}

/* The manifest's text and the plan built in code are the same directives. */
static void test_parse_equals_typed(void **state)
{
	struct lsk_plan typed = {}, text = {};
	char path[256], where[256];
	size_t i;

	(void)state;
	dispatch_plan(&typed);
	assert_int_equal(lsk_plan_parse_file(&text, "samples/chain/dispatch.chain"), 0);
	assert_int_equal(text.nr_dirs, typed.nr_dirs);
	for (i = 0; i < typed.nr_dirs; i++)
		assert_same_dir(&text.dirs[i], &typed.dirs[i]);
	assert_string_equal(lsk_plan_where(&text.dirs[0], where, sizeof(where)),
			    "samples/chain/dispatch.chain:5: ");
	assert_false(text.separate_maps);
	assert_int_equal(lsk_plan_parse_line(&text, "separate-maps", NULL, 0), 0);
	assert_true(text.separate_maps);
	assert_int_equal(lsk_plan_parse_line(&text, "replace a:p = b:q:f", NULL, 0), 0);
	assert_string_equal(text.dirs[text.nr_dirs - 1].fr.func, "f");
	assert_string_equal(text.dirs[text.nr_dirs - 1].fr.target.name, "q");
	/* mistakes are refused by name, nothing half-read is kept */
	i = text.nr_dirs;
	assert_int_equal(lsk_plan_parse_line(&text, "slot nonsense", NULL, 0), -EINVAL);
	assert_non_null(strstr(lsk_errmsg(), "'slot nonsense': expected 'slot"));
	assert_int_equal(lsk_plan_parse_line(&text, "slot m 1 = a:b extra", NULL, 0), -EINVAL);
	assert_int_equal(lsk_plan_parse_line(&text, "value m 1 = x", NULL, 0), -EINVAL);
	/* negative numbers: strtoull alone reads '-1' as 2^64 - 1 */
	assert_int_equal(lsk_plan_parse_line(&text, "value m 1 = -1", NULL, 0), -EINVAL);
	assert_int_equal(lsk_plan_parse_line(&text, "value m -1 = 1", NULL, 0), -EINVAL);
	assert_int_equal(lsk_plan_parse_line(&text, "slot m -1 = a:b", NULL, 0), -EINVAL);
	assert_int_equal(lsk_plan_parse_line(&text, "replace a:p = b:q", "f.chain", 7), -EINVAL);
	assert_non_null(strstr(lsk_errmsg(), "f.chain:7: 'b:q': the target is OBJ:PROG:FUNC"));
	assert_int_equal(lsk_plan_parse_line(&text, "frobnicate x", NULL, 0), -EINVAL);
	assert_non_null(strstr(lsk_errmsg(), "unknown directive 'frobnicate'"));
	assert_int_equal(lsk_plan_parse_line(&text, "separate-maps now", NULL, 0), -EINVAL);
	assert_int_equal(text.nr_dirs, i);
	lsk_plan_free(&typed);
	lsk_plan_free(&text);
	snprintf(path, sizeof(path), "%s/nosuch.chain", build_dir());
	assert_int_equal(lsk_plan_parse_file(&text, path), -ENOENT);
}

static char *trace_text(const struct lsk_plan *p)
{
	struct lsk_load ld;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	if (lsk_plan_open(p, &ld))
		fail_msg("%s", lsk_errmsg());
	f = open_memstream(&buf, &n);
	assert_non_null(f);
	lsk_dump_trace(f, ld.trace);
	fclose(f);
	assert_int_equal(ld.n, p->nr_paths);
	lsk_load_free(&ld);
	assert_null(ld.objs);
	return buf;
}

/* lsk_plan_open: the same trace from the typed plan and from the manifest's text, and one
 * that differs without the directives (the test can tell them apart). */
static void test_plan_open(void **state)
{
	char paths[4][256], *pv[4], *a, *b, *none;
	struct lsk_plan typed = {}, text = {}, bare = {};
	struct lsk_load ld;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/samples/chain/%s.bpf.o", build_dir(),
			 disp_objs[i]);
		pv[i] = paths[i];
	}
	typed.paths = text.paths = bare.paths = pv;
	typed.nr_paths = text.nr_paths = bare.nr_paths = 4;
	dispatch_plan(&typed);
	assert_int_equal(lsk_plan_parse_file(&text, "samples/chain/dispatch.chain"), 0);
	a = trace_text(&typed);
	b = trace_text(&text);
	none = trace_text(&bare);
	assert_string_equal(a, b);
	assert_string_not_equal(a, none);
	assert_non_null(strstr(a, "slot 3 of map 'chain_progs' of object 'disp_root'"));
	free(a);
	free(b);
	free(none);
	assert_int_equal(lsk_plan_add_dynamic(&bare, (char *)"nosuch"), 0);
	assert_int_equal(lsk_plan_open(&bare, &ld), -ENOENT);
	assert_non_null(strstr(lsk_errmsg(), "--dynamic nosuch: no such object"));
	assert_null(ld.objs);
	lsk_plan_free(&typed);
	lsk_plan_free(&text);
	lsk_plan_free(&bare);
}

/* A dispatcher in the plan: its root first, named "ROOT.bpf.o" (not a temporary path, so
 * headers naming it are reproducible); in freplace mode its directives retype every
 * component as freplace of the root's slot function. */
static void test_plan_dispatcher(void **state)
{
	static const char *const comps[] = { "dsp_parse", "dsp_filter", "dsp_count",
					     "dsp_verdict", "dsp_lib" };
	char paths[5][256], *pv[5];
	struct lsk_plan p = { .paths = pv, .nr_paths = 5 };
	struct lsk_dispatch *d = NULL;
	struct lsk_load ld;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/samples/dispatch/%s.bpf.o", build_dir(),
			 comps[i]);
		pv[i] = paths[i];
	}
	assert_int_equal(lsk_disp_parse("samples/dispatch/dsp.spec", &d), 0);
	d->mode = LSK_MODE_FREPLACE;
	assert_int_equal(lsk_disp_plan(d, &p), 0);
	assert_int_equal(p.nr_dirs, 4);
	p.disp = d;
	if (lsk_plan_open(&p, &ld))
		fail_msg("%s", lsk_errmsg());
	assert_int_equal(ld.n, 6);
	assert_string_equal(ld.objs[0]->path, "dispatcher.bpf.o");
	assert_string_equal(ld.objs[0]->name, "dispatcher");
	assert_int_equal(ld.objs[1]->progs[0].type, BPF_PROG_TYPE_EXT);
	assert_string_equal(ld.objs[1]->progs[0].replace_func, "dispatcher_slot0");
	lsk_load_free(&ld);
	lsk_plan_free(&p);
	lsk_disp_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_values),
		cmocka_unit_test(test_separate_maps),
		cmocka_unit_test(test_retype_step),
		cmocka_unit_test(test_dispatcher_directives),
		cmocka_unit_test(test_parse_equals_typed),
		cmocka_unit_test(test_plan_open),
		cmocka_unit_test(test_plan_dispatcher),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
