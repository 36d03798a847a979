/* google.longrunning.Operation rendering for Resource Manager and Service Usage. */
#include "api/crm.h"

#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define TYPE_PREFIX "type.googleapis.com/"

static json_t *services_json(const struct stim_lro *op, bool enabled)
{
	json_t *arr = json_array();
	cleanup_free char *list = xstrdup(op->services != NULL ? op->services : "");
	char *save = NULL;

	for (char *s = strtok_r(list, ",", &save); s != NULL; s = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, api_service_to_json(&op->project, s, enabled));
	return arr;
}

static json_t *response_json(const struct stim_lro *op)
{
	json_t *r;
	json_t *services;

	if (strcmp(op->kind, "project.create") == 0) {
		r = api_crm_project_to_json(&op->project);
		json_object_set_new(
			r, "@type",
			json_string(TYPE_PREFIX "google.cloudresourcemanager.v1.Project"));
		return r;
	}
	if (strcmp(op->kind, "service.batchEnable") == 0)
		return json_pack("{s:s, s:o}", "@type",
				 TYPE_PREFIX
				 "google.api.serviceusage.v1.BatchEnableServicesResponse",
				 "services", services_json(op, true));
	services = services_json(op, strcmp(op->kind, "service.enable") == 0);
	r = json_pack("{s:s, s:O}", "@type",
		      strcmp(op->kind, "service.enable") == 0
			      ? TYPE_PREFIX "google.api.serviceusage.v1.EnableServiceResponse"
			      : TYPE_PREFIX "google.api.serviceusage.v1.DisableServiceResponse",
		      "service", json_array_get(services, 0));
	json_decref(services);
	return r;
}

json_t *api_operation_to_json(const struct stim_lro *op)
{
	json_t *j = json_pack("{s:s, s:b}", "name", op->name, "done", op->done);

	if (op->done)
		json_object_set_new(j, "response", response_json(op));
	return j;
}
