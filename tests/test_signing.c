// SPDX-License-Identifier: BSD-2-Clause
/* Signed loaders (lskel gen --sign): the skeleton loads; any byte of the blob flipped (64
 * positions) or a blob from another signed skeleton is refused with the hash-mismatch error
 * and nothing stays in the kernel; the embedded signature verifies with `openssl cms` over
 * the loader instructions; generation is byte-for-byte reproducible; `lskel verify` says
 * what matches; the kernel's own signature check runs where the kernel has it and prints
 * SKIP where it answers EOPNOTSUPP (it does here).
 * Coverage: every byte of a signed container flipped in turn is refused before any bpf()
 * call or loads exactly what was signed (the pins' kernel state compared with the original
 * run's), and `lskel verify` agrees; each manifest field edited is refused; the loader's
 * own comparison refuses each of the 32 hash bytes changed. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "signed_tp.lskel.h"
#include "signed_net.lskel.h"
#include "tp_counter.lskel.h"
#include <lskel/container.h>
#include <sys/stat.h>
#include "kstate.h"
#include "samples.h"
#include "deploy.h"
#include "sign.h"
#include "verify.h"
#include "err.h"

static char bpffs[256];	/* a bpffs of this test's own */
static int bpffs_base;		/* its entries when mounted (maps.debug, progs.debug) */

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
	/* what it verified is what it writes out: the instructions */
	assert_int_equal(run("openssl cms -verify -binary -inform DER -in %1$s -content %2$s "
			     "-certfile %3$s -CAfile %3$s -out %2$s.out 2> %2$s.err && "
			     "cmp -s %2$s %2$s.out", sig, ins, cert), 0);
	/* and not over anything else */
	assert_int_equal(run("printf '\\001' | dd of=%s bs=1 seek=17 conv=notrunc status=none",
			     ins), 0);
	assert_int_not_equal(run("openssl cms -verify -binary -inform DER -in %1$s -content %2$s "
				 "-certfile %3$s -CAfile %3$s -out %2$s.out 2> %2$s.err", sig, ins,
				 cert), 0);
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
			     "%1$s/tests/tampered.h 2>&1 | grep -q 'data blob hash mismatch'", b), 0);
	assert_int_not_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
				 "%1$s/tests/tampered.h > %1$s/tests/tampered.out 2>&1", b), 0);
	/* another key's certificate */
	assert_int_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/other.pem "
			     "%1$s/skel/signed_tp.lskel.h 2> %1$s/tests/other.err | "
			     "grep -q 'INVALID'", b), 0);
	/* an unsigned header */
	assert_int_not_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
				 "%1$s/skel/tp_counter.lskel.h 2> %1$s/tests/unsigned.err", b), 0);
	/* one file at a time, and never without a certificate: a usage error (2), not a
	 * verdict on the first file alone */
	assert_int_equal(WEXITSTATUS(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
					 "%1$s/skel/signed_tp.lskel.h %1$s/tests/tampered.h "
					 "2> %1$s/tests/usage.err", b)), 2);
	assert_int_equal(WEXITSTATUS(run("%1$s/bin/lskel verify %1$s/skel/signed_tp.lskel.h "
					 "2> %1$s/tests/usage.err", b)), 2);
}

/* lskel-run loads a signed container. */
static void test_lskel_run_signed(void **state)
{
	const char *b = build_dir();

	(void)state;
	assert_int_equal(run("%1$s/bin/lskel-run --no-attach --pin-dir %2$s/sig "
			     "%1$s/tests/repro0.lskel > %1$s/tests/sig.out && %1$s/bin/lskel-run "
			     "--detach --pin-dir %2$s/sig > %1$s/tests/sig.out && "
			     "! test -e %2$s/sig", b, bpffs), 0);
	/* --require-signature: where the kernel cannot check it, the run is refused */
	if (run("%1$s/bin/lskel-run --require-signature --no-attach --pin-dir %2$s/sig "
		"%1$s/tests/repro0.lskel > %1$s/tests/sig.out 2> %1$s/tests/reqsig.err", b,
		bpffs)) {
		assert_int_equal(run("grep -q 'kernel cannot verify the container.s signature' "
				     "%s/tests/reqsig.err", b), 0);
		print_message("  SKIP: lskel-run --require-signature: the kernel answers "
			      "EOPNOTSUPP, the run is refused as it should be\n");
	} else {
		assert_int_equal(run("%1$s/bin/lskel-run --detach --pin-dir %2$s/sig > "
				     "%1$s/tests/sig.out", b, bpffs), 0);
	}
}

/* The runtime's SHA-256 (lskel-run has no libcrypto) agrees with OpenSSL's. */
static void test_sha256_matches_openssl(void **state)
{
	static unsigned char buf[70000];
	unsigned char a[32], b[32];
	size_t sizes[] = { 0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 69999 }, i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + (i >> 7));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		lskel_sha256(buf, sizes[i], a);
		lsk_sha256(buf, sizes[i], b);
		if (memcmp(a, b, 32))
			fail_msg("SHA-256 of %zu bytes differs from OpenSSL's", sizes[i]);
	}
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long sz;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	rewind(f);
	b = malloc(sz + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, sz, f), (size_t)sz);
	fclose(f);
	*n = sz;
	return b;
}

/* lskel verify in-process; 0 when it calls @path verified. */
static int verify(const char *path)
{
	char cert[256], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int err;

	path_of("sign/cert.pem", cert, sizeof(cert));
	assert_non_null(f);
	err = lsk_verify_file(path, cert, f);
	fclose(f);
	free(out);
	return err;
}

/* lskel-run @file into BPFFS/@sub; its exit status, its output in @out. */
static int lskel_run(const char *opts, const char *file, const char *sub, char *out, size_t n)
{
	char cmd[2048];
	size_t k;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s/bin/lskel-run %s --pin-dir %s/%s %s 2>&1", build_dir(), opts,
		 bpffs, sub, file);
	p = popen(cmd, "r");
	assert_non_null(p);
	k = fread(out, 1, n - 1, p);
	out[k] = '\0';
	return WEXITSTATUS(pclose(p));
}

static void detach(const char *sub)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s/bin/lskel-run --detach --pin-dir %s/%s > %s/tests/detach.out",
		 build_dir(), bpffs, sub, build_dir());
	assert_int_equal(run("%s", cmd), 0);
}

/* A signed container of @sample at BUILD/tests/@out. */
static void signed_container(const char *sample, const char *out, int sign)
{
	if (sign)
		assert_int_equal(run("%1$s/bin/lskel gen -f blob --sign --key %1$s/sign/key.pem "
				     "--cert %1$s/sign/cert.pem -n %2$s -o %1$s/tests/%3$s "
				     "%1$s/samples/%2$s.bpf.o", build_dir(), sample, out), 0);
	else
		assert_int_equal(run("%1$s/bin/lskel gen -f blob -n %2$s -o %1$s/tests/%3$s "
				     "%1$s/samples/%2$s.bpf.o", build_dir(), sample, out), 0);
}

/* Every byte of a signed container flipped in turn (all sections): refused before any bpf()
 * call (lskel-run's validation, in process here, strace-checked on a sample), or accepted
 * with the same instructions and blob and then loaded by lskel-run: the same maps (and
 * read-only contents), programs, links and pins as the original. lskel verify agrees. */
static void test_flip_every_byte(void **state)
{
	static char orig_fp[16384], fp[16384];
	char file[256], out[4096], left[512];
	struct id_set before[4] = {};
	struct lskel_cnt o, c;
	unsigned char *good, *buf;
	size_t n, pos, refused = 0, same = 0, sig_bytes = 0, sig_refused = 0, straced = 0;
	__u32 sig_from, sig_to;
	char err[256];

	(void)state;
	signed_container("net_count", "flip_net.lskel", 1);
	path_of("tests/flip_net.lskel", file, sizeof(file));
	good = slurp(file, &n);
	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(lskel_cnt_parse(good, n, &o, err, sizeof(err)), 0);
	assert_non_null(o.sig);
	sig_from = (const unsigned char *)(o.sig + 1) - good;
	sig_to = sig_from + o.sig->sig_size + o.sig->sig_next_size;	/* both signatures */
	assert_int_equal(ids_snapshot(before), 0);
	if (lskel_run("", file, "orig", out, sizeof(out)))
		fail_msg("the unflipped container: %s", out);
	assert_non_null(strstr(out, "signature: not checked") ?: strstr(out, "checked by the kernel"));
	snprintf(fp, sizeof(fp), "%s/orig", bpffs);
	assert_int_equal(deploy_fingerprint(fp, orig_fp, sizeof(orig_fp)), 0);
	detach("orig");
	assert_non_null(strstr(orig_fp, "links/count_getpid: link type"));
	for (pos = 0; pos < n; pos++) {
		int pr, vr;

		memcpy(buf, good, n);
		buf[pos] ^= 0xff;
		pr = lskel_cnt_parse(buf, n, &c, err, sizeof(err));
		path_of("tests/flipped.lskel", file, sizeof(file));
		write_file(file, buf, n);
		vr = verify(file);
		if (pr) {
			refused++;
			if (!vr)
				fail_msg("byte %zu: lskel verify accepts what lskel-run refuses (%s)",
					 pos, err);
			if (pos % 1024 == 0 || pos == n - 1) {	/* no bpf() call: strace */
				straced++;
				if (run("strace -f -e trace=bpf -o %1$s.strace %2$s/bin/lskel-run "
					"--pin-dir %3$s/x %1$s > %1$s.out 2>&1; ! grep -q 'bpf(' "
					"%1$s.strace", file, build_dir(), bpffs))
					fail_msg("byte %zu: lskel-run called bpf() before refusing", pos);
			}
			continue;
		}
		/* accepted: what reaches the kernel must be what was signed */
		if (c.insns_size != o.insns_size || memcmp(c.insns, o.insns, o.insns_size) ||
		    c.data_size != o.data_size || memcmp(c.data, o.data, o.data_size) ||
		    !c.sig || memcmp(c.sig->excl_hash, o.sig->excl_hash, 32))
			fail_msg("byte %zu: accepted with another loader, blob or hash", pos);
		if (pos >= sig_from && pos < sig_to) {
			/* the kernel's to check (lskel-run has no PKCS#7): what loads is what
			 * was signed either way; lskel verify refuses those OpenSSL rejects */
			sig_bytes++;
			sig_refused += !!vr;
			if (!vr)
				print_message("  signature byte %u of %u flipped: OpenSSL still "
					      "verifies it\n", (__u32)pos - sig_from, sig_to - sig_from);
		} else if (vr) {
			fail_msg("byte %zu: lskel-run accepts, lskel verify refuses: %s", pos,
				 lsk_errmsg());
		}
		if (lskel_run("", file, "flip", out, sizeof(out)))
			fail_msg("byte %zu: accepted but the load failed: %s", pos, out);
		snprintf(left, sizeof(left), "%s/flip", bpffs);
		assert_int_equal(deploy_fingerprint(left, fp, sizeof(fp)), 0);
		if (strcmp(fp, orig_fp))
			fail_msg("byte %zu: loaded something else:\n%s\nthan signed:\n%s", pos, fp,
				 orig_fp);
		detach("flip");
		same++;
	}
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("left behind: %s", left);
	ids_free(before);
	assert_int_equal(count_entries(bpffs), bpffs_base);
	print_message("  %zu bytes flipped: %zu refused before any bpf() call (%zu strace-checked), "
		      "%zu loaded exactly what was signed (%zu of them signature bytes, only the "
		      "kernel can check those: lskel verify refuses %zu)\n", n, refused, straced,
		      same, sig_bytes, sig_refused);
	assert_int_equal(refused + same, n);
	free(buf);
	free(good);
}

/* Each field of the manifest edited in a signed container: refused (the blob hash), by
 * lskel-run and lskel verify alike. The same edits in an unsigned container: names that
 * would climb out of a directory, slots of the wrong kind are refused there too. */
static void test_manifest_field_edits(void **state)
{
	const char *samples[] = { "net_count", "core_read" };
	size_t si, fields = 0, unsigned_refused = 0, unsigned_fields = 0;

	(void)state;
	for (si = 0; si < 2; si++) {
		char file[256], name[64], err[256];
		struct lskel_cnt o, c;
		unsigned char *good, *buf, *mf;
		__u32 off[LSKEL_MF_END + 1], t, k;
		size_t n;
		int sign;

		for (sign = 1; sign >= 0; sign--) {
			snprintf(name, sizeof(name), "edit_%s%d.lskel", samples[si], sign);
			signed_container(samples[si], name, sign);
			path_of("tests", file, sizeof(file));
			snprintf(file + strlen(file), sizeof(file) - strlen(file), "/%s", name);
			good = slurp(file, &n);
			buf = malloc(n);
			assert_non_null(buf);
			assert_int_equal(lskel_cnt_parse(good, n, &o, err, sizeof(err)), 0);
			mf = (unsigned char *)o.mf.h - good + buf;
			lskel_mf_layout(o.mf.h, off);
			/* every u32 of the header and of every table entry, strings excluded */
			for (t = 0; t < off[LSKEL_MF_FUNC_INFO]; t += 4) {
				__u32 v;

				memcpy(buf, good, n);
				memcpy(&v, mf + t, 4);
				v ^= t < sizeof(struct lskel_mf_hdr) ? 1 : 3;
				memcpy(mf + t, &v, 4);
				if (sign) {
					fields++;
					if (lskel_cnt_parse(buf, n, &c, err, sizeof(err)) != -EBADMSG ||
					    !strstr(err, "hash mismatch"))
						fail_msg("%s: manifest word at %u edited: not refused (%s)",
							 samples[si], t, err);
					write_file(file, buf, n);
					if (!verify(file))
						fail_msg("%s: manifest word at %u edited: lskel verify "
							 "accepts it", samples[si], t);
				} else {
					unsigned_fields++;
					unsigned_refused += !!lskel_cnt_parse(buf, n, &c, err, sizeof(err));
				}
			}
			/* names steering pins: made to climb out, in both */
			for (k = 0; k < o.mf.h->nr_maps + 1; k++) {
				__u32 so = k < o.mf.h->nr_maps ? o.mf.maps[k].name : o.mf.h->name;

				memcpy(buf, good, n);
				memcpy(mf + off[LSKEL_MF_STRINGS] + so, "../v", 4);
				if (!lskel_cnt_parse(buf, n, &c, err, sizeof(err)))
					fail_msg("%s%s: a name made '../v...' was accepted", samples[si],
						 sign ? " (signed)" : "");
			}
			free(buf);
			free(good);
		}
	}
	print_message("  %zu manifest fields edited in signed containers: all refused (hash); "
		      "unsigned: %zu of %zu refused by validation (the rest is what an unsigned "
		      "container may say)\n", fields, unsigned_refused, unsigned_fields);
}

/* The loader's own comparison, byte by byte: each of the 32 hash bytes compiled into the
 * loader changed (exclusive hash recomputed, signature dropped, the runtime's own check
 * bypassed): the loader refuses to run a single step. */
static void test_loader_hash_bytes(void **state)
{
	const struct lskel_desc *base = &signed_tp__desc;
	struct bpf_insn *insns = malloc(base->insns_sz);
	struct id_set before[4] = {};
	int refused = 0, k;
	char left[512];

	(void)state;
	assert_non_null(insns);
	assert_int_equal(ids_snapshot(before), 0);
	for (k = -1; k < 32; k++) {	/* -1: unchanged, the loader runs */
		struct lskel_desc d = *base;
		struct lskel_ctx c;
		unsigned char excl[32];
		size_t ctx_sz = sizeof(struct lskel_loader_ctx) + d.inputs_size;
		struct lskel_loader_ctx *lc = calloc(1, ctx_sz);
		union bpf_attr attr;
		int map_fd, prog_fd;
		__u32 i;

		assert_non_null(lc);
		memcpy(insns, base->insns, base->insns_sz);
		if (k >= 0)	/* byte k of the hash: ld_imm64 k/8, low half then high half */
			((unsigned char *)&insns[LSKEL_SIGNED_HASH_INSN(k / 8) + (k % 8) / 4].imm)
				[k % 4] ^= 0x01;
		lskel_sha256(insns, base->insns_sz, excl);
		d.insns = insns;
		d.excl_hash = excl;
		d.sig = NULL;
		d.sig_sz = 0;
		memset(&c, 0, sizeof(c));
		map_fd = lskel_data_map(&d, &c);
		assert_true(map_fd >= 0);
		prog_fd = lskel_load_loader(&d, &c, map_fd, -1);	/* signed: no compat loader */
		if (prog_fd < 0)
			fail_msg("hash byte %d: %s", k, c.errmsg);
		lc->sz = ctx_sz;
		lc->inputs = lskel_ptr(lc + 1);
		/* as the runtime does: the values IF_SET steps keep into the input area */
		assert_int_equal(lskel_inputs_defaults(&d, (char *)(lc + 1)), 0);
		memset(&attr, 0, sizeof(attr));
		attr.test.prog_fd = prog_fd;
		attr.test.ctx_in = lskel_ptr(lc);
		attr.test.ctx_size_in = sizeof(*lc);
		assert_int_equal(lskel_sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr)), 0);
		if (k < 0) {
			int *fds = malloc(d.nr_ops * sizeof(int));

			assert_int_equal((int)attr.test.retval, 0);
			assert_non_null(fds);
			assert_int_equal(lskel_fdtab_read(&d, map_fd, fds), 0);
			for (i = 0; i < d.nr_ops; i++)
				if (fds[i] >= 0)
					close(fds[i]);
			free(fds);
		} else if ((int)attr.test.retval == -EBADMSG) {
			refused++;
		} else {
			print_message("  hash byte %d changed: the loader ran (%d)\n", k,
				      (int)attr.test.retval);
		}
		close(prog_fd);
		close(map_fd);
		free(lc);
	}
	print_message("  %d of 32 hash bytes changed in the loader: refused by its comparison\n",
		      refused);
	assert_int_equal(refused, 32);
	if (ids_wait_gone(before, left, sizeof(left)))
		fail_msg("left behind: %s", left);
	ids_free(before);
	free(insns);
}

/* lskel-run's signature policy: one line (and a JSON field) saying what happened;
 * --require-signature refuses an unsigned container before any bpf() call, and a signed
 * one the kernel cannot verify. */
static void test_signature_policy(void **state)
{
	char signed_f[256], unsigned_f[256], out[4096];
	int rc;

	(void)state;
	signed_container("tp_counter", "policy_s.lskel", 1);
	signed_container("tp_counter", "policy_u.lskel", 0);
	path_of("tests/policy_s.lskel", signed_f, sizeof(signed_f));
	path_of("tests/policy_u.lskel", unsigned_f, sizeof(unsigned_f));
	assert_int_equal(lskel_run("--no-attach", unsigned_f, "pol", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "signature: absent"));
	detach("pol");
	assert_int_equal(lskel_run("--no-attach --json", unsigned_f, "pol", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"signature\":\"absent\""));
	detach("pol");
	assert_int_equal(lskel_run("--no-attach --json", signed_f, "pol", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"signature\":\"unchecked\"") ?:
			strstr(out, "\"signature\":\"verified\""));
	detach("pol");
	assert_int_equal(lskel_run("--no-attach", signed_f, "pol", out, sizeof(out)), 0);
	print_message("  %s", strstr(out, "signature:"));
	detach("pol");
	assert_int_equal(lskel_run("--require-signature", unsigned_f, "pol", out, sizeof(out)), 1);
	assert_non_null(strstr(out, "not signed"));
	assert_int_equal(run("strace -f -e trace=bpf -o %1$s/tests/req.strace %1$s/bin/lskel-run "
			     "--require-signature --pin-dir %2$s/pol %3$s > %1$s/tests/req.out "
			     "2>&1; ! grep -q 'bpf(' %1$s/tests/req.strace", build_dir(), bpffs,
			     unsigned_f), 0);
	rc = lskel_run("--require-signature", signed_f, "pol", out, sizeof(out));
	if (rc) {
		assert_non_null(strstr(out, "kernel cannot verify"));
		print_message("  --require-signature, signed, this kernel: refused: %s",
			      strstr(out, "refused"));
	} else {
		assert_non_null(strstr(out, "checked by the kernel"));
		detach("pol");
	}
	assert_int_equal(count_entries(bpffs), bpffs_base);
}

/* Headers whose text hides what the compiler sees: refused by lskel verify. */
static void test_verify_header_shapes(void **state)
{
	const char *b = build_dir();

	(void)state;
	/* signed arrays inside #if 0, then the unsigned skeleton */
	assert_int_equal(run("{ echo '#if 0'; cat %1$s/skel/signed_tp.lskel.h; echo '#endif'; "
			     "cat %1$s/skel/tp_counter.lskel.h; } > %1$s/tests/ifzero.h", b), 0);
	assert_int_not_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
				 "%1$s/tests/ifzero.h > %1$s/tests/ifzero.out 2>&1", b), 0);
	assert_int_equal(run("grep -q 'preprocessor directive\\|outside the include guard' "
			     "%1$s/tests/ifzero.out", b), 0);
	/* two loaders in one header */
	assert_int_equal(run("sed '$d' %1$s/skel/signed_tp.lskel.h > %1$s/tests/two.h && "
			     "sed -n '/^static const char signed_tp__insns/,/;$/p' "
			     "%1$s/skel/signed_tp.lskel.h | sed 's/signed_tp__insns/x__insns/' "
			     ">> %1$s/tests/two.h && echo '#endif' >> %1$s/tests/two.h", b), 0);
	assert_int_not_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem %1$s/tests/two.h "
				 "> %1$s/tests/two.out 2>&1", b), 0);
	assert_int_equal(run("grep -q 'second loader array' %1$s/tests/two.out", b), 0);
	/* a macro renaming the arrays the description loads */
	assert_int_equal(run("sed 's|^#include <lskel/runtime.h>|&\\n#define signed_tp__data "
			     "other__data|' %1$s/skel/signed_tp.lskel.h > %1$s/tests/macro.h", b), 0);
	assert_int_not_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
				 "%1$s/tests/macro.h > %1$s/tests/macro.out 2>&1", b), 0);
	/* a compat loader (tp_counter's, renamed) defined and wired into a signed skeleton's
	 * description: it would load unchecked where the kernel refuses the signed one */
	assert_int_equal(run("sed -n '/^static const char tp_counter__compat_insns/,/;$/p' "
			     "%1$s/skel/tp_counter.lskel.h | sed 's/tp_counter__compat_insns/"
			     "signed_tp__compat_insns/' > %1$s/tests/compat.part && "
			     "test -s %1$s/tests/compat.part && awk -v part=%1$s/tests/compat.part "
			     "'/^static const char signed_tp__data\\[\\]/ { while ((getline l < "
			     "part) > 0) print l } { print }' %1$s/skel/signed_tp.lskel.h | "
			     "sed 's|NULL, 0,\t/\\* no compat loader (signed) \\*/|"
			     "signed_tp__compat_insns, sizeof(signed_tp__compat_insns) - 1,|' > "
			     "%1$s/tests/compat.h && grep -q 'signed_tp__compat_insns, sizeof' "
			     "%1$s/tests/compat.h", b), 0);
	assert_int_not_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
				 "%1$s/tests/compat.h > %1$s/tests/compat.out 2>&1", b), 0);
	assert_int_equal(run("grep -q 'compat loader' %1$s/tests/compat.out", b), 0);
	/* a line splice inside the name is what the compiler joins: still the same header */
	assert_int_equal(run("%1$s/bin/lskel verify --cert %1$s/sign/cert.pem "
			     "%1$s/skel/signed_tp.lskel.h > %1$s/tests/good.out 2>&1", b), 0);
}

static int group_setup(void **state)
{
	(void)state;
	if (bpffs_private(bpffs, sizeof(bpffs)))
		return -1;
	bpffs_base = count_entries(bpffs);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	bpffs_release(bpffs);
	return 0;
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
		cmocka_unit_test(test_sha256_matches_openssl),
		cmocka_unit_test(test_signature_policy),
		cmocka_unit_test(test_verify_header_shapes),
		cmocka_unit_test(test_manifest_field_edits),
		cmocka_unit_test(test_loader_hash_bytes),
		cmocka_unit_test(test_flip_every_byte),
	};

	return cmocka_run_group_tests_name("signed loaders", tests, group_setup, group_teardown);
}
