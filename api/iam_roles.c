/*
 * IAM v1 roles: the predefined catalogue (roles.get, roles.list), custom
 * roles per project (projects.roles create, get, list, patch, delete,
 * undelete), permissions.queryTestablePermissions and
 * roles.queryGrantableRoles. Lists page by name: a page token is the last
 * name of the page before.
 */
#include "api/iam.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/cleanup.h"
#include "src/custom_roles.h"
#include "src/iam_roles.h"
#include "src/json.h"
#include "src/util.h"

#define PAGE_DEFAULT 300
#define PAGE_MAX     1000

static json_t *predefined_json(const struct stim_role_def *r, bool full)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", r->name, "title", r->title,
			      "description", r->description, "stage", r->stage, "etag", "AA==");

	if (full) {
		json_t *perms = json_array();

		for (const char *const *p = r->permissions; *p != NULL; p++)
			json_array_append_new(perms, json_string(*p));
		json_object_set_new(j, "includedPermissions", perms);
	}
	return j;
}

/* view=FULL, or BASIC (the default); anything else is refused. */
static int view_full(struct api_req *req, bool *full, stim_error_t *err)
{
	const char *view = api_query(req, "view");

	*full = view != NULL && strcmp(view, "FULL") == 0;
	if (view != NULL && !*full && strcmp(view, "BASIC") != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Invalid value for view: '%s'. Expected BASIC or FULL.",
				       view);
	return 0;
}

static int page_size(struct api_req *req, int *size, stim_error_t *err)
{
	if (api_query_int(req, "pageSize", 0, PAGE_MAX, size, err) < 0)
		return -1;
	if (*size <= 0)
		*size = PAGE_DEFAULT;
	return 0;
}

/* A list reply: items under key (left out when empty, as IAM does) and the
 * next page's token when there is one. Takes items. */
static int list_reply(struct api_req *req, const char *key, json_t *items, const char *next)
{
	json_t *j = json_object();

	if (json_array_size(items) > 0)
		json_object_set(j, key, items);
	json_decref(items);
	if (next != NULL)
		json_object_set_new(j, "nextPageToken", json_string(next));
	return api_reply_json(req, 200, j);
}

static int api_iam_roles_list(struct api_req *req, stim_error_t *err)
{
	const char *after = api_query(req, "pageToken");
	size_t n;
	const struct stim_role_def *v = stim_roles_predefined(&n);
	json_t *items = json_array();
	const char *next = NULL;
	bool full;
	int size;

	if (view_full(req, &full, err) < 0 || page_size(req, &size, err) < 0) {
		json_decref(items);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (after != NULL && strcmp(v[i].name, after) <= 0)
			continue;
		if (json_array_size(items) == (size_t)size) {
			next = v[i - 1].name;
			break;
		}
		json_array_append_new(items, predefined_json(&v[i], full));
	}
	return list_reply(req, "roles", items, next);
}

static int api_iam_roles_get(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *name = xasprintf("roles/%s", api_path(req, "role"));
	const struct stim_role_def *r = stim_role_predefined(name);

	if (r == NULL)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The role named %s was not found.", name);
	return api_reply_json(req, 200, predefined_json(r, true));
}

/* A role's fields from JSON into spec (strings borrowed from j). */
static int role_spec(json_t *j, struct stim_custom_role *spec, stim_error_t *err)
{
	static const char *const fields[] = { "name",	     "title",
					      "description", "includedPermissions",
					      "stage",	     "etag",
					      "deleted",     NULL };

	memset(spec, 0, sizeof(*spec));
	if (stim_json_check_fields(j, fields, "role", err) < 0 ||
	    stim_json_get_string(j, "title", (const char **)&spec->title, err) < 0 ||
	    stim_json_get_string(j, "description", (const char **)&spec->description, err) < 0 ||
	    stim_json_get_string(j, "stage", (const char **)&spec->stage, err) < 0 ||
	    stim_json_get_strv(j, "includedPermissions", true, &spec->permissions, err) < 0) {
		stim_strv_fini(&spec->permissions);
		return -1;
	}
	return 0;
}

static int custom_reply(struct api_req *req, struct stim_custom_role *r)
{
	json_t *j = stim_custom_role_json(r, true);

	stim_custom_role_fini(r);
	return api_reply_json(req, 200, j);
}

static int api_iam_custom_create(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	json_t *role = NULL;
	const char *id = NULL;
	struct stim_custom_role spec;
	struct stim_custom_role out;
	int ret;

	if (body == NULL || stim_json_get_string(body, "roleId", &id, err) < 0 ||
	    stim_json_get_object(body, "role", &role, err) < 0)
		return -1;
	if (role == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field: role.");
	if (role_spec(role, &spec, err) < 0)
		return -1;
	ret = stim_custom_role_create(req->ctx, api_path(req, "project"), id, &spec, &out, err);
	stim_strv_fini(&spec.permissions);
	return ret < 0 ? -1 : custom_reply(req, &out);
}

static int api_iam_custom_list(struct api_req *req, stim_error_t *err)
{
	const char *deleted = api_query(req, "showDeleted");
	struct stim_custom_role *v = NULL;
	size_t n = 0;
	json_t *items;
	bool full;
	int size;
	int ret;

	if (view_full(req, &full, err) < 0 || page_size(req, &size, err) < 0)
		return -1;
	/* One more than a page: whether there is a next one. */
	if (stim_custom_role_list(req->ctx, api_path(req, "project"),
				  deleted != NULL && strcasecmp(deleted, "true") == 0,
				  api_query(req, "pageToken"), size + 1, &v, &n, err) < 0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n && i < (size_t)size; i++)
		json_array_append_new(items, stim_custom_role_json(&v[i], full));
	ret = list_reply(req, "roles", items, n > (size_t)size ? v[size - 1].role_id : NULL);
	stim_custom_roles_free(v, n);
	return ret;
}

static int api_iam_custom_get(struct api_req *req, stim_error_t *err)
{
	struct stim_custom_role r;

	if (stim_custom_role_get(req->ctx, api_path(req, "project"), api_path(req, "role"), &r,
				 err) < 0)
		return -1;
	return custom_reply(req, &r);
}

static int api_iam_custom_patch(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	const char *etag = NULL;
	struct stim_custom_role spec;
	struct stim_custom_role out;
	int ret;

	if (body == NULL || stim_json_get_string(body, "etag", &etag, err) < 0 ||
	    role_spec(body, &spec, err) < 0)
		return -1;
	ret = stim_custom_role_patch(req->ctx, api_path(req, "project"), api_path(req, "role"),
				     &spec, api_query(req, "updateMask"), etag, &out, err);
	stim_strv_fini(&spec.permissions);
	return ret < 0 ? -1 : custom_reply(req, &out);
}

static int api_iam_custom_delete(struct api_req *req, stim_error_t *err)
{
	struct stim_custom_role out;

	if (stim_custom_role_delete(req->ctx, api_path(req, "project"), api_path(req, "role"),
				    api_query(req, "etag"), &out, err) < 0)
		return -1;
	return custom_reply(req, &out);
}

static int api_iam_custom_undelete(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	const char *etag = NULL;
	struct stim_custom_role out;

	if (body == NULL || stim_json_get_string(body, "etag", &etag, err) < 0 ||
	    stim_custom_role_undelete(req->ctx, api_path(req, "project"), api_path(req, "role"),
				      etag, &out, err) < 0)
		return -1;
	return custom_reply(req, &out);
}

/* The fullResourceName, pageSize and pageToken of a query body. */
static int query_body(struct api_req *req, json_t **body, enum stim_iam_resource_kind *kind,
		      int *size, const char **after, stim_error_t *err)
{
	const char *name = NULL;
	int64_t n = 0;

	*body = api_body_json(req, err);
	if (*body == NULL || stim_json_get_string(*body, "fullResourceName", &name, err) < 0 ||
	    stim_json_get_int64(*body, "pageSize", &n, err) < 0 ||
	    stim_json_get_string(*body, "pageToken", after, err) < 0)
		return -1;
	if (name == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field: fullResourceName.");
	*size = n <= 0 || n > PAGE_MAX ? PAGE_MAX : (int)n;
	return stim_iam_resource_kind(name, kind, err);
}

static int api_iam_testable_permissions(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = NULL;
	enum stim_iam_resource_kind kind;
	const char *after = NULL;
	const char *next = NULL;
	size_t n;
	const char *const *v = stim_permissions(&n);
	json_t *items;
	int size;

	if (query_body(req, &body, &kind, &size, &after, err) < 0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		if ((after != NULL && strcmp(v[i], after) <= 0) ||
		    !stim_permission_applies(v[i], kind))
			continue;
		if (json_array_size(items) == (size_t)size) {
			next = json_string_value(
				json_object_get(json_array_get(items, (size_t)size - 1), "name"));
			break;
		}
		json_array_append_new(items,
				      json_pack("{s:s, s:s, s:s}", "name", v[i], "stage", "GA",
						"customRolesSupportLevel", "SUPPORTED"));
	}
	{
		cleanup_free char *token = next != NULL ? xstrdup(next) : NULL;

		return list_reply(req, "permissions", items, token);
	}
}

static int api_iam_grantable_roles(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = NULL;
	enum stim_iam_resource_kind kind;
	const char *after = NULL;
	const char *next = NULL;
	size_t n;
	const struct stim_role_def *v = stim_roles_predefined(&n);
	json_t *items;
	int size;

	if (query_body(req, &body, &kind, &size, &after, err) < 0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		if ((after != NULL && strcmp(v[i].name, after) <= 0) ||
		    !stim_role_grantable_on(v[i].permissions, kind))
			continue;
		if (json_array_size(items) == (size_t)size) {
			next = json_string_value(
				json_object_get(json_array_get(items, (size_t)size - 1), "name"));
			break;
		}
		json_array_append_new(items, predefined_json(&v[i], false));
	}
	{
		cleanup_free char *token = next != NULL ? xstrdup(next) : NULL;

		return list_reply(req, "roles", items, token);
	}
}

#define CUSTOM "/v1/projects/{project}/roles"

const struct api_route api_iam_role_routes[] = {
	{ "GET", "/v1/roles", api_iam_roles_list },
	{ "GET", "/v1/roles/{role}", api_iam_roles_get },
	{ "POST", "/v1/roles:queryGrantableRoles", api_iam_grantable_roles },
	{ "POST", "/v1/permissions:queryTestablePermissions", api_iam_testable_permissions },
	{ "POST", CUSTOM, api_iam_custom_create },
	{ "GET", CUSTOM, api_iam_custom_list },
	{ "GET", CUSTOM "/{role}", api_iam_custom_get },
	{ "PATCH", CUSTOM "/{role}", api_iam_custom_patch },
	{ "DELETE", CUSTOM "/{role}", api_iam_custom_delete },
	{ "POST", CUSTOM "/{role}:undelete", api_iam_custom_undelete },
};
const size_t api_iam_role_routes_count = STIM_ARRAY_SIZE(api_iam_role_routes);
