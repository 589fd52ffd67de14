// SPDX-License-Identifier: BSD-2-Clause
/* No ceilings: one generated skeleton with 1,000 maps and 1,000 programs loads, every
 * program runs against its own map, and destroy leaves nothing behind (bpftool 7.1 refuses
 * more than 64 maps and its loader fails at about 40 programs). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "scale1000.lskel.h"
#include "kstate.h"

static void test_thousand_maps_and_programs(void **state)
{
	struct id_set before[4] = {};
	int fds0 = count_fds(), *map_fd, *prog_fd;
	struct scale1000 *s;
	char left[512];
	__u32 i;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	s = scale1000__open_and_load();
	assert_non_null(s);
	map_fd = &s->maps.m0.map_fd;
	prog_fd = &s->progs.p0.prog_fd;
	for (i = 0; i < 1000; i++) {
		/* the descriptors are laid out as arrays of structs holding one fd each */
		int mf = ((struct lskel_map_desc *)map_fd)[i].map_fd;
		int pf = ((struct lskel_prog_desc *)prog_fd)[i].prog_fd;
		unsigned char pkt[64] = { 0 };
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
		__u64 v = 0;
		__u32 k = 0;

		assert_true(mf >= 0 && pf >= 0);
		assert_int_equal(bpf_prog_test_run_opts(pf, &o), 0);
		assert_int_equal(o.retval, 2);
		assert_int_equal(bpf_map_lookup_elem(mf, &k, &v), 0);
		assert_int_equal(v, i + 1);
	}
	scale1000__destroy(s);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	assert_int_equal(count_fds(), fds0);
	ids_free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thousand_maps_and_programs),
	};

	return cmocka_run_group_tests_name("scale: 1,000 maps and programs", tests, NULL, NULL);
}
