/* IAM v1 service account keys (see iam.h). */
#include "api/iam.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "src/cleanup.h"
#include "src/json.h"
#include "src/sa_keys.h"
#include "src/util.h"

static int api_iam_key_create(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = NULL;
	cleanup_free char *base = api_base_url(req);
	cleanup_free char *token_uri = xasprintf("%s/token", base);
	const char *private_type = NULL;
	const char *algorithm = NULL;
	struct stim_service_account sa;
	struct stim_sa_key k;
	char *file = NULL;
	json_t *j;

	/* gcloud sends a body; other clients may send none. */
	if (req->body_len > 0) {
		body = api_body_json(req, err);
		if (body == NULL)
			return -1;
		if (json_unpack(body, "{s?s, s?s}", "privateKeyType", &private_type, "keyAlgorithm",
				&algorithm) < 0)
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
					       "Invalid JSON payload: privateKeyType and "
					       "keyAlgorithm are strings.");
	}
	if (stim_sa_key_create(req->ctx, api_path(req, "account"), private_type, algorithm,
			       token_uri, &sa, &k, &file, err) < 0)
		return -1;
	j = stim_sa_key_json(&k, &sa, NULL, err);
	{
		cleanup_free char *data = stim_base64_encode(file, strlen(file), false);

		json_object_set_new(j, "privateKeyType",
				    json_string("TYPE_GOOGLE_CREDENTIALS_FILE"));
		json_object_set_new(j, "privateKeyData", json_string(data));
		OPENSSL_cleanse(data, strlen(data));
	}
	OPENSSL_cleanse(file, strlen(file));
	free(file);
	stim_sa_key_fini(&k);
	stim_sa_fini(&sa);
	return api_reply_json(req, 200, j);
}

static int api_iam_key_list(struct api_req *req, stim_error_t *err)
{
	struct stim_service_account sa;
	struct stim_sa_key *v = NULL;
	size_t n = 0;
	json_t *keys;
	json_t *j = json_object();

	if (stim_sa_key_list(req->ctx, api_path(req, "account"), api_query(req, "keyTypes"), &sa,
			     &v, &n, err) < 0) {
		json_decref(j);
		return -1;
	}
	keys = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(keys, stim_sa_key_json(&v[i], &sa, NULL, err));
	/* An empty list is {}, as IAM answers. */
	if (n > 0)
		json_object_set(j, "keys", keys);
	json_decref(keys);
	stim_sa_keys_free(v, n);
	stim_sa_fini(&sa);
	return api_reply_json(req, 200, j);
}

static int api_iam_key_get(struct api_req *req, stim_error_t *err)
{
	struct stim_service_account sa;
	struct stim_sa_key k;
	json_t *j;

	if (stim_sa_key_get(req->ctx, api_path(req, "account"), api_path(req, "key"), &sa, &k,
			    err) < 0)
		return -1;
	j = stim_sa_key_json(&k, &sa, api_query(req, "publicKeyType"), err);
	stim_sa_key_fini(&k);
	stim_sa_fini(&sa);
	return j != NULL ? api_reply_json(req, 200, j) : -1;
}

static int api_iam_key_delete(struct api_req *req, stim_error_t *err)
{
	if (stim_sa_key_delete(req->ctx, api_path(req, "account"), api_path(req, "key"), err) < 0)
		return -1;
	return api_reply_json(req, 200, json_object());
}

static int api_iam_key_disable(struct api_req *req, stim_error_t *err)
{
	if (stim_sa_key_set_disabled(req->ctx, api_path(req, "account"), api_path(req, "key"), true,
				     err) < 0)
		return -1;
	return api_reply_json(req, 200, json_object());
}

static int api_iam_key_enable(struct api_req *req, stim_error_t *err)
{
	if (stim_sa_key_set_disabled(req->ctx, api_path(req, "account"), api_path(req, "key"),
				     false, err) < 0)
		return -1;
	return api_reply_json(req, 200, json_object());
}

#define KEYS "/v1/projects/{project}/serviceAccounts/{account}/keys"

const struct api_route api_iam_key_routes[] = {
	{ "POST", KEYS, api_iam_key_create },
	{ "GET", KEYS, api_iam_key_list },
	{ "GET", KEYS "/{key}", api_iam_key_get },
	{ "DELETE", KEYS "/{key}", api_iam_key_delete },
	{ "POST", KEYS "/{key}:disable", api_iam_key_disable },
	{ "POST", KEYS "/{key}:enable", api_iam_key_enable },
};
const size_t api_iam_key_routes_count = STIM_ARRAY_SIZE(api_iam_key_routes);
