// SPDX-License-Identifier: BSD-2-Clause
/* The trace is append-only and its chunks are labelled by the op that owns them: every
 * "attr op N" chunk `lskel dump --loader` prints is op N's attr, and every op that writes
 * into another op's attr (BTF id lookups, fixups) or fills its value runs before it. Over
 * every sample, the refused trampolines object and a three-object chain. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "compile.h"
#include "dump.h"
#include "samples.h"
#include "err.h"

/* The op whose attr is chunk @c, -1: none. */
static int attr_owner(const struct lsk_trace *t, int c)
{
	size_t i;

	for (i = 0; i < t->nr_ops; i++)
		if (t->ops[i].attr == c)
			return i;
	return -1;
}

/* Every "chunk C attr op N" line of the loader dump names op N's attr; returns how many. */
static int check_dump_labels(const char *what, const struct lsk_trace *t)
{
	struct lsk_loader *l = NULL;
	char *out = NULL, *line;
	size_t n = 0;
	int c, op, seen = 0;
	FILE *f;

	if (lsk_loader_compile(t, &l))
		fail_msg("%s: %s", what, lsk_errmsg());
	f = open_memstream(&out, &n);
	assert_non_null(f);
	lsk_dump_loader(f, t, l);
	fclose(f);
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "  chunk %d attr op %d", &c, &op) != 2)
			continue;
		if (op < 0 || (size_t)op >= t->nr_ops || t->ops[op].attr != c)
			fail_msg("%s: the dump labels chunk %d as op %d's attr; it is op %d's",
				 what, c, op, attr_owner(t, c));
		seen++;
	}
	free(out);
	lsk_loader_free(l);
	return seen;
}

/* Op @k writes into chunk @c: if that is another op's attr, that op comes later. */
static void writes_before(const char *what, const struct lsk_trace *t, size_t k, int c)
{
	int owner = c >= 0 ? attr_owner(t, c) : -1;

	if (owner >= 0 && (size_t)owner != k && (size_t)owner < k)
		fail_msg("%s: op %zu (%s) writes into the attr of op %d, which ran before it",
			 what, k, t->ops[k].what, owner);
}

static void check_trace(const char *what, const struct lsk_trace *t)
{
	size_t i, j;

	for (i = 0; i < t->nr_chunks; i++) {
		int op = t->chunks[i].op;
		char want[40];

		if (op < 0)
			continue;
		snprintf(want, sizeof(want), "attr op %d", op);
		assert_int_equal(t->ops[op].attr, (int)i);
		if (strcmp(t->chunks[i].label, want))
			fail_msg("%s: chunk %zu of op %d is labelled '%s'", what, i, op,
				 t->chunks[i].label);
	}
	for (i = 0; i < t->nr_ops; i++) {
		const struct lsk_op *o = &t->ops[i];

		if (o->attr >= 0)
			assert_int_equal(t->chunks[o->attr].op, (int)i);
		for (j = 0; j < o->nr_fix; j++)
			if (o->fix[j].kind == LSK_FIX_FD && o->fix[j].src >= (int)i)
				fail_msg("%s: op %zu takes the fd of op %d, which runs later", what,
					 i, o->fix[j].src);
		if (o->cmd == LSK_CMD_BTF_ID || o->cmd == LSK_CMD_KSYM_ADDR)
			writes_before(what, t, i, o->sym.dst);
		else if (o->cmd == LSK_CMD_USER_INIT)
			writes_before(what, t, i, o->user_init.dst);
		else if (o->cmd == LSK_CMD_KCONFIG)
			writes_before(what, t, i, o->kconfig.dst);
	}
}

/* Returns how many attr labels the dump had. */
static int check_objs(const char *what, char **paths, size_t nr)
{
	struct lsk_obj *objs[8];
	struct lsk_trace *t = NULL;
	size_t i;
	int seen;

	for (i = 0; i < nr; i++)
		if (lsk_obj_open(paths[i], &objs[i]))
			fail_msg("%s: %s", paths[i], lsk_errmsg());
	if (lsk_trace_build(objs, nr, &t))
		fail_msg("%s: %s", what, lsk_errmsg());
	check_trace(what, t);
	seen = check_dump_labels(what, t);
	lsk_trace_free(t);
	for (i = 0; i < nr; i++)
		lsk_obj_free(objs[i]);
	return seen;
}

static void test_samples(void **state)
{
	char path[256], *p = path;
	size_t i;

	(void)state;
	for (i = 0; i < NR_SAMPLES; i++) {
		sample_path(path, sizeof(path), sample_names[i]);
		assert_true(check_objs(sample_names[i], &p, 1) > 0);
	}
}

/* Attach targets (BTF id lookups reserved in front of the load) and a chain. */
static void test_trampolines_and_chain(void **state)
{
	char a[256], b[256], c[256], *chain[3] = { a, b, c }, *p = a;

	(void)state;
	snprintf(a, sizeof(a), "%s/samples/refused/trampolines.bpf.o", build_dir());
	assert_true(check_objs("trampolines", &p, 1) > 0);
	snprintf(a, sizeof(a), "%s/samples/chain/pipe_a.bpf.o", build_dir());
	snprintf(b, sizeof(b), "%s/samples/chain/pipe_b.bpf.o", build_dir());
	snprintf(c, sizeof(c), "%s/samples/chain/pipe_c.bpf.o", build_dir());
	assert_true(check_objs("pipe chain", chain, 3) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_trampolines_and_chain),
	};

	return cmocka_run_group_tests_name("trace labels", tests, NULL, NULL);
}
