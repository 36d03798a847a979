/* SQL for project_services (see store_services.h). */
#include "src/store_services.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

int stim_store_service_set(struct stim_db *db, const char *project_id, const char *service,
			   bool enabled, stim_error_t *err)
{
	static const char sql[] = "INSERT INTO project_services (project_id, service, state) "
				  "VALUES (?1, ?2, ?3) ON CONFLICT (project_id, service) "
				  "DO UPDATE SET state = ?3";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, enabled ? "ENABLED" : "DISABLED", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "write service state", err);
	return 0;
}

int stim_store_service_get(struct stim_db *db, const char *project_id, const char *service,
			   bool *enabled, stim_error_t *err)
{
	static const char sql[] = "SELECT state FROM project_services "
				  "WHERE project_id = ? AND service = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*enabled = strcmp((const char *)sqlite3_column_text(st, 0), "ENABLED") == 0;
	else if (rc == SQLITE_DONE)
		*enabled = false;
	else
		return stim_db_err(db, "read service state", err);
	return 0;
}

int stim_store_services_enabled(struct stim_db *db, const char *project_id,
				struct stim_service **out, size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT service FROM project_services "
				  "WHERE project_id = ? AND state = 'ENABLED' ORDER BY service";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	struct stim_service *v = NULL;
	size_t count = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (count + 1) * sizeof(*v));
		v[count].name = xstrdup((const char *)sqlite3_column_text(st, 0));
		v[count].enabled = true;
		count++;
	}
	if (rc != SQLITE_DONE) {
		stim_services_free(v, count);
		return stim_db_err(db, "list services", err);
	}
	*out = v;
	*n = count;
	return 0;
}
