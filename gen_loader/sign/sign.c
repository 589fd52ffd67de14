// SPDX-License-Identifier: BSD-2-Clause
/* Signing with OpenSSL libcrypto: SHA-256, and a detached PKCS#7 (DER) over the loader's
 * instructions shaped like the kernel's module signatures (SHA-256, no signed attributes,
 * no certificates: the kernel finds the key in its keyring by issuer and serial). With no
 * signed attributes there is no signing time, and RSA PKCS#1 v1.5 signatures are
 * deterministic, so the same key and input give the same bytes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include "sign.h"
#include "err.h"

void lsk_sha256(const void *data, size_t n, unsigned char out[32])
{
	unsigned int len = 32;

	EVP_Digest(data, n, out, &len, EVP_sha256(), NULL);
}

static int ssl_err(const char *what, const char *path)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return lsk_err(EINVAL, "%s%s%s: %s", path ? path : "", path ? ": " : "", what,
		       buf[0] ? buf : "unknown OpenSSL error");
}

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (!f) {
		lsk_err(errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	if (!x) {
		rewind(f);
		x = d2i_X509_fp(f, NULL);
	}
	fclose(f);
	if (!x)
		ssl_err("not a PEM or DER X.509 certificate", path);
	return x;
}

int lsk_sign_pkcs7(const struct lsk_sign_opts *o, const void *data, size_t n,
		   unsigned char **sig, size_t *sig_len)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	PKCS7 *p7 = NULL;
	BIO *in = NULL;
	FILE *f;
	int len, err = 0;

	*sig = NULL;
	f = fopen(o->key_path, "r");
	if (!f)
		return lsk_err(errno, "%s: %s", o->key_path, strerror(errno));
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key)
		return ssl_err("not a PEM private key (encrypted keys are not supported)",
			       o->key_path);
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		err = lsk_err(EINVAL, "%s: the key is not RSA: reproducible signatures need "
			      "deterministic RSA PKCS#1 v1.5 (ECDSA uses a random nonce)",
			      o->key_path);
		goto out;
	}
	cert = read_cert(o->cert_path);
	if (!cert) {
		err = -EINVAL;
		goto out;
	}
	if (X509_check_private_key(cert, key) != 1) {
		err = lsk_err(EINVAL, "%s does not hold the public key of %s", o->cert_path,
			      o->key_path);
		goto out;
	}
	in = BIO_new_mem_buf(data, (int)n);
	p7 = in ? PKCS7_sign(NULL, NULL, NULL, NULL, PKCS7_DETACHED | PKCS7_BINARY |
			     PKCS7_PARTIAL) : NULL;
	if (!p7 || !PKCS7_sign_add_signer(p7, cert, key, EVP_sha256(), PKCS7_NOATTR |
					  PKCS7_NOCERTS | PKCS7_BINARY | PKCS7_NOSMIMECAP) ||
	    !PKCS7_final(p7, in, PKCS7_DETACHED | PKCS7_BINARY)) {
		err = ssl_err("PKCS#7 signing failed", NULL);
		goto out;
	}
	len = i2d_PKCS7(p7, sig);
	if (len <= 0) {
		*sig = NULL;
		err = ssl_err("PKCS#7 encoding failed", NULL);
		goto out;
	}
	*sig_len = len;
out:
	PKCS7_free(p7);
	BIO_free(in);
	X509_free(cert);
	EVP_PKEY_free(key);
	return err;
}

int lsk_verify_pkcs7(const char *cert_path, const void *data, size_t n, const void *sig,
		     size_t sig_len, char *signer, size_t signer_len)
{
	const unsigned char *p = sig;
	STACK_OF(X509) *certs = NULL;
	X509_STORE *store = NULL;
	X509 *cert = read_cert(cert_path);
	PKCS7 *p7 = NULL;
	BIO *in = NULL, *mem = NULL;
	int err = 0;

	if (!cert)
		return -EINVAL;
	p7 = d2i_PKCS7(NULL, &p, (long)sig_len);
	if (!p7) {
		err = ssl_err("the signature is not DER PKCS#7", NULL);
		goto out;
	}
	certs = sk_X509_new_null();
	store = X509_STORE_new();
	/* The content behind a buffering BIO, not a bare memory BIO: OpenSSL 3.0's
	 * PKCS7_verify copies a memory BIO into one of its own and leaks that copy when the
	 * signature's structure is refused (make check SAN=1 saw it with flipped bytes). */
	in = BIO_new(BIO_f_buffer());
	mem = BIO_new_mem_buf(data, (int)n);
	if (in && mem)
		BIO_push(in, mem);
	else
		BIO_free(mem);
	if (!certs || !store || !in || !mem || !sk_X509_push(certs, cert)) {
		err = lsk_err(ENOMEM, "out of memory");
		goto out;
	}
	X509_STORE_add_cert(store, cert);
	/* the certificate is the trust anchor: the check is "signed by this key" */
	if (PKCS7_verify(p7, certs, store, in, NULL, PKCS7_BINARY | PKCS7_NOINTERN |
			 PKCS7_NOVERIFY) != 1) {
		err = ssl_err("signature does not verify against", cert_path);
		goto out;
	}
	/* the kernel finds the key by the signer's issuer and serial: they must name it */
	{
		STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(p7);
		PKCS7_SIGNER_INFO *si = sis && sk_PKCS7_SIGNER_INFO_num(sis) == 1 ?
					sk_PKCS7_SIGNER_INFO_value(sis, 0) : NULL;

		/* and the algorithms the kernel's parser takes: SHA-256, RSA */
		if (!si || !si->issuer_and_serial || !si->digest_alg || !si->digest_enc_alg ||
		    OBJ_obj2nid(si->digest_alg->algorithm) != NID_sha256 ||
		    OBJ_obj2nid(si->digest_enc_alg->algorithm) != NID_rsaEncryption ||
		    X509_NAME_cmp(si->issuer_and_serial->issuer, X509_get_issuer_name(cert)) ||
		    ASN1_INTEGER_cmp(si->issuer_and_serial->serial,
				     X509_get0_serialNumber(cert))) {
			err = lsk_err(EINVAL, "the signature names another signer than %s, several, "
				      "or other algorithms than SHA-256 and RSA", cert_path);
			goto out;
		}
	}
	X509_NAME_oneline(X509_get_subject_name(cert), signer, (int)signer_len);
out:
	sk_X509_free(certs);
	X509_STORE_free(store);
	BIO_free_all(in);	/* and mem behind it */
	PKCS7_free(p7);
	X509_free(cert);
	return err;
}
