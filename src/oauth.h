#pragma once
/*
 * The token endpoint's grant and the check of the bearer tokens it hands
 * out (reference/gcloud/auth.md).
 *
 * The JWT-bearer grant (RFC 7523), which gcloud auth activate-service-account
 * and the client libraries send to a key file's token_uri: an RS256
 * assertion signed with a service account key this daemon made, found by
 * the header's kid and checked against the key's public half, its issuer
 * the key's account, within an hour and not expired, for Google's token
 * URL (which clients always sign for) or this daemon's. A "scope" claim
 * asks for an access token, a "target_audience" one for an ID token.
 * A disabled or deleted key, or a disabled or deleted account, grants
 * nothing, and the tokens it granted stop working.
 */

#include <jansson.h>

#include "src/context.h"
#include "src/error.h"
#include "src/tokens.h"

/* Google's token URL, the audience clients sign for. */
#define STIM_GOOGLE_TOKEN_URL "https://oauth2.googleapis.com/token"

/*
 * The reply to a grant (the caller's JSON). Refusals carry OAuth's error
 * code as the reason ("invalid_grant", "invalid_request",
 * "unsupported_grant_type") and Google's description as the message.
 * own_token_uri: this daemon's token URL, the other audience accepted.
 */
int stim_oauth_grant(struct stim_ctx *ctx, const char *grant_type, const char *assertion,
		     const char *own_token_uri, json_t **reply, stim_error_t *err);

/* The principal a bearer token stands for now: minted here, unexpired,
 * and (for a service account) of a live, enabled account and key.
 * UNAUTHENTICATED otherwise. */
int stim_oauth_check(struct stim_ctx *ctx, const char *token, struct stim_token_claims *out,
		     stim_error_t *err);

/* An access token reply ({"access_token","expires_in","token_type"}) for
 * principal, signed for by key_id (NULL: none). */
json_t *stim_oauth_access_token(struct stim_ctx *ctx, const char *principal, const char *key_id);
