/* SQL for upload_sessions (see store_upload_sessions.h). */
#include "src/store_upload_sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define SESSION_COLUMNS                                                                            \
	"id, bucket, name, content_type, content_encoding, content_disposition, "                  \
	"content_language, cache_control, storage_class, md5, crc32c, if_generation_match, "       \
	"if_generation_not_match, if_metageneration_match, if_metageneration_not_match, "          \
	"total, received, create_time"

static void bind_opt_int(sqlite3_stmt *st, int col, bool has, int64_t v)
{
	if (has)
		sqlite3_bind_int64(st, col, v);
	else
		sqlite3_bind_null(st, col);
}

int stim_store_session_insert(struct stim_db *db, const struct stim_upload_session *s,
			      stim_error_t *err)
{
	static const char sql[] = "INSERT INTO upload_sessions (" SESSION_COLUMNS ") VALUES "
				  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char meta_sql[] =
		"INSERT INTO upload_session_metadata (id, key, value) VALUES (?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	cleanup_reset sqlite3_stmt *ms = NULL;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 4, s->content_type);
	stim_db_bind_text_opt(st, 5, s->content_encoding);
	stim_db_bind_text_opt(st, 6, s->content_disposition);
	stim_db_bind_text_opt(st, 7, s->content_language);
	stim_db_bind_text_opt(st, 8, s->cache_control);
	stim_db_bind_text_opt(st, 9, s->storage_class);
	if (s->has_md5)
		sqlite3_bind_blob(st, 10, s->md5, 16, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 10);
	bind_opt_int(st, 11, s->has_crc32c, s->crc32c);
	bind_opt_int(st, 12, s->cond.has_gen_match, s->cond.gen_match);
	bind_opt_int(st, 13, s->cond.has_gen_not_match, s->cond.gen_not_match);
	bind_opt_int(st, 14, s->cond.has_meta_match, s->cond.meta_match);
	bind_opt_int(st, 15, s->cond.has_meta_not_match, s->cond.meta_not_match);
	bind_opt_int(st, 16, s->has_total, (int64_t)s->total);
	sqlite3_bind_int64(st, 17, (int64_t)s->received);
	sqlite3_bind_int64(st, 18, stim_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "insert upload session", err);
	if (s->metadata.n == 0)
		return 0;
	ms = stim_db_stmt(db, meta_sql, err);
	if (ms == NULL)
		return -1;
	for (size_t i = 0; i < s->metadata.n; i++) {
		sqlite3_reset(ms);
		sqlite3_bind_text(ms, 1, s->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ms, 2, s->metadata.v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ms, 3, s->metadata.v[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(ms) != SQLITE_DONE)
			return stim_db_err(db, "insert upload session metadata", err);
	}
	return 0;
}

static bool opt_int(sqlite3_stmt *st, int col, int64_t *out)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return false;
	*out = sqlite3_column_int64(st, col);
	return true;
}

int stim_store_session_get(struct stim_db *db, const char *id, struct stim_upload_session *out,
			   stim_error_t *err)
{
	static const char sql[] = "SELECT " SESSION_COLUMNS " FROM upload_sessions WHERE id = ?";
	static const char meta_sql[] =
		"SELECT key, value FROM upload_session_metadata WHERE id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	cleanup_reset sqlite3_stmt *ms = NULL;
	struct stim_upload_session s = { 0 };
	int64_t v = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "No such upload session: %s", id);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read upload session", err);
	snprintf(s.id, sizeof(s.id), "%s", (const char *)sqlite3_column_text(st, 0));
	s.bucket = stim_db_column_dup(st, 1);
	s.name = stim_db_column_dup(st, 2);
	s.content_type = stim_db_column_dup(st, 3);
	s.content_encoding = stim_db_column_dup(st, 4);
	s.content_disposition = stim_db_column_dup(st, 5);
	s.content_language = stim_db_column_dup(st, 6);
	s.cache_control = stim_db_column_dup(st, 7);
	s.storage_class = stim_db_column_dup(st, 8);
	if (sqlite3_column_bytes(st, 9) == 16) {
		memcpy(s.md5, sqlite3_column_blob(st, 9), 16);
		s.has_md5 = true;
	}
	s.has_crc32c = opt_int(st, 10, &v);
	s.crc32c = (uint32_t)v;
	s.cond.has_gen_match = opt_int(st, 11, &s.cond.gen_match);
	s.cond.has_gen_not_match = opt_int(st, 12, &s.cond.gen_not_match);
	s.cond.has_meta_match = opt_int(st, 13, &s.cond.meta_match);
	s.cond.has_meta_not_match = opt_int(st, 14, &s.cond.meta_not_match);
	s.has_total = opt_int(st, 15, &v);
	s.total = (uint64_t)v;
	s.received = (uint64_t)sqlite3_column_int64(st, 16);
	s.create_time_ms = sqlite3_column_int64(st, 17);
	sqlite3_reset(st);

	ms = stim_db_stmt(db, meta_sql, err);
	if (ms == NULL) {
		stim_session_fini(&s);
		return -1;
	}
	sqlite3_bind_text(ms, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(ms)) == SQLITE_ROW) {
		s.has_metadata = true;
		stim_labels_set(&s.metadata, (const char *)sqlite3_column_text(ms, 0),
				(const char *)sqlite3_column_text(ms, 1));
	}
	if (rc != SQLITE_DONE) {
		stim_session_fini(&s);
		return stim_db_err(db, "read upload session metadata", err);
	}
	*out = s;
	return 0;
}

int stim_store_session_progress(struct stim_db *db, const struct stim_upload_session *s,
				stim_error_t *err)
{
	static const char sql[] = "UPDATE upload_sessions SET received = ?, total = ? WHERE id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)s->received);
	bind_opt_int(st, 2, s->has_total, (int64_t)s->total);
	sqlite3_bind_text(st, 3, s->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "record upload progress", err);
	return 0;
}

int stim_store_session_remove(struct stim_db *db, const char *id, stim_error_t *err)
{
	static const char sql[] = "DELETE FROM upload_sessions WHERE id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "remove upload session", err);
	return 0;
}

int stim_store_sessions_before(struct stim_db *db, int64_t before_ms, struct stim_strv *ids,
			       stim_error_t *err)
{
	static const char sql[] = "SELECT id FROM upload_sessions WHERE create_time < ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stim_strv_push(ids, (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "list old upload sessions", err);
	return 0;
}

int stim_store_session_exists(struct stim_db *db, const char *id, bool *exists, stim_error_t *err)
{
	static const char sql[] = "SELECT 1 FROM upload_sessions WHERE id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return stim_db_err(db, "look up an upload session", err);
	*exists = rc == SQLITE_ROW;
	return 0;
}
