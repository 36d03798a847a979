/* SQL for service account keys (see store_sa_keys.h). */
#include "src/store_sa_keys.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define COLUMNS "key_id, sa_unique_id, cert_pem, valid_after_ms, valid_before_ms, disabled"

int stim_store_sa_key_insert(struct stim_db *db, const struct stim_sa_key *k, stim_error_t *err)
{
	static const char sql[] = "INSERT INTO sa_keys (" COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	stim_db_iam_changed(db);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, k->sa_unique_id);
	sqlite3_bind_text(st, 3, k->cert_pem, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, k->valid_after_ms);
	sqlite3_bind_int64(st, 5, k->valid_before_ms);
	sqlite3_bind_int(st, 6, k->disabled);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : stim_db_err(db, "write a key", err);
}

static void row(sqlite3_stmt *st, struct stim_sa_key *k)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);

	snprintf(k->id, sizeof(k->id), "%s", id != NULL ? id : "");
	k->sa_unique_id = sqlite3_column_int64(st, 1);
	k->cert_pem = stim_db_column_dup(st, 2);
	k->valid_after_ms = sqlite3_column_int64(st, 3);
	k->valid_before_ms = sqlite3_column_int64(st, 4);
	k->disabled = sqlite3_column_int(st, 5) != 0;
}

int stim_store_sa_key_get(struct stim_db *db, int64_t sa_unique_id, const char *key_id,
			  struct stim_sa_key *out, stim_error_t *err)
{
	static const char sql[] = "SELECT " COLUMNS " FROM sa_keys WHERE key_id = ?1 AND "
				  "(?2 = 0 OR sa_unique_id = ?2)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sa_unique_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "Service account key %s does not exist.", key_id);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read a key", err);
	row(st, out);
	return 0;
}

static int list_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	row(st, elem);
	return 0;
}

static void list_fini(void *elem)
{
	stim_sa_key_fini(elem);
}

int stim_store_sa_key_list(struct stim_db *db, int64_t sa_unique_id, struct stim_sa_key **out,
			   size_t *n, stim_error_t *err)
{
	static const char sql[] =
		"SELECT " COLUMNS " FROM sa_keys WHERE sa_unique_id = ? ORDER BY key_id";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sa_unique_id);
	return stim_db_rows(db, st, sizeof(**out), list_row, NULL, list_fini, "list keys",
			    (void **)out, n, err);
}

int stim_store_sa_key_set_disabled(struct stim_db *db, const char *key_id, bool disabled,
				   stim_error_t *err)
{
	static const char sql[] = "UPDATE sa_keys SET disabled = ? WHERE key_id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	stim_db_iam_changed(db);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, disabled);
	sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : stim_db_err(db, "write a key", err);
}

int stim_store_sa_key_delete(struct stim_db *db, const char *key_id, stim_error_t *err)
{
	static const char sql[] = "DELETE FROM sa_keys WHERE key_id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	stim_db_iam_changed(db);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : stim_db_err(db, "delete a key", err);
}
