#pragma once
/*
 * OAuth 2.0 access tokens the daemon mints: for a service account whose
 * key signed a JWT-bearer grant (src/oauth.h), for an instance's account
 * (the metadata server), and for any principal through `stimulator token`.
 *
 * A token is "ya29.stim." + base64url(JSON claims) + "." + base64url of
 * their HMAC-SHA256 under a secret kept in DATA/keys/token.key (0600), so
 * the daemon checks one with a hash and no lookup, across restarts, and
 * only root can mint one outside the daemon. The claims name the
 * principal, the key that signed the grant (if any) and the expiry; a
 * token verified once is remembered until it expires, as tokens never
 * change. What may have been revoked since (a disabled key or account)
 * is checked against the store by src/oauth.c.
 */

#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

/* An hour, as Google's tokens last; expires_in says 3599. */
#define STIM_TOKEN_LIFETIME_S 3600

struct stim_tokens;

struct stim_token_claims {
	char *principal; /* "serviceAccount:EMAIL", "user:EMAIL" */
	char *key_id;	 /* the service account key of the grant, or NULL */
	int64_t exp;	 /* seconds since the epoch */
};

/* The secret under data_dir, made if missing. */
struct stim_tokens *stim_tokens_load(const char *data_dir, stim_error_t *err);
/* A secret of the given bytes (tests). */
struct stim_tokens *stim_tokens_new(const unsigned char *secret, size_t n);
void stim_tokens_free(struct stim_tokens *t);

/* A token for the claims. The caller's. */
char *stim_token_mint(const struct stim_tokens *t, const struct stim_token_claims *c);

/* The claims of a token the secret signed and that has not expired at
 * now (seconds); UNAUTHENTICATED otherwise, with the reason. */
int stim_token_parse(struct stim_tokens *t, const char *token, int64_t now,
		     struct stim_token_claims *out, stim_error_t *err);
void stim_token_claims_fini(struct stim_token_claims *c);
