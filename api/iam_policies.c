/*
 * getIamPolicy, setIamPolicy and testIamPermissions of projects (Resource
 * Manager v1 and v3) and of service accounts (IAM v1), over
 * src/iam_policies.h and src/authz.h. gcloud asks
 * for the policy version in the body ({"options": {"requestedPolicyVersion":
 * 3}}) for projects and in the query (options.requestedPolicyVersion) for
 * service accounts; both are read for both.
 */
#include "api/iam.h"

#include <string.h>

#include "api/iam_policy_json.h"
#include "src/authz.h"
#include "src/cleanup.h"
#include "src/iam_policies.h"
#include "src/json.h"
#include "src/util.h"

typedef int (*get_fn)(struct stim_ctx *ctx, const char *name, int requested_version,
		      struct stim_iam_policy *out, stim_error_t *err);
typedef int (*set_fn)(struct stim_ctx *ctx, const char *name, struct stim_iam_policy *in,
		      struct stim_iam_policy *out, stim_error_t *err);

static int policy_reply(struct api_req *req, struct stim_iam_policy *p)
{
	api_reply_json(req, 200, api_iam_policy_to_json(p));
	stim_iam_policy_fini(p);
	return 0;
}

static int get_policy(struct api_req *req, const char *name, get_fn get, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	json_t *options = NULL;
	int64_t version = 0;
	int query = 0;
	struct stim_iam_policy p;

	if (body == NULL || stim_json_get_object(body, "options", &options, err) < 0 ||
	    (options != NULL &&
	     stim_json_get_int64(options, "requestedPolicyVersion", &version, err) < 0) ||
	    api_query_int(req, "options.requestedPolicyVersion", 0, 3, &query, err) < 0)
		return -1;
	if (query > version)
		version = query;
	if (version < 0 || version > 3)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Invalid requestedPolicyVersion %lld: expected 0, 1 or 3.",
				       (long long)version);
	if (get(req->ctx, name, (int)version, &p, err) < 0)
		return -1;
	return policy_reply(req, &p);
}

static int set_policy(struct api_req *req, const char *name, set_fn set, stim_error_t *err)
{
	static const char *const fields[] = { "policy", "updateMask", NULL };
	static const char *const policy_fields[] = { "version", "etag", "bindings", NULL };
	cleanup_json json_t *body = api_body_json(req, err);
	json_t *policy = NULL;
	struct stim_iam_policy in;
	struct stim_iam_policy out;
	int ret;

	if (body == NULL || stim_json_check_fields(body, fields, "", err) < 0 ||
	    stim_json_get_object(body, "policy", &policy, err) < 0)
		return -1;
	if (policy == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field: policy.");
	if (api_iam_policy_from_json(policy, policy_fields, &in, err) < 0)
		return -1;
	ret = set(req->ctx, name, &in, &out, err);
	stim_iam_policy_fini(&in);
	return ret < 0 ? -1 : policy_reply(req, &out);
}

static int api_crm_get_iam_policy(struct api_req *req, stim_error_t *err)
{
	return get_policy(req, api_path(req, "project"), stim_project_iam_get, err);
}

static int api_crm_set_iam_policy(struct api_req *req, stim_error_t *err)
{
	return set_policy(req, api_path(req, "project"), stim_project_iam_set, err);
}

static int api_iam_sa_get_iam_policy(struct api_req *req, stim_error_t *err)
{
	return get_policy(req, api_path(req, "account"), stim_sa_iam_get, err);
}

static int api_iam_sa_set_iam_policy(struct api_req *req, stim_error_t *err)
{
	return set_policy(req, api_path(req, "account"), stim_sa_iam_set, err);
}

/* testIamPermissions: {"permissions": [...]} in, the held ones out
 * (none: {}, as Google leaves out an empty list). */
static int test_permissions(struct api_req *req, enum stim_authz_on on, const char *name,
			    stim_error_t *err)
{
	static const char *const fields[] = { "permissions", NULL };
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_strv asked = { 0 };
	struct stim_strv granted = { 0 };
	json_t *j;
	int ret;

	if (body == NULL || stim_json_check_fields(body, fields, "", err) < 0 ||
	    stim_json_get_strv(body, "permissions", false, &asked, err) < 0) {
		stim_strv_fini(&asked);
		return -1;
	}
	ret = stim_authz_test(req->ctx, req->principal, on, name, &asked, &granted, err);
	stim_strv_fini(&asked);
	if (ret < 0) {
		stim_strv_fini(&granted);
		return -1;
	}
	j = json_object();
	if (granted.n > 0)
		json_object_set_new(j, "permissions", stim_json_from_strv(&granted));
	stim_strv_fini(&granted);
	return api_reply_json(req, 200, j);
}

static int api_crm_test_iam_permissions(struct api_req *req, stim_error_t *err)
{
	return test_permissions(req, STIM_AUTHZ_PROJECT, api_path(req, "project"), err);
}

static int api_iam_sa_test_iam_permissions(struct api_req *req, stim_error_t *err)
{
	return test_permissions(req, STIM_AUTHZ_ACCOUNT, api_path(req, "account"), err);
}

const struct api_route api_iam_policy_routes[] = {
	{ "POST", "/v1/projects/{project}:getIamPolicy", api_crm_get_iam_policy },
	{ "POST", "/v1/projects/{project}:setIamPolicy", api_crm_set_iam_policy },
	{ "POST", "/v3/projects/{project}:getIamPolicy", api_crm_get_iam_policy },
	{ "POST", "/v3/projects/{project}:setIamPolicy", api_crm_set_iam_policy },
	{ "POST", "/v1/projects/{project}/serviceAccounts/{account}:getIamPolicy",
	  api_iam_sa_get_iam_policy },
	{ "POST", "/v1/projects/{project}/serviceAccounts/{account}:setIamPolicy",
	  api_iam_sa_set_iam_policy },
	{ "POST", "/v1/projects/{project}:testIamPermissions", api_crm_test_iam_permissions },
	{ "POST", "/v3/projects/{project}:testIamPermissions", api_crm_test_iam_permissions },
	{ "POST", "/v1/projects/{project}/serviceAccounts/{account}:testIamPermissions",
	  api_iam_sa_test_iam_permissions },
};
const size_t api_iam_policy_routes_count = STIM_ARRAY_SIZE(api_iam_policy_routes);
