/* SQL for instances (see store_instances.h). */
#include "src/store_instances.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define INSTANCE_COLUMNS                                                                           \
	"project, zone, name, id, status, status_message, machine_type, image, source_image, "     \
	"description, metadata_fingerprint, pid, pid_start, create_time, last_start_time"

static void bind_opt(sqlite3_stmt *st, int col, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static void bind_key(sqlite3_stmt *st, const char *project, const char *zone, const char *name)
{
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
}

static int put_metadata(struct stim_db *db, const struct stim_instance *in, stim_error_t *err)
{
	static const char del_sql[] =
		"DELETE FROM instance_metadata WHERE project = ? AND zone = ? AND name = ?";
	static const char ins_sql[] = "INSERT INTO instance_metadata "
				      "(project, zone, name, key, value) VALUES (?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *del = stim_db_stmt(db, del_sql, err);
	cleanup_reset sqlite3_stmt *ins = NULL;

	if (del == NULL)
		return -1;
	bind_key(del, in->project, in->zone, in->name);
	if (sqlite3_step(del) != SQLITE_DONE)
		return stim_db_err(db, "clear instance metadata", err);
	ins = stim_db_stmt(db, ins_sql, err);
	if (ins == NULL)
		return -1;
	for (size_t i = 0; i < in->metadata.n; i++) {
		sqlite3_reset(ins);
		bind_key(ins, in->project, in->zone, in->name);
		sqlite3_bind_text(ins, 4, in->metadata.v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, in->metadata.v[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return stim_db_err(db, "write instance metadata", err);
	}
	return 0;
}

int stim_store_instance_insert(struct stim_db *db, const struct stim_instance *in,
			       stim_error_t *err)
{
	static const char sql[] = "INSERT INTO instances (" INSTANCE_COLUMNS ") VALUES "
				  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_key(st, in->project, in->zone, in->name);
	sqlite3_bind_int64(st, 4, in->id);
	sqlite3_bind_text(st, 5, in->status, -1, SQLITE_STATIC);
	bind_opt(st, 6, in->status_message);
	sqlite3_bind_text(st, 7, in->machine_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, in->image, -1, SQLITE_STATIC);
	bind_opt(st, 9, in->source_image);
	bind_opt(st, 10, in->description);
	sqlite3_bind_blob(st, 11, in->metadata_fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	sqlite3_bind_null(st, 12);
	sqlite3_bind_null(st, 13);
	sqlite3_bind_int64(st, 14, in->create_time_ms);
	sqlite3_bind_null(st, 15);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT)
		return stim_err_reason(err, STIM_ALREADY_EXISTS, "alreadyExists",
				       "The resource 'projects/%s/zones/%s/instances/%s' already "
				       "exists",
				       in->project, in->zone, in->name);
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "insert instance", err);
	return put_metadata(db, in, err);
}

static void row_to_instance(sqlite3_stmt *st, struct stim_instance *in)
{
	memset(in, 0, sizeof(*in));
	in->project = stim_db_column_dup(st, 0);
	in->zone = stim_db_column_dup(st, 1);
	in->name = stim_db_column_dup(st, 2);
	in->id = sqlite3_column_int64(st, 3);
	in->status = stim_db_column_dup(st, 4);
	in->status_message = stim_db_column_dup(st, 5);
	in->machine_type = stim_db_column_dup(st, 6);
	in->image = stim_db_column_dup(st, 7);
	in->source_image = stim_db_column_dup(st, 8);
	in->description = stim_db_column_dup(st, 9);
	if (sqlite3_column_bytes(st, 10) == STIM_FINGERPRINT_LEN)
		memcpy(in->metadata_fingerprint, sqlite3_column_blob(st, 10), STIM_FINGERPRINT_LEN);
	in->pid = sqlite3_column_int(st, 11);
	in->pid_start = (uint64_t)sqlite3_column_int64(st, 12);
	in->create_time_ms = sqlite3_column_int64(st, 13);
	in->last_start_time_ms = sqlite3_column_int64(st, 14);
}

static int load_metadata(struct stim_db *db, struct stim_instance *in, stim_error_t *err)
{
	static const char sql[] =
		"SELECT key, value FROM instance_metadata WHERE project = ? AND zone = ? AND "
		"name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_key(st, in->project, in->zone, in->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stim_labels_set(&in->metadata, (const char *)sqlite3_column_text(st, 0),
				(const char *)sqlite3_column_text(st, 1));
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "read instance metadata", err);
	return 0;
}

int stim_store_instance_get(struct stim_db *db, const char *project, const char *zone,
			    const char *name, struct stim_instance *out, stim_error_t *err)
{
	static const char sql[] = "SELECT " INSTANCE_COLUMNS " FROM instances "
				  "WHERE project = ? AND zone = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_key(st, project, zone, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The resource 'projects/%s/zones/%s/instances/%s' was not "
				       "found",
				       project, zone, name);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read instance", err);
	row_to_instance(st, out);
	sqlite3_reset(st);
	if (load_metadata(db, out, err) < 0) {
		stim_instance_fini(out);
		return -1;
	}
	return 0;
}

int stim_store_instance_set_state(struct stim_db *db, const struct stim_instance *in,
				  stim_error_t *err)
{
	static const char sql[] =
		"UPDATE instances SET status = ?, status_message = ?, pid = ?, pid_start = ?, "
		"last_start_time = ? WHERE project = ? AND zone = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, in->status, -1, SQLITE_STATIC);
	bind_opt(st, 2, in->status_message);
	if (in->pid > 0) {
		sqlite3_bind_int(st, 3, in->pid);
		sqlite3_bind_int64(st, 4, (int64_t)in->pid_start);
	} else {
		sqlite3_bind_null(st, 3);
		sqlite3_bind_null(st, 4);
	}
	if (in->last_start_time_ms != 0)
		sqlite3_bind_int64(st, 5, in->last_start_time_ms);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, in->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, in->zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, in->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "update instance", err);
	return 0;
}

int stim_store_instance_remove(struct stim_db *db, const char *project, const char *zone,
			       const char *name, stim_error_t *err)
{
	static const char sql[] =
		"DELETE FROM instances WHERE project = ? AND zone = ? AND name = ?";
	static const char meta_sql[] =
		"DELETE FROM instance_metadata WHERE project = ? AND zone = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	cleanup_reset sqlite3_stmt *meta = NULL;

	if (st == NULL)
		return -1;
	bind_key(st, project, zone, name);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "remove instance", err);
	meta = stim_db_stmt(db, meta_sql, err);
	if (meta == NULL)
		return -1;
	bind_key(meta, project, zone, name);
	if (sqlite3_step(meta) != SQLITE_DONE)
		return stim_db_err(db, "remove instance metadata", err);
	return 0;
}

int stim_store_instance_scan(struct stim_db *db, const char *project, const char *zone,
			     const char *after_zone, const char *after_name, int limit,
			     struct stim_instance **out, size_t *n, stim_error_t *err)
{
	/* (zone, name) > (after_zone, after_name), in one index range. */
	static const char sql[] = "SELECT " INSTANCE_COLUMNS " FROM instances "
				  "WHERE project = ?1 AND (?2 IS NULL OR zone = ?2) "
				  "AND (zone, name) > (?3, ?4) ORDER BY zone, name LIMIT ?5";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	struct stim_instance *v = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	bind_opt(st, 2, zone);
	sqlite3_bind_text(st, 3, after_zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, after_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (count + 1) * sizeof(*v));
		row_to_instance(st, &v[count++]);
	}
	if (rc != SQLITE_DONE) {
		stim_db_err(db, "list instances", err);
		goto fail;
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < count; i++) {
		if (load_metadata(db, &v[i], err) < 0)
			goto fail;
	}
	*out = v;
	*n = count;
	return 0;
fail:
	for (size_t i = 0; i < count; i++)
		stim_instance_fini(&v[i]);
	free(v);
	return -1;
}

int stim_store_instance_set_metadata(struct stim_db *db, const struct stim_instance *in,
				     stim_error_t *err)
{
	static const char sql[] = "UPDATE instances SET metadata_fingerprint = ? "
				  "WHERE project = ? AND zone = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, in->metadata_fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, in->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "update instance metadata fingerprint", err);
	return put_metadata(db, in, err);
}

int stim_store_instance_all(struct stim_db *db, struct stim_instance **out, size_t *n,
			    stim_error_t *err)
{
	static const char sql[] =
		"SELECT " INSTANCE_COLUMNS " FROM instances ORDER BY project, zone, name";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	struct stim_instance *v = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (count + 1) * sizeof(*v));
		row_to_instance(st, &v[count++]);
	}
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < count; i++)
			stim_instance_fini(&v[i]);
		free(v);
		return stim_db_err(db, "list every instance", err);
	}
	*out = v;
	*n = count;
	return 0;
}
