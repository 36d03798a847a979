/* The numbered schema migrations (append only: never edit a released step). */
#include "src/store_internal.h"

#include "src/cleanup.h"
#include "src/util.h"

const struct stim_migration stim_migrations[] = {
	{ 1,
	  /* Resource Manager projects. project_number is what Google shows as a
	   * string; it is unique and never reused. Labels live in their own
	   * table so the store stays free of JSON. */
	  "CREATE TABLE projects ("
	  "  project_id TEXT PRIMARY KEY,"
	  "  project_number INTEGER NOT NULL UNIQUE,"
	  "  name TEXT NOT NULL,"
	  "  lifecycle_state TEXT NOT NULL,"
	  "  parent_type TEXT,"
	  "  parent_id TEXT,"
	  "  create_time INTEGER NOT NULL,"
	  "  delete_time INTEGER"
	  ") WITHOUT ROWID;"
	  /* WITHOUT ROWID clusters a project's labels in key order, so
	   * reading a project with its labels is one b-tree range. */
	  "CREATE TABLE project_labels ("
	  "  project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,"
	  "  key TEXT NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (project_id, key)"
	  ") WITHOUT ROWID;"
	  /* google.longrunning operations of Resource Manager and Service
	   * Usage. They finish at once; `target` names what the response
	   * renders (a project id, or project id + service). */
	  "CREATE TABLE lro_operations ("
	  "  name TEXT PRIMARY KEY,"
	  "  kind TEXT NOT NULL,"
	  "  target TEXT NOT NULL,"
	  "  done INTEGER NOT NULL,"
	  "  create_time INTEGER NOT NULL"
	  ");"
	  "CREATE TABLE project_services ("
	  "  project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,"
	  "  service TEXT NOT NULL,"
	  "  state TEXT NOT NULL,"
	  "  PRIMARY KEY (project_id, service)"
	  ");" },
};

const int stim_migrations_count = (int)STIM_ARRAY_SIZE(stim_migrations);

static int apply(struct stim_db *db, const struct stim_migration *m, stim_error_t *err)
{
	cleanup_tx struct stim_tx *tx = NULL;
	cleanup_free char *bump = NULL;

	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (stim_db_exec(db, m->sql, err) < 0)
		return stim_err_wrap(err, "migration %d", m->version);
	/* PRAGMA takes no parameters; the version is our own integer. */
	bump = xasprintf("PRAGMA user_version = %d", m->version);
	if (stim_db_exec(db, bump, err) < 0)
		return stim_err_wrap(err, "migration %d", m->version);
	return stim_tx_commit(steal_pointer(&tx), err);
}

int stim_store_migrate(struct stim_db *db, stim_error_t *err)
{
	int version = stim_store_version(db, err);

	if (version < 0)
		return -1;
	if (version > stim_migrations_count)
		return stim_err(err, STIM_FAILED_PRECONDITION,
				"database schema %d is newer than this binary (%d); "
				"use a newer stimulator",
				version, stim_migrations_count);
	for (int i = version; i < stim_migrations_count; i++) {
		STIM_ASSERT(stim_migrations[i].version == i + 1);
		if (apply(db, &stim_migrations[i], err) < 0)
			return -1;
	}
	return 0;
}
