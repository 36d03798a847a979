/* RSA key pairs and their certificates (see rsa_keys.h). */
#include "src/rsa_keys.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "src/util.h"

EVP_PKEY *stim_rsa_generate(void)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);

	if (key == NULL)
		stim_assert_fail("EVP_RSA_gen", __FILE__, __LINE__, __func__);
	return key;
}

void stim_rsa_key_id(EVP_PKEY *key, char *out)
{
	unsigned char *der = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int len = i2d_PUBKEY(key, &der);

	out[0] = '\0';
	if (len > 0 && EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen >= STIM_RSA_KEY_ID_LEN / 2)
		stim_hex(md, STIM_RSA_KEY_ID_LEN / 2, out);
	OPENSSL_free(der);
}

/* What a memory BIO holds, as a string. */
static char *bio_text(BIO *b)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);

	return xstrndup(data != NULL ? data : "", n > 0 ? (size_t)n : 0);
}

char *stim_rsa_private_pem(EVP_PKEY *key)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *pem;

	/* PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY"). */
	if (b == NULL || PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) != 1)
		stim_assert_fail("PEM_write_bio_PrivateKey", __FILE__, __LINE__, __func__);
	pem = bio_text(b);
	BIO_free(b);
	return pem;
}

char *stim_rsa_cert_pem(EVP_PKEY *key, const char *cn, int64_t not_before, int64_t not_after,
			stim_error_t *err)
{
	X509 *x = X509_new();
	X509_NAME *name = NULL;
	BIO *b = NULL;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	char *pem = NULL;
	int ok;

	stim_random_bytes(serial, sizeof(serial));
	serial[0] &= 0x7f; /* a positive serial */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	ok = x != NULL && bn != NULL && X509_set_version(x, X509_VERSION_3) == 1 &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
	     ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before) != NULL &&
	     ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after) != NULL &&
	     X509_set_pubkey(x, key) == 1;
	if (ok) {
		name = X509_get_subject_name(x);
		ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
						(const unsigned char *)cn, -1, -1, 0) == 1 &&
		     X509_set_issuer_name(x, name) == 1 && X509_sign(x, key, EVP_sha256()) > 0;
	}
	if (ok) {
		b = BIO_new(BIO_s_mem());
		ok = b != NULL && PEM_write_bio_X509(b, x) == 1;
	}
	if (ok)
		pem = bio_text(b);
	else
		stim_err(err, STIM_INTERNAL, "making the key's certificate failed");
	BIO_free(b);
	BN_free(bn);
	X509_free(x);
	return pem;
}

EVP_PKEY *stim_rsa_cert_public_key(const char *pem, stim_error_t *err)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = x != NULL ? X509_get_pubkey(x) : NULL;

	X509_free(x);
	BIO_free(b);
	if (key == NULL)
		stim_err(err, STIM_INTERNAL, "a stored key certificate does not read");
	return key;
}
