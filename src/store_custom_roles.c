/* SQL for custom roles (see store_custom_roles.h). */
#include "src/store_custom_roles.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define COLUMNS "project, role_id, title, description, stage, deleted_ms, gen"

static int write_permissions(struct stim_db *db, const struct stim_custom_role *r,
			     stim_error_t *err)
{
	static const char del_sql[] = "DELETE FROM custom_role_permissions WHERE project = ? AND "
				      "role_id = ?";
	static const char put_sql[] = "INSERT OR IGNORE INTO custom_role_permissions "
				      "(project, role_id, permission) VALUES (?, ?, ?)";
	cleanup_reset sqlite3_stmt *del = stim_db_stmt(db, del_sql, err);
	cleanup_reset sqlite3_stmt *put = NULL;

	if (del == NULL)
		return -1;
	sqlite3_bind_text(del, 1, r->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(del, 2, r->role_id, -1, SQLITE_STATIC);
	if (sqlite3_step(del) != SQLITE_DONE)
		return stim_db_err(db, "clear a role's permissions", err);
	put = stim_db_stmt(db, put_sql, err);
	if (put == NULL)
		return -1;
	for (size_t i = 0; i < r->permissions.n; i++) {
		sqlite3_reset(put);
		sqlite3_bind_text(put, 1, r->project, -1, SQLITE_STATIC);
		sqlite3_bind_text(put, 2, r->role_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(put, 3, r->permissions.v[i], -1, SQLITE_STATIC);
		if (sqlite3_step(put) != SQLITE_DONE)
			return stim_db_err(db, "write a role's permission", err);
	}
	return 0;
}

static void bind_role(sqlite3_stmt *st, const struct stim_custom_role *r)
{
	sqlite3_bind_text(st, 1, r->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->role_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->title, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 4, r->description);
	sqlite3_bind_text(st, 5, r->stage, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r->deleted_ms);
	sqlite3_bind_int64(st, 7, r->gen);
}

int stim_store_custom_role_insert(struct stim_db *db, const struct stim_custom_role *r,
				  stim_error_t *err)
{
	static const char sql[] =
		"INSERT INTO custom_roles (" COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	stim_db_iam_changed(db);
	if (st == NULL)
		return -1;
	bind_role(st, r);
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return stim_err_reason(err, STIM_ALREADY_EXISTS, "alreadyExists",
				       "A role named %s in projects/%s already exists.", r->role_id,
				       r->project);
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "write a role", err);
	return write_permissions(db, r, err);
}

static int load_permissions(struct stim_db *db, struct stim_custom_role *r, stim_error_t *err)
{
	static const char sql[] = "SELECT permission FROM custom_role_permissions WHERE "
				  "project = ? AND role_id = ? ORDER BY permission";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, r->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->role_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stim_strv_push(&r->permissions, (const char *)sqlite3_column_text(st, 0));
	return rc == SQLITE_DONE ? 0 : stim_db_err(db, "read a role's permissions", err);
}

static void row(sqlite3_stmt *st, struct stim_custom_role *r)
{
	memset(r, 0, sizeof(*r));
	r->project = stim_db_column_dup(st, 0);
	r->role_id = stim_db_column_dup(st, 1);
	r->title = stim_db_column_dup(st, 2);
	r->description = stim_db_column_dup(st, 3);
	r->stage = stim_db_column_dup(st, 4);
	r->deleted_ms = sqlite3_column_int64(st, 5);
	r->gen = sqlite3_column_int64(st, 6);
}

int stim_store_custom_role_get(struct stim_db *db, const char *project, const char *role_id,
			       struct stim_custom_role *out, stim_error_t *err)
{
	static const char sql[] =
		"SELECT " COLUMNS " FROM custom_roles WHERE project = ? AND role_id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The role named projects/%s/roles/%s was not found.",
				       project, role_id);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read a role", err);
	row(st, out);
	if (load_permissions(db, out, err) < 0) {
		stim_custom_role_fini(out);
		return -1;
	}
	return 0;
}

static int list_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	row(st, elem);
	return 0;
}

static void list_fini(void *elem)
{
	stim_custom_role_fini(elem);
}

int stim_store_custom_role_list(struct stim_db *db, const char *project, bool show_deleted,
				const char *after, int limit, struct stim_custom_role **out,
				size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT " COLUMNS " FROM custom_roles WHERE project = ? AND "
				  "role_id > ? AND (? OR deleted_ms = 0) ORDER BY role_id LIMIT ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, show_deleted);
	sqlite3_bind_int(st, 4, limit);
	if (stim_db_rows(db, st, sizeof(**out), list_row, NULL, list_fini, "list roles",
			 (void **)out, n, err) < 0)
		return -1;
	sqlite3_reset(st);
	for (size_t i = 0; i < *n; i++) {
		if (load_permissions(db, &(*out)[i], err) < 0) {
			stim_custom_roles_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

int stim_store_custom_role_update(struct stim_db *db, const struct stim_custom_role *r,
				  stim_error_t *err)
{
	static const char sql[] = "UPDATE custom_roles SET title = ?3, description = ?4, "
				  "stage = ?5, deleted_ms = ?6, gen = ?7 "
				  "WHERE project = ?1 AND role_id = ?2";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	stim_db_iam_changed(db);
	if (st == NULL)
		return -1;
	bind_role(st, r);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "write a role", err);
	return write_permissions(db, r, err);
}
