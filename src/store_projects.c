/* SQL for projects and their labels (see store_projects.h). */
#include "src/store_projects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define PROJECT_COLUMNS                                                                            \
	"project_id, project_number, name, lifecycle_state, parent_type, parent_id, "              \
	"create_time"

/* The same columns qualified for the labels join, then the label pair. */
#define PROJECT_COLUMNS_JOINED                                                                     \
	"project_id, p.project_number, p.name, p.lifecycle_state, p.parent_type, "                 \
	"p.parent_id, p.create_time, l.key, l.value"
#define LABEL_KEY_COLUMN 7

static const char *const state_names[] = {
	[STIM_PROJECT_ACTIVE] = "ACTIVE",
	[STIM_PROJECT_DELETE_REQUESTED] = "DELETE_REQUESTED",
};

static void row_to_project(sqlite3_stmt *st, struct stim_project *p)
{
	const char *state = (const char *)sqlite3_column_text(st, 3);

	memset(p, 0, sizeof(*p));
	p->project_id = stim_db_column_dup(st, 0);
	p->number = sqlite3_column_int64(st, 1);
	p->name = stim_db_column_dup(st, 2);
	p->state =
		strcmp(state, "ACTIVE") == 0 ? STIM_PROJECT_ACTIVE : STIM_PROJECT_DELETE_REQUESTED;
	p->parent_type = stim_db_column_dup(st, 4);
	p->parent_id = stim_db_column_dup(st, 5);
	p->create_time_ms = sqlite3_column_int64(st, 6);
}

static int load_labels(struct stim_db *db, struct stim_project *p, stim_error_t *err)
{
	static const char sql[] = "SELECT key, value FROM project_labels WHERE project_id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, p->project_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stim_labels_set(&p->labels, (const char *)sqlite3_column_text(st, 0),
				(const char *)sqlite3_column_text(st, 1));
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "read project labels", err);
	return 0;
}

/* Reads a project joined with its labels: one row per label (or one row
 * with NULL label columns). One statement means one WAL read lock, which
 * is a pair of fcntl() calls; the GET path is hot (tests/bench/http). */
static int get_one(struct stim_db *db, sqlite3_stmt *st, const char *what, struct stim_project *out,
		   stim_error_t *err)
{
	struct stim_project p;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "project %s", what);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read project", err);
	row_to_project(st, &p);
	do {
		if (sqlite3_column_type(st, LABEL_KEY_COLUMN) != SQLITE_NULL)
			stim_labels_set(
				&p.labels, (const char *)sqlite3_column_text(st, LABEL_KEY_COLUMN),
				(const char *)sqlite3_column_text(st, LABEL_KEY_COLUMN + 1));
		rc = sqlite3_step(st);
	} while (rc == SQLITE_ROW);
	if (rc != SQLITE_DONE) {
		stim_project_fini(&p);
		return stim_db_err(db, "read project labels", err);
	}
	*out = p;
	return 0;
}

int stim_store_project_get(struct stim_db *db, const char *project_id, struct stim_project *out,
			   stim_error_t *err)
{
	static const char sql[] = "SELECT " PROJECT_COLUMNS_JOINED " FROM projects p "
				  "LEFT JOIN project_labels l USING (project_id) "
				  "WHERE p.project_id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
	return get_one(db, st, project_id, out, err);
}

int stim_store_project_get_by_number(struct stim_db *db, int64_t number, struct stim_project *out,
				     stim_error_t *err)
{
	static const char sql[] = "SELECT " PROJECT_COLUMNS_JOINED " FROM projects p "
				  "LEFT JOIN project_labels l USING (project_id) "
				  "WHERE p.project_number = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	char what[32];

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, number);
	snprintf(what, sizeof(what), "%lld", (long long)number);
	return get_one(db, st, what, out, err);
}

static int write_labels(struct stim_db *db, const struct stim_project *p, stim_error_t *err)
{
	static const char del_sql[] = "DELETE FROM project_labels WHERE project_id = ?";
	static const char ins_sql[] =
		"INSERT INTO project_labels (project_id, key, value) VALUES (?, ?, ?)";
	cleanup_reset sqlite3_stmt *del = stim_db_stmt(db, del_sql, err);
	cleanup_reset sqlite3_stmt *ins = NULL;

	if (del == NULL)
		return -1;
	sqlite3_bind_text(del, 1, p->project_id, -1, SQLITE_STATIC);
	if (sqlite3_step(del) != SQLITE_DONE)
		return stim_db_err(db, "clear project labels", err);
	ins = stim_db_stmt(db, ins_sql, err);
	if (ins == NULL)
		return -1;
	for (size_t i = 0; i < p->labels.n; i++) {
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, p->project_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, p->labels.v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, p->labels.v[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return stim_db_err(db, "write project label", err);
	}
	return 0;
}

int stim_store_project_insert(struct stim_db *db, const struct stim_project *p, stim_error_t *err)
{
	static const char sql[] =
		"INSERT INTO projects (" PROJECT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, p->project_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, p->number);
	sqlite3_bind_text(st, 3, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, state_names[p->state], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->parent_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, p->parent_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, p->create_time_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "insert project", err);
	return write_labels(db, p, err);
}

int stim_store_project_update(struct stim_db *db, const struct stim_project *p, stim_error_t *err)
{
	static const char sql[] = "UPDATE projects SET name = ?, lifecycle_state = ?, "
				  "parent_type = ?, parent_id = ?, delete_time = ? "
				  "WHERE project_id = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state_names[p->state], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->parent_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->parent_id, -1, SQLITE_STATIC);
	if (p->state == STIM_PROJECT_DELETE_REQUESTED)
		sqlite3_bind_int64(st, 5, stim_now_ms());
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, p->project_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "update project", err);
	if (sqlite3_changes(stim_db_handle(db)) != 1)
		return stim_err(err, STIM_NOT_FOUND, "project %s", p->project_id);
	return write_labels(db, p, err);
}

int stim_store_project_scan(struct stim_db *db, const char *after, int state, int limit,
			    struct stim_project **items, size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT " PROJECT_COLUMNS " FROM projects "
				  "WHERE project_id > ?1 AND (?2 IS NULL OR lifecycle_state = ?2) "
				  "ORDER BY project_id LIMIT ?3";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	struct stim_project *v = NULL;
	size_t count = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, after != NULL ? after : "", -1, SQLITE_STATIC);
	if (state >= 0)
		sqlite3_bind_text(st, 2, state_names[state], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (count + 1) * sizeof(*v));
		row_to_project(st, &v[count]);
		count++;
	}
	if (rc != SQLITE_DONE) {
		stim_db_err(db, "list projects", err);
		goto fail;
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < count; i++) {
		if (load_labels(db, &v[i], err) < 0)
			goto fail;
	}
	*items = v;
	*n = count;
	return 0;
fail:
	for (size_t i = 0; i < count; i++)
		stim_project_fini(&v[i]);
	free(v);
	return -1;
}
