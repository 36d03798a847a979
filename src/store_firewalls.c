/* SQL for firewall rules (see store_firewalls.h). */
#include "src/store_firewalls.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/json.h"
#include "src/util.h"

#define COLUMNS "project, name, id, network, rule, create_time"

int stim_store_firewall_put(struct stim_db *db, const struct stim_firewall *fw, bool update,
			    stim_error_t *err)
{
	static const char insert_sql[] =
		"INSERT INTO firewalls (" COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)";
	static const char update_sql[] =
		"UPDATE firewalls SET rule = ?5 WHERE project = ?1 AND name = ?2";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, update ? update_sql : insert_sql, err);
	cleanup_json json_t *rule = NULL;
	cleanup_free char *text = NULL;
	int rc;

	if (st == NULL)
		return -1;
	rule = stim_firewall_rule_json(fw);
	text = stim_json_dump(rule, NULL);
	sqlite3_bind_text(st, 1, fw->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fw->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	if (!update) {
		sqlite3_bind_int64(st, 3, fw->id);
		sqlite3_bind_text(st, 4, fw->network, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, fw->create_time_ms);
	}
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) /* extended codes are on */
		return stim_err_reason(err, STIM_ALREADY_EXISTS, "alreadyExists",
				       "The resource 'projects/%s/global/firewalls/%s' already "
				       "exists",
				       fw->project, fw->name);
	return rc == SQLITE_DONE ? 0 : stim_db_err(db, "write firewall", err);
}

/* A row back into a rule, through the same checks as a request. */
static int row_to_firewall(struct stim_db *db, sqlite3_stmt *st, struct stim_firewall *fw,
			   stim_error_t *err)
{
	const char *text = (const char *)sqlite3_column_text(st, 4);
	cleanup_json json_t *rule = stim_json_parse_body(text, strlen(text), err);

	memset(fw, 0, sizeof(*fw));
	if (rule == NULL || stim_firewall_from_json(rule, fw, err) < 0) {
		stim_firewall_fini(fw);
		return stim_err_wrap(err, "stored firewall rule");
	}
	fw->project = stim_db_column_dup(st, 0);
	fw->id = sqlite3_column_int64(st, 2);
	fw->create_time_ms = sqlite3_column_int64(st, 5);
	return 0;
}

static int firewall_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	return row_to_firewall(arg, st, elem, err);
}

static void firewall_fini(void *elem)
{
	stim_firewall_fini(elem);
}

int stim_store_firewall_get(struct stim_db *db, const char *project, const char *name,
			    struct stim_firewall *out, stim_error_t *err)
{
	static const char sql[] =
		"SELECT " COLUMNS " FROM firewalls WHERE project = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err_reason(
			err, STIM_NOT_FOUND, "notFound",
			"The resource 'projects/%s/global/firewalls/%s' was not found", project,
			name);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read firewall", err);
	return row_to_firewall(db, st, out, err);
}

int stim_store_firewall_scan(struct stim_db *db, const char *project, const char *network,
			     const char *after, int limit, struct stim_firewall **out, size_t *n,
			     stim_error_t *err)
{
	static const char sql[] = "SELECT " COLUMNS " FROM firewalls WHERE project = ?1 AND "
				  "(?2 IS NULL OR network = ?2) AND name > ?3 ORDER BY name "
				  "LIMIT ?4";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	if (network != NULL)
		sqlite3_bind_text(st, 2, network, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, after, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, limit);
	return stim_db_rows(db, st, sizeof(**out), firewall_row, db, firewall_fini,
			    "list firewalls", (void **)out, n, err);
}

int stim_store_firewall_remove(struct stim_db *db, const char *project, const char *name,
			       stim_error_t *err)
{
	static const char sql[] = "DELETE FROM firewalls WHERE project = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "remove firewall", err);
	return 0;
}
