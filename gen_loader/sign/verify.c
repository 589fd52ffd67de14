// SPDX-License-Identifier: BSD-2-Clause
/* `lskel verify --cert CERT FILE`: checks a signed skeleton header or container offline, the
 * way lskel-run, the runtime, the kernel and the loader will: the container's structure and
 * the manifest in the blob (the checks lskel-run makes before any bpf() call, shared code),
 * the exclusive-map hash (SHA-256 of the instructions), the blob hash compiled into the
 * loader, and the PKCS#7 signature over the instructions.
 * A header is read as the C compiler reads it, within the shape lskel gen writes: line
 * splices joined, comments and literals skipped, only the generator's preprocessor
 * directives accepted (a conditional or macro could make the compiler see other arrays than
 * a text search does), exactly one definition of each loader array and one skeleton
 * description, which names them. */
#include <ctype.h>
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

enum { A_INSNS, A_DATA, A_BTF, A_EXCL, A_SIG, A_SIG_NEXT, A_COMPAT, NR_ARRAYS };
static const char *const array_sfx[NR_ARRAYS] = { "__insns", "__data", "__btf", "__excl_hash",
						  "__sig", "__sig_next", "__compat_insns" };

struct hdr_scan {
	const char *path;
	char *t;		/* the text, line splices joined */
	size_t n, i;
	int line;
	struct bytes arr[NR_ARRAYS];
	char prefix[NR_ARRAYS][128];
	int seen[NR_ARRAYS];
	int nr_desc;		/* `lskel_desc` tokens */
	size_t desc_at;		/* where the description's initialiser begins */
};

static int refuse(const struct hdr_scan *s, const char *why)
{
	return lsk_err(EINVAL, "%s:%d: %s: not a header as lskel gen writes it", s->path, s->line,
		       why);
}

/* Skip blanks and comments (not newlines unless @nl). */
static void skip_space(struct hdr_scan *s, int nl)
{
	for (;;) {
		char c = s->t[s->i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || (nl && c == '\n')) {
			s->line += c == '\n';
			s->i++;
		} else if (c == '/' && s->t[s->i + 1] == '*') {
			char *e = strstr(s->t + s->i + 2, "*/");
			size_t k;

			e = e ? e + 2 : s->t + s->n;
			for (k = s->i; s->t + k < e; k++)
				s->line += s->t[k] == '\n';
			s->i = e - s->t;
		} else if (c == '/' && s->t[s->i + 1] == '/') {
			while (s->t[s->i] && s->t[s->i] != '\n')
				s->i++;
		} else {
			return;
		}
	}
}

static int ident_len(const char *p)
{
	int k = 0;

	if (!isalpha((unsigned char)p[0]) && p[0] != '_')
		return 0;
	while (isalnum((unsigned char)p[k]) || p[k] == '_')
		k++;
	return k;
}

/* The rest of the directive line, comments dropped, blanks squeezed. */
static void directive_text(struct hdr_scan *s, char *out, size_t n)
{
	size_t k = 0;

	for (;;) {
		skip_space(s, 0);
		if (!s->t[s->i] || s->t[s->i] == '\n')
			break;
		if (k && k + 1 < n)
			out[k++] = ' ';
		while (s->t[s->i] && !isspace((unsigned char)s->t[s->i]) &&
		       !(s->t[s->i] == '/' && (s->t[s->i + 1] == '*' || s->t[s->i + 1] == '/'))) {
			if (k + 1 < n)
				out[k++] = s->t[s->i];
			s->i++;
		}
	}
	out[k] = '\0';
}

/* A preprocessor line: only those lskel gen writes. Conditionals other than the include
 * guard hold no code (tracked by @depth and @code_ok). */
static int directive(struct hdr_scan *s, int *depth, int *guard_state, char *guard, size_t gn)
{
	char d[512];

	s->i++;	/* '#' */
	directive_text(s, d, sizeof(d));
	if (!strncmp(d, "ifndef ", 7) && *guard_state == 0 && *depth == 0 &&
	    ident_len(d + 7) == (int)strlen(d + 7)) {
		snprintf(guard, gn, "%.200s", d + 7);
		*guard_state = 1;
		++*depth;
		return 0;
	}
	if (*guard_state == 1) {
		if (strncmp(d, "define ", 7) || strcmp(d + 7, guard))
			return refuse(s, "the include guard's #ifndef is not followed by its #define");
		*guard_state = 2;
		return 0;
	}
	if (!strcmp(d, "include <lskel/runtime.h>") && *depth == 1)
		return 0;
	if ((!strcmp(d, "if defined(LSKEL_RUNTIME_H) && !defined(LSKEL_WITH_ZLIB)") ||
	     !strcmp(d, "ifndef LSKEL_WITH_ZLIB")) && *depth == 1) {
		++*depth;
		return 0;
	}
	if (!strncmp(d, "error \"", 7) && *depth == 2)
		return 0;
	if (!strcmp(d, "define LSKEL_WITH_ZLIB") && *depth == 2)
		return 0;
	if (!strncmp(d, "endif", 5) && (!d[5] || d[5] == ' ') && *depth > 0) {
		--*depth;
		if (!*depth)
			*guard_state = 3;	/* nothing may follow the guard's #endif */
		return 0;
	}
	return refuse(s, "a preprocessor directive lskel gen does not write (conditionals and "
		      "macros could hide or swap the loader arrays)");
}

/* `"\xNN" "\xNN..." ;`: the bytes of a loader array, exactly as the compiler reads them. */
static int array_bytes(struct hdr_scan *s, struct bytes *b)
{
	size_t cap = 4096;

	b->p = malloc(cap);
	b->n = 0;
	if (!b->p)
		return lsk_err(ENOMEM, "out of memory");
	for (;;) {
		skip_space(s, 1);
		if (s->t[s->i] == ';') {
			s->i++;
			return 0;
		}
		if (s->t[s->i] != '"')
			return refuse(s, "a loader array's initialiser is not a string literal");
		for (s->i++; s->t[s->i] != '"'; s->i += 4) {
			const char *p = s->t + s->i;
			unsigned int v;

			if (p[0] != '\\' || p[1] != 'x' || !isxdigit((unsigned char)p[2]) ||
			    !isxdigit((unsigned char)p[3]) || (p[4] != '\\' && p[4] != '"'))
				return refuse(s, "a loader array holds something other than \\xNN bytes");
			sscanf(p + 2, "%2x", &v);
			if (b->n == cap) {
				unsigned char *np = realloc(b->p, cap *= 2);

				if (!np)
					return lsk_err(ENOMEM, "out of memory");
				b->p = np;
			}
			b->p[b->n++] = (unsigned char)v;
		}
		s->i++;
	}
}

/* `static const char PREFIX__SUFFIX[] =` at s->i (after "static const char "). */
static int maybe_array(struct hdr_scan *s, const char *id, int len)
{
	int k;

	for (k = 0; k < NR_ARRAYS; k++) {
		int sl = strlen(array_sfx[k]);
		int pl = len - sl;

		if (pl <= 0 || strncmp(id + pl, array_sfx[k], sl))
			continue;
		if (s->seen[k])
			return refuse(s, "a second loader array (two loaders in one header)");
		if (pl >= (int)sizeof(s->prefix[k]))
			return refuse(s, "name too long");
		s->seen[k] = 1;
		memcpy(s->prefix[k], id, pl);
		s->prefix[k][pl] = '\0';
		s->i += len;
		skip_space(s, 1);
		if (strncmp(s->t + s->i, "[]", 2))
			return refuse(s, "a loader array is not declared NAME[]");
		s->i += 2;
		skip_space(s, 1);
		if (s->t[s->i] != '=')
			return refuse(s, "a loader array without initialiser");
		s->i++;
		return array_bytes(s, &s->arr[k]);
	}
	return 0;
}

/* The description must take the arrays found: PREFIX__insns, PREFIX__data, PREFIX__btf and,
 * signed, PREFIX__excl_hash and PREFIX__sig, in the initialiser's order. */
static int check_desc(struct hdr_scan *s)
{
	const char *p = s->t + s->desc_at, *end = strchr(p, ';');
	char want[160];
	int k;

	for (k = 0; k < NR_ARRAYS; k++) {
		const char *at;

		if (!s->seen[k])
			continue;
		if (strcmp(s->prefix[k], s->prefix[A_INSNS]))
			return refuse(s, "the loader arrays belong to different skeletons");
		snprintf(want, sizeof(want), "%s%s", s->prefix[k], array_sfx[k]);
		at = strstr(p, want);
		if (!at || !end || at > end || isalnum((unsigned char)at[strlen(want)]) ||
		    at[strlen(want)] == '_')
			return refuse(s, "the skeleton's description does not load the arrays found");
		p = at;
	}
	return 0;
}

static int scan_header(const char *path, char *text, size_t len, struct hdr_scan *s)
{
	char guard[256] = "";
	int depth = 0, guard_state = 0, bol = 1, err;
	size_t r, w;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->line = 1;
	for (r = w = 0; r < len; r++) {	/* translation phase 2: line splices */
		if (text[r] == '\\' && text[r + 1] == '\n') {
			r++;
			text[w++] = ' ';	/* keeps nothing joined that the compiler keeps apart */
			continue;
		}
		if (text[r] == '\0')
			return refuse(s, "a NUL byte");
		text[w++] = text[r];
	}
	text[w] = '\0';
	s->t = text;
	s->n = w;
	if (strstr(text, "??") || strstr(text, "%:"))
		return refuse(s, "trigraphs or digraphs");
	while (s->i < s->n) {
		char c;
		int len;

		skip_space(s, 0);
		c = s->t[s->i];
		if (!c)
			break;
		if (c == '\n') {
			s->line++;
			s->i++;
			bol = 1;
			continue;
		}
		if (c == '#' && bol) {
			err = directive(s, &depth, &guard_state, guard, sizeof(guard));
			if (err)
				return err;
			continue;
		}
		bol = 0;
		if (depth != 1 || guard_state != 2)
			return refuse(s, "code outside the include guard or inside a conditional");
		if (c == '"' || c == '\'') {
			for (s->i++; s->t[s->i] && s->t[s->i] != c && s->t[s->i] != '\n'; s->i++)
				if (s->t[s->i] == '\\' && s->t[s->i + 1])
					s->i++;
			if (s->t[s->i] != c)
				return refuse(s, "an unterminated literal");
			s->i++;
			continue;
		}
		len = ident_len(s->t + s->i);
		if (!len) {
			s->i++;
			continue;
		}
		if (len == 10 && !strncmp(s->t + s->i, "lskel_desc", 10)) {
			s->nr_desc++;
			s->desc_at = s->i;
		}
		if ((len == 6 && !strncmp(s->t + s->i, "typeof", 6)) ||
		    (len >= 8 && !strncmp(s->t + s->i, "__typeof", 8)) ||
		    (len == 8 && !strncmp(s->t + s->i, "decltype", 8)))
			return refuse(s, "typeof");
		if (len == 6 && !strncmp(s->t + s->i, "static", 6)) {
			s->i += 6;
			skip_space(s, 1);
			if (!strncmp(s->t + s->i, "const", 5) && isspace((unsigned char)s->t[s->i + 5])) {
				s->i += 5;
				skip_space(s, 1);
				if (!strncmp(s->t + s->i, "char", 4) &&
				    isspace((unsigned char)s->t[s->i + 4])) {
					s->i += 4;
					skip_space(s, 1);
					err = maybe_array(s, s->t + s->i, ident_len(s->t + s->i));
					if (err)
						return err;
				}
			}
			continue;
		}
		s->i += len;
	}
	if (depth || guard_state != 3)
		return refuse(s, "unbalanced conditionals or no include guard");
	if (!s->seen[A_INSNS] || !s->seen[A_DATA] || !s->seen[A_BTF])
		return lsk_err(EINVAL, "%s: neither an lskel container nor a skeleton header", path);
	if (s->nr_desc != 1)
		return refuse(s, "not exactly one skeleton description (struct lskel_desc)");
	return check_desc(s);
}

static void hex(char *out, const unsigned char *h)
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

static char *read_all(const char *path, size_t *lenp)
{
	char *text = NULL, *nt;
	size_t len = 0, cap = 0, r;
	FILE *f = fopen(path, "rb");

	if (!f) {
		lsk_err(errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len + 65536 + 2 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			nt = realloc(text, cap);
			if (!nt) {
				fclose(f);
				free(text);
				lsk_err(ENOMEM, "out of memory");
				return NULL;
			}
			text = nt;
		}
		r = fread(text + len, 1, cap - len - 2, f);
		if (!r)
			break;
		len += r;
	}
	fclose(f);
	text[len] = text[len + 1] = '\0';
	*lenp = len;
	return text;
}

/* What the manifest in the blob says will be made: the facts the signature covers. */
static void print_manifest(FILE *out, const struct lskel_mf *m)
{
	__u32 i;

	fprintf(out, "  manifest: load '%s', %u objects, %u maps, %u programs, %u kconfig values, "
		"%u pinned maps\n", lskel_mf_str(m, m->h->name), m->h->nr_objs, m->h->nr_maps,
		m->h->nr_progs, m->h->nr_kcfg, m->h->nr_pins);
	for (i = 0; i < m->h->nr_progs; i++)
		if (m->progs[i].attach != LSKEL_ATTACH_NONE)
			fprintf(out, "    program %s attaches to '%s'\n",
				lskel_mf_str(m, m->progs[i].name), lskel_mf_str(m, m->progs[i].target));
	for (i = 0; i < m->h->nr_pins; i++)
		fprintf(out, "    map %s is pinned by name\n", lskel_mf_str(m, m->pins[i].name));
}

/* The signed parts of a container or skeleton header, pointing into the read file. */
struct signed_parts {
	struct bytes insns, data, excl, sig, sig_next;
};

/* Take the signed parts of a container; refuses what lskel-run refuses. */
static int container_parts(const char *path, const char *text, size_t len,
			   struct signed_parts *sp, FILE *out)
{
	struct lskel_cnt c;
	char why[256];
	int err;

	err = lskel_cnt_parse(text, len, &c, why, sizeof(why));
	if (err)	/* what lskel-run refuses before any bpf() call */
		return lsk_err(-err, "%s: refused (lskel-run refuses it too): %s", path, why);
	if (!c.sig)
		return lsk_err(EINVAL, "%s: not signed (generate with lskel gen --sign)", path);
	sp->insns = (struct bytes){ (unsigned char *)c.insns, c.insns_size };
	sp->data = (struct bytes){ (unsigned char *)c.data, c.data_size };
	sp->excl = (struct bytes){ (unsigned char *)c.sig->excl_hash, 32 };
	sp->sig = (struct bytes){ (unsigned char *)(c.sig + 1), c.sig->sig_size };
	sp->sig_next = (struct bytes){ (unsigned char *)(c.sig + 1) + c.sig->sig_size,
				       c.sig->sig_next_size };
	fprintf(out, "%s: container\n", path);
	return 0;
}

/* Take the signed parts of a skeleton header (arrays owned by hs); refuses what the runtime
 * refuses before its first bpf() call. */
static int header_parts(const char *path, char *text, size_t len, struct hdr_scan *hs,
			struct signed_parts *sp, FILE *out)
{
	struct lskel_desc d = {};
	struct lskel_mf m;
	char why[256];
	int err;

	err = scan_header(path, text, len, hs);
	if (err)
		return err;
	if (!hs->seen[A_EXCL] || !hs->seen[A_SIG])
		return lsk_err(EINVAL, "%s: not signed (generate with lskel gen --sign)", path);
	if (hs->seen[A_COMPAT])	/* it would load unchecked where the kernel refuses insns */
		return lsk_err(EINVAL, "%s: refused (the runtime refuses it too): a compat loader "
			       "(%s__compat_insns) beside a signed loader", path, hs->prefix[A_COMPAT]);
	sp->insns = hs->arr[A_INSNS];
	sp->data = hs->arr[A_DATA];
	sp->excl = hs->arr[A_EXCL];
	sp->sig = hs->arr[A_SIG];
	sp->sig_next = hs->arr[A_SIG_NEXT];
	fprintf(out, "%s: skeleton header '%s'\n", path, hs->prefix[A_INSNS]);
	if (sp->excl.n != 32 || sp->insns.n % 8)
		return lsk_err(EINVAL, "%s: the exclusive-map hash is not 32 bytes or the "
			       "loader not whole instructions", path);
	d.name = hs->prefix[A_INSNS];
	d.insns = sp->insns.p;
	d.insns_sz = sp->insns.n;
	d.data = sp->data.p;
	d.data_sz = sp->data.n;
	d.excl_hash = sp->excl.p;
	err = lskel_signed_check(&d, why, sizeof(why));
	if (!err && lskel_mf_parse(sp->data.p, sp->data.n, &m, why, sizeof(why)))
		err = -EINVAL;
	if (err)
		return lsk_err(-err, "%s: refused (the runtime refuses it too): %s", path, why);
	return 0;
}

/* Check the bpf-next signature over instructions + blob; 1 when it is missing or invalid. */
static int check_sig_next(const struct signed_parts *sp, const char *cert, FILE *out)
{
	char signer[256] = "";
	unsigned char *payload;
	int bad = 0;

	if (!sp->sig_next.n) {
		fprintf(out, "  signature over instructions and blob (bpf-next scheme): MISSING\n");
		return 1;
	}
	payload = malloc(sp->insns.n + sp->data.n);
	if (!payload)
		return lsk_err(ENOMEM, "out of memory");
	memcpy(payload, sp->insns.p, sp->insns.n);
	memcpy(payload + sp->insns.n, sp->data.p, sp->data.n);
	if (lsk_verify_pkcs7(cert, payload, sp->insns.n + sp->data.n, sp->sig_next.p,
			     sp->sig_next.n, signer, sizeof(signer))) {
		fprintf(out, "  signature over instructions and blob (%zu bytes, bpf-next "
			"scheme): INVALID: %s\n", sp->sig_next.n, lsk_errmsg());
		bad = 1;
	} else {
		fprintf(out, "  signature over instructions and blob (%zu bytes, bpf-next "
			"scheme): valid, by %s\n", sp->sig_next.n, signer);
	}
	free(payload);
	return bad;
}

int lsk_verify_file(const char *path, const char *cert, FILE *out)
{
	struct signed_parts sp = {};
	struct hdr_scan hs = {};
	struct lskel_mf m;
	unsigned char h[32], want[32];
	char *text, signer[256] = "", hx[65], why[256];
	size_t len = 0;
	int bad = 0, err = 0, k;

	text = read_all(path, &len);
	if (!text)
		return -EIO;
	if (len >= 4 && !memcmp(text, &(__u32){ LSKEL_CNT_MAGIC }, 4))
		err = container_parts(path, text, len, &sp, out);
	else
		err = header_parts(path, text, len, &hs, &sp, out);
	if (err)
		goto out;
	lskel_mf_parse(sp.data.p, sp.data.n, &m, why, sizeof(why));
	lsk_sha256(sp.insns.p, sp.insns.n, h);
	hex(hx, h);
	fprintf(out, "  loader: %zu instructions, SHA-256 %s\n", sp.insns.n / 8, hx);
	fprintf(out, "  exclusive-map hash: matches the loader instructions\n");
	lsk_sha256(sp.data.p, sp.data.n, h);
	hex(hx, h);
	lskel_loader_blob_hash(sp.insns.p, sp.insns.n, want);
	fprintf(out, "  blob: %zu bytes, SHA-256 %s: matches the hash compiled into the loader\n",
		sp.data.n, hx);
	print_manifest(out, &m);
	if (lsk_verify_pkcs7(cert, sp.insns.p, sp.insns.n, sp.sig.p, sp.sig.n, signer,
			     sizeof(signer))) {
		fprintf(out, "  signature (%zu bytes): INVALID: %s\n", sp.sig.n, lsk_errmsg());
		bad = 1;
	} else {
		fprintf(out, "  signature (%zu bytes): valid, by %s\n", sp.sig.n, signer);
	}
	k = check_sig_next(&sp, cert, out);
	if (k < 0) {
		err = k;
		goto out;
	}
	bad |= k;
	fprintf(out, "%s: %s\n", path, bad ? "VERIFICATION FAILED" : "verified");
	if (bad)
		err = lsk_err(EBADMSG, "%s: verification failed", path);
out:
	for (k = 0; k < NR_ARRAYS; k++)
		free(hs.arr[k].p);
	free(text);
	return err;
}
