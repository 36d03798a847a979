#pragma once
/* SQL for custom roles (rules in src/custom_roles.c). */

#include <stdbool.h>
#include <stddef.h>

#include "src/custom_roles.h"
#include "src/store.h"

/* ALREADY_EXISTS when the project has the id, live or deleted. */
int stim_store_custom_role_insert(struct stim_db *db, const struct stim_custom_role *r,
				  stim_error_t *err);
/* NOT_FOUND when the project has no such role. */
int stim_store_custom_role_get(struct stim_db *db, const char *project, const char *role_id,
			       struct stim_custom_role *out, stim_error_t *err);
int stim_store_custom_role_list(struct stim_db *db, const char *project, bool show_deleted,
				const char *after, int limit, struct stim_custom_role **out,
				size_t *n, stim_error_t *err);
/* Writes every field and its permissions as r->gen (inside the caller's
 * transaction). */
int stim_store_custom_role_update(struct stim_db *db, const struct stim_custom_role *r,
				  stim_error_t *err);
