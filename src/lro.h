#pragma once
/*
 * google.longrunning operations of Resource Manager and Service Usage
 * (`operations/cp.*`, `operations/acf.*`), which gcloud polls at
 * /v1/operations/{name}. Their work is done by the time they are recorded,
 * so they are born done; what the response holds is rendered at read time
 * from `kind` and `target`:
 *
 *   kind                  target
 *   "project.create"      project id
 *   "service.enable"      "PROJECT_ID/SERVICE"
 *   "service.disable"     "PROJECT_ID/SERVICE"
 *   "service.batchEnable" "PROJECT_ID/SERVICE,SERVICE,..."
 *
 * (Compute Engine's own Operation resource is another shape and another
 * module.)
 */

#include <stdbool.h>
#include <stdint.h>

#include "src/context.h"
#include "src/error.h"
#include "src/projects.h"
#include "src/store.h"

struct stim_lro {
	char *name; /* "operations/cp.123..." */
	char *kind;
	char *target;
	bool done;
	int64_t create_time_ms;
	/* Filled by stim_lro_get: the project `target` names, as it is now
	 * (its number goes into Service Usage names). */
	struct stim_project project;
	char *services; /* the "SVC,SVC" part of a service target, or NULL */
};

/* Records a finished operation inside the caller's transaction. `prefix` is
 * "cp" (Resource Manager) or "acf" (Service Usage). *name_out is the caller's. */
int stim_lro_record(struct stim_db *db, const char *prefix, const char *kind, const char *target,
		    char **name_out, stim_error_t *err);

/* `name` with or without the "operations/" prefix. NOT_FOUND if unknown.
 * Also loads the project the operation is about. */
int stim_lro_get(struct stim_ctx *ctx, const char *name, struct stim_lro *out, stim_error_t *err);
void stim_lro_fini(struct stim_lro *op);
