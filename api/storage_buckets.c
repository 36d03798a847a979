/* Cloud Storage JSON API v1: bucket handlers and their routes (see storage.h). */
#include "api/storage.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "src/authz.h"
#include "src/cleanup.h"
#include "src/json.h"
#include "src/util.h"

/* Query parameters every storage call may carry and the emulator accepts
 * without acting on them: alt=json, fields (the full resource is always
 * returned), projection, userProject, predefinedAcl and
 * predefinedDefaultObjectAcl (ACLs are not modelled), and
 * enableObjectRetention=False, which gcloud sends on create. */

/* An int64 query parameter: *has stays false when it is absent. */
static int parse_cond(const struct api_req *req, struct stim_bucket_cond *cond, stim_error_t *err)
{
	*cond = (struct stim_bucket_cond){ 0 };
	if (api_query_int64(req, "ifMetagenerationMatch", &cond->has_match, &cond->match, err) < 0)
		return -1;
	return api_query_int64(req, "ifMetagenerationNotMatch", &cond->has_not_match,
			       &cond->not_match, err);
}

/* Replies with the bucket and frees it. */
static int reply_bucket(struct api_req *req, struct stim_bucket *b)
{
	cleanup_free char *base = api_base_url(req);

	api_reply_json(req, 200, api_storage_bucket_to_json(b, base));
	stim_bucket_fini(b);
	return 0;
}

static int api_storage_buckets_insert(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_bucket_spec spec;
	struct stim_bucket b;
	int ret;

	if (body == NULL || api_storage_bucket_spec_from_json(body, false, &spec, err) < 0)
		return -1;
	ret = stim_bucket_insert(req->ctx, api_query(req, "project"), &spec, &b, err);
	stim_bucket_spec_fini(&spec);
	if (ret < 0)
		return -1;
	return reply_bucket(req, &b);
}

static int api_storage_buckets_get(struct api_req *req, stim_error_t *err)
{
	struct stim_bucket_cond cond;
	struct stim_bucket b;
	int ret;

	if (parse_cond(req, &cond, err) < 0)
		return -1;
	ret = stim_bucket_get(req->ctx, api_path(req, "bucket"), &cond, &b, err);
	if (ret < 0)
		return -1;
	if (ret == STIM_BUCKET_NOT_MODIFIED)
		return api_reply_empty(req, 304);
	return reply_bucket(req, &b);
}

static int api_storage_buckets_list(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_bucket_query q = {
		.project = api_query(req, "project"),
		.prefix = api_query(req, "prefix"),
		.page_token = api_query(req, "pageToken"),
	};
	struct stim_bucket_page page;
	json_t *j;

	if (api_query_int(req, "maxResults", 0, INT_MAX, &q.max_results, err) < 0 ||
	    stim_bucket_list(req->ctx, &q, &page, err) < 0)
		return -1;
	j = json_pack("{s:s}", "kind", "storage#buckets");
	/* An empty list has no items member (reference/gcloud/storage.md). */
	if (page.n > 0) {
		json_t *items = json_array();

		for (size_t i = 0; i < page.n; i++)
			json_array_append_new(items,
					      api_storage_bucket_to_json(&page.items[i], base));
		json_object_set_new(j, "items", items);
	}
	if (page.next_page_token != NULL)
		json_object_set_new(j, "nextPageToken", json_string(page.next_page_token));
	stim_bucket_page_fini(&page);
	return api_reply_json(req, 200, j);
}

/* PATCH merges the body into the bucket; PUT replaces its writable fields. */
static int modify(struct api_req *req, bool patch, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_bucket_cond cond;
	struct stim_bucket_spec spec;
	struct stim_bucket b;
	int ret;

	if (body == NULL || parse_cond(req, &cond, err) < 0 ||
	    api_storage_bucket_spec_from_json(body, patch, &spec, err) < 0)
		return -1;
	if (patch)
		ret = stim_bucket_patch(req->ctx, api_path(req, "bucket"), &cond, &spec, &b, err);
	else
		ret = stim_bucket_update(req->ctx, api_path(req, "bucket"), &cond, &spec, &b, err);
	stim_bucket_spec_fini(&spec);
	if (ret < 0)
		return -1;
	return reply_bucket(req, &b);
}

static int api_storage_buckets_patch(struct api_req *req, stim_error_t *err)
{
	return modify(req, true, err);
}

static int api_storage_buckets_update(struct api_req *req, stim_error_t *err)
{
	return modify(req, false, err);
}

static int api_storage_buckets_delete(struct api_req *req, stim_error_t *err)
{
	struct stim_bucket_cond cond;

	if (parse_cond(req, &cond, err) < 0 ||
	    stim_bucket_delete(req->ctx, api_path(req, "bucket"), &cond, err) < 0)
		return -1;
	return api_reply_empty(req, 204);
}

static int api_storage_buckets_get_iam_policy(struct api_req *req, stim_error_t *err)
{
	struct stim_iam_policy p;
	int version = 1;

	if (api_query_int(req, "optionsRequestedPolicyVersion", 0, 3, &version, err) < 0 ||
	    stim_bucket_iam_get(req->ctx, api_path(req, "bucket"), version, &p, err) < 0)
		return -1;
	api_reply_json(req, 200, api_storage_policy_to_json(api_path(req, "bucket"), &p));
	stim_iam_policy_fini(&p);
	return 0;
}

/* ?permissions=A&permissions=B: the ones the caller holds on the bucket. */
static int api_storage_buckets_test_iam_permissions(struct api_req *req, stim_error_t *err)
{
	struct stim_strv asked = { 0 };
	struct stim_strv granted = { 0 };
	json_t *j;
	int ret;

	for (size_t i = 0; i < req->nquery; i++) {
		if (strcmp(req->query[i].name, "permissions") == 0)
			stim_strv_push(&asked, req->query[i].value);
	}
	if (asked.n == 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required parameter: permissions");
	ret = stim_authz_test(req->ctx, req->principal, STIM_AUTHZ_BUCKET, api_path(req, "bucket"),
			      &asked, &granted, err);
	stim_strv_fini(&asked);
	if (ret < 0) {
		stim_strv_fini(&granted);
		return -1;
	}
	j = json_pack("{s:s}", "kind", "storage#testIamPermissionsResponse");
	if (granted.n > 0)
		json_object_set_new(j, "permissions", stim_json_from_strv(&granted));
	stim_strv_fini(&granted);
	return api_reply_json(req, 200, j);
}

static int api_storage_buckets_set_iam_policy(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_iam_policy in;
	struct stim_iam_policy out;
	int ret;

	if (body == NULL || api_storage_policy_from_json(body, &in, err) < 0)
		return -1;
	ret = stim_bucket_iam_set(req->ctx, api_path(req, "bucket"), &in, &out, err);
	stim_iam_policy_fini(&in);
	if (ret < 0)
		return -1;
	api_reply_json(req, 200, api_storage_policy_to_json(api_path(req, "bucket"), &out));
	stim_iam_policy_fini(&out);
	return 0;
}

/* `gcloud storage rm -r` reads the layout before it deletes a bucket. */
static int api_storage_buckets_get_storage_layout(struct api_req *req, stim_error_t *err)
{
	struct stim_bucket b;

	if (stim_bucket_get(req->ctx, api_path(req, "bucket"), NULL, &b, err) < 0)
		return -1;
	api_reply_json(req, 200, api_storage_layout_to_json(&b));
	stim_bucket_fini(&b);
	return 0;
}

/* Managed folders need hierarchical namespaces or folder IAM, neither of
 * which the emulator has: a bucket that exists has none. */
static int api_storage_managed_folders_list(struct api_req *req, stim_error_t *err)
{
	struct stim_bucket b;

	if (stim_bucket_get(req->ctx, api_path(req, "bucket"), NULL, &b, err) < 0)
		return -1;
	stim_bucket_fini(&b);
	return api_reply_json(req, 200, json_pack("{s:s}", "kind", "storage#managedFolders"));
}

const struct api_route api_storage_bucket_routes[] = {
	{ "POST", "/storage/v1/b", api_storage_buckets_insert },
	{ "GET", "/storage/v1/b", api_storage_buckets_list },
	{ "GET", "/storage/v1/b/{bucket}", api_storage_buckets_get },
	{ "PATCH", "/storage/v1/b/{bucket}", api_storage_buckets_patch },
	{ "PUT", "/storage/v1/b/{bucket}", api_storage_buckets_update },
	{ "DELETE", "/storage/v1/b/{bucket}", api_storage_buckets_delete },
	{ "GET", "/storage/v1/b/{bucket}/iam", api_storage_buckets_get_iam_policy },
	{ "PUT", "/storage/v1/b/{bucket}/iam", api_storage_buckets_set_iam_policy },
	{ "GET", "/storage/v1/b/{bucket}/iam/testPermissions",
	  api_storage_buckets_test_iam_permissions },
	{ "GET", "/storage/v1/b/{bucket}/storageLayout", api_storage_buckets_get_storage_layout },
	{ "GET", "/storage/v1/b/{bucket}/managedFolders", api_storage_managed_folders_list },
};
const size_t api_storage_bucket_routes_count = STIM_ARRAY_SIZE(api_storage_bucket_routes);
