#pragma once
/* What src/instances.c and src/instances_update.c share; not an API. */

#include <stdbool.h>

#include "src/instances.h"
#include "src/store.h"

/* The start of every change: the project and zone checked, a transaction
 * opened on *db (*tx; the caller's cleanup_db/cleanup_tx variables end
 * them) and the instance read in it. */
int stim_instance_begin(struct stim_ctx *ctx, const char *project, const char *zone,
			const char *name, struct stim_db **db, struct stim_tx **tx,
			struct stim_instance *in, stim_error_t *err);
/* The operation of a change to `in`, in the caller's transaction: RUNNING
 * for a worker to finish, or DONE at once when done. */
int stim_instance_record_op(struct stim_db *db, const struct stim_instance *in, const char *type,
			    bool done, struct stim_compute_op *op, stim_error_t *err);
