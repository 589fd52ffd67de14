// SPDX-License-Identifier: BSD-2-Clause
/* The kernel-verified signing scheme (bpf-next), which no kernel here verifies: the loader's
 * BPF_PROG_LOAD attr as the runtime builds it (pointers and the key-dependent signature
 * size replaced by names), its fd_array, and the signed payload (the instructions followed
 * by the frozen exclusive data map's contents) against tests/golden/signed_next.layout,
 * byte for byte (the payload by its SHA-256 and sizes); and the bpf-next signature in the
 * skeleton verifies with `openssl cms` over exactly that payload and nothing else.
 * `test_sign_golden --update` rewrites the golden file (make golden). No bpf() call. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "signed_tp.lskel.h"
#include "samples.h"

#define GOLDEN "tests/golden/signed_next.layout"
#define FAKE_MAP_FD 100

static int update;

struct field {
	__u32 off, size;
	const char *name;
};

/* Fields whose bytes depend on this process (addresses) or on the key (signature size). */
static const struct field named[] = {
	{ 8, 8, "PTR(insns)" },
	{ 16, 8, "PTR(license)" },
	{ 80, 8, "PTR(func_info)" },
	{ 120, 8, "PTR(fd_array)" },
	{ 152, 8, "PTR(signature)" },
	{ LSKEL_ATTR_SIGNATURE_SIZE, 4, "SIZE(signature)" },
};

static void hex(char *out, const unsigned char *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

/* The layout as text: the attr, 8 bytes a line, named fields in words. */
static char *layout(void)
{
	const struct lskel_desc *d = &signed_tp__desc;
	int fd_array[1] = { FAKE_MAP_FD };
	union lskel_attr u;
	unsigned char h[32], *payload;
	char *out = NULL, hx[65];
	size_t len = 0, i, k = 0;
	__u32 sz;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_non_null(d->sig_next);
	sz = lskel_loader_attr(d, &u, fd_array, -1, d->sig_next, d->sig_next_sz,
			       LSKEL_KEY_SPEC_SESSION_KEYRING, 1);
	fprintf(f, "# signed_tp (samples/tp_counter.bpf.o), the kernel-verified scheme (bpf-next)\n"
		"# BPF_PROG_LOAD attr, %u bytes; data map fd %d (the loop loader: no BTF)\n", sz,
		FAKE_MAP_FD);
	for (i = 0; i < sz; i += 8) {
		const struct field *nf = NULL;

		for (k = 0; k < sizeof(named) / sizeof(named[0]); k++)
			if (named[k].off >= i && named[k].off < i + 8)
				nf = &named[k];
		fprintf(f, "attr %3zu:", i);
		for (k = i; k < i + 8 && k < sz; k++) {
			if (nf && k >= nf->off && k < nf->off + nf->size)
				fprintf(f, " %s", k == nf->off ? "--" : "..");
			else
				fprintf(f, " %02x", u.raw[k]);
		}
		if (nf)
			fprintf(f, "   -- %s", nf->name);
		fprintf(f, "\n");
	}
	memcpy(&k, u.raw + LSKEL_ATTR_FD_ARRAY_CNT, 4);
	fprintf(f, "fd_array (fd_array_cnt %zu): [0] data map: array, key 4, value %u, 1 entry, "
		"frozen, exclusive to\n  SHA-256(insns) = ", k & 0xffffffff, d->data_sz);
	hex(hx, d->excl_hash, 32);
	fprintf(f, "%s\n", hx);
	payload = malloc(d->insns_sz + d->data_sz);
	assert_non_null(payload);
	memcpy(payload, d->insns, d->insns_sz);
	memcpy(payload + d->insns_sz, d->data, d->data_sz);
	lskel_sha256(d->insns, d->insns_sz, h);
	hex(hx, h, 32);
	fprintf(f, "signed payload = insns (%u bytes, SHA-256 %s)\n", d->insns_sz, hx);
	lskel_sha256(d->data, d->data_sz, h);
	hex(hx, h, 32);
	fprintf(f, "               + map contents (%u bytes, SHA-256 %s)\n", d->data_sz, hx);
	lskel_sha256(payload, d->insns_sz + d->data_sz, h);
	hex(hx, h, 32);
	fprintf(f, "               = %u bytes, SHA-256 %s\n", d->insns_sz + d->data_sz, hx);
	free(payload);
	fclose(f);
	return out;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = calloc(1, n + 1);
	if (b && fread(b, 1, n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void test_layout_golden(void **state)
{
	char *now = layout(), *again = layout(), *want;

	(void)state;
	assert_string_equal(now, again);	/* the same bytes every time */
	if (update) {
		FILE *f = fopen(GOLDEN, "w");

		assert_non_null(f);
		fputs(now, f);
		assert_int_equal(fclose(f), 0);
	}
	want = slurp(GOLDEN);
	assert_non_null(want);
	if (strcmp(now, want))
		fail_msg("the kernel-verified layout differs from " GOLDEN " (make golden, then "
			 "read git diff):\n%s", now);
	print_message("  %s", strstr(now, "               ="));
	free(now);
	free(again);
	free(want);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
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

/* The bpf-next signature covers exactly insns || blob: openssl agrees, and refuses the
 * instructions alone and a payload with one blob byte changed. */
static void test_signature_covers_payload(void **state)
{
	const struct lskel_desc *d = &signed_tp__desc;
	const char *b = build_dir();
	unsigned char *payload = malloc(d->insns_sz + d->data_sz);
	char pay[256], sig[256], ins[256];

	(void)state;
	assert_non_null(payload);
	snprintf(pay, sizeof(pay), "%s/tests/next.payload", b);
	snprintf(sig, sizeof(sig), "%s/tests/next.sig.der", b);
	snprintf(ins, sizeof(ins), "%s/tests/next.insns", b);
	memcpy(payload, d->insns, d->insns_sz);
	memcpy(payload + d->insns_sz, d->data, d->data_sz);
	write_file(pay, payload, d->insns_sz + d->data_sz);
	write_file(sig, d->sig_next, d->sig_next_sz);
	write_file(ins, d->insns, d->insns_sz);
#define CMS "openssl cms -verify -binary -inform DER -in %1$s -content %2$s -certfile " \
	"%3$s/sign/cert.pem -CAfile %3$s/sign/cert.pem -out %3$s/tests/next.out 2>%3$s/tests/next.err"
	assert_int_equal(run(CMS, sig, pay, b), 0);
	assert_int_not_equal(run(CMS, sig, ins, b), 0);
	payload[d->insns_sz + d->data_sz / 2] ^= 1;
	write_file(pay, payload, d->insns_sz + d->data_sz);
	assert_int_not_equal(run(CMS, sig, pay, b), 0);
	free(payload);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_golden),
		cmocka_unit_test(test_signature_covers_payload),
	};

	update = argc > 1 && !strcmp(argv[1], "--update");
	return cmocka_run_group_tests_name("kernel-verified signing layout", tests, NULL, NULL);
}
