#pragma once
/* SQL for project_services (see src/services.h for the rules). */

#include <stdbool.h>
#include <stddef.h>

#include "src/services.h"
#include "src/store.h"

int stim_store_service_set(struct stim_db *db, const char *project_id, const char *service,
			   bool enabled, stim_error_t *err);
/* *enabled is false for a service never enabled. */
int stim_store_service_get(struct stim_db *db, const char *project_id, const char *service,
			   bool *enabled, stim_error_t *err);
int stim_store_services_enabled(struct stim_db *db, const char *project_id,
				struct stim_service **out, size_t *n, stim_error_t *err);
