// SPDX-License-Identifier: BSD-2-Clause
/* The loader's two shapes (gen_loader/loader/compile.h): the may_goto loop loader the runtime
 * loads first, the bpf_loop compat loader it falls back to, and the loop loader run again
 * from where the kernel's loop budget stopped it (LSKEL_LOADER_AGAIN, lskel_run_loader_once).
 * 1. A normal load: the loop loader (the compat one before 6.9), one run, an fd of the right
 *    kind for exactly the ops that make one, nothing left after closing them.
 * 2. The kernel refusing the loop loader: the compat loader makes the same objects (fd table
 *    shape, global data, program tags); with no compat loader, a refusal that says so.
 * 3. Budget stops, simulated: the loop loader patched so that its loop head lets K steps
 *    through per run (a stack counter where may_goto was): ceil(steps / K) runs and the same
 *    objects; a failure in a later run names its op and leaves nothing; a run that starts
 *    inside a range of skipped steps (a SEC("?...") program left out) still skips it.
 * 4. No progress: a run that stops where the previous one did fails by name, and what the
 *    earlier runs made is closed.
 * 5. Refusals before any bpf() call (a seccomp filter kills the process on one): a compat
 *    loader beside a signed one or without its BTF in the manifest, and vice versa;
 *    containers with a compat section beside a signature, with no data or no loader, with
 *    sections out of order or repeated.
 * Samples: net_count (3 maps, 3 programs; .bss and .rodata from the caller), signed_tp,
 * tests/bpf/opt_root (a SEC("?xdp") program). Every load is followed by a leak check: no new
 * prog/map/btf/link id, no new fd. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <bpf/bpf.h>
#include "net_count.lskel.h"
#include "signed_tp.lskel.h"
#include <lskel/container.h>
#include "kstate.h"
#include "inject.h"
#include "samples.h"
#include "loader_desc.h"
#include "emit_blob.h"
#include "err.h"

#define MAX_OPS 64
#define MAY_GOTO (BPF_JMP | 0xe0)	/* BPF_JCOND: may_goto (6.9+) */
#define CTX_SLOT (-8)			/* where the loop loader keeps its context */
#define COUNTER (-16)			/* the patched loaders' run counter */

/* The kernel has may_goto (6.9+): the loop loader loads there, the compat loader before. */
static int kernel_has_may_goto(void)
{
	struct utsname u;
	int maj = 0, min = 0;

	assert_int_equal(uname(&u), 0);
	assert_int_equal(sscanf(u.release, "%d.%d", &maj, &min), 2);
	return maj > 6 || (maj == 6 && min >= 9);
}

static struct lskel_blob_hdr blob_hdr(const struct lskel_desc *d)
{
	struct lskel_blob_hdr h;

	memcpy(&h, d->data, sizeof(h));
	return h;
}

static struct lskel_step blob_step(const struct lskel_desc *d, __u32 i)
{
	struct lskel_blob_hdr h = blob_hdr(d);
	struct lskel_step st;

	assert_true(i < h.nr_steps);
	memcpy(&st, (const char *)d->data + h.steps_off + i * sizeof(st), sizeof(st));
	return st;
}

/* A step of op @op makes its fd (the fd table's slot @op is written). */
static int op_makes_fd(const struct lskel_desc *d, __u32 op)
{
	__u32 i, n = blob_hdr(d).nr_steps;

	for (i = 0; i < n; i++) {
		struct lskel_step st = blob_step(d, i);

		if (st.op == op && (st.flags & LSKEL_STEP_MAKES_FD))
			return 1;
	}
	return 0;
}

/* The first step of op @op of kind @kind (0: any kind). */
static __u32 step_of(const struct lskel_desc *d, __u32 op, int kind)
{
	__u32 i, n = blob_hdr(d).nr_steps;

	for (i = 0; i < n; i++) {
		struct lskel_step st = blob_step(d, i);

		if (st.op == op && (!kind || st.kind == kind))
			return i;
	}
	fail_msg("op %u has no step of kind %d", op, kind);
	return 0;
}

/* The op whose 'what' begins with @what. */
static __u32 op_named(const struct lskel_desc *d, const char *what)
{
	__u32 k;

	for (k = 0; k < d->nr_ops; k++)
		if (!strncmp(d->op_what[k], what, strlen(what)))
			return k;
	fail_msg("%s: no op for %s", d->name, what);
	return 0;
}

/* What a load made, per op, comparable across loads. */
struct shape {
	__u32 nr_fds;
	char kind[MAX_OPS][32];		/* the fd's anon inode ("" where the op made none) */
	__u8 tag[MAX_OPS][BPF_TAG_SIZE];	/* programs */
	__u8 value[MAX_OPS][64];	/* single-entry arrays (global data): key 0's value */
	__u32 value_sz[MAX_OPS];
};

static const char *kind_of_cmd(__u32 cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE:
		return "anon_inode:bpf-map";
	case BPF_PROG_LOAD:
		return "anon_inode:bpf-prog";
	case BPF_BTF_LOAD:
		return "anon_inode:btf";
	default:
		return NULL;
	}
}

/* One load of @d with @inputs. Every op's slot of the fd table holds a valid fd of the kind
 * its command makes exactly when a step of the op makes one (the ops in @skipped: never,
 * their steps are skipped); what the fds are goes into @s; all closed, nothing may stay.
 * *c says how it went (compat, loader_runs). */
static void load_shape(const struct lskel_desc *d, const __u64 *inputs, __u64 skipped,
		       struct lskel_ctx *c, struct shape *s)
{
	struct id_set before[4] = {};
	int *fds = NULL, fds0 = count_fds();
	char left[512], path[64];
	__u32 k;

	memset(s, 0, sizeof(*s));
	assert_true(d->nr_ops <= MAX_OPS);
	assert_int_equal(ids_snapshot(before), 0);
	memset(c, 0, sizeof(*c));
	c->failed_op = -1;
	if (lskel_run_loader(d, inputs, c, &fds))
		fail_msg("%s: load failed: %s", d->name, c->errmsg);
	for (k = 0; k < d->nr_ops; k++) {
		const char *want = kind_of_cmd(d->op_cmd[k]);
		int fd = fds[k], makes = op_makes_fd(d, k) && !(skipped >> k & 1);
		ssize_t n;

		if (!makes != !want && !(skipped >> k & 1))
			fail_msg("op %u (%s): command %u, but a step making an fd: %d", k,
				 d->op_what[k], d->op_cmd[k], makes);
		if (!makes) {
			if (fd != -1)
				fail_msg("op %u (%s) makes no fd, its slot holds %d", k,
					 d->op_what[k], fd);
			continue;
		}
		if (fd < 0 || fcntl(fd, F_GETFD) < 0)
			fail_msg("op %u (%s): no valid fd (%d)", k, d->op_what[k], fd);
		s->nr_fds++;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, s->kind[k], sizeof(s->kind[k]) - 1);
		assert_true(n > 0);
		if (strcmp(s->kind[k], want))
			fail_msg("op %u (%s): fd %d is a %s, not a %s", k, d->op_what[k], fd,
				 s->kind[k], want);
		if (d->op_cmd[k] == BPF_PROG_LOAD) {
			struct bpf_prog_info pi;
			__u32 len = sizeof(pi);

			memset(&pi, 0, sizeof(pi));
			assert_int_equal(bpf_obj_get_info_by_fd(fd, &pi, &len), 0);
			memcpy(s->tag[k], pi.tag, BPF_TAG_SIZE);
		} else if (d->op_cmd[k] == BPF_MAP_CREATE) {
			struct bpf_map_info mi;
			__u32 len = sizeof(mi), zero = 0;

			memset(&mi, 0, sizeof(mi));
			assert_int_equal(bpf_obj_get_info_by_fd(fd, &mi, &len), 0);
			if (mi.type == BPF_MAP_TYPE_ARRAY && mi.max_entries == 1 &&
			    mi.value_size <= sizeof(s->value[k])) {
				assert_int_equal(bpf_map_lookup_elem(fd, &zero, s->value[k]), 0);
				s->value_sz[k] = mi.value_size;
			}
		}
	}
	for (k = 0; k < d->nr_ops; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	free(fds);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("%s: left after closing every fd: %s", d->name, left);
	ids_free(before);
	assert_int_equal(count_fds(), fds0);
}

/* Same fds for the same ops, same global data, same program tags. */
static void same_shape(const struct lskel_desc *d, const struct shape *a, const char *an,
		       const struct shape *b, const char *bn)
{
	__u32 k;

	for (k = 0; k < d->nr_ops; k++) {
		if (strcmp(a->kind[k], b->kind[k]))
			fail_msg("op %u (%s): %s made '%s', %s '%s'", k, d->op_what[k], an,
				 a->kind[k], bn, b->kind[k]);
		if (memcmp(a->tag[k], b->tag[k], BPF_TAG_SIZE))
			fail_msg("op %u (%s): program tags differ (%s, %s)", k, d->op_what[k], an,
				 bn);
		if (a->value_sz[k] != b->value_sz[k] ||
		    memcmp(a->value[k], b->value[k], a->value_sz[k]))
			fail_msg("op %u (%s): global data differs (%s, %s)", k, d->op_what[k], an,
				 bn);
	}
	assert_int_equal(a->nr_fds, b->nr_fds);
}

/* net_count's global data from the caller, as NAME__load passes it: a pattern per section,
 * so a load that copied nothing (the compiled initial value) or other bytes shows. */
static __u8 nc_init[8][64];
static __u64 nc_inputs[16];

static void nc_inputs_fill(void)
{
	const struct lskel_desc *d = &net_count__desc;
	__u32 i, j;

	assert_true(d->nr_inputs <= 16 && d->nr_maps <= 8);
	memset(nc_inputs, 0, sizeof(nc_inputs));
	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];

		if (b->input == ~0u)
			continue;
		assert_true(b->size <= sizeof(nc_init[i]));
		for (j = 0; j < b->size; j++)
			nc_init[i][j] = (__u8)(0xa5 ^ (i * 37 + j * 11 + 1));
		nc_inputs[b->input] = (__u64)(unsigned long)nc_init[i];
	}
}

/* net_count's .bss and .rodata hold what the caller passed. */
static void check_global_data(const struct shape *s)
{
	const struct lskel_desc *d = &net_count__desc;
	__u32 i, n = 0;

	for (i = 0; i < d->nr_maps; i++) {
		const struct lskel_map_bind *b = &d->maps[i];

		if (b->input == ~0u)
			continue;
		if (s->value_sz[b->slot] != b->size || memcmp(s->value[b->slot], nc_init[i], b->size))
			fail_msg("map '%s': not the caller's initial value", b->name);
		n++;
	}
	assert_int_equal(n, 2);	/* .bss and .rodata */
}

/* The kernel refused a loop loader that should have loaded: say why (its verifier log). */
static void explain_refusal(const struct lskel_desc *d)
{
	static char log[1 << 20];
	struct lskel_ctx c = { .failed_op = -1 };
	union lskel_attr u;
	int map_fd = lskel_data_map(d, &c), fd;
	size_t len;
	__u32 sz;

	if (map_fd < 0)
		return;
	sz = lskel_loader_attr(d, &u, &map_fd, -1, NULL, 0, 0, 0);
	u.a.log_buf = lskel_ptr(log);
	u.a.log_size = sizeof(log);
	u.a.log_level = 1;
	log[0] = '\0';
	fd = lskel_sys_bpf(BPF_PROG_LOAD, &u.a, sz);
	if (fd >= 0)
		close(fd);
	len = strlen(log);
	print_message("loop loader %s; verifier log tail:\n%s\n", fd >= 0 ? "loads alone" :
		      "refused", log + (len > 3000 ? len - 3000 : 0));
	close(map_fd);
}

static void assert_loop_loader(const struct lskel_desc *d, const struct lskel_ctx *c)
{
	if (!c->compat)
		return;
	explain_refusal(d);
	fail_msg("%s: the kernel refused the (patched) loop loader: the compat loader ran", d->name);
}

/* The normal load of net_count (case 1), the reference for the others. */
static void normal_shape(struct shape *s, struct lskel_ctx *c)
{
	nc_inputs_fill();
	load_shape(&net_count__desc, nc_inputs, 0, c, s);
}

static void test_normal_load(void **state)
{
	const struct lskel_desc *d = &net_count__desc;
	struct lskel_ctx c;
	struct shape s;

	(void)state;
	normal_shape(&s, &c);
	assert_int_equal(c.compat, !kernel_has_may_goto());
	assert_int_equal(c.loader_runs, 1);
	/* one fd per map and program, and the object's BTF */
	assert_int_equal(s.nr_fds, d->nr_maps + d->nr_progs + 1);
	check_global_data(&s);
	print_message("  net_count: %u ops, %u fds, %u steps, compat %d, %u run(s)\n", d->nr_ops,
		      s.nr_fds, blob_hdr(d).nr_steps, c.compat, c.loader_runs);
}

/* One instruction the kernel refuses: opcode 0xff. */
static const struct bpf_insn refused_insn[1] = { { .code = 0xff } };

static void test_forced_compat(void **state)
{
	struct lskel_desc d = net_count__desc;
	struct lskel_ctx c;
	struct shape a, b;

	(void)state;
	normal_shape(&a, &c);
	d.insns = refused_insn;
	d.insns_sz = sizeof(refused_insn);
	load_shape(&d, nc_inputs, 0, &c, &b);
	assert_int_equal(c.compat, 1);
	assert_int_equal(c.loader_runs, 1);
	same_shape(&d, &a, "the loop loader", &b, "the compat loader");
	check_global_data(&b);
	print_message("  compat loader: %u fds, same ops, tags and global data\n", b.nr_fds);
}

/* A caller's initial value behind a pointer that is not mapped: the runtime copies global data
 * into the slim loader's blob itself (process_vm_readv on its own process), so the load fails
 * with EFAULT naming the USER_INIT op of that map, before anything reaches the kernel, with
 * either loader (the compat one would have failed there at its bpf_copy_from_user), and the
 * process does not crash. */
static void test_bad_initial_value(void **state)
{
	const __u32 *cmd = net_count__desc.op_cmd;
	struct id_set before[4] = {};
	int round, fds0 = count_fds();
	char left[512];
	__u32 i, bad = ~0u;

	(void)state;
	nc_inputs_fill();
	for (i = 0; i < net_count__desc.nr_maps && bad == ~0u; i++)
		if (net_count__desc.maps[i].input != ~0u)
			bad = net_count__desc.maps[i].input;
	assert_int_not_equal(bad, ~0u);
	nc_inputs[bad] = 4096;	/* page 1: never mapped */
	for (round = 0; round < 2; round++) {	/* the loop loader, then the compat one */
		struct lskel_desc d = net_count__desc;
		struct lskel_ctx c = { .failed_op = -1 };
		int *fds = NULL, err;

		if (round) {
			d.insns = refused_insn;
			d.insns_sz = sizeof(refused_insn);
		}
		assert_int_equal(ids_snapshot(before), 0);
		err = lskel_run_loader(&d, nc_inputs, &c, &fds);
		print_message("  %s: %s\n", round ? "compat" : "loop", c.errmsg);
		assert_int_equal(err, -EFAULT);
		assert_null(fds);
		assert_true(c.failed_op >= 0 && (__u32)c.failed_op < d.nr_ops);
		assert_int_equal(cmd[c.failed_op], LSKEL_CMD_USER_INIT);
		assert_non_null(strstr(c.errmsg, "USER_INIT"));
		assert_int_equal(c.loader_runs, 0);	/* refused before the loader ran */
		if (ids_wait_gone(before, left, sizeof(left)))
			fail_msg("a bad initial value left: %s", left);
		ids_free(before);
		assert_int_equal(count_fds(), fds0);
	}
}

/* No compat loader (signed_tp with its signing data stripped: its manifest has no compat
 * BTF) and a loop loader the kernel refuses: the refusal says so, with the verifier's log,
 * and nothing stays. */
static void test_refused_without_compat(void **state)
{
	static char log[65536];
	struct lskel_desc d = signed_tp__desc;
	struct lskel_ctx c = { .failed_op = -1 };
	struct id_set before[4] = {};
	int *fds = NULL, fds0 = count_fds(), err;
	char left[512];

	(void)state;
	assert_int_equal(d.compat_insns_sz, 0);
	d.excl_hash = NULL;
	d.sig = d.sig_next = NULL;
	d.sig_sz = d.sig_next_sz = 0;
	d.insns = refused_insn;
	d.insns_sz = sizeof(refused_insn);
	c.log_buf = log;
	c.log_size = sizeof(log);
	assert_int_equal(ids_snapshot(before), 0);
	err = lskel_run_loader(&d, NULL, &c, &fds);
	assert_int_equal(err, -EINVAL);
	assert_null(fds);
	assert_int_equal(c.compat, 0);
	assert_int_equal(c.loader_runs, 0);
	print_message("  %s\n  log: %.80s\n", c.errmsg, log);
	assert_non_null(strstr(c.errmsg, "signed_tp: the verifier refused the loader program"));
	assert_true(log[0] != '\0');	/* the runtime asked again, with the caller's log */
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("refused loader left: %s", left);
	ids_free(before);
	assert_int_equal(count_fds(), fds0);
}

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };

	return i;
}

/* A loop loader patched to stop for the "loop budget" where the test says: the may_goto at
 * the loop head becomes a jump to a trampoline appended at the end, which counts the head's
 * passes of this run in a stack slot (set to 0 by an instruction inserted at index 0) and
 * takes may_goto's way out (the expired path: resume_step and LSKEL_LOADER_AGAIN) on pass
 * @k + 1, and also, when @stop >= 0, as soon as the next step (hdr.cur) is @stop or later;
 * else it goes on where may_goto fell through. With no may_goto left, the verifier bounds
 * the loop by the counter (a constant on every path). Relative jumps keep their offsets: the
 * inserted instruction shifts their sources and targets alike. */
static struct bpf_insn *patch_loader(const struct lskel_desc *base, __u32 k, int stop,
				     __u32 *size)
{
	const struct bpf_insn *in = (const struct bpf_insn *)base->insns;
	size_t n = base->insns_sz / sizeof(*in), i, mg = n, t;
	struct bpf_insn *out = (struct bpf_insn *)calloc(n + 16, sizeof(*out));
	int expired, next, blob_reg;

	assert_non_null(out);
	for (i = 0; i < n; i++) {
		__u8 cls = BPF_CLASS(in[i].code);

		if (in[i].code == MAY_GOTO) {
			assert_int_equal(mg, n);	/* exactly one */
			mg = i;
		}
		/* the loader's stack: the context at CTX_SLOT only, so COUNTER is free */
		if ((cls == BPF_ST || cls == BPF_STX) && in[i].dst_reg == BPF_REG_10)
			assert_int_equal(in[i].off, CTX_SLOT);
		if (cls == BPF_LDX && in[i].src_reg == BPF_REG_10)
			assert_int_equal(in[i].off, CTX_SLOT);
		if ((cls == BPF_ALU64 || cls == BPF_ALU) && BPF_SRC(in[i].code) == BPF_X)
			assert_int_not_equal(in[i].src_reg, BPF_REG_10);	/* no r10 copy */
		if (in[i].code == (BPF_LD | BPF_IMM | BPF_DW))
			i++;	/* the second half of a ld_imm64 */
	}
	assert_true(mg < n - 1);
	/* after may_goto the loop takes the next step's index from the blob header, r1 = cur++:
	 * r1 = 1, then an atomic fetch-and-add on the blob register */
	assert_int_equal(in[mg + 1].code, BPF_ALU64 | BPF_MOV | BPF_K);
	assert_int_equal(in[mg + 2].code, BPF_STX | BPF_ATOMIC | BPF_W);
	assert_int_equal(in[mg + 2].imm, BPF_ADD | BPF_FETCH);
	assert_int_equal(in[mg + 2].off, offsetof(struct lskel_blob_hdr, cur));
	blob_reg = in[mg + 2].dst_reg;
	out[0] = insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, COUNTER, 0);
	memcpy(out + 1, in, n * sizeof(*in));
	mg++;
	expired = (int)mg + 1 + in[mg - 1].off;
	next = (int)mg + 1;
	t = n + 1;
	out[mg] = insn(BPF_JMP | BPF_JA, 0, 0, (__s16)(t - (mg + 1)), 0);
	out[t++] = insn(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_10, COUNTER, 0);
	out[t++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_0, 0, 0, 1);
	out[t++] = insn(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, BPF_REG_0, COUNTER, 0);
	out[t] = insn(BPF_JMP | BPF_JGT | BPF_K, BPF_REG_0, 0, (__s16)(expired - (int)(t + 1)),
		      (__s32)k);
	t++;
	if (stop >= 0) {
		out[t++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_0, blob_reg,
				offsetof(struct lskel_blob_hdr, cur), 0);
		out[t] = insn(BPF_JMP | BPF_JGE | BPF_K, BPF_REG_0, 0,
			      (__s16)(expired - (int)(t + 1)), stop);
		t++;
	}
	out[t] = insn(BPF_JMP | BPF_JA, 0, 0, (__s16)(next - (int)(t + 1)), 0);
	t++;
	*size = t * sizeof(*out);
	return out;
}

/* K steps per run: ceil(steps / K) runs (the last pass, which finds no step left, is in
 * the run of the last step or takes the expired path to the end), the same objects. */
static void test_resume(void **state)
{
	static const __u32 ks[] = { 3, 2 };
	__u32 n = blob_hdr(&net_count__desc).nr_steps, i;
	struct lskel_ctx c;
	struct shape a, b;

	(void)state;
	normal_shape(&a, &c);
	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		struct lskel_desc d = net_count__desc;
		struct bpf_insn *p = patch_loader(&net_count__desc, ks[i], -1, &d.insns_sz);

		d.insns = p;
		load_shape(&d, nc_inputs, 0, &c, &b);
		assert_loop_loader(&d, &c);
		print_message("  K %u: %u steps, %u runs\n", ks[i], n, c.loader_runs);
		assert_int_equal(c.loader_runs, (n + ks[i] - 1) / ks[i]);
		same_shape(&d, &a, "one run", &b, "the resumed runs");
		check_global_data(&b);
		free(p);
	}
}

/* A failed load of @d: the error names op @op, the runs are @runs, nothing stays. */
static void load_fails_at(const struct lskel_desc *d, __u32 op, int want_err, __u32 runs,
			  char *log, __u32 log_size)
{
	struct lskel_ctx c = { .failed_op = -1 };
	struct id_set before[4] = {};
	int *fds = NULL, fds0 = count_fds(), err;
	char left[512], head[32];

	c.log_buf = log;
	c.log_size = log_size;
	assert_int_equal(ids_snapshot(before), 0);
	err = lskel_run_loader(d, nc_inputs, &c, &fds);
	print_message("  %s%s: %u runs: %s\n", d->name, log ? " (with a log)" : "",
		      c.loader_runs, c.errmsg);
	assert_int_equal(err, want_err);
	assert_null(fds);
	assert_loop_loader(d, &c);
	assert_int_equal(c.failed_op, (int)op);
	snprintf(head, sizeof(head), "op %u: ", op);
	if (strncmp(c.errmsg, head, strlen(head)) || !strstr(c.errmsg, d->op_what[op]))
		fail_msg("the message does not name op %u: %s", op, c.errmsg);
	assert_int_equal(c.loader_runs, runs);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("failure at op %u after %u runs left: %s", op, runs, left);
	ids_free(before);
	assert_int_equal(count_fds(), fds0);
}

/* A failure in a later run: the fds of the earlier runs are closed. The kernel refusing the
 * first program's PROG_LOAD (a command it does not know) in run s/K + 1, and again when the
 * runtime runs the loader again from step 0 with the caller's log; the loader refusing the
 * first step of .rodata's MAP_CREATE. */
static void test_resume_fault(void **state)
{
	static char log[65536];
	const __u32 k = 3;
	struct lskel_desc p = net_count__desc, d;
	struct bpf_insn *insns = patch_loader(&net_count__desc, k, -1, &p.insns_sz);
	__u32 prog = net_count__desc.progs[0].slot, map = net_count__desc.maps[2].slot, s;
	char *blob;

	(void)state;
	nc_inputs_fill();
	p.insns = insns;
	assert_int_equal(net_count__desc.op_cmd[prog], BPF_PROG_LOAD);
	assert_int_equal(net_count__desc.op_cmd[map], BPF_MAP_CREATE);
	assert_int_equal(desc_kernel_failing_at(&p, prog, &d, &blob), -1);
	s = step_of(&d, prog, LSKEL_STEP_BPF);
	assert_true(s / k > 1);	/* not in the first run */
	load_fails_at(&d, prog, -EINVAL, s / k + 1, NULL, 0);
	load_fails_at(&d, prog, -EINVAL, 2 * (s / k + 1), log, sizeof(log));
	free(blob);
	assert_int_equal(desc_failing_at(&p, map, &d, &blob), 1);
	s = step_of(&d, map, 0);
	assert_true(s / k > 1);
	load_fails_at(&d, map, -EINVAL, s / k + 1, NULL, 0);
	free(blob);
	free(insns);
}

/* opt_root's SEC("?xdp") program left out: a SKIP step sets skip_to past its steps. With
 * K = 2 a run starts inside that range, with skip_to from the context (resume_skip): its
 * steps stay skipped, the same fds as in one run. */
static void test_resume_in_skipped_range(void **state)
{
	const __u32 k = 2;
	struct lskel_desc d, p;
	struct lsk_loader *l;
	struct lsk_trace *t;
	struct lsk_obj *obj;
	struct lskel_ctx c;
	struct shape a, b;
	struct bpf_insn *insns;
	char path[256];
	__u32 i, n, skip = ~0u, to = 0, opt, kept;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/bpf/opt_root.bpf.o", build_dir());
	if (lsk_obj_open(path, &obj) || lsk_trace_build(&obj, 1, &t) || lsk_loader_compile(t, &l) ||
	    lsk_loader_desc(t, l, &d))
		fail_msg("%s: %s", path, lsk_errmsg());
	n = blob_hdr(&d).nr_steps;
	for (i = 0; i < n; i++)
		if (blob_step(&d, i).kind == LSKEL_STEP_SKIP) {
			skip = i;
			to = blob_step(&d, i).d;
		}
	assert_true(skip < n);
	assert_true((skip / k + 1) * k + 1 < to);	/* a run starts on a skipped step */
	opt = op_named(&d, "program 'opt_root'");
	kept = op_named(&d, "program 'kept'");
	assert_true(opt < 64);
	load_shape(&d, NULL, 1ull << opt, &c, &a);	/* inputs 0: autoload off */
	assert_int_equal(c.loader_runs, 1);
	assert_true(a.kind[kept][0] && !a.kind[opt][0]);
	p = d;
	insns = patch_loader(&d, k, -1, &p.insns_sz);
	p.insns = insns;
	load_shape(&p, NULL, 1ull << opt, &c, &b);
	assert_loop_loader(&p, &c);
	print_message("  opt_root: steps %u-%u skipped, %u steps, K %u: %u runs\n", skip + 1,
		      to - 1, n, k, c.loader_runs);
	assert_int_equal(c.loader_runs, (n + k - 1) / k);
	same_shape(&d, &a, "one run", &b, "the resumed runs");
	free(insns);
	lsk_loader_desc_free(&d);
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
}

/* A loader that stops without getting further: at step 0 in its first run (runs 1: the
 * runtime's rule is that each run ends past where the previous one, or the start, was),
 * or at step @stop of the second run after the first got there (runs 2; BTF and two maps
 * made by then, closed by the runtime). */
static void test_no_progress(void **state)
{
	__u32 stops[2] = { 0, step_of(&net_count__desc, net_count__desc.maps[2].slot, 0) }, i;

	(void)state;
	nc_inputs_fill();
	for (i = 0; i < 2; i++) {
		struct lskel_desc d = net_count__desc;
		struct lskel_ctx c = { .failed_op = -1 };
		struct id_set before[4] = {};
		struct bpf_insn *p;
		int *fds = NULL, fds0 = count_fds(), err;
		char left[512], want[96];

		/* the counter lets every step of the first run through */
		p = patch_loader(&net_count__desc, stops[i] + 2, (int)stops[i], &d.insns_sz);
		d.insns = p;
		assert_int_equal(ids_snapshot(before), 0);
		err = lskel_run_loader(&d, nc_inputs, &c, &fds);
		print_message("  stop at step %u: %u runs: %s\n", stops[i], c.loader_runs, c.errmsg);
		assert_loop_loader(&d, &c);
		assert_int_equal(err, -EFAULT);
		assert_null(fds);
		assert_int_equal(c.failed_op, -1);
		assert_int_equal(c.loader_runs, stops[i] ? 2 : 1);
		snprintf(want, sizeof(want), "net_count: the loader stopped at step %u without "
			 "getting further: ", stops[i]);
		if (strncmp(c.errmsg, want, strlen(want)))
			fail_msg("want '%s...', got '%s'", want, c.errmsg);
		if (ids_wait_gone(before, left, sizeof(left)))
			fail_msg("stopped at step %u: left %s", stops[i], left);
		ids_free(before);
		assert_int_equal(count_fds(), fds0);
		free(p);
	}
}

/* Case 5: run in a child process the kernel kills at its first bpf() call. */
struct nobpf {
	char msg[1024];
	int checks;
	const void *cnt;	/* net_count's container, from gen_loader's emitter */
	size_t cnt_size;
	const void *compat;	/* the compat loader in it */
	__u32 compat_size;
};

static int forbid_bpf(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) ? -errno : 0;
}

/* Run @fn(@nb) (@nb in shared memory) where a bpf() call kills the process; returns the
 * wait status. */
static int without_bpf(int (*fn)(struct nobpf *), struct nobpf *nb)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (forbid_bpf()) {
			snprintf(nb->msg, sizeof(nb->msg), "seccomp: %s", strerror(errno));
			_exit(2);
		}
		_exit(fn(nb) ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static int calls_bpf(struct nobpf *nb)
{
	__u32 id = 0;

	(void)nb;
	bpf_prog_get_next_id(0, &id);
	return 0;
}

#define CHECK(cond, ...) do { \
		nb->checks++; \
		if (!(cond)) { \
			snprintf(nb->msg, sizeof(nb->msg), __VA_ARGS__); \
			return -1; \
		} \
	} while (0)

/* lskel_run_loader refuses @d with -EINVAL and a message holding @want. */
static int desc_refused(struct nobpf *nb, const char *what, const struct lskel_desc *d,
			const char *want)
{
	struct lskel_ctx c = { .failed_op = -1 };
	int *fds = NULL, err = lskel_run_loader(d, NULL, &c, &fds);

	CHECK(err == -EINVAL && strstr(c.errmsg, want), "%s: error %d, message '%s' (want '%s')",
	      what, err, c.errmsg, want);
	return 0;
}

static int desc_accepted(struct nobpf *nb, const char *what, const struct lskel_desc *d)
{
	struct lskel_ctx c = { .failed_op = -1 };
	int err = lskel_check_desc(d, &c);

	CHECK(!err, "%s: refused: %s", what, c.errmsg);
	return 0;
}

/* signed_tp's loader with instruction @at's field changed by @edit (the exclusive-map hash
 * recomputed, as anyone can): lskel_signed_check says it does not begin with the blob check. */
static int signed_shape_refused(struct nobpf *nb, const char *what, __u32 at,
				void (*edit)(struct bpf_insn *))
{
	struct lskel_desc d = signed_tp__desc;
	struct bpf_insn *insns = (struct bpf_insn *)malloc(d.insns_sz);
	unsigned char excl[32];
	char why[256] = "";
	int e;

	CHECK(insns, "out of memory");
	memcpy(insns, d.insns, d.insns_sz);
	edit(&insns[at]);
	lskel_sha256(insns, d.insns_sz, excl);
	d.insns = insns;
	d.excl_hash = excl;
	e = lskel_signed_check(&d, why, sizeof(why));
	free(insns);
	CHECK(e == -EBADMSG && strstr(why, "does not begin with its blob check"),
	      "%s: %d '%s'", what, e, why);
	return 0;
}

static void src_reg_plain(struct bpf_insn *in)
{
	in->src_reg = 0;
}

static void second_half_code(struct bpf_insn *in)
{
	in[1].code = BPF_ALU64 | BPF_MOV | BPF_K;
}

static void first_imm_set(struct bpf_insn *in)
{
	in->imm = 1;
}

static int signed_shape_refusals(struct nobpf *nb)
{
	__u32 k;

	/* the data map's ld_imm64 first (map index 0), then the four hash words */
	if (signed_shape_refused(nb, "no map ld_imm64 first", 0, src_reg_plain) ||
	    signed_shape_refused(nb, "another map first", 0, first_imm_set))
		return -1;
	for (k = 0; k < 4; k++)
		if (signed_shape_refused(nb, "a hash word not an ld_imm64", LSKEL_SIGNED_HASH_INSN(k),
					 second_half_code))
			return -1;
	return 0;
}

/* lskel_copy_user (the slim loader's copies of the caller's initial values, done by the
 * runtime): a copy inside the blob from the pointer in an input slot is made; an empty one,
 * one over LSKEL_COPY_MAX or one past the blob's end is refused, copying nothing. */
static int copy_user_refusals(struct nobpf *nb)
{
	const struct lskel_desc *d = &net_count__desc;
	const struct lskel_blob_hdr *h = (const struct lskel_blob_hdr *)d->data;
	static char src[2 * LSKEL_COPY_MAX];
	char *b = (char *)calloc(1, d->data_sz + 2 * LSKEL_COPY_MAX), *in;
	struct lskel_step st = { .kind = LSKEL_STEP_COPY_USER };
	__u64 p = (__u64)(uintptr_t)src;
	int e[4];

	CHECK(b && d->inputs_size >= 8 && d->data_sz > 64, "out of memory, or net_count has no "
	      "input slot (%u bytes)", d->inputs_size);
	in = (char *)calloc(1, d->inputs_size);
	CHECK(in, "out of memory");
	memset(src, 0x5a, sizeof(src));
	memcpy(in, &p, 8);	/* input slot 0: the caller's pointer */
	st.b = h->inputs_off;
	st.a = 16;
	st.c = 8;
	e[0] = lskel_copy_user(d, b, in, &st);
	CHECK(!e[0] && b[16] == 0x5a && b[23] == 0x5a && !b[24],
	      "a copy of 8 bytes inside the blob: %d", e[0]);
	st.c = 0;
	e[1] = lskel_copy_user(d, b, in, &st);
	st.c = LSKEL_COPY_MAX + 8;
	e[2] = lskel_copy_user(d, b, in, &st);
	st.c = 8;
	st.a = d->data_sz - 4;	/* (the buffer has room: only the check refuses it) */
	e[3] = lskel_copy_user(d, b, in, &st);
	CHECK(e[1] == -EINVAL && e[2] == -EINVAL && e[3] == -EINVAL && !b[24] &&
	      !b[d->data_sz - 4], "empty, over LSKEL_COPY_MAX, past the end: %d %d %d", e[1],
	      e[2], e[3]);
	/* a slot whose 8 bytes end past the input area: refused; a 0 pointer: nothing copied */
	st.a = 32;
	st.b = h->inputs_off + d->inputs_size - 4;
	e[0] = lskel_copy_user(d, b, in, &st);
	memset(in, 0, 8);
	st.b = h->inputs_off;
	st.d = 8;
	e[1] = lskel_copy_user(d, b, in, &st);
	free(in);
	CHECK(e[0] == -EINVAL && !e[1] && !b[32] && !b[39], "a slot past the inputs, a 0 "
	      "pointer: %d %d", e[0], e[1]);
	free(b);
	return 0;
}

/* lskel_inputs_defaults on a blob of our own: an IF_SET input slot left 0 takes the value an
 * earlier step of the same op wrote to its field, else the compiled one (never a step of
 * another op's); a slot the caller set stays; a slot outside the input area is refused. */
static int inputs_defaults_cases(struct nobpf *nb)
{
	static __u64 data[256];	/* 2048 bytes: header, steps at 128, values, inputs at 512 */
	struct lskel_blob_hdr *h = (struct lskel_blob_hdr *)data;
	struct lskel_step *st = (struct lskel_step *)((char *)data + 128);
	struct lskel_desc d;
	__u32 in[4] = { 0, 5, 0, 0 }, v[3] = { 7, 99, 42 };
	int e;

	memset(&d, 0, sizeof(d));
	d.data = data;
	d.data_sz = sizeof(data);
	d.inputs_size = sizeof(in);
	h->nr_steps = 4;
	h->steps_off = 128;
	h->nr_ops = 2;
	h->fdtab_off = 1024;
	h->inputs_off = 512;
	memcpy((char *)data + 300, &v[0], 4);	/* the field's compiled value */
	memcpy((char *)data + 304, &v[1], 4);	/* what op 0 writes to its own field 300 */
	memcpy((char *)data + 308, &v[2], 4);	/* what op 1 writes to field 320 */
	st[0] = (struct lskel_step){ .kind = LSKEL_STEP_U32, .op = 0, .a = 300, .b = 304 };
	st[1] = (struct lskel_step){ .kind = LSKEL_STEP_U32, .flags = LSKEL_STEP_IF_SET,
				     .op = 1, .a = 300, .b = 512 };
	st[2] = (struct lskel_step){ .kind = LSKEL_STEP_U32, .op = 1, .a = 320, .b = 308 };
	st[3] = (struct lskel_step){ .kind = LSKEL_STEP_U32, .flags = LSKEL_STEP_IF_SET,
				     .op = 1, .a = 320, .b = 516 };
	e = lskel_inputs_defaults(&d, (char *)in);
	CHECK(!e && in[0] == 7 && in[1] == 5, "IF_SET defaults: %d, slots %u %u (want 7 5)", e,
	      in[0], in[1]);
	in[1] = 0;
	e = lskel_inputs_defaults(&d, (char *)in);
	CHECK(!e && in[1] == 42, "IF_SET from its op's earlier step: %d, slot %u (want 42)", e,
	      in[1]);
	st[3].b = 512 + sizeof(in);
	e = lskel_inputs_defaults(&d, (char *)in);
	CHECK(e == -EINVAL, "a slot past the input area: %d", e);
	return 0;
}

static int desc_refusals(struct nobpf *nb)
{
	struct lskel_desc nc = net_count__desc, st = signed_tp__desc, stripped = signed_tp__desc, d;
	static const unsigned char some_hash[32] = { 1, 2, 3 };
	struct lskel_mf m;
	char why[256] = "";

	stripped.excl_hash = NULL;
	stripped.sig = stripped.sig_next = NULL;
	stripped.sig_sz = stripped.sig_next_sz = 0;
	if (desc_accepted(nb, "net_count", &nc) || desc_accepted(nb, "signed_tp", &st) ||
	    desc_accepted(nb, "signed_tp stripped of its signature", &stripped))
		return -1;
	CHECK(nc.compat_insns_sz && !st.compat_insns_sz, "compat loaders: net_count %u bytes, "
	      "signed_tp %u", nc.compat_insns_sz, st.compat_insns_sz);
	/* signed with a compat loader */
	d = st;
	d.compat_insns = nc.compat_insns;
	d.compat_insns_sz = nc.compat_insns_sz;
	if (desc_refused(nb, "signed_tp with a compat loader", &d, "a compat loader of"))
		return -1;
	/* the signed clause alone: a manifest with the compat BTF and an exclusive-map hash */
	CHECK(!lskel_mf_parse(nc.data, nc.data_sz, &m, why, sizeof(why)), "manifest: %s", why);
	CHECK(!lskel_mf_agrees(&nc, &m, why, sizeof(why)), "net_count disagrees: %s", why);
	d = nc;
	d.excl_hash = some_hash;
	CHECK(lskel_mf_agrees(&d, &m, why, sizeof(why)) && strstr(why, "(none when signed)"),
	      "an exclusive-map hash beside a compat loader agrees with the manifest: '%s'", why);
	/* a compat loader whose BTF the manifest does not have, and the other way round */
	d = stripped;
	d.compat_insns = nc.compat_insns;
	d.compat_insns_sz = nc.compat_insns_sz;
	if (desc_refused(nb, "a compat loader, no BTF in the manifest", &d,
			 "where the manifest has 0 loader functions"))
		return -1;
	d = nc;
	d.compat_insns = NULL;
	d.compat_insns_sz = 0;
	if (desc_refused(nb, "no compat loader, its BTF in the manifest", &d,
			 "a compat loader of 0 bytes where the manifest has 2 loader functions"))
		return -1;
	d = nc;
	d.compat_insns_sz = 12;
	if (desc_refused(nb, "a compat loader of 12 bytes", &d, "a compat loader of 12 bytes"))
		return -1;
	d = nc;
	d.compat_insns_sz = (1u << 20) + 8;
	if (desc_refused(nb, "a compat loader over 1 MiB", &d, "a compat loader of 1048584"))
		return -1;
	{	/* a skeleton's rows: where a data section's value comes from, what is attached */
		struct lskel_map_bind mb[16];
		struct lskel_prog_bind pb[16];

		CHECK(nc.nr_maps && nc.nr_maps <= 16 && nc.nr_progs && nc.nr_progs <= 16,
		      "net_count: %u maps, %u programs", nc.nr_maps, nc.nr_progs);
		d = nc;
		memcpy(mb, nc.maps, nc.nr_maps * sizeof(mb[0]));
		mb[0].init_off ^= 8;
		d.maps = mb;
		if (desc_refused(nb, "a map's initial value elsewhere", &d,
				 "from the manifest in its blob: map 0"))
			return -1;
		d = nc;
		memcpy(pb, nc.progs, nc.nr_progs * sizeof(pb[0]));
		pb[0].target = "elsewhere";
		d.progs = pb;
		if (desc_refused(nb, "a program's attach target changed", &d,
				 "from the manifest in its blob: program 0"))
			return -1;
	}
	return signed_shape_refusals(nb) ?: copy_user_refusals(nb) ?: inputs_defaults_cases(nb);
}

/* A container from sections (type, bytes), laid out as lskel_emit_container does. */
struct sec {
	__u32 type;
	const void *p;
	__u32 size, count;
};

static void *cnt_build(const struct sec *s, __u32 n, size_t *size)
{
	struct lskel_cnt_hdr h = { .magic = LSKEL_CNT_MAGIC, .version = LSKEL_CNT_VERSION,
				   .hdr_size = sizeof(h), .nr_sections = n };
	struct lskel_cnt_sec t[8];
	__u32 off = (sizeof(h) + n * sizeof(t[0]) + 7) & ~7u, i;
	char *buf;

	for (i = 0; i < n; i++) {
		t[i] = (struct lskel_cnt_sec){ s[i].type, off, s[i].size, s[i].count };
		off = (off + s[i].size + 7) & ~7u;
	}
	h.total_size = off;
	buf = (char *)calloc(1, off);
	if (!buf)
		return NULL;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), t, n * sizeof(t[0]));
	for (i = 0; i < n; i++)
		memcpy(buf + t[i].off, s[i].p, s[i].size);
	*size = off;
	return buf;
}

/* lskel_cnt_parse of the sections @s: refused with @want in the message (NULL: accepted). */
static int cnt_check(struct nobpf *nb, const char *what, const struct sec *s, __u32 n,
		     const char *want)
{
	struct lskel_cnt c;
	char err[256] = "";
	size_t size = 0;
	void *buf = cnt_build(s, n, &size);
	int e;

	CHECK(buf, "%s: out of memory", what);
	e = lskel_cnt_parse(buf, size, &c, err, sizeof(err));
	free(buf);
	if (!want)
		CHECK(!e, "%s: refused: %s", what, err);
	else
		CHECK(e == -EINVAL && strstr(err, want), "%s: parse %d '%s' (want '%s')", what, e,
		      err, want);
	return 0;
}

/* As cnt_check, refused only: @grow zero bytes appended to the built container (its
 * total_size says so), then, when @at is inside it, the u32 at byte @at set to @v. */
static int cnt_edit_check(struct nobpf *nb, const char *what, const struct sec *s, __u32 n,
			  size_t grow, size_t at, __u32 v, const char *want)
{
	struct lskel_cnt c;
	char err[256] = "", *buf, *big;
	size_t size = 0;
	__u32 total;
	int e;

	buf = (char *)cnt_build(s, n, &size);
	CHECK(buf, "%s: out of memory", what);
	big = (char *)realloc(buf, size + grow);
	if (!big)
		free(buf);
	CHECK(big, "%s: out of memory", what);
	buf = big;
	memset(buf + size, 0, grow);
	size += grow;
	total = (__u32)size;
	memcpy(buf + offsetof(struct lskel_cnt_hdr, total_size), &total, 4);
	if (at < size && size - at >= 4)
		memcpy(buf + at, &v, 4);
	e = lskel_cnt_parse(buf, size, &c, err, sizeof(err));
	free(buf);
	CHECK(e == -EINVAL && strstr(err, want), "%s: parse %d '%s' (want '%s')", what, e, err,
	      want);
	return 0;
}

static int cnt_refusals(struct nobpf *nb)
{
	const struct lskel_desc *nc = &net_count__desc, *st = &signed_tp__desc;
	struct lskel_cnt c;
	struct lskel_desc d;
	struct lskel_cnt_sig sig = {};
	char err[256] = "", *sigsec, *sigsec0;
	struct lskel_ctx ctx = { .failed_op = -1 };
	__u32 sig_size, ni = nc->insns_sz / 8, nci = nb->compat_size / 8;
	int e;
	const struct sec ins = { LSKEL_CNT_INSNS, nc->insns, nc->insns_sz, ni },
		   cmp = { LSKEL_CNT_COMPAT_INSNS, nb->compat, nb->compat_size, nci },
		   dat = { LSKEL_CNT_DATA, nc->data, nc->data_sz, 1 };

	/* the emitter's container: the loader, the compat loader, the blob; as a desc it agrees */
	e = lskel_cnt_parse(nb->cnt, nb->cnt_size, &c, err, sizeof(err));
	CHECK(!e && c.compat_insns_size == nb->compat_size && c.insns_size, "the emitter's "
	      "container: %d %s (compat %u bytes)", e, err, c.compat_insns_size);
	CHECK(!lskel_cnt_desc(&c, &d), "container desc: out of memory");
	e = lskel_check_desc(&d, &ctx);
	lskel_cnt_desc_free(&d);
	CHECK(!e, "the emitter's container as a desc: %s", ctx.errmsg);
	{
		const struct sec s[] = { ins, cmp, dat }, s1[] = { ins, dat };

		if (cnt_check(nb, "loader, compat loader, data", s, 3, NULL) ||
		    cnt_check(nb, "loader, data", s1, 2, NULL))
			return -1;
	}
	{
		const struct sec s[] = { ins, cmp };

		if (cnt_check(nb, "no data", s, 2, "no loader or no data section"))
			return -1;
	}
	{
		const struct sec s[] = { cmp, dat };

		if (cnt_check(nb, "a compat loader only", s, 2, "no loader or no data section"))
			return -1;
	}
	{
		const struct sec s[] = { cmp, ins, dat };

		if (cnt_check(nb, "compat before the loader", s, 3, "out of order"))
			return -1;
	}
	{
		const struct sec s[] = { ins, dat, cmp };

		if (cnt_check(nb, "compat after the data", s, 3, "out of order"))
			return -1;
	}
	{
		const struct sec s[] = { ins, ins, dat };

		if (cnt_check(nb, "the loader twice", s, 3, "repeated or out of order"))
			return -1;
	}
	{	/* the header's fields, each on its own; bytes nothing accounts for */
		const struct sec s[] = { ins, dat };
		const size_t none = SIZE_MAX, res = offsetof(struct lskel_cnt_hdr, reserved);

		if (cnt_edit_check(nb, "the next version", s, 2, 0, offsetof(struct lskel_cnt_hdr,
				   version), LSKEL_CNT_VERSION + 1, "container version 4") ||
		    cnt_edit_check(nb, "reserved[0] set", s, 2, 0, res, 1, "reserved fields") ||
		    cnt_edit_check(nb, "reserved[2] set", s, 2, 0, res + 8, 1, "reserved fields") ||
		    cnt_edit_check(nb, "8 bytes after the sections", s, 2, 8, none, 0,
				   "8 bytes after the last section") ||
		    cnt_check(nb, "one section", s, 1, "section count 1 invalid"))
			return -1;
	}
	{
		const struct sec empty = { LSKEL_CNT_INSNS, nc->insns, 0, 0 },
			   dat2 = { LSKEL_CNT_DATA, nc->data, nc->data_sz, 2 },
			   s[] = { empty, dat }, s2[] = { ins, dat2 };
		char *zero = (char *)calloc(1, (1u << 20) + 8);

		CHECK(zero, "out of memory");
		{
			const struct sec big = { LSKEL_CNT_INSNS, zero, (1u << 20) + 8,
						 ((1u << 20) + 8) / 8 }, s3[] = { big, dat };

			e = cnt_check(nb, "an empty loader", s, 2, "loader of 0 bytes") ?:
			    cnt_check(nb, "a data section of count 2", s2, 2, "count 2, not 1") ?:
			    cnt_check(nb, "a loader over 1 MiB", s3, 2, "loader of 1048584 bytes");
		}
		free(zero);
		if (e)
			return e;
	}
	/* signed_tp's signed container, then with a compat section */
	sig_size = sizeof(sig) + st->sig_sz + st->sig_next_sz;
	sigsec = (char *)malloc(sig_size);
	CHECK(sigsec, "out of memory");
	memcpy(sig.excl_hash, st->excl_hash, 32);
	sig.sig_size = st->sig_sz;
	sig.sig_next_size = st->sig_next_sz;
	memcpy(sigsec, &sig, sizeof(sig));
	memcpy(sigsec + sizeof(sig), st->sig, st->sig_sz);
	memcpy(sigsec + sizeof(sig) + st->sig_sz, st->sig_next, st->sig_next_sz);
	sigsec0 = (char *)malloc(sig_size);
	CHECK(sigsec0, "out of memory");
	memcpy(sigsec0, sigsec, sig_size);
	((struct lskel_cnt_sig *)sigsec0)->sig_size = 0;
	((struct lskel_cnt_sig *)sigsec0)->sig_next_size = st->sig_sz + st->sig_next_sz;
	{
		const struct sec s[] = {
			{ LSKEL_CNT_INSNS, st->insns, st->insns_sz, st->insns_sz / 8 },
			{ LSKEL_CNT_DATA, st->data, st->data_sz, 1 },
			{ LSKEL_CNT_SIG, sigsec, sig_size, 1 },
		}, s2[] = {
			s[0], cmp, s[1], s[2],
		}, s3[] = {	/* both signatures as the second: the first empty */
			s[0], s[1], { LSKEL_CNT_SIG, sigsec0, sig_size, 1 },
		};

		/* the signature section's own sizes: the first signature is not empty, the
		 * second fills the rest */
		const size_t so = sizeof(struct lskel_cnt_hdr) + 3 * sizeof(struct lskel_cnt_sec) +
				  ((st->insns_sz + 7) & ~7u) + ((st->data_sz + 7) & ~7u) +
				  offsetof(struct lskel_cnt_sig, sig_size);

		e = cnt_check(nb, "signed_tp signed", s, 3, NULL) ?:
		    cnt_check(nb, "signed_tp with a compat loader", s2, 4,
			      "compat loader of") ?:
		    cnt_check(nb, "signed_tp with a compat loader", s2, 4, "in a signed container") ?:
		    cnt_check(nb, "an empty first signature", s3, 3,
			      "does not hold its 0-byte signature") ?:
		    cnt_edit_check(nb, "a second signature short of the section", s, 3, 0, so + 4,
				   st->sig_next_sz - 8, "does not hold its") ?:
		    cnt_edit_check(nb, "a first signature past the section", s, 3, 0, so,
				   sig_size - (__u32)sizeof(sig) + 1, "does not hold its");
	}
	free(sigsec);
	free(sigsec0);
	return e;
}

/* net_count's container from gen_loader (its emitter writes what lskel gen -f blob does). */
static void emit_container(struct nobpf *nb, struct lsk_obj **objp, struct lsk_trace **tp,
			   struct lsk_loader **lp, char **buf)
{
	char path[256];
	FILE *f;

	sample_path(path, sizeof(path), "net_count");
	if (lsk_obj_open(path, objp) || lsk_trace_build(objp, 1, tp) || lsk_loader_compile(*tp, lp))
		fail_msg("%s: %s", path, lsk_errmsg());
	f = open_memstream(buf, &nb->cnt_size);
	assert_non_null(f);
	assert_int_equal(lsk_emit_container(f, "net_count", *tp, *lp), 0);
	assert_int_equal(fclose(f), 0);
	nb->cnt = *buf;
	nb->compat = (*lp)->compat_insns;
	nb->compat_size = (*lp)->nr_compat_insns * sizeof(struct bpf_insn);
	/* the same loader as the skeleton's (the same generator, the same object) */
	assert_int_equal((*lp)->nr_insns * sizeof(struct bpf_insn), net_count__desc.insns_sz);
	assert_memory_equal((*lp)->insns, net_count__desc.insns, net_count__desc.insns_sz);
	assert_int_equal(nb->compat_size, net_count__desc.compat_insns_sz);
	assert_memory_equal(nb->compat, net_count__desc.compat_insns, nb->compat_size);
}

static void test_refusals_without_bpf(void **state)
{
	struct nobpf *nb = (struct nobpf *)mmap(NULL, sizeof(*nb), PROT_READ | PROT_WRITE,
						MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct lsk_loader *l = NULL;
	struct lsk_trace *t = NULL;
	struct lsk_obj *obj = NULL;
	char *cnt = NULL;
	int status;
	size_t size;
	void *again;

	(void)state;
	assert_true(nb != MAP_FAILED);
	memset(nb, 0, sizeof(*nb));
	/* the guard works: a bpf() call is the end of the process */
	status = without_bpf(calls_bpf, nb);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		fail_msg("a bpf() call under the filter: status 0x%x %s", status, nb->msg);
	emit_container(nb, &obj, &t, &l, &cnt);
	{	/* cnt_build lays out sections as the emitter does */
		const struct sec s[] = {
			{ LSKEL_CNT_INSNS, net_count__desc.insns, net_count__desc.insns_sz,
			  net_count__desc.insns_sz / 8 },
			{ LSKEL_CNT_COMPAT_INSNS, nb->compat, nb->compat_size, nb->compat_size / 8 },
			{ LSKEL_CNT_DATA, l->blob->data, l->blob->size, 1 },
		};

		again = cnt_build(s, 3, &size);
		assert_non_null(again);
		assert_int_equal(size, nb->cnt_size);
		assert_memory_equal(again, cnt, size);
		free(again);
	}
	assert_int_equal(l->blob->size, net_count__desc.data_sz);
	assert_memory_equal(l->blob->data, net_count__desc.data, net_count__desc.data_sz);
	status = without_bpf(desc_refusals, nb);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("descs: status 0x%x after %d checks%s: %s", status, nb->checks,
			 WIFSIGNALED(status) ? " (killed: a bpf() call)" : "", nb->msg);
	print_message("  descs: %d checks without a bpf() call\n", nb->checks);
	nb->checks = 0;
	status = without_bpf(cnt_refusals, nb);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("containers: status 0x%x after %d checks%s: %s", status, nb->checks,
			 WIFSIGNALED(status) ? " (killed: a bpf() call)" : "", nb->msg);
	print_message("  containers: %d checks without a bpf() call\n", nb->checks);
	free(cnt);
	lsk_loader_free(l);
	lsk_trace_free(t);
	lsk_obj_free(obj);
	munmap(nb, sizeof(*nb));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_load),
		cmocka_unit_test(test_forced_compat),
		cmocka_unit_test(test_refused_without_compat),
		cmocka_unit_test(test_bad_initial_value),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_resume_fault),
		cmocka_unit_test(test_resume_in_skipped_range),
		cmocka_unit_test(test_no_progress),
		cmocka_unit_test(test_refusals_without_bpf),
	};

	if (getenv("LSK_SKIP_TESTS"))	/* tests/vm/check: what a guest lacks, by name */
		cmocka_set_skip_filter(getenv("LSK_SKIP_TESTS"));
	return cmocka_run_group_tests_name("loader shapes (loop, compat, resume)", tests, NULL,
					   NULL);
}
