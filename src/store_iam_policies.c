/* SQL for IAM policies (see store_iam_policies.h). */
#include "src/store_iam_policies.h"

#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

static int load_members(struct stim_db *db, const char *resource, struct stim_iam_policy *p,
			stim_error_t *err)
{
	static const char sql[] = "SELECT position, member FROM iam_members "
				  "WHERE resource = ? ORDER BY position, member";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, resource, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pos = sqlite3_column_int64(st, 0);

		if (pos < 0 || (size_t)pos >= p->n)
			return stim_err(err, STIM_INTERNAL, "%s: a stray IAM member row", resource);
		stim_strv_push(&p->bindings[pos].members, (const char *)sqlite3_column_text(st, 1));
	}
	return rc == SQLITE_DONE ? 0 : stim_db_err(db, "read IAM members", err);
}

static int load_bindings(struct stim_db *db, const char *resource, struct stim_iam_policy *p,
			 stim_error_t *err)
{
	static const char sql[] = "SELECT role, condition_title, condition_description, "
				  "condition_expression FROM iam_bindings "
				  "WHERE resource = ? ORDER BY position";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, resource, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct stim_iam_binding *b =
			stim_iam_policy_add(p, (const char *)sqlite3_column_text(st, 0));

		b->cond_title = stim_db_column_dup(st, 1);
		b->cond_description = stim_db_column_dup(st, 2);
		b->cond_expression = stim_db_column_dup(st, 3);
	}
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "read IAM bindings", err);
	return load_members(db, resource, p, err);
}

int stim_store_iam_policy_get(struct stim_db *db, const char *resource, struct stim_iam_policy *out,
			      int64_t *gen, stim_error_t *err)
{
	static const char sql[] = "SELECT version, gen FROM iam_policies WHERE resource = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	struct stim_iam_policy p = { .version = 1 };
	int rc;

	memset(out, 0, sizeof(*out));
	*gen = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, resource, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		*out = p;
		return 0;
	}
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read an IAM policy", err);
	p.version = sqlite3_column_int(st, 0);
	*gen = sqlite3_column_int64(st, 1);
	if (load_bindings(db, resource, &p, err) < 0) {
		stim_iam_policy_fini(&p);
		return -1;
	}
	*out = p;
	return 0;
}

static int write_binding(struct stim_db *db, const char *resource, int64_t pos,
			 const struct stim_iam_binding *b, stim_error_t *err)
{
	static const char bind_sql[] =
		"INSERT INTO iam_bindings (resource, position, role, condition_title, "
		"condition_description, condition_expression) VALUES (?, ?, ?, ?, ?, ?)";
	static const char member_sql[] = "INSERT OR IGNORE INTO iam_members "
					 "(resource, position, member) VALUES (?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, bind_sql, err);
	cleanup_reset sqlite3_stmt *mst = NULL;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, resource, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pos);
	sqlite3_bind_text(st, 3, b->role, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 4, b->cond_title);
	stim_db_bind_text_opt(st, 5, b->cond_description);
	stim_db_bind_text_opt(st, 6, b->cond_expression);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "write an IAM binding", err);
	mst = stim_db_stmt(db, member_sql, err);
	if (mst == NULL)
		return -1;
	for (size_t i = 0; i < b->members.n; i++) {
		sqlite3_reset(mst);
		sqlite3_bind_text(mst, 1, resource, -1, SQLITE_STATIC);
		sqlite3_bind_int64(mst, 2, pos);
		sqlite3_bind_text(mst, 3, b->members.v[i], -1, SQLITE_STATIC);
		if (sqlite3_step(mst) != SQLITE_DONE)
			return stim_db_err(db, "write an IAM member", err);
	}
	return 0;
}

int stim_store_iam_policy_put(struct stim_db *db, const char *resource,
			      const struct stim_iam_policy *p, int64_t gen, stim_error_t *err)
{
	/* The old bindings and members go with the old row (ON DELETE
	 * CASCADE). */
	static const char del_sql[] = "DELETE FROM iam_policies WHERE resource = ?";
	static const char put_sql[] = "INSERT INTO iam_policies (resource, version, gen) "
				      "VALUES (?, ?, ?)";
	cleanup_reset sqlite3_stmt *del = stim_db_stmt(db, del_sql, err);
	cleanup_reset sqlite3_stmt *put = NULL;

	stim_db_iam_changed(db);
	if (del == NULL)
		return -1;
	sqlite3_bind_text(del, 1, resource, -1, SQLITE_STATIC);
	if (sqlite3_step(del) != SQLITE_DONE)
		return stim_db_err(db, "clear an IAM policy", err);
	put = stim_db_stmt(db, put_sql, err);
	if (put == NULL)
		return -1;
	sqlite3_bind_text(put, 1, resource, -1, SQLITE_STATIC);
	sqlite3_bind_int(put, 2, p->version);
	sqlite3_bind_int64(put, 3, gen);
	if (sqlite3_step(put) != SQLITE_DONE)
		return stim_db_err(db, "write an IAM policy", err);
	for (size_t i = 0; i < p->n; i++) {
		if (write_binding(db, resource, (int64_t)i, &p->bindings[i], err) < 0)
			return -1;
	}
	return 0;
}

int stim_store_iam_bucket_project(struct stim_db *db, const char *bucket, char **project,
				  stim_error_t *err)
{
	static const char sql[] = "SELECT p.project_id FROM buckets b JOIN projects p "
				  "ON p.project_number = b.project_number WHERE b.name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	*project = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "bucket %s", bucket);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read a bucket's project", err);
	*project = stim_db_column_dup(st, 0);
	return 0;
}
