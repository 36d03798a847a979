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

/* One parsed rule and the stored text it came from. */
struct memo_entry {
	char *text;
	struct stim_firewall fw;
};

struct stim_fw_memo {
	struct memo_entry *v; /* by name, as the scan reads them */
	size_t n;
};

struct stim_fw_memo *stim_fw_memo_new(void)
{
	return xcalloc(1, sizeof(struct stim_fw_memo));
}

static void entry_fini(struct memo_entry *e)
{
	free(e->text);
	stim_firewall_fini(&e->fw);
}

void stim_fw_memo_free(struct stim_fw_memo *memo)
{
	if (memo == NULL)
		return;
	for (size_t i = 0; i < memo->n; i++)
		entry_fini(&memo->v[i]);
	free(memo->v);
	free(memo);
}

int stim_store_firewall_scan_memo(struct stim_db *db, const char *project, const char *network,
				  struct stim_fw_memo *memo, struct stim_firewall **out, size_t *n,
				  stim_error_t *err)
{
	static const char sql[] = "SELECT " COLUMNS " FROM firewalls WHERE project = ?1 AND "
				  "network = ?2 ORDER BY name";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	struct memo_entry *v = NULL;
	size_t nv = 0;
	size_t old = 0; /* the next old entry, old ones being by name too */
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, network, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *text = (const char *)sqlite3_column_text(st, 4);
		struct memo_entry *e;

		if (nv == 0 || (nv & (nv - 1)) == 0)
			v = xrealloc(v, (nv == 0 ? 16 : nv * 2) * sizeof(*v));
		e = &v[nv];
		/* Old rules before this name are gone. */
		while (old < memo->n && strcmp(memo->v[old].fw.name, name) < 0)
			entry_fini(&memo->v[old++]);
		if (old < memo->n && strcmp(memo->v[old].fw.name, name) == 0 &&
		    strcmp(memo->v[old].text, text) == 0 &&
		    memo->v[old].fw.id == sqlite3_column_int64(st, 2) &&
		    memo->v[old].fw.create_time_ms == sqlite3_column_int64(st, 5)) {
			*e = memo->v[old++];
			nv++;
			continue;
		}
		if (old < memo->n && strcmp(memo->v[old].fw.name, name) == 0)
			entry_fini(&memo->v[old++]);
		e->text = xstrdup(text);
		if (row_to_firewall(db, st, &e->fw, err) < 0) {
			free(e->text);
			goto fail;
		}
		nv++;
	}
	if (rc != SQLITE_DONE) {
		stim_db_err(db, "list firewalls", err);
		goto fail;
	}
	while (old < memo->n)
		entry_fini(&memo->v[old++]);
	free(memo->v);
	memo->v = v;
	memo->n = nv;
	*out = xcalloc(nv + 1, sizeof(**out));
	for (size_t i = 0; i < nv; i++)
		(*out)[i] = v[i].fw;
	*n = nv;
	return 0;
fail:
	/* What was read is dropped with what was not: the memo starts over. */
	for (size_t i = 0; i < nv; i++)
		entry_fini(&v[i]);
	free(v);
	while (old < memo->n)
		entry_fini(&memo->v[old++]);
	free(memo->v);
	memo->v = NULL;
	memo->n = 0;
	return -1;
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
