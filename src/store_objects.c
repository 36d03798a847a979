/* SQL for objects and their custom metadata (see store_objects.h). */
#include "src/store_objects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define OBJECT_COLUMNS                                                                             \
	"bucket, name, generation, metageneration, live, size, blob_id, md5, crc32c, "             \
	"content_type, content_encoding, content_disposition, content_language, "                  \
	"cache_control, storage_class, create_time, update_time, noncurrent_time, "                \
	"component_count"

static void row_to_object(sqlite3_stmt *st, struct stim_object *o)
{
	memset(o, 0, sizeof(*o));
	o->bucket = stim_db_column_dup(st, 0);
	o->name = stim_db_column_dup(st, 1);
	o->generation = sqlite3_column_int64(st, 2);
	o->metageneration = sqlite3_column_int64(st, 3);
	o->live = sqlite3_column_int(st, 4) != 0;
	o->size = (uint64_t)sqlite3_column_int64(st, 5);
	snprintf(o->blob_id, sizeof(o->blob_id), "%s", (const char *)sqlite3_column_text(st, 6));
	if (sqlite3_column_bytes(st, 7) == 16) {
		memcpy(o->md5, sqlite3_column_blob(st, 7), 16);
		o->has_md5 = true;
	}
	o->crc32c = (uint32_t)sqlite3_column_int64(st, 8);
	o->content_type = stim_db_column_dup(st, 9);
	o->content_encoding = stim_db_column_dup(st, 10);
	o->content_disposition = stim_db_column_dup(st, 11);
	o->content_language = stim_db_column_dup(st, 12);
	o->cache_control = stim_db_column_dup(st, 13);
	o->storage_class = stim_db_column_dup(st, 14);
	o->create_time_ms = sqlite3_column_int64(st, 15);
	o->update_time_ms = sqlite3_column_int64(st, 16);
	o->noncurrent_time_ms = sqlite3_column_int64(st, 17);
	o->component_count = sqlite3_column_int(st, 18);
}

static int load_metadata(struct stim_db *db, struct stim_object *o, stim_error_t *err)
{
	static const char sql[] = "SELECT key, value FROM object_metadata "
				  "WHERE bucket = ? AND name = ? AND generation = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, o->bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, o->generation);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stim_labels_set(&o->metadata, (const char *)sqlite3_column_text(st, 0),
				(const char *)sqlite3_column_text(st, 1));
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "read object metadata", err);
	return 0;
}

int stim_store_object_get(struct stim_db *db, const char *bucket, const char *name,
			  int64_t generation, struct stim_object *out, stim_error_t *err)
{
	static const char live_sql[] = "SELECT " OBJECT_COLUMNS " FROM objects "
				       "WHERE bucket = ? AND name = ? AND live = 1";
	static const char gen_sql[] = "SELECT " OBJECT_COLUMNS " FROM objects "
				      "WHERE bucket = ? AND name = ? AND generation = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, generation ? gen_sql : live_sql, err);
	struct stim_object o;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (generation != 0)
		sqlite3_bind_int64(st, 3, generation);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "No such object: %s/%s", bucket, name);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read object", err);
	row_to_object(st, &o);
	sqlite3_reset(st);
	if (load_metadata(db, &o, err) < 0) {
		stim_object_fini(&o);
		return -1;
	}
	*out = o;
	return 0;
}

int stim_store_object_insert(struct stim_db *db, const struct stim_object *o, stim_error_t *err)
{
	static const char sql[] = "INSERT INTO objects (" OBJECT_COLUMNS ") VALUES "
				  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char meta_sql[] =
		"INSERT INTO object_metadata "
		"(bucket, name, generation, key, value) VALUES (?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	cleanup_reset sqlite3_stmt *ms = NULL;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, o->bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, o->generation);
	sqlite3_bind_int64(st, 4, o->metageneration);
	sqlite3_bind_int(st, 5, o->live ? 1 : 0);
	sqlite3_bind_int64(st, 6, (int64_t)o->size);
	sqlite3_bind_text(st, 7, o->blob_id, -1, SQLITE_STATIC);
	if (o->has_md5)
		sqlite3_bind_blob(st, 8, o->md5, 16, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, o->crc32c);
	stim_db_bind_text_opt(st, 10, o->content_type);
	stim_db_bind_text_opt(st, 11, o->content_encoding);
	stim_db_bind_text_opt(st, 12, o->content_disposition);
	stim_db_bind_text_opt(st, 13, o->content_language);
	stim_db_bind_text_opt(st, 14, o->cache_control);
	sqlite3_bind_text(st, 15, o->storage_class, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 16, o->create_time_ms);
	sqlite3_bind_int64(st, 17, o->update_time_ms);
	if (o->noncurrent_time_ms != 0)
		sqlite3_bind_int64(st, 18, o->noncurrent_time_ms);
	else
		sqlite3_bind_null(st, 18);
	sqlite3_bind_int(st, 19, o->component_count);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "insert object", err);
	if (o->metadata.n == 0)
		return 0;
	ms = stim_db_stmt(db, meta_sql, err);
	if (ms == NULL)
		return -1;
	for (size_t i = 0; i < o->metadata.n; i++) {
		sqlite3_reset(ms);
		sqlite3_bind_text(ms, 1, o->bucket, -1, SQLITE_STATIC);
		sqlite3_bind_text(ms, 2, o->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ms, 3, o->generation);
		sqlite3_bind_text(ms, 4, o->metadata.v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ms, 5, o->metadata.v[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(ms) != SQLITE_DONE)
			return stim_db_err(db, "insert object metadata", err);
	}
	return 0;
}

int stim_store_object_update_meta(struct stim_db *db, const struct stim_object *o,
				  stim_error_t *err)
{
	static const char sql[] =
		"UPDATE objects SET content_type = ?, content_encoding = ?, "
		"content_disposition = ?, content_language = ?, cache_control = ?, "
		"metageneration = ?, update_time = ? "
		"WHERE bucket = ? AND name = ? AND generation = ?";
	static const char del_sql[] = "DELETE FROM object_metadata "
				      "WHERE bucket = ? AND name = ? AND generation = ?";
	static const char ins_sql[] =
		"INSERT INTO object_metadata "
		"(bucket, name, generation, key, value) VALUES (?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	cleanup_reset sqlite3_stmt *del = NULL;
	cleanup_reset sqlite3_stmt *ins = NULL;

	if (st == NULL)
		return -1;
	stim_db_bind_text_opt(st, 1, o->content_type);
	stim_db_bind_text_opt(st, 2, o->content_encoding);
	stim_db_bind_text_opt(st, 3, o->content_disposition);
	stim_db_bind_text_opt(st, 4, o->content_language);
	stim_db_bind_text_opt(st, 5, o->cache_control);
	sqlite3_bind_int64(st, 6, o->metageneration);
	sqlite3_bind_int64(st, 7, o->update_time_ms);
	sqlite3_bind_text(st, 8, o->bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, o->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, o->generation);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "update object", err);
	del = stim_db_stmt(db, del_sql, err);
	if (del == NULL)
		return -1;
	sqlite3_bind_text(del, 1, o->bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(del, 2, o->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(del, 3, o->generation);
	if (sqlite3_step(del) != SQLITE_DONE)
		return stim_db_err(db, "clear object metadata", err);
	ins = stim_db_stmt(db, ins_sql, err);
	if (ins == NULL)
		return -1;
	for (size_t i = 0; i < o->metadata.n; i++) {
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, o->bucket, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, o->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, o->generation);
		sqlite3_bind_text(ins, 4, o->metadata.v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, o->metadata.v[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return stim_db_err(db, "write object metadata", err);
	}
	return 0;
}

int stim_store_object_retire(struct stim_db *db, const char *bucket, const char *name,
			     int64_t generation, int64_t when_ms, stim_error_t *err)
{
	static const char sql[] = "UPDATE objects SET live = 0, noncurrent_time = ? "
				  "WHERE bucket = ? AND name = ? AND generation = ? AND live = 1";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, when_ms);
	sqlite3_bind_text(st, 2, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, generation);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "retire object", err);
	return 0;
}

int stim_store_object_remove(struct stim_db *db, const char *bucket, const char *name,
			     int64_t generation, stim_error_t *err)
{
	static const char sql[] =
		"DELETE FROM objects WHERE bucket = ? AND name = ? AND generation = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, generation);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "remove object", err);
	return 0;
}

/* The custom metadata of every row in v (sorted by name, generation), in
 * one range query merged in order: a page of a thousand objects is one
 * statement, not a thousand. */
static int load_metadata_range(struct stim_db *db, struct stim_object *v, size_t n,
			       stim_error_t *err)
{
	static const char sql[] = "SELECT name, generation, key, value FROM object_metadata "
				  "WHERE bucket = ? AND name >= ? AND name <= ? "
				  "ORDER BY name, generation, key";
	cleanup_reset sqlite3_stmt *st = NULL;
	size_t i = 0;
	int rc;

	if (n == 0)
		return 0;
	st = stim_db_stmt(db, sql, err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, v[0].bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v[0].name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v[n - 1].name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int64_t gen = sqlite3_column_int64(st, 1);
		int c = 0;

		/* Advance to the row this metadata belongs to; metadata of
		 * generations not on the page (live-only lists) is skipped. */
		while (i < n) {
			c = strcmp(v[i].name, name);
			if (c > 0 || (c == 0 && v[i].generation >= gen))
				break;
			i++;
		}
		if (i == n)
			break;
		if (c == 0 && v[i].generation == gen)
			stim_labels_set(&v[i].metadata, (const char *)sqlite3_column_text(st, 2),
					(const char *)sqlite3_column_text(st, 3));
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return stim_db_err(db, "read object metadata", err);
	return 0;
}

int stim_store_object_scan(struct stim_db *db, const char *bucket, const char *from,
			   int64_t after_gen, const char *upto, bool versions, int limit,
			   struct stim_object **out, size_t *n, stim_error_t *err)
{
	/* Two statements, so each uses its index: objects_live for live
	 * objects, the primary key for all generations. */
	static const char live_sql[] = "SELECT " OBJECT_COLUMNS " FROM objects "
				       "WHERE bucket = ?1 AND live = 1 AND name >= ?2 "
				       "AND (name > ?2 OR generation > ?5) "
				       "AND (?3 IS NULL OR name < ?3) ORDER BY name LIMIT ?4";
	static const char all_sql[] = "SELECT " OBJECT_COLUMNS " FROM objects "
				      "WHERE bucket = ?1 AND name >= ?2 "
				      "AND (name > ?2 OR generation > ?5) "
				      "AND (?3 IS NULL OR name < ?3) "
				      "ORDER BY name, generation LIMIT ?4";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, versions ? all_sql : live_sql, err);
	struct stim_object *v = NULL;
	size_t count = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 3, upto);
	sqlite3_bind_int(st, 4, limit);
	sqlite3_bind_int64(st, 5, after_gen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (count + 1) * sizeof(*v));
		row_to_object(st, &v[count++]);
	}
	if (rc != SQLITE_DONE) {
		stim_db_err(db, "list objects", err);
		goto fail;
	}
	sqlite3_reset(st);
	if (load_metadata_range(db, v, count, err) < 0)
		goto fail;
	*out = v;
	*n = count;
	return 0;
fail:
	for (size_t i = 0; i < count; i++)
		stim_object_fini(&v[i]);
	free(v);
	return -1;
}

int stim_store_blob_in_use(struct stim_db *db, const char *blob_id, bool *in_use, stim_error_t *err)
{
	static const char sql[] = "SELECT 1 FROM objects WHERE blob_id = ? LIMIT 1";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, blob_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return stim_db_err(db, "look up blob", err);
	*in_use = rc == SQLITE_ROW;
	return 0;
}

int stim_store_object_newer_count(struct stim_db *db, const char *bucket, const char *name,
				  int64_t generation, int64_t *count, stim_error_t *err)
{
	static const char sql[] = "SELECT count(*) FROM objects "
				  "WHERE bucket = ? AND name = ? AND generation > ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, generation);
	if (sqlite3_step(st) != SQLITE_ROW)
		return stim_db_err(db, "count newer versions", err);
	*count = sqlite3_column_int64(st, 0);
	return 0;
}

int stim_store_object_set_class(struct stim_db *db, const char *bucket, const char *name,
				int64_t generation, const char *storage_class, int64_t when_ms,
				stim_error_t *err)
{
	static const char sql[] = "UPDATE objects SET storage_class = ?, update_time = ? "
				  "WHERE bucket = ? AND name = ? AND generation = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, storage_class, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when_ms);
	sqlite3_bind_text(st, 3, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, generation);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "set storage class", err);
	return 0;
}
