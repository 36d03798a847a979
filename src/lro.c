/* google.longrunning operations of Resource Manager and Service Usage. */
#include "src/lro.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

int stim_lro_record(struct stim_db *db, const char *prefix, const char *kind, const char *target,
		    char **name_out, stim_error_t *err)
{
	static const char sql[] = "INSERT INTO lro_operations (name, kind, target, done, "
				  "create_time) VALUES (?, ?, ?, 1, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	cleanup_free char *name = NULL;

	if (st == NULL)
		return -1;
	/* Random, so names never repeat across restarts or data dirs. */
	name = xasprintf("operations/%s.%016" PRIx64, prefix, stim_random_u64());
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, stim_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "record operation", err);
	*name_out = steal_pointer(&name);
	return 0;
}

int stim_lro_get(struct stim_ctx *ctx, const char *name, struct stim_lro *out, stim_error_t *err)
{
	static const char sql[] = "SELECT name, kind, target, done, create_time "
				  "FROM lro_operations WHERE name = ?";
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_reset sqlite3_stmt *st = NULL;
	cleanup_free char *full = NULL;
	cleanup_free char *project_id = NULL;
	const char *slash;
	int rc;

	if (db == NULL)
		return -1;
	st = stim_db_stmt(db, sql, err);
	if (st == NULL)
		return -1;
	full = stim_str_has_prefix(name, "operations/") ? xstrdup(name)
							: xasprintf("operations/%s", name);
	sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "Operation %s not found.", full);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read operation", err);
	memset(out, 0, sizeof(*out));
	out->name = xstrdup((const char *)sqlite3_column_text(st, 0));
	out->kind = xstrdup((const char *)sqlite3_column_text(st, 1));
	out->target = xstrdup((const char *)sqlite3_column_text(st, 2));
	out->done = sqlite3_column_int(st, 3) != 0;
	out->create_time_ms = sqlite3_column_int64(st, 4);
	sqlite3_reset(st);

	/* target: "PROJECT" or "PROJECT/SVC,SVC" (lro.h) */
	slash = strchr(out->target, '/');
	project_id = slash != NULL ? xstrndup(out->target, (size_t)(slash - out->target))
				   : xstrdup(out->target);
	out->services = slash != NULL ? xstrdup(slash + 1) : NULL;
	if (stim_project_get(ctx, project_id, &out->project, err) < 0) {
		stim_lro_fini(out);
		return -1;
	}
	return 0;
}

void stim_lro_fini(struct stim_lro *op)
{
	free(op->name);
	free(op->kind);
	free(op->target);
	free(op->services);
	stim_project_fini(&op->project);
	memset(op, 0, sizeof(*op));
}
