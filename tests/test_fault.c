// SPDX-License-Identifier: BSD-2-Clause
/* All or nothing: a failure injected at every op of every sample's trace is reported with
 * the op and what it was for, and leaves no kernel object and no open fd behind. A real
 * kernel refusal (a program the verifier rejects) behaves the same and carries its log. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "exec_direct.h"
#include "kstate.h"
#include "loader_desc.h"
#include "samples.h"
#include "err.h"

static void fault_all_ops(const char *name)
{
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	char path[256], want[32], left[512];
	size_t k;

	sample_path(path, sizeof(path), name);
	if (lsk_obj_open(path, &obj) || lsk_trace_build(&obj, 1, &t))
		fail_msg("%s: %s", name, lsk_errmsg());
	for (k = 0; k < t->nr_ops; k++) {
		struct lsk_exec_opts o = { .fail_at = k, .fail_errno = EPERM };
		struct id_set before[4] = {};
		struct lsk_exec_error e;
		int fds0 = count_fds(), *fds = NULL, err;

		assert_int_equal(ids_snapshot(before), 0);
		err = lsk_exec_direct(t, &o, &fds, &e);
		assert_int_equal(err, -EPERM);
		assert_int_equal(e.op, (int)k);
		snprintf(want, sizeof(want), "op %zu: ", k);
		if (strncmp(lsk_errmsg(), want, strlen(want)) || !strstr(lsk_errmsg(), t->ops[k].what))
			fail_msg("%s op %zu: message does not name the op: %s", name, k, lsk_errmsg());
		if (ids_wait_gone(before, left, sizeof(left)))
			fail_msg("%s: failure at op %zu leaked kernel objects: %s", name, k, left);
		assert_int_equal(count_fds(), fds0);
		ids_free(before);
	}
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

static void test_every_op_of_every_sample(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NR_SAMPLES; i++)
		fault_all_ops(sample_names[i]);
}

/* A successful load followed by close leaves nothing either (the baseline for the above). */
static void test_success_then_close(void **state)
{
	struct lsk_exec_opts o = { .fail_at = -1 };
	struct id_set before[4] = {};
	struct lsk_trace *t;
	struct lsk_obj *obj;
	char path[256], left[512];
	int *fds, fds0 = count_fds();

	(void)state;
	sample_path(path, sizeof(path), "xdp_tail");
	assert_int_equal(lsk_obj_open(path, &obj), 0);
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	assert_int_equal(ids_snapshot(before), 0);
	assert_int_equal(lsk_exec_direct(t, &o, &fds, NULL), 0);
	assert_true(count_fds() > fds0);
	lsk_exec_close(t, fds);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	assert_int_equal(count_fds(), fds0);
	ids_free(before);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

/* The kernel itself refuses a program: the verifier log comes back, nothing stays. */
static void test_verifier_refusal(void **state)
{
	static char log[65536];
	struct lsk_exec_opts o = { .fail_at = -1, .log_buf = log, .log_size = sizeof(log) };
	struct id_set before[4] = {};
	struct lsk_exec_error e;
	struct lsk_trace *t;
	struct lsk_obj *obj;
	char path[256], left[512];
	int *fds = NULL, fds0 = count_fds(), err;
	size_t k;

	(void)state;
	sample_path(path, sizeof(path), "tp_counter");
	assert_int_equal(lsk_obj_open(path, &obj), 0);
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	/* make the program read an uninitialised register: r0 = r5 at the start */
	for (k = 0; k < t->nr_ops; k++)
		if (t->ops[k].cmd == BPF_PROG_LOAD)
			break;
	assert_true(k < t->nr_ops);
	{
		const struct lsk_fixup *f = t->ops[k].fix;	/* first fixup: attr.insns */
		struct bpf_insn *insns = t->chunks[f->src].data;

		insns[0] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 0,
					       .src_reg = 5 };
	}
	assert_int_equal(ids_snapshot(before), 0);
	err = lsk_exec_direct(t, &o, &fds, &e);
	assert_int_equal(err, -EACCES);
	assert_int_equal(e.op, (int)k);
	assert_non_null(strstr(lsk_errmsg(), "program 'count_getpid'"));
	assert_non_null(strstr(log, "R5 !read_ok"));
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	assert_int_equal(count_fds(), fds0);
	ids_free(before);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

/* A strong kfunc no kernel has: both executors fail at its BTF_ID op and name the symbol. */
static void test_missing_strong_kfunc(void **state)
{
	struct lsk_exec_opts o = { .fail_at = -1 };
	struct lskel_ctx c = { .failed_op = -1 };
	struct lsk_exec_error e;
	struct lsk_loader *l;
	struct lsk_trace *t;
	struct lsk_obj *obj;
	struct lskel_desc d;
	char path[256];
	int *fds = NULL, fds0 = count_fds();

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/bpf/missing_kfunc.bpf.o", build_dir());
	assert_int_equal(lsk_obj_open(path, &obj), 0);
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	assert_true(lsk_exec_direct(t, &o, &fds, &e) < 0);
	assert_int_equal(t->ops[e.op].cmd, LSK_CMD_BTF_ID);
	assert_non_null(strstr(lsk_errmsg(), "'lskel_kfunc_missing'"));
	assert_int_equal(lsk_loader_compile(t, &l), 0);
	assert_int_equal(lsk_loader_desc(t, l, &d), 0);
	assert_true(lskel_run_loader(&d, NULL, &c, &fds) < 0);
	assert_int_equal(c.failed_op, e.op);
	print_message("  %s\n", c.errmsg);
	assert_non_null(strstr(c.errmsg, "BTF_ID of BTF id of ksym 'lskel_kfunc_missing'"));
	assert_int_equal(count_fds(), fds0);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

/* A caller's initial value of a section over 4 KiB arrives whole: the loader copies it in
 * 4 KiB steps, each from its own offset of the caller's buffer (step d). */
static void test_user_init_past_4k(void **state)
{
	struct lskel_ctx c = { .failed_op = -1 };
	unsigned char *want = NULL, *got = NULL;
	struct lsk_loader *l;
	struct lsk_trace *t;
	struct lsk_obj *obj;
	struct lskel_desc d;
	__u64 *inputs;
	__u32 size = 0, key = 0, i;
	int *fds = NULL, fds0 = count_fds(), found = 0;
	char path[256];
	size_t k;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/bpf/big_data.bpf.o", build_dir());
	assert_int_equal(lsk_obj_open(path, &obj), 0);
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	inputs = calloc(t->nr_inputs + 1, 8);
	assert_non_null(inputs);
	for (k = 0; k < t->nr_ops; k++) {
		if (t->ops[k].cmd != LSK_CMD_USER_INIT ||
		    t->chunks[t->ops[k].user_init.dst].size <= LSKEL_COPY_MAX)
			continue;
		size = t->chunks[t->ops[k].user_init.dst].size;
		want = malloc(size);
		assert_non_null(want);
		for (i = 0; i < size; i++)
			want[i] = (unsigned char)(i * 7 + i / 4096 + 3);
		inputs[t->ops[k].user_init.input] = (__u64)(unsigned long)want;
	}
	assert_non_null(want);
	assert_int_equal(lsk_loader_compile(t, &l), 0);
	assert_int_equal(lsk_loader_desc(t, l, &d), 0);
	if (lskel_run_loader(&d, inputs, &c, &fds))
		fail_msg("load: %s", c.errmsg);
	for (k = 0; k < t->nr_ops; k++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		if (t->ops[k].cmd != BPF_MAP_CREATE || fds[k] < 0)
			continue;
		assert_int_equal(bpf_obj_get_info_by_fd(fds[k], &info, &len), 0);
		if (info.value_size != size)
			continue;
		got = malloc(size);
		assert_non_null(got);
		assert_int_equal(bpf_map_lookup_elem(fds[k], &key, got), 0);
		for (i = 0; i < size && got[i] == want[i]; i++)
			;
		if (i < size)
			fail_msg("byte %u of %u: 0x%02x, the caller gave 0x%02x", i, size, got[i],
				 want[i]);
		found = 1;
		free(got);
	}
	assert_true(found);
	for (k = 0; k < t->nr_ops; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	assert_int_equal(count_fds(), fds0);
	free(fds);
	free(want);
	free(inputs);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_strong_kfunc),
		cmocka_unit_test(test_success_then_close),
		cmocka_unit_test(test_every_op_of_every_sample),
		cmocka_unit_test(test_verifier_refusal),
		cmocka_unit_test(test_user_init_past_4k),
	};

	return cmocka_run_group_tests_name("fault injection (exec_direct)", tests, NULL, NULL);
}
