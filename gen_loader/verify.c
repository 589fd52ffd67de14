// SPDX-License-Identifier: BSD-2-Clause
/* `lskel verify --cert CERT FILE`: checks a signed skeleton header or container offline, the
 * way the kernel and the loader will: the PKCS#7 signature over the loader instructions, the
 * exclusive-map hash (SHA-256 of those instructions) and the blob hash compiled into the
 * loader against the blob it ships with. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <lskel/runtime.h>
#include <lskel/container.h>
#include "sign.h"
#include "verify.h"
#include "err.h"

struct bytes {
	unsigned char *p;
	size_t n;
};

/* The bytes of `static const char NAME__SUFFIX[] = "\x..." "\x...";` in a header. */
static int header_array(const char *text, const char *suffix, struct bytes *b)
{
	char key[64];
	const char *s, *q;

	snprintf(key, sizeof(key), "__%s[] =", suffix);
	s = strstr(text, key);
	if (!s)
		return -ENOENT;
	q = strchr(s, ';');
	if (!q)
		return -EINVAL;
	b->p = malloc((q - s) / 4 + 1);
	b->n = 0;
	if (!b->p)
		return -ENOMEM;
	for (s = strchr(s, '"'); s && s < q; s++) {
		unsigned int v;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			b->p[b->n++] = (unsigned char)v;
			s += 3;
		}
	}
	return 0;
}

/* The SHA-256 the loader compares the data map's with: the four 64-bit immediates after the
 * map pointer load (BPF_PSEUDO_MAP_IDX) at its start (compile.c, emit_blob_check). */
static int loader_blob_hash(const struct bytes *insns, unsigned char h[32])
{
	const struct bpf_insn *in = (const struct bpf_insn *)insns->p;
	size_t n = insns->n / sizeof(*in), i;
	int k = 0;

	for (i = 0; i + 1 < n && in[i].src_reg != BPF_PSEUDO_MAP_IDX; i++)
		;
	for (i += 2; i + 1 < n && k < 4; i++) {
		__u64 v;

		if (in[i].code != (BPF_LD | BPF_IMM | BPF_DW) || in[i].src_reg)
			continue;
		v = (__u64)(__u32)in[i].imm | (__u64)(__u32)in[i + 1].imm << 32;
		memcpy(h + 8 * k++, &v, 8);
		i++;
	}
	return k == 4 ? 0 : -ENOENT;
}

static void hex(char *out, const unsigned char *h)
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

int lsk_verify_file(const char *path, const char *cert, FILE *out)
{
	struct bytes insns = {}, data = {}, excl = {}, sig = {};
	unsigned char h[32], want[32];
	char *text = NULL, signer[256] = "", hx[65];
	size_t len = 0, cap = 0, r;
	int bad = 0, err = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		return lsk_err(errno, "%s: %s", path, strerror(errno));
	for (;;) {
		char *nt;

		if (len + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			nt = realloc(text, cap);
			if (!nt) {
				fclose(f);
				free(text);
				return lsk_err(ENOMEM, "out of memory");
			}
			text = nt;
		}
		r = fread(text + len, 1, cap - len - 1, f);
		if (!r)
			break;
		len += r;
	}
	fclose(f);
	text[len] = '\0';
	if (len >= 4 && !memcmp(text, &(__u32){ LSKEL_CNT_MAGIC }, 4)) {
		struct lskel_cnt c;
		char why[256];

		if (lskel_cnt_parse(text, len, &c, why, sizeof(why))) {
			err = lsk_err(EINVAL, "%s: invalid container: %s", path, why);
			goto out;
		}
		if (!c.sig) {
			err = lsk_err(EINVAL, "%s: not signed (generate with lskel gen --sign)", path);
			goto out;
		}
		insns = (struct bytes){ malloc(c.insns_size + 1), c.insns_size };
		data = (struct bytes){ malloc(c.data_size + 1), c.data_size };
		excl = (struct bytes){ malloc(32), 32 };
		sig = (struct bytes){ malloc(c.sig->sig_size + 1), c.sig->sig_size };
		if (!insns.p || !data.p || !excl.p || !sig.p) {
			err = lsk_err(ENOMEM, "out of memory");
			goto out;
		}
		memcpy(insns.p, c.insns, insns.n);
		memcpy(data.p, c.data, data.n);
		memcpy(excl.p, c.sig->excl_hash, 32);
		memcpy(sig.p, c.sig + 1, sig.n);
		fprintf(out, "%s: container '%s'\n", path, lskel_cnt_str(&c, c.meta->name));
	} else {
		if (header_array(text, "insns", &insns) || header_array(text, "data", &data)) {
			err = lsk_err(EINVAL, "%s: neither an lskel container nor a skeleton header",
				      path);
			goto out;
		}
		if (header_array(text, "excl_hash", &excl) || header_array(text, "sig", &sig)) {
			err = lsk_err(EINVAL, "%s: not signed (generate with lskel gen --sign)", path);
			goto out;
		}
		fprintf(out, "%s: skeleton header\n", path);
	}
	lsk_sha256(insns.p, insns.n, h);
	hex(hx, h);
	fprintf(out, "  loader: %zu instructions, SHA-256 %s\n", insns.n / 8, hx);
	bad |= excl.n != 32 || memcmp(excl.p, h, 32);
	fprintf(out, "  exclusive-map hash: %s\n", bad ? "MISMATCH (not the hash of these "
		"instructions)" : "matches the loader instructions");
	lsk_sha256(data.p, data.n, h);
	hex(hx, h);
	fprintf(out, "  blob: %zu bytes, SHA-256 %s\n", data.n, hx);
	if (loader_blob_hash(&insns, want)) {
		fprintf(out, "  blob hash check: MISSING from the loader\n");
		bad = 1;
	} else if (memcmp(want, h, 32)) {
		hex(hx, want);
		fprintf(out, "  blob hash check: MISMATCH (the loader expects %s)\n", hx);
		bad = 1;
	} else {
		fprintf(out, "  blob hash check: matches the hash compiled into the loader\n");
	}
	if (lsk_verify_pkcs7(cert, insns.p, insns.n, sig.p, sig.n, signer, sizeof(signer))) {
		fprintf(out, "  signature (%zu bytes): INVALID: %s\n", sig.n, lsk_errmsg());
		bad = 1;
	} else {
		fprintf(out, "  signature (%zu bytes): valid, by %s\n", sig.n, signer);
	}
	fprintf(out, "%s: %s\n", path, bad ? "VERIFICATION FAILED" : "verified");
	if (bad)
		err = lsk_err(EBADMSG, "%s: verification failed", path);
out:
	free(insns.p);
	free(data.p);
	free(excl.p);
	free(sig.p);
	free(text);
	return err;
}
