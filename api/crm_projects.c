/* Cloud Resource Manager v1: projects (see crm.h). */
#include "api/crm.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/json.h"
#include "src/util.h"

json_t *api_crm_project_to_json(const struct stim_project *p)
{
	char ts[STIM_TIME_BUFSZ];
	char number[24];
	json_t *j = json_object();

	/* int64 fields travel as strings in Google's JSON. */
	snprintf(number, sizeof(number), "%lld", (long long)p->number);
	json_object_set_new(j, "projectNumber", json_string(number));
	json_object_set_new(j, "projectId", json_string(p->project_id));
	json_object_set_new(j, "lifecycleState", json_string(stim_project_state_name(p->state)));
	json_object_set_new(j, "name", json_string(p->name));
	json_object_set_new(j, "createTime", json_string(stim_time_format(p->create_time_ms, ts)));
	if (p->labels.n > 0)
		json_object_set_new(j, "labels", stim_labels_to_json(&p->labels));
	if (p->parent_type != NULL)
		json_object_set_new(
			j, "parent",
			json_pack("{s:s, s:s}", "type", p->parent_type, "id", p->parent_id));
	return j;
}

int api_crm_project_spec_from_json(json_t *body, struct stim_project_spec *spec, stim_error_t *err)
{
	/* Output-only fields are accepted and ignored, as Google does, so a
	 * client may send back what it read. */
	static const char *const fields[] = { "projectId",     "name",
					      "labels",	       "parent",
					      "projectNumber", "lifecycleState",
					      "createTime",    NULL };
	static const char *const parent_fields[] = { "type", "id", NULL };
	json_t *labels = json_object_get(body, "labels");
	json_t *parent = NULL;

	memset(spec, 0, sizeof(*spec));
	if (stim_json_check_fields(body, fields, "", err) < 0 ||
	    stim_json_get_string(body, "projectId", &spec->project_id, err) < 0 ||
	    stim_json_get_string(body, "name", &spec->name, err) < 0 ||
	    stim_json_get_object(body, "parent", &parent, err) < 0)
		return -1;
	if (parent != NULL && (stim_json_check_fields(parent, parent_fields, "parent", err) < 0 ||
			       stim_json_get_string(parent, "type", &spec->parent_type, err) < 0 ||
			       stim_json_get_string(parent, "id", &spec->parent_id, err) < 0))
		return -1;
	if (labels != NULL && !json_is_null(labels)) {
		if (stim_labels_from_json(labels, &spec->labels, err) < 0)
			return -1;
		spec->has_labels = true;
	}
	return 0;
}

static int api_crm_projects_create(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_project_spec spec;
	struct stim_lro op;
	int ret;

	if (body == NULL || api_crm_project_spec_from_json(body, &spec, err) < 0)
		return -1;
	spec.owner = req->principal;
	ret = stim_project_create(req->ctx, &spec, &op, err);
	stim_labels_fini(&spec.labels);
	if (ret < 0)
		return -1;
	api_reply_json(req, 200, api_operation_to_json(&op));
	stim_lro_fini(&op);
	return 0;
}

static int api_crm_projects_get(struct api_req *req, stim_error_t *err)
{
	struct stim_project p;

	if (stim_project_get(req->ctx, api_path(req, "project"), &p, err) < 0)
		return -1;
	api_reply_json(req, 200, api_crm_project_to_json(&p));
	stim_project_fini(&p);
	return 0;
}

static int api_crm_projects_list(struct api_req *req, stim_error_t *err)
{
	struct stim_project_query q = {
		.filter = api_query(req, "filter"),
		.page_token = api_query(req, "pageToken"),
		.for_caller = true,
		.caller = req->principal,
	};
	struct stim_project_page page;
	json_t *items;
	json_t *j;

	if (api_query_int(req, "pageSize", 0, 100000, &q.page_size, err) < 0 ||
	    stim_project_list(req->ctx, &q, &page, err) < 0)
		return -1;
	j = json_object();
	/* An empty list is {} in Google's JSON (repeated fields are omitted). */
	if (page.n > 0) {
		items = json_array();
		for (size_t i = 0; i < page.n; i++)
			json_array_append_new(items, api_crm_project_to_json(&page.items[i]));
		json_object_set_new(j, "projects", items);
	}
	if (page.next_page_token != NULL)
		json_object_set_new(j, "nextPageToken", json_string(page.next_page_token));
	stim_project_page_fini(&page);
	return api_reply_json(req, 200, j);
}

static int api_crm_projects_update(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_project_spec spec;
	struct stim_project p;
	int ret;

	if (body == NULL || api_crm_project_spec_from_json(body, &spec, err) < 0)
		return -1;
	/* v1 update is a PUT of the whole resource: absent labels mean none. */
	spec.has_labels = true;
	ret = stim_project_update(req->ctx, api_path(req, "project"), &spec, &p, err);
	stim_labels_fini(&spec.labels);
	if (ret < 0)
		return -1;
	api_reply_json(req, 200, api_crm_project_to_json(&p));
	stim_project_fini(&p);
	return 0;
}

static int api_crm_projects_delete(struct api_req *req, stim_error_t *err)
{
	if (stim_project_delete(req->ctx, api_path(req, "project"), err) < 0)
		return -1;
	return api_reply_json(req, 200, json_object());
}

static int api_crm_projects_undelete(struct api_req *req, stim_error_t *err)
{
	if (stim_project_undelete(req->ctx, api_path(req, "project"), err) < 0)
		return -1;
	return api_reply_json(req, 200, json_object());
}

static int api_crm_operations_get(struct api_req *req, stim_error_t *err)
{
	struct stim_lro op;

	if (stim_lro_get(req->ctx, api_path(req, "operation"), &op, err) < 0)
		return -1;
	api_reply_json(req, 200, api_operation_to_json(&op));
	stim_lro_fini(&op);
	return 0;
}

const struct api_route api_crm_routes[] = {
	{ "POST", "/v1/projects", api_crm_projects_create },
	{ "GET", "/v1/projects", api_crm_projects_list },
	{ "GET", "/v1/projects/{project}", api_crm_projects_get },
	{ "PUT", "/v1/projects/{project}", api_crm_projects_update },
	{ "DELETE", "/v1/projects/{project}", api_crm_projects_delete },
	{ "POST", "/v1/projects/{project}:undelete", api_crm_projects_undelete },
	{ "GET", "/v1/operations/{operation}", api_crm_operations_get },
};
const size_t api_crm_routes_count = STIM_ARRAY_SIZE(api_crm_routes);
