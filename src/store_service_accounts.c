/* SQL for IAM service accounts (see store_service_accounts.h). */
#include "src/store_service_accounts.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define COLUMNS                                                                                    \
	"unique_id, project, account_id, email, display_name, description, disabled, "             \
	"deleted_ms, create_ms, gen"

/* A live account has sa's email already. */
static int exists(const struct stim_service_account *sa, stim_error_t *err)
{
	return stim_err_reason(err, STIM_ALREADY_EXISTS, "alreadyExists",
			       "Service account %s already exists within project projects/%s.",
			       sa->account_id, sa->project);
}

int stim_store_sa_insert(struct stim_db *db, const struct stim_service_account *sa,
			 stim_error_t *err)
{
	static const char sql[] =
		"INSERT INTO service_accounts (" COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	stim_db_iam_changed(db);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sa->unique_id);
	sqlite3_bind_text(st, 2, sa->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sa->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sa->email, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 5, sa->display_name);
	stim_db_bind_text_opt(st, 6, sa->description);
	sqlite3_bind_int(st, 7, sa->disabled);
	sqlite3_bind_int64(st, 8, sa->deleted_ms);
	sqlite3_bind_int64(st, 9, sa->create_ms);
	sqlite3_bind_int64(st, 10, sa->gen);
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return exists(sa, err);
	return rc == SQLITE_DONE ? 0 : stim_db_err(db, "write a service account", err);
}

static void row(sqlite3_stmt *st, struct stim_service_account *sa)
{
	sa->unique_id = sqlite3_column_int64(st, 0);
	sa->project = stim_db_column_dup(st, 1);
	sa->account_id = stim_db_column_dup(st, 2);
	sa->email = stim_db_column_dup(st, 3);
	sa->display_name = stim_db_column_dup(st, 4);
	sa->description = stim_db_column_dup(st, 5);
	sa->disabled = sqlite3_column_int(st, 6) != 0;
	sa->deleted_ms = sqlite3_column_int64(st, 7);
	sa->create_ms = sqlite3_column_int64(st, 8);
	sa->gen = sqlite3_column_int64(st, 9);
}

int stim_store_sa_get(struct stim_db *db, const char *email, int64_t unique_id, bool deleted,
		      struct stim_service_account *out, stim_error_t *err)
{
	/* The newest first: an email may have a deleted account and a live
	 * one of the same name. */
	static const char sql[] = "SELECT " COLUMNS " FROM service_accounts WHERE (email = ?1 OR "
				  "unique_id = ?2) AND (deleted_ms = 0) != ?3 "
				  "ORDER BY deleted_ms DESC LIMIT 1";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	stim_db_bind_text_opt(st, 1, email);
	sqlite3_bind_int64(st, 2, unique_id);
	sqlite3_bind_int(st, 3, deleted);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound", "Unknown service account");
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read a service account", err);
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
	stim_sa_fini(elem);
}

int stim_store_sa_list(struct stim_db *db, const char *project, const char *after, int limit,
		       struct stim_service_account **out, size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT " COLUMNS " FROM service_accounts WHERE project = ? AND "
				  "deleted_ms = 0 AND email > ? ORDER BY email LIMIT ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	return stim_db_rows(db, st, sizeof(**out), list_row, NULL, list_fini,
			    "list service accounts", (void **)out, n, err);
}

int stim_store_sa_update(struct stim_db *db, const struct stim_service_account *sa,
			 stim_error_t *err)
{
	static const char sql[] = "UPDATE service_accounts SET display_name = ?, description = ?, "
				  "disabled = ?, deleted_ms = ?, gen = gen + 1 WHERE unique_id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	stim_db_iam_changed(db);
	if (st == NULL)
		return -1;
	stim_db_bind_text_opt(st, 1, sa->display_name);
	stim_db_bind_text_opt(st, 2, sa->description);
	sqlite3_bind_int(st, 3, sa->disabled);
	sqlite3_bind_int64(st, 4, sa->deleted_ms);
	sqlite3_bind_int64(st, 5, sa->unique_id);
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return exists(sa, err);
	return rc == SQLITE_DONE ? 0 : stim_db_err(db, "write a service account", err);
}
