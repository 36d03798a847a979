#pragma once
/* SQL for Compute operations (the rules are in src/compute_ops.c). Writes
 * run inside the caller's transaction, if any. */

#include <stddef.h>
#include <stdint.h>

#include "src/compute_ops.h"
#include "src/store.h"

int stim_store_compute_op_insert(struct stim_db *db, const struct stim_compute_op *op,
				 stim_error_t *err);
/* NOT_FOUND when absent. */
int stim_store_compute_op_get(struct stim_db *db, const char *project, const char *name,
			      struct stim_compute_op *out, stim_error_t *err);
/* DONE, with an error when error_code is not NULL. NOT_FOUND when absent. */
/* A RUNNING operation's progress (0 to 100); DONE ones are left alone. */
int stim_store_compute_op_progress(struct stim_db *db, const char *project, const char *name,
				   int progress, stim_error_t *err);
int stim_store_compute_op_finish(struct stim_db *db, const char *project, const char *name,
				 const char *error_code, const char *error_message, int http_status,
				 int64_t when_ms, stim_error_t *err);
int stim_store_compute_op_delete(struct stim_db *db, const char *project, const char *name,
				 stim_error_t *err);
/* Up to limit operations of one scope with names above after, by name. */
int stim_store_compute_op_scan(struct stim_db *db, const char *project,
			       enum stim_op_scope scope_type, const char *scope, const char *after,
			       int limit, struct stim_compute_op **out, size_t *n,
			       stim_error_t *err);
/* Up to limit operations of a project, every scope, grouped by scope. */
int stim_store_compute_op_scan_project(struct stim_db *db, const char *project, int limit,
				       struct stim_compute_op **out, size_t *n, stim_error_t *err);
/* Every operation not DONE becomes DONE with an INTERNAL_ERROR saying
 * message (its worker is gone). Returns how many. */
int stim_store_compute_ops_interrupt(struct stim_db *db, const char *message, int64_t when_ms,
				     stim_error_t *err);
