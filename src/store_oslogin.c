/* SQL for OS Login's ssh keys (see store_oslogin.h). */
#include "src/store_oslogin.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

void stim_oslogin_key_fini(struct stim_oslogin_key *k)
{
	free(k->user);
	free(k->fingerprint);
	free(k->key);
	memset(k, 0, sizeof(*k));
}

int stim_store_oslogin_key_put(struct stim_db *db, const struct stim_oslogin_key *k,
			       stim_error_t *err)
{
	static const char sql[] =
		"INSERT INTO oslogin_keys (user, fingerprint, key, expire_usec) VALUES (?, ?, ?, "
		"?) "
		"ON CONFLICT (user, fingerprint) DO UPDATE SET expire_usec = excluded.expire_usec";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, k->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, k->expire_usec);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : stim_db_err(db, "write an OS Login key", err);
}

static int key_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	struct stim_oslogin_key *k = elem;

	k->user = stim_db_column_dup(st, 0);
	k->fingerprint = stim_db_column_dup(st, 1);
	k->key = stim_db_column_dup(st, 2);
	k->expire_usec = sqlite3_column_int64(st, 3);
	return 0;
}

static void key_fini(void *elem)
{
	stim_oslogin_key_fini(elem);
}

int stim_store_oslogin_keys(struct stim_db *db, const char *user, struct stim_oslogin_key **out,
			    size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT user, fingerprint, key, expire_usec FROM oslogin_keys "
				  "WHERE ?1 IS NULL OR user = ?1 ORDER BY user, fingerprint";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	if (user != NULL)
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	return stim_db_rows(db, st, sizeof(**out), key_row, NULL, key_fini, "list OS Login keys",
			    (void **)out, n, err);
}

int stim_store_oslogin_key_delete(struct stim_db *db, const char *user, const char *fingerprint,
				  stim_error_t *err)
{
	static const char sql[] = "DELETE FROM oslogin_keys WHERE user = ? AND fingerprint = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fingerprint, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "delete an OS Login key", err);
	if (sqlite3_changes(stim_db_handle(db)) == 0)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "Requested entity was not found.");
	return 0;
}
