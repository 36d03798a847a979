#pragma once
/*
 * SQL for projects and their labels. C structs in and out; the rules live
 * in src/projects.c. Writes must run inside the caller's transaction.
 */

#include <stdint.h>

#include "src/projects.h"
#include "src/store.h"

/* Fills out; NOT_FOUND when no row matches. */
int stim_store_project_get(struct stim_db *db, const char *project_id, struct stim_project *out,
			   stim_error_t *err);
int stim_store_project_get_by_number(struct stim_db *db, int64_t number, struct stim_project *out,
				     stim_error_t *err);
/* ALREADY_EXISTS on a duplicate id or number. */
int stim_store_project_insert(struct stim_db *db, const struct stim_project *p, stim_error_t *err);
/* Rewrites name, state, parent and labels of an existing row. */
int stim_store_project_update(struct stim_db *db, const struct stim_project *p, stim_error_t *err);

/* Projects with id > after (NULL: from the start), by id, at most limit,
 * optionally only in one state (state < 0: any). */
int stim_store_project_scan(struct stim_db *db, const char *after, int state, int limit,
			    struct stim_project **items, size_t *n, stim_error_t *err);
