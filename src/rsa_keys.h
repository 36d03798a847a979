#pragma once
/*
 * RSA-2048 key pairs as Google hands them out (OpenSSL): a private key
 * in PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----", what a service account's
 * JSON key file holds), and the public half as a self-signed X.509
 * certificate in PEM, the form Google publishes service account keys in
 * and the only form the daemon keeps of a key it hands out.
 */

#include <stdint.h>

#include <openssl/types.h>

#include "src/error.h"

#define STIM_RSA_KEY_ID_LEN 40

/* A new RSA-2048 key; aborts when OpenSSL cannot make one. */
EVP_PKEY *stim_rsa_generate(void);

/* The key's id: hex of the SHA-256 of its public key, first 20 bytes,
 * into out (STIM_RSA_KEY_ID_LEN + 1). */
void stim_rsa_key_id(EVP_PKEY *key, char *out);

/* The private key as PKCS#8 PEM. The caller's. */
char *stim_rsa_private_pem(EVP_PKEY *key);

/* A certificate of key's public half, signed by key itself, for subject
 * CN=cn, valid from not_before to not_after (seconds since the epoch).
 * PEM, the caller's. */
char *stim_rsa_cert_pem(EVP_PKEY *key, const char *cn, int64_t not_before, int64_t not_after,
			stim_error_t *err);

/* The public key a PEM certificate holds (the caller frees it). */
EVP_PKEY *stim_rsa_cert_public_key(const char *pem, stim_error_t *err);
