// SPDX-License-Identifier: BSD-2-Clause
/* A 64-object chain (bench/gen-chain.sh) loads in one loader run: 64 programs, 64 maps of
 * their own and one map they all share; every program runs against both. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "kstate.h"
#include "loader_desc.h"
#include "samples.h"
#include "err.h"

#define N 64

static void test_64_objects_one_loader(void **state)
{
	struct lsk_obj *objs[N];
	struct lsk_trace *t;
	struct lsk_loader *l;
	struct lskel_desc d;
	struct lskel_ctx c = { .failed_op = -1 };
	struct id_set before[4] = {};
	char path[256], left[512];
	int *fds = NULL, i, shared, fds0 = count_fds();
	__u32 k;

	(void)state;
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "%s/chain64/link%02d.bpf.o", build_dir(), i);
		if (lsk_obj_open(path, &objs[i]))
			fail_msg("%s", lsk_errmsg());
	}
	assert_int_equal(lsk_trace_build(objs, N, &t), 0);
	assert_int_equal(lsk_loader_compile(t, &l), 0);
	assert_int_equal(lsk_loader_desc(t, l, &d), 0);
	assert_int_equal(ids_snapshot(before), 0);
	if (lskel_run_loader(&d, NULL, &c, &fds))
		fail_msg("%s", c.errmsg);
	shared = fds[t->objs[0].map_op[0]];
	for (i = 0; i < N; i++) {
		const struct lsk_trace_obj *to = &t->objs[i];
		unsigned char pkt[64] = { 0 };
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
		__u64 v = 0;

		/* map 0 is the shared one: every object sees the first object's map */
		assert_int_equal(to->map_op[0], t->objs[0].map_op[0]);
		assert_int_equal(bpf_prog_test_run_opts(fds[to->prog_op[0]], &o), 0);
		assert_int_equal(o.retval, 2);
		k = 0;
		assert_int_equal(bpf_map_lookup_elem(fds[to->map_op[1]], &k, &v), 0);
		assert_int_equal(v, i);
	}
	for (k = 0; k < N; k++) {
		__u64 v = 0;

		assert_int_equal(bpf_map_lookup_elem(shared, &k, &v), 0);
		assert_int_equal(v, 1);
	}
	for (k = 0; k < d.nr_ops; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	free(fds);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	assert_int_equal(count_fds(), fds0);
	ids_free(before);
	print_message("  64 objects: %zu ops, loader %zu instructions, blob %u bytes\n", t->nr_ops,
		      l->nr_insns, l->blob->size);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_trace_free(t);
	for (i = 0; i < N; i++)
		lsk_obj_free(objs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_64_objects_one_loader),
	};

	return cmocka_run_group_tests_name("64-object chain", tests, NULL, NULL);
}
