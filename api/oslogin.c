/* OS Login v1 (see oslogin.h; the rules in src/oslogin.h). */
#include "api/oslogin.h"

#include <stdlib.h>

#include "src/cleanup.h"
#include "src/oslogin.h"
#include "src/util.h"

static int api_oslogin_profile(struct api_req *req, stim_error_t *err)
{
	json_t *profile;

	if (stim_oslogin_profile(req->ctx, api_path(req, "user"), api_query(req, "projectId"),
				 &profile, err) < 0)
		return -1;
	return api_reply_json(req, 200, profile);
}

static int api_oslogin_import(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	const char *key = NULL;
	const char *expire = NULL;
	json_t *profile;

	if (body == NULL)
		return -1;
	if (json_unpack(body, "{s:s, s?s}", "key", &key, "expirationTimeUsec", &expire) < 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Invalid value for field 'key': a public key is required");
	if (stim_oslogin_import(req->ctx, api_path(req, "user"), api_query(req, "projectId"), key,
				expire != NULL ? strtoll(expire, NULL, 10) : 0, &profile, err) < 0)
		return -1;
	return api_reply_json(req, 200, json_pack("{s:o}", "loginProfile", profile));
}

static int api_oslogin_key_get(struct api_req *req, stim_error_t *err)
{
	json_t *key;

	if (stim_oslogin_key_get(req->ctx, api_path(req, "user"), api_path(req, "fingerprint"),
				 &key, err) < 0)
		return -1;
	return api_reply_json(req, 200, key);
}

static int api_oslogin_key_delete(struct api_req *req, stim_error_t *err)
{
	if (stim_oslogin_key_delete(req->ctx, api_path(req, "user"), api_path(req, "fingerprint"),
				    err) < 0)
		return -1;
	return api_reply_json(req, 200, json_object());
}

const struct api_route api_oslogin_routes[] = {
	{ "GET", "/v1/users/{user}/loginProfile", api_oslogin_profile },
	{ "POST", "/v1/users/{user}:importSshPublicKey", api_oslogin_import },
	{ "GET", "/v1/users/{user}/sshPublicKeys/{fingerprint}", api_oslogin_key_get },
	{ "DELETE", "/v1/users/{user}/sshPublicKeys/{fingerprint}", api_oslogin_key_delete },
};
const size_t api_oslogin_routes_count = STIM_ARRAY_SIZE(api_oslogin_routes);
