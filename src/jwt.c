/* RS256 JSON Web Tokens (see jwt.h). */
#include "src/jwt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "src/cleanup.h"
#include "src/util.h"

static char *b64_json(json_t *j)
{
	cleanup_free char *text = json_dumps(j, JSON_COMPACT);

	return stim_base64_encode(text, strlen(text), true);
}

char *stim_jwt_sign_with(EVP_PKEY *key, const char *kid, json_t *claims, stim_error_t *err)
{
	json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "kid", kid, "typ", "JWT");
	cleanup_free char *h = b64_json(header);
	cleanup_free char *c = b64_json(claims);
	cleanup_free char *input = xasprintf("%s.%s", h, c);
	cleanup_free unsigned char *sig = NULL;
	cleanup_free char *s = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 0;
	int ok;

	json_decref(header);
	ok = md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)input, strlen(input)) == 1;
	if (ok) {
		sig = xmalloc(siglen);
		ok = EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input,
				    strlen(input)) == 1;
	}
	EVP_MD_CTX_free(md);
	if (!ok) {
		stim_err(err, STIM_INTERNAL, "signing a token failed");
		return NULL;
	}
	s = stim_base64_encode(sig, siglen, true);
	return xasprintf("%s.%s", input, s);
}

/* The JSON object that a base64url part of n bytes holds, or NULL. */
static json_t *part_json(const char *part, size_t n)
{
	cleanup_free char *text = xstrndup(part, n);
	cleanup_free unsigned char *bytes = xmalloc(n + 1);
	int len = stim_base64_decode(text, bytes, n + 1);
	json_t *j = len > 0 ? json_loadb((const char *)bytes, (size_t)len, 0, NULL) : NULL;

	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int stim_jwt_peek(const char *jwt, json_t **header, json_t **claims, stim_error_t *err)
{
	const char *dot1 = strchr(jwt, '.');
	const char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
	const char *alg = NULL;

	*header = NULL;
	*claims = NULL;
	if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
		return stim_err(err, STIM_UNAUTHENTICATED, "not a signed token");
	*header = part_json(jwt, (size_t)(dot1 - jwt));
	*claims = part_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (*header == NULL || *claims == NULL || json_unpack(*header, "{s:s}", "alg", &alg) < 0 ||
	    strcmp(alg, "RS256") != 0) {
		json_decref(*header);
		json_decref(*claims);
		*header = NULL;
		*claims = NULL;
		return stim_err(err, STIM_UNAUTHENTICATED,
				"the token is not an RS256 JWT of JSON objects");
	}
	return 0;
}

int stim_jwt_verify_with(EVP_PKEY *key, const char *jwt, json_t **claims, stim_error_t *err)
{
	cleanup_json json_t *header = NULL;
	const char *dot2;
	size_t n = strlen(jwt);
	cleanup_free unsigned char *sig = xmalloc(n + 1);
	EVP_MD_CTX *md;
	int siglen;
	int ok;

	if (stim_jwt_peek(jwt, &header, claims, err) < 0)
		return -1;
	dot2 = strrchr(jwt, '.');
	siglen = stim_base64_decode(dot2 + 1, sig, n + 1);
	md = EVP_MD_CTX_new();
	ok = siglen > 0 && md != NULL &&
	     EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerify(md, sig, (size_t)siglen, (const unsigned char *)jwt,
			      (size_t)(dot2 - jwt)) == 1;
	EVP_MD_CTX_free(md);
	if (!ok) {
		json_decref(*claims);
		*claims = NULL;
		return stim_err(err, STIM_UNAUTHENTICATED, "the token's signature does not verify");
	}
	return 0;
}
