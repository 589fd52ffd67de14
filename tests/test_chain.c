// SPDX-License-Identifier: BSD-2-Clause
/* Chained loads on the kernel: a 3-object tail-call pipeline, the return-code dispatcher
 * configured by a manifest, the freplace dispatcher (kernel test where EXT loads are allowed),
 * the four chain errors, and a failure injected at every op of the pipeline's loader. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "pipe.lskel.h"
#include "dispatch.lskel.h"
#include "xdisp.lskel.h"
#include "chain.h"
#include "inject.h"
#include "kstate.h"
#include "samples.h"
#include "err.h"

/* A 14-byte Ethernet header + IPv4 + UDP/TCP header, @len bytes in all. */
static int run_pkt(int prog_fd, size_t len, __u16 ethertype, __u8 proto, __u16 dport,
		   __u32 *retval)
{
	unsigned char pkt[256] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len, .repeat = 1);
	int err;

	pkt[12] = ethertype >> 8;
	pkt[13] = ethertype & 0xff;
	pkt[14] = 0x45;			/* IPv4, ihl 5 */
	pkt[23] = proto;
	pkt[14 + 20 + 2] = dport >> 8;
	pkt[14 + 20 + 3] = dport & 0xff;
	err = bpf_prog_test_run_opts(prog_fd, &o);
	*retval = o.retval;
	return err;
}

static __u64 u64_at(int fd, __u32 key)
{
	__u64 v = 0;

	assert_int_equal(bpf_map_lookup_elem(fd, &key, &v), 0);
	return v;
}

static void test_pipeline(void **state)
{
	struct pipe *s = pipe__open();
	__u32 ret;

	(void)state;
	assert_non_null(s);
	s->pipe_c.rodata->max_len = 150;
	assert_int_equal(pipe__load(s), 0);
	/* one map seen from the three objects */
	assert_int_equal(s->pipe_a.maps.pipe_hits.map_fd, s->pipe_b.maps.pipe_hits.map_fd);
	assert_int_equal(s->pipe_a.maps.pipe_hits.map_fd, s->pipe_c.maps.pipe_hits.map_fd);
	assert_int_equal(run_pkt(s->pipe_a.progs.stage_a.prog_fd, 120, 0x0800, 6, 80, &ret), 0);
	assert_int_equal(ret, 2);	/* XDP_PASS: 120 <= 150 set before load */
	assert_int_equal(run_pkt(s->pipe_a.progs.stage_a.prog_fd, 200, 0x0800, 6, 80, &ret), 0);
	assert_int_equal(ret, 1);	/* XDP_DROP */
	assert_int_equal(u64_at(s->pipe_a.maps.pipe_hits.map_fd, 0), 2);
	assert_int_equal(u64_at(s->pipe_a.maps.pipe_hits.map_fd, 1), 2);
	assert_int_equal(u64_at(s->pipe_a.maps.pipe_hits.map_fd, 2), 2);
	pipe__destroy(s);
}

static void test_return_code_dispatcher(void **state)
{
	struct dispatch *s = dispatch__open_and_load();
	int root, stats;
	__u32 ret;

	(void)state;
	assert_non_null(s);
	root = s->disp_root.progs.disp_root.prog_fd;
	stats = s->disp_root.maps.chain_stats.map_fd;
	/* not IPv4: root -> parse, which drops */
	assert_int_equal(run_pkt(root, 64, 0x86dd, 0, 0, &ret), 0);
	assert_int_equal(ret, 1);
	assert_int_equal(u64_at(stats, 8), 012);	/* path: root(1), parse(2) */
	/* UDP to port 9: root -> parse -> filter, which drops */
	assert_int_equal(run_pkt(root, 64, 0x0800, 17, 9, &ret), 0);
	assert_int_equal(ret, 1);
	assert_int_equal(u64_at(stats, 8), 0123);
	/* TCP: root -> parse -> filter -> count, which passes */
	assert_int_equal(run_pkt(root, 64, 0x0800, 6, 9, &ret), 0);
	assert_int_equal(ret, 2);
	assert_int_equal(u64_at(stats, 8), 01234);
	/* every component ran as often as its place in the paths says */
	assert_int_equal(u64_at(stats, 0), 3);
	assert_int_equal(u64_at(stats, 1), 3);
	assert_int_equal(u64_at(stats, 2), 2);
	assert_int_equal(u64_at(stats, 3), 1);
	assert_int_equal(u64_at(s->comp_count.maps.proto_count.map_fd, 6), 1);
	dispatch__destroy(s);
}

static void test_freplace_dispatcher(void **state)
{
	struct xdisp *s = xdisp__open();
	__u32 ret;
	int err;

	(void)state;
	assert_non_null(s);
	if (!s)	/* cmocka's assert is not noreturn: GCC 12 then warns about s->ctx below */
		return;
	err = xdisp__load(s);
	if (err == -EPERM && strstr(s->ctx.errmsg, "PROG_LOAD of program 'comp_a'")) {
		/* the trace and loader are golden-tested (test_golden) */
		print_message("SKIP: this kernel refuses BPF_PROG_TYPE_EXT (freplace) loads with "
			      "EPERM: %s\n", s->ctx.errmsg);
		xdisp__destroy(s);
		skip();
	}
	assert_int_equal(err, 0);
	assert_int_equal(xdisp__attach(s), 0);
	assert_int_equal(run_pkt(s->xdisp_root.progs.xdisp.prog_fd, 64, 0x0800, 6, 80, &ret), 0);
	assert_int_equal(ret, 2);
	assert_int_equal(run_pkt(s->xdisp_root.progs.xdisp.prog_fd, 200, 0x0800, 6, 80, &ret), 0);
	assert_int_equal(ret, 1);
	assert_int_equal(s->xdisp_comp_a.bss->seen, 2);
	xdisp__destroy(s);
}

/* Open objects by file name and resolve them as a chain with the manifest lines @line and
 * @line2 (either may be NULL); returns the error. */
static int chain_of2(const char *dir, const char *const *names, size_t n, const char *line,
		     const char *line2)
{
	struct lsk_obj *objs[8] = {};
	struct lsk_plan p = {};
	struct lsk_chain *c = NULL;
	char path[256];
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s.bpf.o", build_dir(), dir, names[i]);
		err = lsk_obj_open(path, &objs[i]);
	}
	if (!err && line)
		err = lsk_plan_parse_line(&p, line, NULL, 0);
	if (!err && line2)
		err = lsk_plan_parse_line(&p, line2, NULL, 0);
	err = err ?: lsk_plan_retype_replaced(&p, objs, n);
	err = err ?: lsk_chain_resolve(objs, n, &p, &c);
	lsk_chain_free(c);
	lsk_plan_free(&p);
	for (i = 0; i < n; i++)
		lsk_obj_free(objs[i]);
	if (err)
		print_message("  -> %s\n", lsk_errmsg());
	return err;
}

static int chain_of(const char *dir, const char *const *names, size_t n, const char *line)
{
	return chain_of2(dir, names, n, line, NULL);
}

static void test_errors(void **state)
{
	static const char *const mismatch[] = { "mismatch_a", "mismatch_b" };
	static const char *const lone_freplace[] = { "xdisp_comp_a" };
	static const char *const dangling[] = { "pipe_a", "pipe_c" };
	static const char *const cycle[] = { "cyc_a", "cyc_b" };
	static const char *const pipe3[] = { "pipe_a", "pipe_b", "pipe_c" };

	(void)state;
	assert_int_equal(chain_of("tests/bpf", mismatch, 2, NULL), -EINVAL);
	assert_non_null(strstr(lsk_errmsg(), "'shared_cnt' is shared by objects 'mismatch_a' and "
			       "'mismatch_b' but defined differently: max_entries 4"));
	assert_int_equal(chain_of("tests/bpf", mismatch, 2, "separate-maps"), 0);
	assert_int_equal(chain_of("samples/chain", lone_freplace, 1, NULL), -ENOENT);
	assert_non_null(strstr(lsk_errmsg(), "replaces function 'slot0', which no program"));
	assert_int_equal(chain_of("samples/chain", dangling, 2, NULL), -ENOENT);
	assert_non_null(strstr(lsk_errmsg(), "slot 0 names program 'stage_b', which no object"));
	assert_int_equal(chain_of("tests/bpf", cycle, 2, NULL), -ELOOP);
	assert_non_null(strstr(lsk_errmsg(), "dependency cycle between objects: 'cyc_a' needs "
			       "'cyc_b' (freplace target of"));
	/* manifest mistakes name the directive */
	assert_int_equal(chain_of("samples/chain", pipe3, 3, "slot a_next 5 = pipe_b:stage_b"),
			 -ERANGE);
	assert_int_equal(chain_of("samples/chain", pipe3, 3, "slot a_next 0 = nosuch:prog"),
			 -ENOENT);
	assert_int_equal(chain_of("samples/chain", pipe3, 3, "frobnicate x"), -EINVAL);
	/* kept apart, the same-named map of two objects must be named with its object */
	assert_int_equal(chain_of2("tests/bpf", mismatch, 2, "separate-maps",
				   "value shared_cnt 0 = 1"), -EINVAL);
	assert_non_null(strstr(lsk_errmsg(), "map 'shared_cnt' is defined by several objects"));
	assert_int_equal(chain_of2("tests/bpf", mismatch, 2, "separate-maps",
				   "value mismatch_b:shared_cnt 0 = 1"), 0);
}

/* The loader of the 3-object pipeline fails at every op in turn; nothing stays. */
static void test_pipeline_failure_at_every_op(void **state)
{
	(void)state;
	assert_int_equal(inject_every_op(&pipe__desc, sizeof(struct pipe)), pipe__desc.nr_ops);
	assert_true(kernel_fail_every_op(&pipe__desc, sizeof(struct pipe)) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_return_code_dispatcher),
		cmocka_unit_test(test_freplace_dispatcher),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_pipeline_failure_at_every_op),
	};

	return cmocka_run_group_tests_name("chained loads", tests, NULL, NULL);
}
