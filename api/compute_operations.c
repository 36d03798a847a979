/* Compute Engine operations: get, wait, delete, list in each scope (see
 * compute.h and src/compute_ops.h). */
#include "api/compute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/compute_ops.h"
#include "src/page_token.h"
#include "src/util.h"

/* GCE's operations.wait returns after about two minutes at most; gcloud
 * then simply waits again. */
#define WAIT_MS	 (120 * 1000)
#define LIST_MAX 500

static const char *const scope_words[] = {
	[STIM_OP_ZONE] = "zones",
	[STIM_OP_REGION] = "regions",
	[STIM_OP_GLOBAL] = "global",
};

static const char *const scope_keys[] = {
	[STIM_OP_ZONE] = "zone",
	[STIM_OP_REGION] = "region",
};

json_t *api_compute_op_to_json(const struct api_req *req, const struct stim_compute_op *op)
{
	cleanup_free char *base = api_base_url(req);
	cleanup_free char *purl = xasprintf("%s/compute/v1/projects/%s", base, op->project);
	char ts[STIM_TIME_BUFSZ];
	char id[24];
	json_t *j;

	snprintf(id, sizeof(id), "%lld", (long long)op->id);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "kind", "compute#operation", "id",
		      id, "name", op->name, "operationType", op->type, "status",
		      op->done	    ? "DONE"
		      : op->running ? "RUNNING"
				    : "PENDING",
		      "user", "stimulator@localhost", "progress", op->progress, "insertTime",
		      stim_time_format(op->insert_time_ms, ts));
	/* gcloud picks the operation service from zone/region: they must be
	 * there (reference/gcloud/compute.md, "Removal experiments"). */
	if (op->scope_type != STIM_OP_GLOBAL) {
		json_object_set_new(
			j, scope_keys[op->scope_type],
			json_sprintf("%s/%s/%s", purl, scope_words[op->scope_type], op->scope));
		json_object_set_new(j, "selfLink",
				    json_sprintf("%s/%s/%s/operations/%s", purl,
						 scope_words[op->scope_type], op->scope, op->name));
	} else {
		json_object_set_new(j, "selfLink",
				    json_sprintf("%s/global/operations/%s", purl, op->name));
	}
	json_object_set_new(j, "targetLink", json_sprintf("%s/compute/v1/%s", base, op->target));
	if (op->target_id != NULL)
		json_object_set_new(j, "targetId", json_string(op->target_id));
	if (op->start_time_ms != 0)
		json_object_set_new(j, "startTime",
				    json_string(stim_time_format(op->start_time_ms, ts)));
	if (op->done)
		json_object_set_new(j, "endTime",
				    json_string(stim_time_format(op->end_time_ms, ts)));
	if (op->error_code != NULL) {
		json_object_set_new(
			j, "error",
			json_pack("{s:[{s:s, s:s}]}", "errors", "code", op->error_code, "message",
				  op->error_message != NULL ? op->error_message : op->error_code));
		json_object_set_new(j, "httpErrorStatusCode", json_integer(op->http_status));
		json_object_set_new(j, "httpErrorMessage",
				    json_string(op->http_status == 404	 ? "NOT FOUND"
						: op->http_status == 409 ? "CONFLICT"
						: op->http_status == 400 ? "BAD REQUEST"
									 : "ERROR"));
	}
	return j;
}

int api_compute_reply_op(struct api_req *req, struct stim_compute_op *op)
{
	int ret = api_reply_json(req, 200, api_compute_op_to_json(req, op));

	stim_compute_op_fini(op);
	return ret;
}

/* The scope of the route: which path variable names it, if any. */
static int scope_of(struct api_req *req, enum stim_op_scope *type, const char **scope,
		    stim_error_t *err)
{
	if (api_compute_project_check(req, err) < 0)
		return -1;
	*scope = api_path(req, "zone");
	if (*scope != NULL) {
		*type = STIM_OP_ZONE;
		return stim_compute_zone_check(api_path(req, "project"), *scope, err);
	}
	*scope = api_path(req, "region");
	if (*scope == NULL) {
		*type = STIM_OP_GLOBAL;
		*scope = "";
		return 0;
	}
	*type = STIM_OP_REGION;
	if (stim_compute_region_find(*scope) != NULL)
		return 0;
	return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
			       "The resource 'projects/%s/regions/%s' was not found",
			       api_path(req, "project"), *scope);
}

static int get_or_wait(struct api_req *req, bool wait, stim_error_t *err)
{
	enum stim_op_scope type;
	const char *scope;
	struct stim_compute_op op;
	int ret;

	if (scope_of(req, &type, &scope, err) < 0)
		return -1;
	if (wait)
		ret = stim_compute_op_wait(req->ctx, api_path(req, "project"), type, scope,
					   api_path(req, "operation"), WAIT_MS, &op, err);
	else
		ret = stim_compute_op_get(req->ctx, api_path(req, "project"), type, scope,
					  api_path(req, "operation"), &op, err);
	if (ret < 0)
		return -1;
	ret = api_reply_json(req, 200, api_compute_op_to_json(req, &op));
	stim_compute_op_fini(&op);
	return ret;
}

static int api_compute_operations_get(struct api_req *req, stim_error_t *err)
{
	return get_or_wait(req, false, err);
}

static int api_compute_operations_wait(struct api_req *req, stim_error_t *err)
{
	return get_or_wait(req, true, err);
}

static int api_compute_operations_delete(struct api_req *req, stim_error_t *err)
{
	enum stim_op_scope type;
	const char *scope;

	if (scope_of(req, &type, &scope, err) < 0 ||
	    stim_compute_op_delete(req->ctx, api_path(req, "project"), type, scope,
				   api_path(req, "operation"), err) < 0)
		return -1;
	return api_reply_empty(req, 204);
}

static int api_compute_operations_list(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_compute_op *ops = NULL;
	enum stim_op_scope type;
	const char *scope;
	char after[128];
	size_t n = 0;
	bool more = false;
	int max = 0;
	json_t *j;
	json_t *items;

	if (scope_of(req, &type, &scope, err) < 0 ||
	    api_query_int(req, "maxResults", 0, LIST_MAX, &max, err) < 0 ||
	    stim_page_token_decode(api_query(req, "pageToken"), "invalid", after, sizeof(after),
				   err) < 0 ||
	    stim_compute_op_list(req->ctx, api_path(req, "project"), type, scope, after,
				 max > 0 ? max : LIST_MAX, &ops, &n, &more, err) < 0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, api_compute_op_to_json(req, &ops[i]));
	j = json_pack("{s:s}", "kind", "compute#operationList");
	if (type == STIM_OP_GLOBAL) {
		json_object_set_new(
			j, "id",
			json_sprintf("projects/%s/global/operations", api_path(req, "project")));
		json_object_set_new(j, "selfLink",
				    json_sprintf("%s/compute/v1/projects/%s/global/operations",
						 base, api_path(req, "project")));
	} else {
		json_object_set_new(j, "id",
				    json_sprintf("projects/%s/%s/%s/operations",
						 api_path(req, "project"), scope_words[type],
						 scope));
		json_object_set_new(j, "selfLink",
				    json_sprintf("%s/compute/v1/projects/%s/%s/%s/operations", base,
						 api_path(req, "project"), scope_words[type],
						 scope));
	}
	if (n > 0)
		json_object_set_new(j, "items", items);
	else
		json_decref(items);
	if (more) {
		cleanup_free char *token = stim_page_token_encode(ops[n - 1].name);

		json_object_set_new(j, "nextPageToken", json_string(token));
	}
	for (size_t i = 0; i < n; i++)
		stim_compute_op_fini(&ops[i]);
	free(ops);
	return api_reply_json(req, 200, j);
}

/* Every scope's operations, as aggregated lists group them: under
 * "zones/Z", "regions/R" or "global". One page of 500 at most (no token
 * yet: more is not a test-sized case). */
static int api_compute_operations_aggregated(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_compute_op *ops = NULL;
	json_t *scopes;
	size_t n = 0;

	if (api_compute_project_check(req, err) < 0 ||
	    stim_compute_op_list_all(req->ctx, api_path(req, "project"), LIST_MAX, &ops, &n, err) <
		    0)
		return -1;
	scopes = json_object();
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *key =
			ops[i].scope_type == STIM_OP_GLOBAL
				? xstrdup("global")
				: xasprintf("%s/%s", scope_words[ops[i].scope_type], ops[i].scope);
		json_t *group = json_object_get(scopes, key);

		if (group == NULL) {
			group = json_pack("{s:[]}", "operations");
			json_object_set_new(scopes, key, group);
		}
		json_array_append_new(json_object_get(group, "operations"),
				      api_compute_op_to_json(req, &ops[i]));
		stim_compute_op_fini(&ops[i]);
	}
	free(ops);
	return api_reply_json(req, 200,
			      json_pack("{s:s, s:s++, s:o, s:s+++}", "kind",
					"compute#operationAggregatedList", "id", "projects/",
					api_path(req, "project"), "/aggregated/operations", "items",
					scopes, "selfLink", base, "/compute/v1/projects/",
					api_path(req, "project"), "/aggregated/operations"));
}

#define OPS_ROUTES(scope_path)                                                                     \
	{ "GET", "/compute/v1/projects/{project}/" scope_path "/operations",                       \
	  api_compute_operations_list },                                                           \
		{ "GET", "/compute/v1/projects/{project}/" scope_path "/operations/{operation}",   \
		  api_compute_operations_get },                                                    \
		{ "DELETE",                                                                        \
		  "/compute/v1/projects/{project}/" scope_path "/operations/{operation}",          \
		  api_compute_operations_delete },                                                 \
	{                                                                                          \
		"POST",                                                                            \
			"/compute/v1/projects/{project}/" scope_path                               \
			"/operations/{operation}/wait",                                            \
			api_compute_operations_wait                                                \
	}

const struct api_route api_compute_operation_routes[] = {
	OPS_ROUTES("zones/{zone}"),
	OPS_ROUTES("regions/{region}"),
	OPS_ROUTES("global"),
	{ "GET", "/compute/v1/projects/{project}/aggregated/operations",
	  api_compute_operations_aggregated },
};
const size_t api_compute_operation_routes_count = STIM_ARRAY_SIZE(api_compute_operation_routes);
