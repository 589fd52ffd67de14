// SPDX-License-Identifier: BSD-2-Clause
/* Signed loaders (lskel gen --sign): the skeleton loads; any byte of the blob flipped (64
 * positions) or a blob from another signed skeleton is refused with the hash-mismatch error
 * and nothing stays in the kernel; the embedded signature verifies with `openssl cms` over
 * the loader instructions; generation is byte-for-byte reproducible; `lskel verify` says
 * what matches; the kernel's own signature check runs where the kernel has it and prints
 * SKIP where it answers EOPNOTSUPP (it does here). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "signed_tp.lskel.h"
#include "signed_net.lskel.h"
#include "tp_counter.lskel.h"
#include "kstate.h"
#include "samples.h"

static void path_of(const char *rel, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", build_dir(), rel);
}

static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Load a copy of @base whose blob is @data (@size bytes); returns the load's error. */
static int load_with_blob(const struct lskel_desc *base, size_t skel_size, const void *data,
			  __u32 size, char *msg, size_t msg_len)
{
	struct lskel_desc d = *base;
	struct lskel_ctx *c;
	void *s = calloc(1, skel_size);
	int err;

	assert_non_null(s);
	d.data = data;
	d.data_sz = size;
	c = (struct lskel_ctx *)s;
	assert_int_equal(lskel_open(&d, s), 0);
	err = lskel_load(&d, s);
	snprintf(msg, msg_len, "%s", c->errmsg);
	lskel_destroy(&d, s);
	return err;
}

static void test_signed_loads(void **state)
{
	struct signed_tp *s;

	(void)state;
	s = signed_tp__open();
	assert_non_null(s);
	if (signed_tp__load(s))
		fail_msg("load: %s", s->ctx.errmsg);
	assert_true(s->progs.count_getpid.prog_fd >= 0);
	assert_true(s->maps.counts.map_fd >= 0);
	if (s->ctx.sig_status == LSKEL_SIG_UNSUPPORTED)
		print_message("  SKIP: kernel signature check: this kernel answers EOPNOTSUPP to "
			      "BPF_PROG_LOAD with a signature; loaded with the blob bound by its "
			      "hash only\n");
	else
		assert_int_equal(s->ctx.sig_status, LSKEL_SIG_VERIFIED);
	signed_tp__destroy(s);

	/* a caller that requires the kernel's check gets a clear error where it is missing */
	s = signed_tp__open();
	assert_non_null(s);
	s->ctx.require_signature = 1;
	if (signed_tp__load(s)) {
		assert_int_equal(s->ctx.err, -EOPNOTSUPP);
		assert_non_null(strstr(s->ctx.errmsg, "cannot check BPF program signatures"));
	}
	signed_tp__destroy(s);

	/* the unsigned path is unchanged */
	assert_null(tp_counter__desc.excl_hash);
	{
		struct tp_counter *u = tp_counter__open_and_load();

		assert_non_null(u);
		assert_int_equal(u->ctx.sig_status, LSKEL_SIG_NONE);
		tp_counter__destroy(u);
	}
}

/* A bad signature: refused where the kernel checks signatures. */
static void test_kernel_refuses_bad_signature(void **state)
{
	struct lskel_desc d = signed_tp__desc;
	unsigned char *sig = malloc(d.sig_sz);
	struct signed_tp *s = (struct signed_tp *)calloc(1, sizeof(*s));

	(void)state;
	assert_non_null(sig);
	assert_non_null(s);
	memcpy(sig, d.sig, d.sig_sz);
	sig[d.sig_sz - 5] ^= 0xff;	/* inside the RSA signature value */
	d.sig = sig;
	assert_int_equal(lskel_open(&d, s), 0);
	if (!lskel_load(&d, s) && s->ctx.sig_status == LSKEL_SIG_UNSUPPORTED) {
		print_message("  SKIP: kernel signature check: this kernel answers EOPNOTSUPP, the "
			      "refusal of a bad signature cannot be shown here\n");
	} else {
		assert_non_null(strstr(s->ctx.errmsg, "refused the loader's signature"));
	}
	lskel_destroy(&d, s);
	free(sig);
}

/* 64 single-byte flips spread over the blob: each refused, nothing left behind. */
static void test_tampered_blob(void **state)
{
	const struct lskel_desc *d = &signed_tp__desc;
	unsigned char *blob = malloc(d->data_sz);
	int fds0 = count_fds(), i;
	char msg[512];

	(void)state;
	assert_non_null(blob);
	for (i = 0; i < 64; i++) {
		struct id_set before[4] = {};
		__u32 pos = (__u32)(((__u64)d->data_sz * i) / 64 + (i * 7) % 13);
		char left[512];
		int err;

		if (pos >= d->data_sz)
			pos = d->data_sz - 1;
		memcpy(blob, d->data, d->data_sz);
		blob[pos] ^= 1u << (i % 8);
		assert_int_equal(ids_snapshot(before), 0);
		err = load_with_blob(d, sizeof(struct signed_tp), blob, d->data_sz, msg,
				     sizeof(msg));
		if (err != -EBADMSG || !strstr(msg, "hash mismatch"))
			fail_msg("byte %u flipped: %d %s", pos, err, msg);
		if (ids_wait_gone(before, left, sizeof(left)))
			fail_msg("byte %u flipped: left behind: %s", pos, left);
		ids_free(before);
	}
	print_message("  64 flipped bytes refused: %s\n", msg);
	assert_int_equal(count_fds(), fds0);
	free(blob);
}

/* Another signed skeleton's blob: refused by the hash check (one of the same or a larger
 * size: blobs are a power of two plus a tail, so two small objects' blobs often have the same
 * size) or by the verifier (a smaller one: the loader reads beyond it). */
static void test_swapped_blob(void **state)
{
	const struct lskel_desc *tp = &signed_tp__desc, *net = &signed_net__desc;
	struct id_set before[4] = {};
	char msg[512], left[512];
	int err;

	(void)state;
	assert_int_equal(ids_snapshot(before), 0);
	assert_true(memcmp(net->data, tp->data, tp->data_sz < net->data_sz ? tp->data_sz :
			   net->data_sz));
	if (net->data_sz == tp->data_sz) {
		err = load_with_blob(tp, sizeof(struct signed_tp), net->data, net->data_sz, msg,
				     sizeof(msg));
		assert_int_equal(err, -EBADMSG);
		assert_non_null(strstr(msg, "hash mismatch"));
		err = load_with_blob(net, sizeof(struct signed_net), tp->data, tp->data_sz, msg,
				     sizeof(msg));
		assert_int_equal(err, -EBADMSG);
		assert_non_null(strstr(msg, "hash mismatch"));
		print_message("  blobs of the same size swapped both ways: %s\n", msg);
	} else if (net->data_sz > tp->data_sz) {
		err = load_with_blob(tp, sizeof(struct signed_tp), net->data, net->data_sz, msg,
				     sizeof(msg));
		assert_int_equal(err, -EBADMSG);
		assert_non_null(strstr(msg, "hash mismatch"));
		print_message("  larger blob: %s\n", msg);
		err = load_with_blob(net, sizeof(struct signed_net), tp->data, tp->data_sz, msg,
				     sizeof(msg));
	} else {
		err = load_with_blob(net, sizeof(struct signed_net), tp->data, tp->data_sz, msg,
				     sizeof(msg));
		assert_int_equal(err, -EBADMSG);
		print_message("  larger blob: %s\n", msg);
		err = load_with_blob(tp, sizeof(struct signed_tp), net->data, net->data_sz, msg,
				     sizeof(msg));
	}
	if (net->data_sz != tp->data_sz) {
		assert_true(err < 0);
		assert_non_null(strstr(msg, "tampered with or swapped"));
		print_message("  smaller blob: %s\n", msg);
	}
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("left behind: %s", left);
	ids_free(before);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* openssl cms verifies the embedded signature over the loader instructions. */
static void test_openssl_verifies(void **state)
{
	char ins[256], sig[256], cert[256];

	(void)state;
	path_of("tests/signed_tp.insns", ins, sizeof(ins));
	path_of("tests/signed_tp.sig.der", sig, sizeof(sig));
	path_of("sign/cert.pem", cert, sizeof(cert));
	write_file(ins, signed_tp__desc.insns, signed_tp__desc.insns_sz);
	write_file(sig, signed_tp__desc.sig, signed_tp__desc.sig_sz);
	assert_int_equal(run("openssl cms -verify -binary -inform DER -in %s -content %s "
			     "-certfile %s -CAfile %s -out /dev/null 2>/dev/null", sig, ins, cert,
			     cert), 0);
	/* and not over anything else */
	assert_int_equal(run("printf '\\001' | dd of=%s bs=1 seek=17 conv=notrunc 2>/dev/null",
			     ins), 0);
	assert_int_not_equal(run("openssl cms -verify -binary -inform DER -in %s -content %s "
				 "-certfile %s -CAfile %s -out /dev/null 2>/dev/null", sig, ins,
				 cert, cert), 0);
}

/* Same inputs and key: the same bytes, skeleton and container. */
static void test_reproducible(void **state)
{
	const char *b = build_dir();
	int i;

	(void)state;
	for (i = 0; i < 2; i++)
		assert_int_equal(run("%1$s/bin/lskel gen --sign --key %1$s/sign/key.pem --cert "
				     "%1$s/sign/cert.pem -n signed_tp -o %1$s/tests/repro%2$d.h "
				     "%1$s/samples/tp_counter.bpf.o && %1$s/bin/lskel gen -f blob "
				     "--sign --key %1$s/sign/key.pem --cert %1$s/sign/cert.pem -n "
				     "signed_tp -o %1$s/tests/repro%2$d.lskel "
				     "%1$s/samples/tp_counter.bpf.o", b, i), 0);
	assert_int_equal(run("cmp -s %1$s/tests/repro0.h %1$s/tests/repro1.h && "
			     "cmp -s %1$s/tests/repro0.h %1$s/skel/signed_tp.lskel.h && "
			     "cmp -s %1$s/tests/repro0.lskel %1$s/tests/repro1.lskel", b), 0);
}

/* lskel verify: what matches, and what does not. */
static void test_lskel_verify(void **state)
{
	const char *b = build_dir();

	(void)state;
	assert_int_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
			     "%1$s/skel/signed_tp.lskel.h | grep -q ': verified$'", b), 0);
	assert_int_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
			     "%1$s/tests/repro0.lskel | grep -q ': verified$'", b), 0);
	/* one byte of the blob changed in the header text */
	assert_int_equal(run("sed '0,/__data\\[\\] =/!{0,/\\\\x00/s//\\\\x01/}' "
			     "%1$s/skel/signed_tp.lskel.h > %1$s/tests/tampered.h", b), 0);
	assert_int_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
			     "%1$s/tests/tampered.h 2>/dev/null | grep -q 'blob hash check: "
			     "MISMATCH'", b), 0);
	assert_int_not_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
				 "%1$s/tests/tampered.h > /dev/null 2>&1", b), 0);
	/* another key's certificate */
	assert_int_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/other.pem "
			     "%1$s/skel/signed_tp.lskel.h 2>/dev/null | grep -q 'INVALID'", b), 0);
	/* an unsigned header */
	assert_int_not_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
				 "%1$s/skel/tp_counter.lskel.h 2>/dev/null", b), 0);
}

/* lskel-run loads a signed container. */
static void test_lskel_run_signed(void **state)
{
	const char *b = build_dir();

	(void)state;
	assert_int_equal(run("%1$s/bin/lskel-run --no-attach --pin-dir /sys/fs/bpf/lskel-sig-%2$d "
			     "%1$s/tests/repro0.lskel > /dev/null && %1$s/bin/lskel-run --detach "
			     "--pin-dir /sys/fs/bpf/lskel-sig-%2$d > /dev/null && "
			     "! test -e /sys/fs/bpf/lskel-sig-%2$d/progs", b, getpid()), 0);
	/* --require-signature: where the kernel cannot check it, the run is refused */
	if (run("%1$s/bin/lskel-run --require-signature --no-attach --pin-dir "
		"/sys/fs/bpf/lskel-sig-%2$d %1$s/tests/repro0.lskel > /dev/null 2> "
		"%1$s/tests/reqsig.err", b, getpid())) {
		assert_int_equal(run("grep -q 'cannot check BPF program signatures' "
				     "%s/tests/reqsig.err", b), 0);
		print_message("  SKIP: lskel-run --require-signature: the kernel answers "
			      "EOPNOTSUPP, the run is refused as it should be\n");
	} else {
		assert_int_equal(run("%1$s/bin/lskel-run --detach --pin-dir "
				     "/sys/fs/bpf/lskel-sig-%2$d > /dev/null", b, getpid()), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_loads),
		cmocka_unit_test(test_kernel_refuses_bad_signature),
		cmocka_unit_test(test_tampered_blob),
		cmocka_unit_test(test_swapped_blob),
		cmocka_unit_test(test_openssl_verifies),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_lskel_verify),
		cmocka_unit_test(test_lskel_run_signed),
	};

	return cmocka_run_group_tests_name("signed loaders", tests, NULL, NULL);
}
