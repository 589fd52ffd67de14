// SPDX-License-Identifier: BSD-2-Clause
/* Generated dispatchers (samples/dispatch/dsp.spec): the four-component XDP chain parse ->
 * filter -> count -> verdict (filter and verdict call dsp_lib's extern function, linked in
 * statically), generated as a static and as a tailcall dispatcher; packets exercising every
 * action of the spec return the expected verdicts, and the components' own counters and
 * the shared path map show which ran, in which order. The freplace mode is golden-tested
 * (tests/golden/dsp.*) and loaded where EXT programs are allowed. Spec errors fail with
 * exit status 1 and a message naming the problem. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "dsp_static.lskel.h"
#include "dsp_tailcall.lskel.h"
#include "dsp_freplace.lskel.h"
#include "dsp_twice.lskel.h"
#include "nest.lskel.h"
#include "dsp_tc.lskel.h"
#include "kstate.h"
#include "samples.h"

enum { ARP, IPV6, TCP, ICMP, GRE, UDP };

/* 64-byte Ethernet frame: @kind picks ethertype / IPv4 protocol, @dport the UDP port. */
static void frame(unsigned char *p, int kind, int dport)
{
	memset(p, 0, 64);
	p[12] = kind == ARP ? 0x08 : kind == IPV6 ? 0x86 : 0x08;
	p[13] = kind == ARP ? 0x06 : kind == IPV6 ? 0xdd : 0x00;
	p[14] = 0x45;
	p[23] = kind == TCP ? 6 : kind == ICMP ? 1 : kind == GRE ? 47 : 17;
	p[36] = dport >> 8;
	p[37] = dport & 0xff;
}

static __u32 run(int prog_fd, int kind, int dport)
{
	unsigned char pkt[64];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = 1);

	frame(pkt, kind, dport);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &o), 0);
	return o.retval;
}

static __u64 path(int map_fd)
{
	__u32 zero = 0;
	__u64 v = 0;

	assert_int_equal(bpf_map_lookup_elem(map_fd, &zero, &v), 0);
	return v;
}

struct counters {
	__u64 *parse, *filter, *count, *verdict, *bytes;
	int path_fd, root_fd;
};

/* The same members in every mode's skeleton. */
#define COUNTERS_OF(s) ((struct counters){ &(s)->dsp_parse.bss->runs,			\
	&(s)->dsp_filter.bss->runs, &(s)->dsp_count.bss->runs, &(s)->dsp_verdict.bss->runs,	\
	&(s)->dsp_count.bss->bytes, (s)->dsp_parse.maps.dsp_path.map_fd,			\
	(s)->dispatcher.progs.dispatcher.prog_fd })

/* every action of dsp.spec, in order; the counters accumulate */
static void exercise(const struct counters *c)
{
	static const struct {
		int kind, dport;
		__u32 verdict;
		__u64 path;
	} cases[] = {
		{ ARP, 0, 1, 1 },		/* parse XDP_DROP: return XDP_DROP */
		{ IPV6, 0, 0, 1 },		/* parse 7: default, return XDP_ABORTED */
		{ TCP, 0, 1, 12 },		/* filter 1: return XDP_DROP */
		{ ICMP, 0, 3, 12 },		/* filter 2: return XDP_TX */
		{ GRE, 0, 3, 12 },		/* filter 3: default stop, its own code */
		{ UDP, 1000, 2, 1234 },	/* verdict XDP_PASS: stop */
		{ UDP, 1001, 1, 1234 },	/* verdict XDP_DROP: stop */
		{ UDP, 7, 2, 1234 },		/* verdict 9: continue past the end, XDP_PASS */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u32 v = run(c->root_fd, cases[i].kind, cases[i].dport);

		if (v != cases[i].verdict || path(c->path_fd) != cases[i].path)
			fail_msg("case %zu: verdict %u path %llu, want %u and %llu", i, v,
				 (unsigned long long)path(c->path_fd), cases[i].verdict,
				 (unsigned long long)cases[i].path);
	}
	assert_int_equal(*c->parse, 8);
	assert_int_equal(*c->filter, 6);
	assert_int_equal(*c->count, 3);
	assert_int_equal(*c->verdict, 3);
	assert_int_equal(*c->bytes, 3 * 64);
}

static void test_static(void **state)
{
	int fds0 = count_fds();
	struct dsp_static *s;
	struct counters c;

	(void)state;
	s = dsp_static__open_and_load();
	if (!s)
		fail_msg("load failed: %s", strerror(errno));
	c = COUNTERS_OF(s);
	exercise(&c);
	dsp_static__destroy(s);
	assert_int_equal(count_fds(), fds0);
}

static void test_tailcall(void **state)
{
	int fds0 = count_fds();
	struct dsp_tailcall *s;
	struct counters c;

	(void)state;
	s = dsp_tailcall__open_and_load();
	if (!s)
		fail_msg("load failed: %s", strerror(errno));
	c = COUNTERS_OF(s);
	exercise(&c);
	dsp_tailcall__destroy(s);
	assert_int_equal(count_fds(), fds0);
}

/* A component named twice stays a called subprogram (not spliced in): it runs twice. */
static void test_called_twice(void **state)
{
	struct dsp_twice *s = dsp_twice__open_and_load();

	(void)state;
	if (!s)
		fail_msg("load failed: %s", strerror(errno));
	assert_int_equal(run(s->twice.progs.twice.prog_fd, UDP, 1000), 2);	/* end: XDP_PASS */
	assert_int_equal(s->dsp_count.bss->runs, 2);
	assert_int_equal(s->dsp_count.bss->bytes, 128);
	assert_int_equal(path(s->dsp_count.maps.dsp_path.map_fd), 33);
	dsp_twice__destroy(s);
}

/* The tc hook: tc verdict names, a SCHED_CLS root. */
static void test_tc(void **state)
{
	unsigned char pkt[200] = { [12] = 0x08 };
	struct dsp_tc *s = dsp_tc__open_and_load();
	__u32 i, want[] = { 3 /* TC_ACT_PIPE: the end */, 2 /* TC_ACT_SHOT */ }, len[] = { 64, 200 };

	(void)state;
	if (!s)
		fail_msg("load failed: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len[i],
			    .repeat = 1);

		assert_int_equal(bpf_prog_test_run_opts(s->tcroot.progs.tcroot.prog_fd, &o), 0);
		assert_int_equal(o.retval, want[i]);
	}
	assert_int_equal(s->tc_gate.bss->runs, 2);
	dsp_tc__destroy(s);
}

/* Two levels: nest_root calls nest_outer's program, which calls dsp_count's; the root is
 * given last, so the middle one has the inner one spliced in before it is spliced itself. */
static void test_nested(void **state)
{
	struct nest *s = nest__open_and_load();

	(void)state;
	if (!s)
		fail_msg("load failed: %s", strerror(errno));
	assert_int_equal(run(s->nest_root.progs.nest_root.prog_fd, UDP, 1000), 3);	/* XDP_TX */
	assert_int_equal(s->nest_root.bss->root_runs, 1);
	assert_int_equal(s->dsp_count.bss->runs, 1);
	assert_int_equal(s->dsp_count.bss->bytes, 64);
	nest__destroy(s);
}

/* Placeholders replaced by the components (EXT programs): refused here with EPERM. */
static void test_freplace(void **state)
{
	struct dsp_freplace *s;
	struct counters c;
	int err;

	(void)state;
	s = dsp_freplace__open();
	assert_non_null(s);
	err = dsp_freplace__load(s);
	if (err == -EPERM) {
		print_message("SKIP: this kernel refuses BPF_PROG_TYPE_EXT (freplace) loads with "
			      "EPERM: %s; the freplace dispatcher's source and trace are golden "
			      "(tests/golden/dsp.freplace.*)\n", s->ctx.errmsg);
		dsp_freplace__destroy(s);
		skip();
	}
	if (err)
		fail_msg("load failed: %s", s->ctx.errmsg);
	assert_int_equal(dsp_freplace__attach(s), 0);
	c = COUNTERS_OF(s);
	exercise(&c);
	dsp_freplace__destroy(s);
}

/* The components are ordinary programs: each loads and runs on its own as well. */
static void test_components_standalone(void **state)
{
	static const char *const comps[] = { "dsp_parse", "dsp_filter", "dsp_count",
					     "dsp_verdict" };
	char cmd[1024];
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(cmd, sizeof(cmd), "%1$s/bin/lskel exec %1$s/samples/dispatch/%2$s.bpf.o "
			 "%1$s/samples/dispatch/dsp_lib.bpf.o > %1$s/tests/dispatch.%2$s.out",
			 build_dir(), comps[i]);
		if (system(cmd))
			fail_msg("%s does not load on its own", comps[i]);
	}
}

/* `lskel ARGS` exits 1 and says @want (stderr) */
static void fails_with(const char *args, const char *want)
{
	char cmd[4096], out[512], msg[2048] = "";
	FILE *f;
	int rc;

	snprintf(out, sizeof(out), "%s/tests/dispatch.err", build_dir());
	snprintf(cmd, sizeof(cmd), "%1$s/bin/lskel %2$s > %1$s/tests/dispatch.out 2> %3$s",
		 build_dir(), args, out);
	rc = system(cmd);
	f = fopen(out, "r");
	assert_non_null(f);
	msg[fread(msg, 1, sizeof(msg) - 1, f)] = '\0';
	fclose(f);
	if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 1 || !strstr(msg, want))
		fail_msg("lskel %s: status 0x%x, message: %s (want: %s)", args, rc, msg, want);
}

static void spec_error(const char *body, const char *want)
{
	char spec[512], args[2048];
	const char *b = build_dir();
	FILE *f;

	snprintf(spec, sizeof(spec), "%s/tests/bad.spec", b);
	f = fopen(spec, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	snprintf(args, sizeof(args), "gen --dispatcher %1$s %2$s/samples/dispatch/dsp_parse.bpf.o "
		 "%2$s/samples/dispatch/dsp_filter.bpf.o %2$s/samples/dispatch/dsp_lib.bpf.o",
		 spec, b);
	fails_with(args, want);
}

static void test_spec_errors(void **state)
{
	(void)state;
	spec_error("hook xdp\ncomponent nosuch:parse\n",
		   "component 'nosuch:parse': no object 'nosuch' among the objects given");
	spec_error("hook xdp\ncomponent dsp_parse:nosuch\n",
		   "object 'dsp_parse' has no program 'nosuch'");
	spec_error("hook xdp\ncomponent dsp_parse:parse\n\ton 1 return TC_ACT_SHOT\n",
		   "bad.spec:3: 'TC_ACT_SHOT' is not a verdict of hook xdp");
	spec_error("hook xdp\ncomponent dsp_parse:parse\n\tdefault return 7\n",
		   "bad.spec:3: 7 is not a verdict of hook xdp (0..4)");
	spec_error("hook tc\ncomponent dsp_parse:parse\n", "is not a tc program");
	spec_error("hook xdp\ncomponent dsp_parse:parse\n\ton 1 jump\n",
		   "bad.spec:3: expected an action: continue, stop or return VERDICT");
	spec_error("component dsp_parse:parse\n", "the spec starts with 'hook xdp' or 'hook tc'");
	spec_error("hook xdp\ncomponent dsp_parse:a*/b\n",
		   "bad.spec:2: 'dsp_parse:a*/b': a component is OBJECT:PROGRAM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_tailcall),
		cmocka_unit_test(test_freplace),
		cmocka_unit_test(test_called_twice),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_tc),
		cmocka_unit_test(test_components_standalone),
		cmocka_unit_test(test_spec_errors),
	};

	return cmocka_run_group_tests_name("generated dispatchers", tests, NULL, NULL);
}
