/* IAM v1 service accounts (see iam.h). */
#include "api/iam.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/json.h"
#include "src/service_accounts.h"
#include "src/util.h"

#define PAGE_MAX 100

/* A reply of the account, which the reply then owns. */
static int reply_account(struct api_req *req, struct stim_service_account *sa)
{
	json_t *j = stim_sa_json(sa);

	stim_sa_fini(sa);
	return api_reply_json(req, 200, j);
}

static int api_iam_sa_create(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	const char *id = NULL;
	const char *display = NULL;
	const char *description = NULL;
	struct stim_service_account sa;

	if (body == NULL)
		return -1;
	if (json_unpack(body, "{s?s, s?{s?s, s?s}}", "accountId", &id, "serviceAccount",
			"displayName", &display, "description", &description) < 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Invalid JSON payload: accountId and serviceAccount's "
				       "displayName and description are strings.");
	if (stim_sa_create(req->ctx, api_path(req, "project"), id, display, description, &sa, err) <
	    0)
		return -1;
	return reply_account(req, &sa);
}

static int api_iam_sa_list(struct api_req *req, stim_error_t *err)
{
	struct stim_service_account *v = NULL;
	size_t n = 0;
	int size = 0;
	json_t *j;
	json_t *accounts;

	if (api_query_int(req, "pageSize", 0, 1000, &size, err) < 0)
		return -1;
	if (size <= 0 || size > PAGE_MAX)
		size = PAGE_MAX;
	/* One more than a page: whether there is a next one. */
	if (stim_sa_list(req->ctx, api_path(req, "project"), api_query(req, "pageToken"), size + 1,
			 &v, &n, err) < 0)
		return -1;
	j = json_object();
	accounts = json_array();
	for (size_t i = 0; i < n && i < (size_t)size; i++)
		json_array_append_new(accounts, stim_sa_json(&v[i]));
	/* An empty list is {}, as IAM answers. */
	if (json_array_size(accounts) > 0)
		json_object_set(j, "accounts", accounts);
	if (n > (size_t)size)
		json_object_set_new(j, "nextPageToken", json_string(v[size - 1].email));
	json_decref(accounts);
	for (size_t i = 0; i < n; i++)
		stim_sa_fini(&v[i]);
	free(v);
	return api_reply_json(req, 200, j);
}

static int api_iam_sa_get(struct api_req *req, stim_error_t *err)
{
	struct stim_service_account sa;

	if (stim_sa_get(req->ctx, api_path(req, "account"), &sa, err) < 0)
		return -1;
	return reply_account(req, &sa);
}

static int api_iam_sa_patch(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	const char *display = NULL;
	const char *description = NULL;
	const char *mask = NULL;
	struct stim_service_account sa;

	if (body == NULL)
		return -1;
	if (json_unpack(body, "{s?{s?s, s?s}, s?s}", "serviceAccount", "displayName", &display,
			"description", &description, "updateMask", &mask) < 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Invalid JSON payload: serviceAccount and updateMask.");
	if (stim_sa_patch(req->ctx, api_path(req, "account"), display, description, mask, &sa,
			  err) < 0)
		return -1;
	return reply_account(req, &sa);
}

static int api_iam_sa_delete(struct api_req *req, stim_error_t *err)
{
	if (stim_sa_delete(req->ctx, api_path(req, "account"), err) < 0)
		return -1;
	return api_reply_json(req, 200, json_object());
}

static int api_iam_sa_disable(struct api_req *req, stim_error_t *err)
{
	if (stim_sa_set_disabled(req->ctx, api_path(req, "account"), true, err) < 0)
		return -1;
	return api_reply_json(req, 200, json_object());
}

static int api_iam_sa_enable(struct api_req *req, stim_error_t *err)
{
	if (stim_sa_set_disabled(req->ctx, api_path(req, "account"), false, err) < 0)
		return -1;
	return api_reply_json(req, 200, json_object());
}

static int api_iam_sa_undelete(struct api_req *req, stim_error_t *err)
{
	struct stim_service_account sa;

	if (stim_sa_undelete(req->ctx, api_path(req, "account"), &sa, err) < 0)
		return -1;
	return api_reply_json(req, 200, json_pack("{s:o}", "restoredAccount", stim_sa_json(&sa)));
}

#define SA "/v1/projects/{project}/serviceAccounts"

const struct api_route api_iam_routes[] = {
	{ "POST", SA, api_iam_sa_create },
	{ "GET", SA, api_iam_sa_list },
	{ "GET", SA "/{account}", api_iam_sa_get },
	{ "PATCH", SA "/{account}", api_iam_sa_patch },
	{ "DELETE", SA "/{account}", api_iam_sa_delete },
	{ "POST", SA "/{account}:disable", api_iam_sa_disable },
	{ "POST", SA "/{account}:enable", api_iam_sa_enable },
	{ "POST", SA "/{account}:undelete", api_iam_sa_undelete },
};
const size_t api_iam_routes_count = STIM_ARRAY_SIZE(api_iam_routes);
