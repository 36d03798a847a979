/* SQL for a project's Compute metadata (see store_compute_projects.h). */
#include "src/store_compute_projects.h"

#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

static int put_fingerprint(struct stim_db *db, const char *project, const unsigned char *fp,
			   stim_error_t *err)
{
	static const char sql[] = "INSERT INTO compute_projects (project, metadata_fingerprint) "
				  "VALUES (?, ?) ON CONFLICT (project) DO UPDATE SET "
				  "metadata_fingerprint = excluded.metadata_fingerprint";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, fp, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "write metadata fingerprint", err);
	return 0;
}

int stim_store_compute_metadata_get(struct stim_db *db, const char *project,
				    struct stim_compute_metadata *out, stim_error_t *err)
{
	static const char fp_sql[] =
		"SELECT metadata_fingerprint FROM compute_projects WHERE project = ?";
	static const char items_sql[] =
		"SELECT key, value FROM compute_project_metadata WHERE project = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, fp_sql, err);
	cleanup_reset sqlite3_stmt *items = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == STIM_FINGERPRINT_LEN) {
		memcpy(out->fingerprint, sqlite3_column_blob(st, 0), STIM_FINGERPRINT_LEN);
	} else if (rc == SQLITE_DONE) {
		stim_random_bytes(out->fingerprint, sizeof(out->fingerprint));
		sqlite3_reset(st);
		return put_fingerprint(db, project, out->fingerprint, err);
	} else {
		return stim_db_err(db, "read metadata fingerprint", err);
	}
	items = stim_db_stmt(db, items_sql, err);
	if (items == NULL)
		return -1;
	sqlite3_bind_text(items, 1, project, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(items)) == SQLITE_ROW)
		stim_labels_set(&out->items, (const char *)sqlite3_column_text(items, 0),
				(const char *)sqlite3_column_text(items, 1));
	if (rc != SQLITE_DONE) {
		stim_compute_metadata_fini(out);
		return stim_db_err(db, "read project metadata", err);
	}
	return 0;
}

int stim_store_compute_metadata_put(struct stim_db *db, const char *project,
				    const struct stim_compute_metadata *m, stim_error_t *err)
{
	static const char del_sql[] = "DELETE FROM compute_project_metadata WHERE project = ?";
	static const char ins_sql[] =
		"INSERT INTO compute_project_metadata (project, key, value) VALUES (?, ?, ?)";
	cleanup_reset sqlite3_stmt *del = stim_db_stmt(db, del_sql, err);
	cleanup_reset sqlite3_stmt *ins = NULL;

	if (del == NULL || put_fingerprint(db, project, m->fingerprint, err) < 0)
		return -1;
	sqlite3_bind_text(del, 1, project, -1, SQLITE_STATIC);
	if (sqlite3_step(del) != SQLITE_DONE)
		return stim_db_err(db, "clear project metadata", err);
	ins = stim_db_stmt(db, ins_sql, err);
	if (ins == NULL)
		return -1;
	for (size_t i = 0; i < m->items.n; i++) {
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, project, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, m->items.v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, m->items.v[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return stim_db_err(db, "write project metadata", err);
	}
	return 0;
}
