/* Enforcement at the door (see authorize.h). */
#include "api/authorize.h"

#include <string.h>
#include <strings.h>

#include "api/permissions.h"
#include "src/authz.h"
#include "src/cleanup.h"
#include "src/oauth.h"
#include "src/util.h"

/* The caller's principal into req->principal, from its bearer token;
 * none without an Authorization header. */
static int authenticate(struct api_req *req, stim_error_t *err)
{
	const char *auth = api_header(req, "Authorization");
	cleanup_error stim_error_t e = NULL;
	struct stim_token_claims c;

	if (auth == NULL)
		return 0;
	if (strncasecmp(auth, "Bearer ", 7) != 0 ||
	    stim_oauth_check(req->ctx, auth + 7, &c, &e) < 0)
		return stim_err_reason(err, STIM_UNAUTHENTICATED, "authError",
				       "Request had invalid authentication credentials. Expected "
				       "OAuth 2 access token, login cookie or other valid "
				       "authentication credential.%s%s",
				       e != NULL ? " " : "", e != NULL ? e->msg : "");
	req->principal = steal_pointer(&c.principal);
	stim_token_claims_fini(&c);
	return 0;
}

/* The name of the resource `on` reads from the request. */
static const char *resource_name(struct api_req *req, enum api_perm_on on, enum stim_authz_on *kind)
{
	*kind = STIM_AUTHZ_PROJECT;
	switch (on) {
	case API_ON_PROJECT:
		return api_path(req, "project");
	case API_ON_QUERY_PROJECT:
		return api_query(req, "project");
	case API_ON_BUCKET:
		*kind = STIM_AUTHZ_BUCKET;
		return api_path(req, "bucket");
	case API_ON_SOURCE_BUCKET:
		*kind = STIM_AUTHZ_BUCKET;
		return api_path(req, "sourceBucket");
	case API_ON_DEST_BUCKET:
		*kind = STIM_AUTHZ_BUCKET;
		return api_path(req, "destinationBucket");
	case API_ON_ACCOUNT:
		*kind = STIM_AUTHZ_ACCOUNT;
		return api_path(req, "account");
	case API_ON_NONE:
		break;
	}
	return NULL;
}

static int check(struct api_req *req, const char *permission, enum api_perm_on on,
		 stim_error_t *err)
{
	enum stim_authz_on kind;
	const char *name = resource_name(req, on, &kind);

	if (name == NULL || *name == '\0')
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required parameter: project.");
	/* An object route's conditions see the object as the resource. */
	return stim_authz_check_object(req->ctx, req->principal, permission, kind, name,
				       on == API_ON_BUCKET ? api_path(req, "object") : NULL, err);
}

int api_authorize(struct api_req *req, const char *route, stim_error_t *err)
{
	const struct api_permission *p = api_permission_of(route);

	/* A route nobody classified is refused, never open. */
	if (p == NULL)
		return stim_err_reason(err, STIM_PERMISSION_DENIED, "forbidden",
				       "%s has no permission defined: refused.", route);
	if (strcmp(p->permission, API_PUBLIC) == 0)
		return 0;
	if (authenticate(req, err) < 0)
		return -1;
	if (strcmp(p->permission, API_CALLER) == 0) {
		if (req->principal == NULL)
			return stim_err_reason(err, STIM_UNAUTHENTICATED, "required",
					       "Request is missing required authentication "
					       "credential. Expected OAuth 2 access token, login "
					       "cookie or other valid authentication credential.");
		return 0;
	}
	if (check(req, p->permission, p->on, err) < 0)
		return -1;
	return p->permission2 != NULL ? check(req, p->permission2, p->on2, err) : 0;
}
