/* The token endpoint's grant and the bearer token check (see oauth.h). */
#include "src/oauth.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "src/cleanup.h"
#include "src/decision_cache.h"
#include "src/jwt.h"
#include "src/rsa_keys.h"
#include "src/sa_keys.h"
#include "src/signing.h"
#include "src/store_sa_keys.h"
#include "src/store_service_accounts.h"
#include "src/util.h"

#define JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"
/* Clock skew allowed on iat, as Google's token endpoint allows some. */
#define SKEW_S 300

static const char bad_signature[] = "Invalid JWT Signature.";
static const char bad_times[] = "Invalid JWT: Token must be a short-lived token (60 minutes) and "
				"in a reasonable timeframe. Check your iat and exp values in the "
				"JWT claim.";

static int refuse(stim_error_t *err, const char *reason, const char *msg)
{
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, reason, "%s", msg);
}

/* The live, enabled account that holds the live, enabled key key_id, into
 * sa and key; what is refused is refused as a bad signature, as Google
 * does for a key it no longer knows. */
static int key_of(struct stim_db *db, const char *key_id, struct stim_service_account *sa,
		  struct stim_sa_key *key, stim_error_t *err)
{
	cleanup_error stim_error_t e = NULL;

	memset(sa, 0, sizeof(*sa));
	if (stim_store_sa_key_get(db, 0, key_id, key, &e) < 0) {
		if (e->code != STIM_NOT_FOUND) {
			*err = steal_pointer(&e);
			return -1;
		}
		return refuse(err, "invalid_grant", bad_signature);
	}
	if (stim_store_sa_get(db, NULL, key->sa_unique_id, false, sa, &e) < 0 || sa->disabled) {
		stim_sa_key_fini(key);
		stim_sa_fini(sa);
		if (e != NULL && e->code != STIM_NOT_FOUND) {
			*err = steal_pointer(&e);
			return -1;
		}
		return refuse(err, "invalid_grant", "Invalid grant: account not found");
	}
	if (key->disabled) {
		stim_sa_key_fini(key);
		stim_sa_fini(sa);
		return refuse(err, "invalid_grant", bad_signature);
	}
	return 0;
}

/* The assertion's claims, once its signature, issuer, audience and times
 * are checked. */
static int check_assertion(struct stim_db *db, const char *assertion, const char *own_token_uri,
			   struct stim_service_account *sa, char *key_id, json_t **claims,
			   stim_error_t *err)
{
	cleanup_json json_t *header = NULL;
	cleanup_json json_t *peeked = NULL;
	cleanup_error stim_error_t e = NULL;
	struct stim_sa_key key;
	EVP_PKEY *pub;
	const char *kid = NULL;
	const char *iss = NULL;
	const char *aud = NULL;
	json_int_t iat = 0;
	json_int_t exp = 0;
	int64_t now = stim_now_ms() / 1000;
	int ret;

	*claims = NULL;
	if (stim_jwt_peek(assertion, &header, &peeked, &e) < 0)
		return refuse(err, "invalid_grant", "Invalid JWT: not an RS256 token.");
	if (json_unpack(header, "{s:s}", "kid", &kid) < 0 || strlen(kid) > STIM_RSA_KEY_ID_LEN)
		return refuse(err, "invalid_grant", bad_signature);
	if (key_of(db, kid, sa, &key, err) < 0)
		return -1;
	pub = stim_rsa_cert_public_key(key.cert_pem, err);
	snprintf(key_id, STIM_RSA_KEY_ID_LEN + 1, "%s", key.id);
	stim_sa_key_fini(&key);
	ret = pub != NULL ? stim_jwt_verify_with(pub, assertion, claims, &e) : -1;
	EVP_PKEY_free(pub);
	if (ret < 0 && e != NULL)
		refuse(err, "invalid_grant", bad_signature);
	if (ret == 0 && (json_unpack(*claims, "{s:s, s:s, s:I, s:I}", "iss", &iss, "aud", &aud,
				     "iat", &iat, "exp", &exp) < 0 ||
			 strcmp(iss, sa->email) != 0)) {
		refuse(err, "invalid_grant", bad_signature);
		ret = -1;
	}
	if (ret == 0 && strcmp(aud, STIM_GOOGLE_TOKEN_URL) != 0 &&
	    (own_token_uri == NULL || strcmp(aud, own_token_uri) != 0)) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid_grant",
				"Invalid JWT: Failed audience check. The right audience is %s",
				STIM_GOOGLE_TOKEN_URL);
		ret = -1;
	}
	if (ret == 0 &&
	    (exp <= now || iat > now + SKEW_S || exp <= iat || exp - iat > STIM_TOKEN_LIFETIME_S)) {
		refuse(err, "invalid_grant", bad_times);
		ret = -1;
	}
	if (ret < 0) {
		json_decref(*claims);
		*claims = NULL;
		stim_sa_fini(sa);
	}
	return ret;
}

json_t *stim_oauth_access_token(struct stim_ctx *ctx, const char *principal, const char *key_id)
{
	struct stim_token_claims c = {
		.principal = (char *)principal,
		.key_id = (char *)key_id,
		.exp = stim_now_ms() / 1000 + STIM_TOKEN_LIFETIME_S,
	};
	char *token = stim_token_mint(ctx->tokens, &c);
	json_t *j = json_pack("{s:s, s:i, s:s}", "access_token", token, "expires_in",
			      STIM_TOKEN_LIFETIME_S - 1, "token_type", "Bearer");

	free(token);
	return j;
}

/* An ID token for the account, for audience, signed by the daemon. */
static json_t *id_token(struct stim_ctx *ctx, const struct stim_service_account *sa,
			const char *audience, stim_error_t *err)
{
	int64_t now = stim_now_ms() / 1000;
	json_t *claims =
		json_pack("{s:s, s:o, s:s, s:b, s:I, s:I, s:s, s:o}", "aud", audience, "azp",
			  json_sprintf("%lld", (long long)sa->unique_id), "email", sa->email,
			  "email_verified", 1, "exp", (json_int_t)(now + STIM_TOKEN_LIFETIME_S),
			  "iat", (json_int_t)now, "iss", "https://accounts.google.com", "sub",
			  json_sprintf("%lld", (long long)sa->unique_id));
	char *jwt = stim_jwt_sign(ctx->signer, claims, err);

	json_decref(claims);
	return jwt != NULL ? json_pack("{s:s%}", "id_token", jwt, strlen(jwt)) : NULL;
}

int stim_oauth_grant(struct stim_ctx *ctx, const char *grant_type, const char *assertion,
		     const char *own_token_uri, json_t **reply, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_json json_t *claims = NULL;
	struct stim_service_account sa;
	char key_id[STIM_RSA_KEY_ID_LEN + 1];
	const char *audience;
	cleanup_free char *principal = NULL;

	*reply = NULL;
	if (grant_type == NULL || assertion == NULL)
		return refuse(err, "invalid_request",
			      "Missing required parameter: grant_type and assertion.");
	if (strcmp(grant_type, JWT_BEARER) != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "unsupported_grant_type",
				       "Invalid grant_type: %s", grant_type);
	if (ctx->tokens == NULL || ctx->signer == NULL)
		return stim_err(err, STIM_UNAVAILABLE, "this daemon mints no tokens");
	db = stim_store_db(ctx->store, err);
	if (db == NULL ||
	    check_assertion(db, assertion, own_token_uri, &sa, key_id, &claims, err) < 0)
		return -1;
	audience = json_string_value(json_object_get(claims, "target_audience"));
	if (audience != NULL) {
		*reply = id_token(ctx, &sa, audience, err);
	} else if (json_string_value(json_object_get(claims, "scope")) != NULL) {
		principal = xasprintf("serviceAccount:%s", sa.email);
		*reply = stim_oauth_access_token(ctx, principal, key_id);
	} else {
		refuse(err, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
	}
	stim_sa_fini(&sa);
	return *reply != NULL ? 0 : -1;
}

/* Whether the account, and the key if any, that a token stands on are
 * still live and enabled: *why NULL, or why not. */
static int still_live(struct stim_ctx *ctx, const char *email, const char *key_id,
		      stim_error_t *why, uint64_t *gen, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_error stim_error_t e = NULL;
	struct stim_service_account sa;
	struct stim_sa_key key;

	if (db == NULL)
		return -1;
	/* Read while holding the store, so no change slips in between. */
	*gen = stim_store_iam_gen(ctx->store);
	if (key_id != NULL) {
		if (key_of(db, key_id, &sa, &key, &e) == 0) {
			stim_sa_key_fini(&key);
			if (strcmp(sa.email, email) != 0)
				stim_err(&e, STIM_UNAUTHENTICATED,
					 "the token's key is not its account's");
		}
	} else if (stim_store_sa_get(db, email, 0, false, &sa, &e) == 0 && sa.disabled) {
		stim_err(&e, STIM_UNAUTHENTICATED, "the token's account is disabled");
	}
	stim_sa_fini(&sa);
	*why = steal_pointer(&e);
	return 0;
}

int stim_oauth_check(struct stim_ctx *ctx, const char *token, struct stim_token_claims *out,
		     stim_error_t *err)
{
	cleanup_error stim_error_t why = NULL;
	cleanup_free char *key = NULL;
	const char *email;
	uint64_t gen;
	bool live = false;

	if (ctx->tokens == NULL)
		return stim_err(err, STIM_UNAUTHENTICATED, "this daemon mints no tokens");
	if (stim_token_parse(ctx->tokens, token, stim_now_ms() / 1000, out, err) < 0)
		return -1;
	email = stim_str_has_prefix(out->principal, "serviceAccount:")
			? out->principal + strlen("serviceAccount:")
			: NULL;
	/* Only accounts IAM here manages can have been disabled or deleted
	 * (not, say, a project's Compute Engine default account). */
	if (email == NULL ||
	    (out->key_id == NULL && !stim_str_has_suffix(email, ".iam.gserviceaccount.com")))
		return 0;
	key = xasprintf("live|%s|%s", email, out->key_id != NULL ? out->key_id : "");
	gen = stim_store_iam_gen(ctx->store);
	if (ctx->iam_cache != NULL && stim_decision_cache_get(ctx->iam_cache, key, gen, &live) &&
	    live)
		return 0;
	if (still_live(ctx, email, out->key_id, &why, &gen, err) < 0) {
		stim_token_claims_fini(out);
		return -1;
	}
	if (ctx->iam_cache != NULL)
		stim_decision_cache_put(ctx->iam_cache, key, gen, why == NULL);
	if (why != NULL) {
		stim_token_claims_fini(out);
		return stim_err(err, STIM_UNAUTHENTICATED,
				"Request had invalid authentication credentials: the token's key "
				"or account was disabled or deleted (%s).",
				why->msg);
	}
	return 0;
}
