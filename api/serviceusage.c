/* Service Usage v1: enable, disable, get and list services (see crm.h). */
#include "api/crm.h"

#include <stdio.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/json.h"
#include "src/util.h"

json_t *api_service_to_json(const struct stim_project *owner, const char *service, bool enabled)
{
	char parent[40];
	cleanup_free char *name = NULL;

	/* Service Usage names services under the project number. */
	snprintf(parent, sizeof(parent), "projects/%lld", (long long)owner->number);
	name = xasprintf("%s/services/%s", parent, service);
	return json_pack("{s:s, s:s, s:{s:s}, s:s}", "name", name, "parent", parent, "config",
			 "name", service, "state", enabled ? "ENABLED" : "DISABLED");
}

static int reply_operation(struct api_req *req, struct stim_lro *op)
{
	api_reply_json(req, 200, api_operation_to_json(op));
	stim_lro_fini(op);
	return 0;
}

static int api_serviceusage_services_enable(struct api_req *req, stim_error_t *err)
{
	const char *service = api_path(req, "service");
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_lro op;

	/* The body is an empty EnableServiceRequest. */
	if (body == NULL ||
	    stim_services_enable(req->ctx, api_path(req, "project"), &service, 1, &op, err) < 0)
		return -1;
	return reply_operation(req, &op);
}

static int api_serviceusage_services_batch_enable(struct api_req *req, stim_error_t *err)
{
	static const char *const fields[] = { "serviceIds", NULL };
	cleanup_json json_t *body = api_body_json(req, err);
	const char *ids[21];
	json_t *arr;
	json_t *v;
	size_t i;
	struct stim_lro op;

	if (body == NULL || stim_json_check_fields(body, fields, "", err) < 0)
		return -1;
	arr = json_object_get(body, "serviceIds");
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > STIM_ARRAY_SIZE(ids) - 1)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"serviceIds must list 1 to 20 services.");
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid value at 'service_ids[%zu]' (TYPE_STRING)", i);
		ids[i] = json_string_value(v);
	}
	if (stim_services_enable(req->ctx, api_path(req, "project"), ids, json_array_size(arr), &op,
				 err) < 0)
		return -1;
	return reply_operation(req, &op);
}

static int api_serviceusage_services_disable(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_lro op;

	if (body == NULL || stim_service_disable(req->ctx, api_path(req, "project"),
						 api_path(req, "service"), &op, err) < 0)
		return -1;
	return reply_operation(req, &op);
}

static int api_serviceusage_services_get(struct api_req *req, stim_error_t *err)
{
	struct stim_project owner;
	struct stim_service s;

	if (stim_service_get(req->ctx, api_path(req, "project"), api_path(req, "service"), &owner,
			     &s, err) < 0)
		return -1;
	api_reply_json(req, 200, api_service_to_json(&owner, s.name, s.enabled));
	stim_service_fini(&s);
	stim_project_fini(&owner);
	return 0;
}

static int api_serviceusage_services_list(struct api_req *req, stim_error_t *err)
{
	const char *filter = api_query(req, "filter");
	const char *state = NULL;
	struct stim_project owner;
	struct stim_service *v = NULL;
	size_t n = 0;
	json_t *j;

	/* gcloud services list sends filter=state:ENABLED. */
	if (filter != NULL && filter[0] != '\0') {
		if (!stim_str_has_prefix(filter, "state:"))
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid filter '%s': only state:ENABLED and "
					"state:DISABLED are supported.",
					filter);
		state = filter + strlen("state:");
	}
	if (stim_services_list(req->ctx, api_path(req, "project"), state, &owner, &v, &n, err) < 0)
		return -1;
	j = json_object();
	if (n > 0) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, api_service_to_json(&owner, v[i].name, true));
		json_object_set_new(j, "services", arr);
	}
	stim_services_free(v, n);
	stim_project_fini(&owner);
	return api_reply_json(req, 200, j);
}

const struct api_route api_serviceusage_routes[] = {
	{ "POST", "/v1/projects/{project}/services/{service}:enable",
	  api_serviceusage_services_enable },
	{ "POST", "/v1/projects/{project}/services/{service}:disable",
	  api_serviceusage_services_disable },
	{ "POST", "/v1/projects/{project}/services:batchEnable",
	  api_serviceusage_services_batch_enable },
	{ "GET", "/v1/projects/{project}/services/{service}", api_serviceusage_services_get },
	{ "GET", "/v1/projects/{project}/services", api_serviceusage_services_list },
};
const size_t api_serviceusage_routes_count = STIM_ARRAY_SIZE(api_serviceusage_routes);
