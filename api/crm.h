#pragma once
/*
 * Cloud Resource Manager v1 (projects and their operations) and Service
 * Usage v1, as `gcloud projects ...` and `gcloud services ...` call them
 * (reference/gcloud/iam.md). The parse and render functions are pure and
 * exported for unit tests.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api/request.h"
#include "src/lro.h"
#include "src/projects.h"
#include "src/services.h"

extern const struct api_route api_crm_routes[];
extern const size_t api_crm_routes_count;
extern const struct api_route api_serviceusage_routes[];
extern const size_t api_serviceusage_routes_count;

/* Project <-> JSON. Strings in spec are borrowed from body; spec->labels is
 * owned (stim_labels_fini). */
json_t *api_crm_project_to_json(const struct stim_project *p);
int api_crm_project_spec_from_json(json_t *body, struct stim_project_spec *spec, stim_error_t *err);

/* A google.longrunning.Operation, with its response rendered by kind. */
json_t *api_operation_to_json(const struct stim_lro *op);

/* A Service Usage service resource under its project. */
json_t *api_service_to_json(const struct stim_project *owner, const char *service, bool enabled);
