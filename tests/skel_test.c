// SPDX-License-Identifier: BSD-2-Clause
/* Per-sample skeleton tests, compiled once per sample with -DSKEL=name:
 * - the generated loader leaves the same kernel state as libbpf and as exec_direct;
 * - open/load/destroy leaks no kernel object and no fd;
 * - a failure injected into the loader at every op names that op and leaves nothing behind;
 * - a program the verifier refuses comes back with its log. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include SKEL_HDR
#include "inject.h"
#include "kstate.h"
#include "samples.h"
#include "err.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define STR_(a) #a
#define STR(a) STR_(a)
#define SKEL_T struct SKEL
#define DESC CAT(SKEL, __desc)

static int skel_kstate(SKEL_T *s, const struct lskel_desc *d, struct kstate *ks)
{
	const char *mn[256], *pn[256];
	int mf[256], pf[256];
	__u32 i;

	for (i = 0; i < d->nr_maps; i++) {
		mn[i] = d->maps[i].name;
		mf[i] = ((struct lskel_map_desc *)((char *)s + d->maps[i].fd_off))->map_fd;
	}
	for (i = 0; i < d->nr_progs; i++) {
		pn[i] = d->progs[i].name;
		pf[i] = ((struct lskel_prog_desc *)((char *)s + d->progs[i].fd_off))->prog_fd;
	}
	return kstate_collect(ks, mn, mf, d->nr_maps, pn, pf, d->nr_progs);
}

static void test_same_state_as_libbpf_and_exec_direct(void **state)
{
	struct kstate ours = {}, ref = {}, direct = {};
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	char path[256], report[8192];
	SKEL_T *s;
	int lerr = 0, n;

	(void)state;
	s = CAT(SKEL, __open_and_load)();
	assert_non_null(s);
	assert_int_equal(skel_kstate(s, &DESC, &ours), 0);
	sample_path(path, sizeof(path), STR(SKEL));
	assert_int_equal(kstate_from_libbpf(path, &ref, &lerr), 0);
	assert_int_equal(lerr, 0);
	n = kstate_diff(&ours, "skeleton", &ref, "libbpf", report, sizeof(report));
	if (n)
		fail_msg("%d differences:\n%s", n, report);
	assert_int_equal(lsk_obj_open(path, &obj), 0);
	assert_int_equal(lsk_trace_build(&obj, 1, &t), 0);
	assert_int_equal(kstate_from_trace(t, &direct), 0);
	n = kstate_diff(&ours, "skeleton", &direct, "exec_direct", report, sizeof(report));
	if (n)
		fail_msg("%d differences:\n%s", n, report);
	kstate_free(&ours);
	kstate_free(&ref);
	kstate_free(&direct);
	lsk_trace_free(t);
	lsk_obj_free(obj);
	CAT(SKEL, __destroy)(s);
}

static void test_no_leak(void **state)
{
	struct id_set before[4] = {};
	char left[512];
	int fds0 = count_fds();
	SKEL_T *s;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	s = CAT(SKEL, __open_and_load)();
	assert_non_null(s);
	CAT(SKEL, __destroy)(s);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("leaked: %s", left);
	assert_int_equal(count_fds(), fds0);
	ids_free(before);
}

static void test_failure_at_every_op(void **state)
{
	(void)state;
	assert_true(inject_every_op(&DESC, sizeof(SKEL_T)) > 0);
	assert_true(kernel_fail_every_op(&DESC, sizeof(SKEL_T)) > 0);
}

/* First ALU/load/store instruction reached from @at before any jump; a bpf-to-bpf call
 * with nothing plain before it leads into the callee. */
static __u32 first_plain_insn(const struct bpf_insn *in, __u32 at)
{
	for (;; at++) {
		int cls = BPF_CLASS(in[at].code);

		if (in[at].code == (BPF_LD | BPF_IMM | BPF_DW)) {
			at++;
			continue;
		}
		if (in[at].code == (BPF_JMP | BPF_CALL) && in[at].src_reg == BPF_PSEUDO_CALL)
			return first_plain_insn(in, at + in[at].imm + 1);
		if (cls == BPF_JMP || cls == BPF_JMP32) {
			assert_true(in[at].code == (BPF_JMP | BPF_CALL));	/* helper call */
			continue;
		}
		return at;
	}
}

/* Make the first PROG_LOAD's program read outside its stack frame. */
static void test_verifier_log(void **state)
{
	static char log[1 << 16];
	struct lskel_blob_hdr h;
	struct lskel_step *st;
	struct lskel_desc d = DESC;
	char *blob = (char *)malloc(DESC.data_sz);
	__u32 i, k = ~0u, insns_off = 0;
	SKEL_T *s;
	int err;

	(void)state;
	assert_non_null(blob);
	memcpy(blob, DESC.data, DESC.data_sz);
	memcpy(&h, blob, sizeof(h));
	st = (struct lskel_step *)(blob + h.steps_off);
	for (i = 0; i < h.nr_steps && k == ~0u; i++)
		if (st[i].kind == LSKEL_STEP_BPF && st[i].a == BPF_PROG_LOAD)
			k = st[i].op;
	assert_true(k != ~0u);
	for (i = 0; i < h.nr_steps; i++)	/* the PTR step filling attr.insns of op k */
		if (st[i].op == k && st[i].kind == LSKEL_STEP_PTR && !insns_off)
			insns_off = st[i].b;
	{
		/* a read above the frame pointer is invalid in any state; put it on the first
		 * plain instruction before any jump, so it is reached */
		struct bpf_insn bad = { BPF_LDX | BPF_MEM | BPF_DW, 0, BPF_REG_10, 8, 0 };
		struct bpf_insn *in = (struct bpf_insn *)(blob + insns_off);

		i = first_plain_insn(in, 0);
		in[i] = bad;
	}
	for (i = 0; i < h.nr_steps; i++)	/* no CO-RE relocation may touch the bad insn */
		if (st[i].op == k && st[i].kind == LSKEL_STEP_BPF) {
			__u32 zero = 0;

			memcpy(blob + st[i].b + offsetof(union bpf_attr, core_relo_cnt), &zero, 4);
		}
	d.data = blob;
	s = (SKEL_T *)calloc(1, sizeof(*s));
	assert_non_null(s);
	assert_int_equal(lskel_open(&d, s), 0);
	s->ctx.log_buf = log;
	s->ctx.log_size = sizeof(log);
	err = lskel_load(&d, s);
	if (err != -EACCES)
		fail_msg("load: %d %s\nlog: %.2000s", err, s->ctx.errmsg, log);
	assert_int_equal(s->ctx.failed_op, (int)k);
	assert_non_null(strstr(s->ctx.errmsg, "PROG_LOAD of program"));
	if (!strstr(log, "invalid read from stack"))
		fail_msg("no verifier log: '%.200s'", log);
	lskel_destroy(&d, s);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_state_as_libbpf_and_exec_direct),
		cmocka_unit_test(test_no_leak),
		cmocka_unit_test(test_failure_at_every_op),
		cmocka_unit_test(test_verifier_log),
	};

	return cmocka_run_group_tests_name("skeleton of " STR(SKEL), tests, NULL, NULL);
}
