/* SQL for Compute operations (see store_compute_ops.h). */
#include "src/store_compute_ops.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define OP_COLUMNS                                                                                 \
	"project, name, id, scope_type, scope, operation_type, target, target_id, status, "        \
	"progress, error_code, error_message, http_status, insert_time, start_time, end_time"

static const char *const scope_names[] = {
	[STIM_OP_ZONE] = "zone",
	[STIM_OP_REGION] = "region",
	[STIM_OP_GLOBAL] = "global",
};

int stim_store_compute_op_insert(struct stim_db *db, const struct stim_compute_op *op,
				 stim_error_t *err)
{
	static const char sql[] = "INSERT INTO compute_operations (" OP_COLUMNS ") VALUES "
				  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, op->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, op->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, op->id);
	sqlite3_bind_text(st, 4, scope_names[op->scope_type], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, op->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, op->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, op->target, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 8, op->target_id);
	sqlite3_bind_text(st, 9,
			  op->done	? "DONE"
			  : op->running ? "RUNNING"
					: "PENDING",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, op->progress);
	stim_db_bind_text_opt(st, 11, op->error_code);
	stim_db_bind_text_opt(st, 12, op->error_message);
	if (op->http_status != 0)
		sqlite3_bind_int(st, 13, op->http_status);
	else
		sqlite3_bind_null(st, 13);
	sqlite3_bind_int64(st, 14, op->insert_time_ms);
	sqlite3_bind_int64(st, 15, op->start_time_ms);
	if (op->done)
		sqlite3_bind_int64(st, 16, op->end_time_ms);
	else
		sqlite3_bind_null(st, 16);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "insert compute operation", err);
	return 0;
}

static void row_to_op(sqlite3_stmt *st, struct stim_compute_op *op)
{
	const char *scope_type = (const char *)sqlite3_column_text(st, 3);
	const char *status = (const char *)sqlite3_column_text(st, 8);

	memset(op, 0, sizeof(*op));
	op->project = stim_db_column_dup(st, 0);
	op->name = stim_db_column_dup(st, 1);
	op->id = sqlite3_column_int64(st, 2);
	op->scope_type = strcmp(scope_type, "zone") == 0     ? STIM_OP_ZONE
			 : strcmp(scope_type, "region") == 0 ? STIM_OP_REGION
							     : STIM_OP_GLOBAL;
	op->scope = stim_db_column_dup(st, 4);
	op->type = stim_db_column_dup(st, 5);
	op->target = stim_db_column_dup(st, 6);
	op->target_id = stim_db_column_dup(st, 7);
	op->done = strcmp(status, "DONE") == 0;
	op->running = strcmp(status, "RUNNING") == 0;
	op->progress = sqlite3_column_int(st, 9);
	op->error_code = stim_db_column_dup(st, 10);
	op->error_message = stim_db_column_dup(st, 11);
	op->http_status = sqlite3_column_int(st, 12);
	op->insert_time_ms = sqlite3_column_int64(st, 13);
	op->start_time_ms = sqlite3_column_int64(st, 14);
	op->end_time_ms = sqlite3_column_int64(st, 15);
}

int stim_store_compute_op_get(struct stim_db *db, const char *project, const char *name,
			      struct stim_compute_op *out, stim_error_t *err)
{
	static const char sql[] =
		"SELECT " OP_COLUMNS " FROM compute_operations WHERE project = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "no operation %s", name);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read compute operation", err);
	row_to_op(st, out);
	return 0;
}

int stim_store_compute_op_progress(struct stim_db *db, const char *project, const char *name,
				   int progress, stim_error_t *err)
{
	static const char sql[] = "UPDATE compute_operations SET progress = ? WHERE project = ? "
				  "AND name = ? AND status != 'DONE'";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, progress);
	sqlite3_bind_text(st, 2, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "record operation progress", err);
	return 0;
}

int stim_store_compute_op_finish(struct stim_db *db, const char *project, const char *name,
				 const char *error_code, const char *error_message, int http_status,
				 int64_t when_ms, stim_error_t *err)
{
	static const char sql[] =
		"UPDATE compute_operations SET status = 'DONE', progress = 100, error_code = ?, "
		"error_message = ?, http_status = ?, end_time = ? WHERE project = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	stim_db_bind_text_opt(st, 1, error_code);
	stim_db_bind_text_opt(st, 2, error_message);
	if (http_status != 0)
		sqlite3_bind_int(st, 3, http_status);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, when_ms);
	sqlite3_bind_text(st, 5, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "finish compute operation", err);
	if (sqlite3_changes(stim_db_handle(db)) == 0)
		return stim_err(err, STIM_NOT_FOUND, "no operation %s", name);
	return 0;
}

/* Every row of a bound statement as operations (the caller's). */
static int collect(struct stim_db *db, sqlite3_stmt *st, struct stim_compute_op **out, size_t *n,
		   stim_error_t *err)
{
	struct stim_compute_op *v = NULL;
	size_t count = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (count + 1) * sizeof(*v));
		row_to_op(st, &v[count++]);
	}
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < count; i++)
			stim_compute_op_fini(&v[i]);
		free(v);
		return stim_db_err(db, "list compute operations", err);
	}
	*out = v;
	*n = count;
	return 0;
}

int stim_store_compute_op_delete(struct stim_db *db, const char *project, const char *name,
				 stim_error_t *err)
{
	static const char sql[] = "DELETE FROM compute_operations WHERE project = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "delete compute operation", err);
	return 0;
}

int stim_store_compute_op_scan(struct stim_db *db, const char *project,
			       enum stim_op_scope scope_type, const char *scope, const char *after,
			       int limit, struct stim_compute_op **out, size_t *n,
			       stim_error_t *err)
{
	static const char sql[] = "SELECT " OP_COLUMNS " FROM compute_operations "
				  "WHERE project = ? AND scope_type = ? AND scope = ? AND name > ? "
				  "ORDER BY name LIMIT ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, scope_names[scope_type], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, after, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, limit);
	return collect(db, st, out, n, err);
}

int stim_store_compute_op_scan_project(struct stim_db *db, const char *project, int limit,
				       struct stim_compute_op **out, size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT " OP_COLUMNS " FROM compute_operations "
				  "WHERE project = ? ORDER BY scope_type, scope, name LIMIT ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	return collect(db, st, out, n, err);
}

int stim_store_compute_ops_interrupt(struct stim_db *db, const char *message, int64_t when_ms,
				     stim_error_t *err)
{
	static const char sql[] =
		"UPDATE compute_operations SET status = 'DONE', progress = 100, "
		"error_code = 'INTERNAL_ERROR', error_message = ?, http_status = 500, "
		"end_time = ? WHERE status != 'DONE'";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "end interrupted operations", err);
	return sqlite3_changes(stim_db_handle(db));
}
