/* SQL for static addresses (see store_addresses.h). */
#include "src/store_addresses.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

/* The instance using the address is found by its external IP. */
#define COLUMNS                                                                                    \
	"a.project, a.region, a.name, a.id, a.description, a.address, a.create_time, "             \
	"(SELECT 'projects/' || i.project || '/zones/' || i.zone || '/instances/' || i.name "      \
	"FROM instances i WHERE i.nic_external_ip = a.address)"

void stim_address_fini(struct stim_address *a)
{
	free(a->project);
	free(a->region);
	free(a->name);
	free(a->description);
	free(a->user);
	memset(a, 0, sizeof(*a));
}

static void row_to_address(sqlite3_stmt *st, struct stim_address *a)
{
	memset(a, 0, sizeof(*a));
	a->project = stim_db_column_dup(st, 0);
	a->region = stim_db_column_dup(st, 1);
	a->name = stim_db_column_dup(st, 2);
	a->id = sqlite3_column_int64(st, 3);
	a->description = stim_db_column_dup(st, 4);
	a->address = (uint32_t)sqlite3_column_int64(st, 5);
	a->create_time_ms = sqlite3_column_int64(st, 6);
	a->user = stim_db_column_dup(st, 7);
}

static int address_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	row_to_address(st, elem);
	return 0;
}

static void address_fini(void *elem)
{
	stim_address_fini(elem);
}

int stim_store_address_put(struct stim_db *db, const struct stim_address *a, stim_error_t *err)
{
	static const char sql[] = "INSERT INTO addresses (project, region, name, id, description, "
				  "address, create_time) VALUES (?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, a->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, a->id);
	if (a->description != NULL)
		sqlite3_bind_text(st, 5, a->description, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, a->address);
	sqlite3_bind_int64(st, 7, a->create_time_ms);
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return stim_err_reason(err, STIM_ALREADY_EXISTS, "alreadyExists",
				       "The resource 'projects/%s/regions/%s/addresses/%s' already "
				       "exists",
				       a->project, a->region, a->name);
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "insert address", err);
	return 0;
}

static int one(struct stim_db *db, sqlite3_stmt *st, struct stim_address *out, stim_error_t *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "no such address");
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read address", err);
	row_to_address(st, out);
	return 0;
}

int stim_store_address_get(struct stim_db *db, const char *project, const char *region,
			   const char *name, struct stim_address *out, stim_error_t *err)
{
	static const char sql[] = "SELECT " COLUMNS " FROM addresses a WHERE a.project = ? AND "
				  "a.region = ? AND a.name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if (one(db, st, out, err) < 0) {
		if ((*err)->code == STIM_NOT_FOUND) {
			stim_error_free(steal_pointer(err));
			return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
					       "The resource 'projects/%s/regions/%s/addresses/%s' "
					       "was not found",
					       project, region, name);
		}
		return -1;
	}
	return 0;
}

int stim_store_address_at(struct stim_db *db, uint32_t ip, struct stim_address *out,
			  stim_error_t *err)
{
	static const char sql[] = "SELECT " COLUMNS " FROM addresses a WHERE a.address = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ip);
	return one(db, st, out, err);
}

int stim_store_address_scan(struct stim_db *db, const char *project, const char *region,
			    const char *after_region, const char *after_name, int limit,
			    struct stim_address **out, size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT " COLUMNS " FROM addresses a WHERE a.project = ?1 AND "
				  "(?2 IS NULL OR a.region = ?2) AND (a.region, a.name) > (?3, ?4) "
				  "ORDER BY a.region, a.name LIMIT ?5";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	if (region != NULL)
		sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, after_region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, after_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, limit);
	return stim_db_rows(db, st, sizeof(**out), address_row, NULL, address_fini,
			    "list addresses", (void **)out, n, err);
}

int stim_store_address_remove(struct stim_db *db, const char *project, const char *region,
			      const char *name, stim_error_t *err)
{
	static const char sql[] =
		"DELETE FROM addresses WHERE project = ? AND region = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "remove address", err);
	return 0;
}
