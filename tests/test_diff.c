// SPDX-License-Identifier: BSD-2-Clause
/* Differential: every sample loaded by exec_direct leaves the same kernel state as
 * libbpf's bpf_object__load (programs' xlated code with map ids normalised, maps' definitions,
 * global data, prog-array and map-in-map slots). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "kstate.h"
#include "samples.h"
#include "err.h"

static void diff_one(const char *name)
{
	struct kstate ours = {}, ref = {};
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	char path[256], report[8192];
	int lerr = 0, n;

	sample_path(path, sizeof(path), name);
	if (lsk_obj_open(path, &obj))
		fail_msg("%s: %s", name, lsk_errmsg());
	if (lsk_trace_build(&obj, 1, &t))
		fail_msg("%s: %s", name, lsk_errmsg());
	if (kstate_from_trace(t, &ours))
		fail_msg("%s: exec_direct: %s", name, lsk_errmsg());
	assert_int_equal(kstate_from_libbpf(path, &ref, &lerr), 0);
	if (lerr)
		fail_msg("%s: libbpf failed to load it: %d", name, lerr);
	n = kstate_diff(&ours, "lskel", &ref, "libbpf", report, sizeof(report));
	if (n)
		fail_msg("%s: %d differences:\n%s", name, n, report);
	assert_true(ours.nr_progs > 0);
	kstate_free(&ours);
	kstate_free(&ref);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

#define SAMPLE_TEST(n) static void test_##n(void **s) { (void)s; diff_one(#n); }
SAMPLE_TEST(tp_counter)
SAMPLE_TEST(xdp_tail)
SAMPLE_TEST(map_in_map)
SAMPLE_TEST(loop_cb)
SAMPLE_TEST(core_read)
SAMPLE_TEST(ksyms)
SAMPLE_TEST(tc_subprogs)
SAMPLE_TEST(sock_filter)
SAMPLE_TEST(net_count)
SAMPLE_TEST(uprobe_count)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tp_counter),
		cmocka_unit_test(test_xdp_tail),
		cmocka_unit_test(test_map_in_map),
		cmocka_unit_test(test_loop_cb),
		cmocka_unit_test(test_core_read),
		cmocka_unit_test(test_ksyms),
		cmocka_unit_test(test_tc_subprogs),
		cmocka_unit_test(test_sock_filter),
		cmocka_unit_test(test_net_count),
		cmocka_unit_test(test_uprobe_count),
	};

	return cmocka_run_group_tests_name("differential: exec_direct vs libbpf", tests, NULL,
					   NULL);
}
