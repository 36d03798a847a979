#pragma once
/*
 * The daemon's own signing key (OpenSSL): an RSA-2048 key made once under
 * DATA/keys/signing.pem (0600) and the JWTs it signs (RS256), such as the
 * identity tokens the metadata server hands instances. IAM (issue 7)
 * verifies what it signed with its public half.
 */

#include <jansson.h>

#include "src/error.h"

struct stim_signing_key;

/* The key under data_dir, read or made (a new RSA key takes a few hundred
 * ms) the first time it signs or verifies, so a daemon that never signs
 * never pays for one. Safe to share between threads. */
struct stim_signing_key *stim_signing_key_open(const char *data_dir);
/* The same, read or made at once. */
struct stim_signing_key *stim_signing_key_load(const char *data_dir, stim_error_t *err);
void stim_signing_key_free(struct stim_signing_key *k);
/* Its id (the "kid" of what it signs): hex of the public key's SHA-256,
 * first 20 bytes; "" when the key cannot be read. Borrowed. */
const char *stim_signing_key_id(struct stim_signing_key *k);

/* header.claims.signature, base64url, RS256. The caller's. */
char *stim_jwt_sign(struct stim_signing_key *k, json_t *claims, stim_error_t *err);
/* Whether jwt was signed by k (and is well formed); *claims (the caller's)
 * when it was. */
int stim_jwt_verify(struct stim_signing_key *k, const char *jwt, json_t **claims,
		    stim_error_t *err);
