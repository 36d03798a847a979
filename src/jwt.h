#pragma once
/*
 * JSON Web Tokens signed RS256 (RFC 7515/7519) with any OpenSSL RSA key:
 * the daemon's own signing key (src/signing.h) and the public halves of
 * the service account keys it made (src/sa_keys.h). Only RS256, which is
 * all Google's clients sign with: a token naming another algorithm is
 * refused, never verified some other way.
 */

#include <openssl/types.h>

#include <jansson.h>

#include "src/error.h"

/* header.claims.signature, base64url; the header names kid. The caller's. */
char *stim_jwt_sign_with(EVP_PKEY *key, const char *kid, json_t *claims, stim_error_t *err);

/* The header and claims of jwt, not verified: to find which key to verify
 * it with. Both the caller's. UNAUTHENTICATED when jwt is not three
 * base64url parts of JSON objects, or its alg is not RS256. */
int stim_jwt_peek(const char *jwt, json_t **header, json_t **claims, stim_error_t *err);

/* Whether jwt was signed with key (and is well formed); *claims (the
 * caller's) when it was. */
int stim_jwt_verify_with(EVP_PKEY *key, const char *jwt, json_t **claims, stim_error_t *err);
