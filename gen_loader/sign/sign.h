/* SPDX-License-Identifier: BSD-2-Clause */
/* Signed loaders: SHA-256 and PKCS#7 with OpenSSL libcrypto (sign.c). */
#ifndef LSK_SIGN_H
#define LSK_SIGN_H

#include <stddef.h>

struct lsk_sign_opts {
	const char *key_path;	/* PEM RSA private key */
	const char *cert_path;	/* PEM (or DER) X.509 certificate of that key */
};

void lsk_sha256(const void *data, size_t n, unsigned char out[32]);
/* Detached DER PKCS#7 over @data; *sig is OPENSSL_malloc'ed (free with OPENSSL_free). */
int lsk_sign_pkcs7(const struct lsk_sign_opts *o, const void *data, size_t n,
		   unsigned char **sig, size_t *sig_len);
/* 0 when @sig is a signature over @data by the key of the certificate at @cert_path; the
 * certificate's subject goes to @signer. */
int lsk_verify_pkcs7(const char *cert_path, const void *data, size_t n, const void *sig,
		     size_t sig_len, char *signer, size_t signer_len);

#endif
