/* Compute Engine operations (see compute_ops.h). */
#include "src/compute_ops.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/cleanup.h"
#include "src/store_compute_ops.h"
#include "src/util.h"

struct stim_compute_hub {
	pthread_mutex_t lock;
	pthread_cond_t done; /* broadcast whenever any operation finishes */
};

struct stim_compute_hub *stim_compute_hub_new(void)
{
	struct stim_compute_hub *hub = xcalloc(1, sizeof(*hub));
	pthread_condattr_t attr;

	pthread_mutex_init(&hub->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&hub->done, &attr);
	pthread_condattr_destroy(&attr);
	return hub;
}

void stim_compute_hub_free(struct stim_compute_hub *hub)
{
	if (hub == NULL)
		return;
	pthread_cond_destroy(&hub->done);
	pthread_mutex_destroy(&hub->lock);
	free(hub);
}

void stim_compute_op_fini(struct stim_compute_op *op)
{
	free(op->project);
	free(op->name);
	free(op->scope);
	free(op->type);
	free(op->target);
	free(op->target_id);
	free(op->error_code);
	free(op->error_message);
	memset(op, 0, sizeof(*op));
}

int stim_compute_op_record(struct stim_db *db, const struct stim_compute_op_spec *spec,
			   struct stim_compute_op *out, stim_error_t *err)
{
	struct stim_compute_op op = { 0 };
	unsigned char raw[8];
	int64_t now = stim_now_ms();
	char hex[13];

	/* GCE's shape: operation-<ms>-<random hex>; the id is a number. */
	stim_random_bytes(raw, sizeof(raw));
	stim_hex(raw, 6, hex);
	op.project = xstrdup(spec->project);
	op.name = xasprintf("operation-%lld-%s", (long long)now, hex);
	op.id = (int64_t)(((uint64_t)raw[6] << 40 | (uint64_t)raw[7] << 32 | (uint64_t)now) &
			  INT64_MAX);
	op.scope_type = spec->scope_type;
	op.scope = xstrdup(spec->scope_type == STIM_OP_GLOBAL ? "" : spec->scope);
	op.type = xstrdup(spec->type);
	op.target = xstrdup(spec->target);
	op.target_id = xstrdup_or_null(spec->target_id);
	op.done = spec->done;
	op.running = !spec->done;
	op.progress = spec->done ? 100 : 0;
	op.insert_time_ms = now;
	op.start_time_ms = now;
	op.end_time_ms = spec->done ? now : 0;
	if (stim_store_compute_op_insert(db, &op, err) < 0) {
		stim_compute_op_fini(&op);
		return -1;
	}
	*out = op;
	return 0;
}

/* GCE's error codes for the rpc codes operations fail with. */
static const char *error_code_of(enum stim_code code)
{
	switch (code) {
	case STIM_NOT_FOUND:
		return "RESOURCE_NOT_FOUND";
	case STIM_ALREADY_EXISTS:
		return "RESOURCE_ALREADY_EXISTS";
	case STIM_RESOURCE_EXHAUSTED:
		return "QUOTA_EXCEEDED";
	case STIM_FAILED_PRECONDITION:
		return "CONDITION_NOT_MET";
	case STIM_INVALID_ARGUMENT:
		return "INVALID_FIELD_VALUE";
	default:
		return "INTERNAL_ERROR";
	}
}

static int http_status_of(enum stim_code code)
{
	switch (code) {
	case STIM_NOT_FOUND:
		return 404;
	case STIM_ALREADY_EXISTS:
		return 409;
	case STIM_RESOURCE_EXHAUSTED:
		return 403;
	case STIM_FAILED_PRECONDITION:
		return 412;
	case STIM_INVALID_ARGUMENT:
		return 400;
	default:
		return 500;
	}
}

int stim_compute_op_progress(struct stim_ctx *ctx, const char *project, const char *name,
			     int progress, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	return db != NULL ? stim_store_compute_op_progress(db, project, name, progress, err) : -1;
}

int stim_compute_op_finish(struct stim_ctx *ctx, const char *project, const char *name,
			   const struct stim_error *failure, stim_error_t *err)
{
	int ret;

	{
		cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

		if (db == NULL)
			return -1;
		ret = stim_store_compute_op_finish(
			db, project, name, failure != NULL ? error_code_of(failure->code) : NULL,
			failure != NULL ? failure->msg : NULL,
			failure != NULL ? http_status_of(failure->code) : 0, stim_now_ms(), err);
	}
	if (ctx->compute_hub != NULL) {
		pthread_mutex_lock(&ctx->compute_hub->lock);
		pthread_cond_broadcast(&ctx->compute_hub->done);
		pthread_mutex_unlock(&ctx->compute_hub->lock);
	}
	return ret;
}

static const char *const scope_words[] = {
	[STIM_OP_ZONE] = "zones",
	[STIM_OP_REGION] = "regions",
	[STIM_OP_GLOBAL] = "global",
};

static int not_found(const char *project, enum stim_op_scope scope_type, const char *scope,
		     const char *name, stim_error_t *err)
{
	if (scope_type == STIM_OP_GLOBAL)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The resource 'projects/%s/global/operations/%s' was not "
				       "found",
				       project, name);
	return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
			       "The resource 'projects/%s/%s/%s/operations/%s' was not found",
			       project, scope_words[scope_type], scope, name);
}

int stim_compute_op_get(struct stim_ctx *ctx, const char *project, enum stim_op_scope scope_type,
			const char *scope, const char *name, struct stim_compute_op *out,
			stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_error stim_error_t gerr = NULL;

	if (db == NULL)
		return -1;
	if (stim_store_compute_op_get(db, project, name, out, &gerr) < 0) {
		if (gerr->code != STIM_NOT_FOUND) {
			*err = steal_pointer(&gerr);
			return -1;
		}
		return not_found(project, scope_type, scope, name, err);
	}
	/* An operation is only found in its own scope, as in GCE. */
	if (out->scope_type != scope_type ||
	    (scope_type != STIM_OP_GLOBAL && strcmp(out->scope, scope) != 0)) {
		stim_compute_op_fini(out);
		return not_found(project, scope_type, scope, name, err);
	}
	return 0;
}

int stim_compute_op_wait(struct stim_ctx *ctx, const char *project, enum stim_op_scope scope_type,
			 const char *scope, const char *name, int timeout_ms,
			 struct stim_compute_op *out, stim_error_t *err)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	for (;;) {
		int rc = 0;

		if (ctx->compute_hub != NULL)
			pthread_mutex_lock(&ctx->compute_hub->lock);
		/* Read under the hub's lock: a finish in between cannot be
		 * missed, since it broadcasts under the same lock. */
		if (stim_compute_op_get(ctx, project, scope_type, scope, name, out, err) < 0) {
			if (ctx->compute_hub != NULL)
				pthread_mutex_unlock(&ctx->compute_hub->lock);
			return -1;
		}
		if (out->done || ctx->compute_hub == NULL) {
			if (ctx->compute_hub != NULL)
				pthread_mutex_unlock(&ctx->compute_hub->lock);
			return 0;
		}
		stim_compute_op_fini(out);
		rc = pthread_cond_timedwait(&ctx->compute_hub->done, &ctx->compute_hub->lock,
					    &until);
		pthread_mutex_unlock(&ctx->compute_hub->lock);
		if (rc == ETIMEDOUT)
			return stim_compute_op_get(ctx, project, scope_type, scope, name, out, err);
	}
}

int stim_compute_op_delete(struct stim_ctx *ctx, const char *project, enum stim_op_scope scope_type,
			   const char *scope, const char *name, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_compute_op op;

	if (db == NULL || stim_compute_op_get(ctx, project, scope_type, scope, name, &op, err) < 0)
		return -1;
	stim_compute_op_fini(&op);
	return stim_store_compute_op_delete(db, project, name, err);
}

int stim_compute_op_list(struct stim_ctx *ctx, const char *project, enum stim_op_scope scope_type,
			 const char *scope, const char *after, int max,
			 struct stim_compute_op **out, size_t *n, bool *more, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL || stim_store_compute_op_scan(db, project, scope_type,
						     scope_type == STIM_OP_GLOBAL ? "" : scope,
						     after, max + 1, out, n, err) < 0)
		return -1;
	*more = *n > (size_t)max;
	if (*more)
		stim_compute_op_fini(&(*out)[--*n]);
	return 0;
}

int stim_compute_op_list_all(struct stim_ctx *ctx, const char *project, int max,
			     struct stim_compute_op **out, size_t *n, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL)
		return -1;
	return stim_store_compute_op_scan_project(db, project, max, out, n, err);
}
