#pragma once
/*
 * Compute Engine operations: what every mutating Compute call returns at
 * once and gcloud then waits on (reference/gcloud/compute.md, "Operation
 * resource"). An operation is zonal, regional or global, names its target
 * by path, and goes PENDING -> RUNNING -> DONE; a failed one is DONE with
 * an error (code, message, HTTP status), as GCE reports it.
 *
 * Work that finishes inside the request records its operation DONE in the
 * same transaction. Work that takes time (starting an instance) records it
 * RUNNING and a worker finishes it; `wait` blocks on the hub until it is
 * DONE or the deadline passes, as GCE's operations.wait does.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/context.h"
#include "src/error.h"
#include "src/store.h"

enum stim_op_scope {
	STIM_OP_ZONE,
	STIM_OP_REGION,
	STIM_OP_GLOBAL,
};

struct stim_compute_op {
	char *project;
	char *name; /* "operation-<ms>-<hex>" */
	int64_t id;
	enum stim_op_scope scope_type;
	char *scope;	 /* zone or region name; "" for global */
	char *type;	 /* "insert", "setCommonInstanceMetadata", ... */
	char *target;	 /* "projects/P/zones/Z/instances/vm1" */
	char *target_id; /* NULL: none */
	bool done;
	bool running;
	int progress;
	char *error_code; /* NULL: no error */
	char *error_message;
	int http_status;
	int64_t insert_time_ms;
	int64_t start_time_ms;
	int64_t end_time_ms;
};

/* What a new operation is about (strings borrowed). */
struct stim_compute_op_spec {
	const char *project;
	enum stim_op_scope scope_type;
	const char *scope;
	const char *type;
	const char *target;
	const char *target_id;
	bool done; /* finished already (else RUNNING) */
};

void stim_compute_op_fini(struct stim_compute_op *op);

/* Records a new operation inside the caller's transaction. */
int stim_compute_op_record(struct stim_db *db, const struct stim_compute_op_spec *spec,
			   struct stim_compute_op *out, stim_error_t *err);

/* How far a RUNNING operation is (0 to 100), as GCE's progress. */
int stim_compute_op_progress(struct stim_ctx *ctx, const char *project, const char *name,
			     int progress, stim_error_t *err);

/* Marks it DONE (with failure when not NULL: its code becomes the error's
 * code, as GCE's error codes are strings like "RESOURCE_NOT_FOUND") and
 * wakes its waiters. */
int stim_compute_op_finish(struct stim_ctx *ctx, const char *project, const char *name,
			   const struct stim_error *failure, stim_error_t *err);

/* The operation `name` in that scope; NOT_FOUND if absent or elsewhere. */
int stim_compute_op_get(struct stim_ctx *ctx, const char *project, enum stim_op_scope scope_type,
			const char *scope, const char *name, struct stim_compute_op *out,
			stim_error_t *err);
/* get, blocking up to timeout_ms while the operation runs. */
int stim_compute_op_wait(struct stim_ctx *ctx, const char *project, enum stim_op_scope scope_type,
			 const char *scope, const char *name, int timeout_ms,
			 struct stim_compute_op *out, stim_error_t *err);
int stim_compute_op_delete(struct stim_ctx *ctx, const char *project, enum stim_op_scope scope_type,
			   const char *scope, const char *name, stim_error_t *err);
/* One page of a scope's operations by name, after `after` (""), at most max. */
int stim_compute_op_list(struct stim_ctx *ctx, const char *project, enum stim_op_scope scope_type,
			 const char *scope, const char *after, int max,
			 struct stim_compute_op **out, size_t *n, bool *more, stim_error_t *err);

/* A project's operations in every scope, grouped by scope, at most max. */
int stim_compute_op_list_all(struct stim_ctx *ctx, const char *project, int max,
			     struct stim_compute_op **out, size_t *n, stim_error_t *err);

/* The hub waiters sleep on (one per daemon, in ctx->compute_hub; NULL in
 * tests, where wait does not block). */
struct stim_compute_hub;
struct stim_compute_hub *stim_compute_hub_new(void);
void stim_compute_hub_free(struct stim_compute_hub *hub);
