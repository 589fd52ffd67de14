// SPDX-License-Identifier: BSD-2-Clause
/* Nothing dropped without a word (gen_loader/front/obj_sections.c): objects with a section or a
 * relocation section meaning something lskel does not do are refused with a message naming
 * it, one no program refers to is listed as not loaded; every sample is still read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "obj.h"
#include "err.h"
#include "samples.h"

static void refused(const char *file, const char *what)
{
	char path[512];
	struct lsk_obj *obj = NULL;

	snprintf(path, sizeof(path), "%s/tests/bpf/%s", build_dir(), file);
	if (!lsk_obj_open(path, &obj)) {
		lsk_obj_free(obj);
		fail_msg("%s was accepted", file);
	}
	print_message("  %s\n", lsk_errmsg());
	if (!strstr(lsk_errmsg(), what))
		fail_msg("%s: message does not name %s: %s", file, what, lsk_errmsg());
}

static void test_refused_by_name(void **state)
{
	(void)state;
	refused("refuse_data_ptr.bpf.o", "section '.rel.data': relocations in global data '.data'");
	refused("refuse_percpu.bpf.o", "section '.data..percpu'");
	refused("refuse_arena.bpf.o", "section '.addr_space.1': arena");
}

/* A section no program refers to is not loaded, and the object says so (lskel dump). */
static void test_metadata_listed(void **state)
{
	char path[512], cmd[1100];
	struct lsk_obj *obj;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/bpf/meta_sec.bpf.o", build_dir());
	if (lsk_obj_open(path, &obj))
		fail_msg("%s", lsk_errmsg());
	assert_int_equal(obj->nr_unloaded, 1);
	assert_string_equal(obj->unloaded[0], ".mytable");
	lsk_obj_free(obj);
	snprintf(cmd, sizeof(cmd), "%s/bin/lskel dump %s | grep -q \"section '.mytable': not "
		 "loaded\"", build_dir(), path);
	assert_int_equal(system(cmd), 0);
}

static void test_samples_still_read(void **state)
{
	char path[512];
	size_t i;

	(void)state;
	for (i = 0; i < NR_SAMPLES; i++) {
		struct lsk_obj *obj;

		sample_path(path, sizeof(path), sample_names[i]);
		if (lsk_obj_open(path, &obj))
			fail_msg("%s", lsk_errmsg());
		lsk_obj_free(obj);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_by_name),
		cmocka_unit_test(test_metadata_listed),
		cmocka_unit_test(test_samples_still_read),
	};

	return cmocka_run_group_tests_name("sections", tests, NULL, NULL);
}
