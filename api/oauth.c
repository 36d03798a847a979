/*
 * POST /token: the OAuth 2.0 token endpoint a key file's token_uri (and
 * CLOUDSDK_AUTH_TOKEN_HOST) points at (src/oauth.h). A form post in,
 * OAuth's JSON out: refusals are {"error","error_description"} with 400,
 * not Google's API error shape, since that is what token clients parse.
 * GET /tokeninfo says whether a token is good now, as Google's does.
 */
#include "api/iam.h"

#include <stdlib.h>
#include <string.h>

#include "api/router.h"
#include "src/cleanup.h"
#include "src/oauth.h"
#include "src/util.h"

static void params_free(struct api_param *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)v[i].name);
		free(v[i].value);
	}
	free(v);
}

static const char *param(const struct api_param *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return v[i].value;
	return NULL;
}

static int api_oauth_token(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *form = xstrndup(req->body != NULL ? req->body : "", req->body_len);
	cleanup_free char *base = api_base_url(req);
	cleanup_free char *own = xasprintf("%s/token", base);
	cleanup_error stim_error_t e = NULL;
	struct api_param *v = NULL;
	size_t n = 0;
	json_t *reply = NULL;
	int ret;

	if (api_query_parse(form, &v, &n, err) < 0)
		return -1;
	ret = stim_oauth_grant(req->ctx, param(v, n, "grant_type"), param(v, n, "assertion"), own,
			       &reply, &e);
	params_free(v, n);
	if (ret == 0)
		return api_reply_json(req, 200, reply);
	if (e->code != STIM_INVALID_ARGUMENT) {
		*err = steal_pointer(&e);
		return -1;
	}
	return api_reply_json(req, 400,
			      json_pack("{s:s, s:s}", "error",
					e->reason != NULL ? e->reason : "invalid_request",
					"error_description", e->msg));
}

/* GET /tokeninfo?access_token=: what Google's tokeninfo tells of a token
 * that is good now; 400 invalid_token otherwise, as Google answers. */
static int api_oauth_tokeninfo(struct api_req *req, stim_error_t *err)
{
	const char *token = api_query(req, "access_token");
	cleanup_error stim_error_t e = NULL;
	struct stim_token_claims c;
	const char *colon;
	json_t *j;

	if (token == NULL || stim_oauth_check(req->ctx, token, &c, &e) < 0) {
		if (e != NULL && e->code != STIM_UNAUTHENTICATED) {
			*err = steal_pointer(&e);
			return -1;
		}
		return api_reply_json(req, 400,
				      json_pack("{s:s, s:s}", "error", "invalid_token",
						"error_description", "Invalid Value"));
	}
	colon = strchr(c.principal, ':');
	j = json_pack("{s:s, s:s, s:o, s:o, s:s}", "email", colon + 1, "email_verified", "true",
		      "exp", json_sprintf("%lld", (long long)c.exp), "expires_in",
		      json_sprintf("%lld", (long long)(c.exp - stim_now_ms() / 1000)),
		      "access_type", "online");
	stim_token_claims_fini(&c);
	return api_reply_json(req, 200, j);
}

const struct api_route api_oauth_routes[] = {
	{ "POST", "/token", api_oauth_token },
	{ "GET", "/tokeninfo", api_oauth_tokeninfo },
};
const size_t api_oauth_routes_count = STIM_ARRAY_SIZE(api_oauth_routes);
