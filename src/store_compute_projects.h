#pragma once
/* SQL for a project's Compute metadata (rules in src/compute_projects.c). */

#include "src/compute_projects.h"
#include "src/store.h"

/* The metadata and fingerprint; a project never written to gets its row
 * (no items, a new fingerprint) on first read, inside the caller's
 * transaction if any. */
int stim_store_compute_metadata_get(struct stim_db *db, const char *project,
				    struct stim_compute_metadata *out, stim_error_t *err);
/* Replaces the fingerprint and every item. */
int stim_store_compute_metadata_put(struct stim_db *db, const char *project,
				    const struct stim_compute_metadata *m, stim_error_t *err);
