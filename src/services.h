#pragma once
/*
 * Service Usage: which APIs a project has enabled. `gcloud projects create`
 * enables cloudapis.googleapis.com right after the create
 * (reference/gcloud/iam.md), and infrastructure code enables the APIs it
 * needs. Any well-formed NAME.googleapis.com can be enabled, as on GCP,
 * whether or not the daemon emulates it: enabling is bookkeeping.
 */

#include <stdbool.h>
#include <stddef.h>

#include "src/context.h"
#include "src/error.h"
#include "src/projects.h"

struct stim_service {
	char *name; /* "compute.googleapis.com" */
	bool enabled;
};

int stim_service_name_check(const char *service, stim_error_t *err);

struct stim_lro;

/* `project` is an id or a number of an ACTIVE project. Enable and disable
 * return the finished operation (the caller's, stim_lro_fini). Get and list
 * fill *owner with the project, for rendering resource names. */
int stim_services_enable(struct stim_ctx *ctx, const char *project, const char *const *services,
			 size_t n, struct stim_lro *op, stim_error_t *err);
int stim_service_disable(struct stim_ctx *ctx, const char *project, const char *service,
			 struct stim_lro *op, stim_error_t *err);
int stim_service_get(struct stim_ctx *ctx, const char *project, const char *service,
		     struct stim_project *owner, struct stim_service *out, stim_error_t *err);
/* The enabled services, by name (state_filter "ENABLED" or NULL), or none
 * for "DISABLED" (the catalogue of everything disabled is not kept). */
int stim_services_list(struct stim_ctx *ctx, const char *project, const char *state_filter,
		       struct stim_project *owner, struct stim_service **out, size_t *n,
		       stim_error_t *err);

void stim_service_fini(struct stim_service *s);
void stim_services_free(struct stim_service *v, size_t n);
