/* SQL for networks and subnetworks (see store_networks.h). */
#include "src/store_networks.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define NETWORK_COLUMNS                                                                            \
	"project, name, id, description, auto_subnets, mtu, routing_mode, create_time"
#define SUBNET_COLUMNS                                                                             \
	"project, region, name, id, network, description, range_addr, range_prefix, "              \
	"private_google_access, fingerprint, create_time"

static int step_done(struct stim_db *db, sqlite3_stmt *st, const char *what, stim_error_t *err)
{
	return sqlite3_step(st) == SQLITE_DONE ? 0 : stim_db_err(db, what, err);
}

/* Networks */

int stim_store_network_insert(struct stim_db *db, const struct stim_network *n, stim_error_t *err)
{
	static const char sql[] =
		"INSERT INTO networks (" NETWORK_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, n->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, n->id);
	stim_db_bind_text_opt(st, 4, n->description);
	sqlite3_bind_int(st, 5, n->auto_subnets);
	sqlite3_bind_int(st, 6, n->mtu);
	sqlite3_bind_text(st, 7, n->routing_mode, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, n->create_time_ms);
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) /* extended codes are on */
		return stim_err_reason(
			err, STIM_ALREADY_EXISTS, "alreadyExists",
			"The resource 'projects/%s/global/networks/%s' already exists", n->project,
			n->name);
	return rc == SQLITE_DONE ? 0 : stim_db_err(db, "insert network", err);
}

static void row_to_network(sqlite3_stmt *st, struct stim_network *n)
{
	memset(n, 0, sizeof(*n));
	n->project = stim_db_column_dup(st, 0);
	n->name = stim_db_column_dup(st, 1);
	n->id = sqlite3_column_int64(st, 2);
	n->description = stim_db_column_dup(st, 3);
	n->auto_subnets = sqlite3_column_int(st, 4) != 0;
	n->mtu = sqlite3_column_int(st, 5);
	n->routing_mode = stim_db_column_dup(st, 6);
	n->create_time_ms = sqlite3_column_int64(st, 7);
}

static int network_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	row_to_network(st, elem);
	return 0;
}

static void network_fini(void *elem)
{
	stim_network_fini(elem);
}

int stim_store_network_get(struct stim_db *db, const char *project, const char *name,
			   struct stim_network *out, stim_error_t *err)
{
	static const char sql[] =
		"SELECT " NETWORK_COLUMNS " FROM networks WHERE project = ? AND name = ?";
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
			"The resource 'projects/%s/global/networks/%s' was not found", project,
			name);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read network", err);
	row_to_network(st, out);
	return 0;
}

int stim_store_network_scan(struct stim_db *db, const char *project, const char *after, int limit,
			    struct stim_network **out, size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT " NETWORK_COLUMNS " FROM networks WHERE project = ? "
				  "AND name > ? ORDER BY name LIMIT ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	return stim_db_rows(db, st, sizeof(**out), network_row, NULL, network_fini, "list networks",
			    (void **)out, n, err);
}

int stim_store_network_update(struct stim_db *db, const struct stim_network *n, stim_error_t *err)
{
	static const char sql[] = "UPDATE networks SET auto_subnets = ?, mtu = ?, "
				  "routing_mode = ? WHERE project = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, n->auto_subnets);
	sqlite3_bind_int(st, 2, n->mtu);
	sqlite3_bind_text(st, 3, n->routing_mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, n->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, n->name, -1, SQLITE_STATIC);
	return step_done(db, st, "update network", err);
}

int stim_store_network_remove(struct stim_db *db, const char *project, const char *name,
			      stim_error_t *err)
{
	static const char sql[] = "DELETE FROM networks WHERE project = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	return step_done(db, st, "remove network", err);
}

/* Subnetworks */

static void bind_subnet_key(sqlite3_stmt *st, const char *project, const char *region,
			    const char *name)
{
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
}

int stim_store_subnet_insert(struct stim_db *db, const struct stim_subnetwork *s, stim_error_t *err)
{
	static const char sql[] = "INSERT INTO subnetworks (" SUBNET_COLUMNS ") VALUES "
				  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_subnet_key(st, s->project, s->region, s->name);
	sqlite3_bind_int64(st, 4, s->id);
	sqlite3_bind_text(st, 5, s->network, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 6, s->description);
	sqlite3_bind_int64(st, 7, s->range.addr);
	sqlite3_bind_int(st, 8, s->range.prefix);
	sqlite3_bind_int(st, 9, s->private_google_access);
	sqlite3_bind_blob(st, 10, s->fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, s->create_time_ms);
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) /* extended codes are on */
		return stim_err_reason(err, STIM_ALREADY_EXISTS, "alreadyExists",
				       "The resource 'projects/%s/regions/%s/subnetworks/%s' "
				       "already exists",
				       s->project, s->region, s->name);
	return rc == SQLITE_DONE ? 0 : stim_db_err(db, "insert subnetwork", err);
}

static void row_to_subnet(sqlite3_stmt *st, struct stim_subnetwork *s)
{
	memset(s, 0, sizeof(*s));
	s->project = stim_db_column_dup(st, 0);
	s->region = stim_db_column_dup(st, 1);
	s->name = stim_db_column_dup(st, 2);
	s->id = sqlite3_column_int64(st, 3);
	s->network = stim_db_column_dup(st, 4);
	s->description = stim_db_column_dup(st, 5);
	s->range.addr = (uint32_t)sqlite3_column_int64(st, 6);
	s->range.prefix = sqlite3_column_int(st, 7);
	s->private_google_access = sqlite3_column_int(st, 8) != 0;
	if (sqlite3_column_bytes(st, 9) == STIM_FINGERPRINT_LEN)
		memcpy(s->fingerprint, sqlite3_column_blob(st, 9), STIM_FINGERPRINT_LEN);
	s->create_time_ms = sqlite3_column_int64(st, 10);
}

static int subnet_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	row_to_subnet(st, elem);
	return 0;
}

static void subnet_fini(void *elem)
{
	stim_subnetwork_fini(elem);
}

int stim_store_subnet_get(struct stim_db *db, const char *project, const char *region,
			  const char *name, struct stim_subnetwork *out, stim_error_t *err)
{
	static const char sql[] = "SELECT " SUBNET_COLUMNS " FROM subnetworks WHERE project = ? "
				  "AND region = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_subnet_key(st, project, region, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The resource 'projects/%s/regions/%s/subnetworks/%s' was "
				       "not found",
				       project, region, name);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read subnetwork", err);
	row_to_subnet(st, out);
	return 0;
}

int stim_store_subnet_scan(struct stim_db *db, const char *project, const char *region,
			   const char *network, const char *after_region, const char *after_name,
			   int limit, struct stim_subnetwork **out, size_t *n, stim_error_t *err)
{
	static const char sql[] =
		"SELECT " SUBNET_COLUMNS " FROM subnetworks WHERE project = ?1 "
		"AND (?2 IS NULL OR region = ?2) AND (?3 IS NULL OR network = ?3) "
		"AND (region, name) > (?4, ?5) ORDER BY region, name LIMIT ?6";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 2, region);
	stim_db_bind_text_opt(st, 3, network);
	sqlite3_bind_text(st, 4, after_region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, after_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, limit);
	return stim_db_rows(db, st, sizeof(**out), subnet_row, NULL, subnet_fini,
			    "list subnetworks", (void **)out, n, err);
}

int stim_store_subnet_update(struct stim_db *db, const struct stim_subnetwork *s, stim_error_t *err)
{
	static const char sql[] =
		"UPDATE subnetworks SET range_addr = ?4, range_prefix = ?5, description = ?6, "
		"private_google_access = ?7, fingerprint = ?8 WHERE project = ?1 AND region = ?2 "
		"AND name = ?3";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	bind_subnet_key(st, s->project, s->region, s->name);
	sqlite3_bind_int64(st, 4, s->range.addr);
	sqlite3_bind_int(st, 5, s->range.prefix);
	stim_db_bind_text_opt(st, 6, s->description);
	sqlite3_bind_int(st, 7, s->private_google_access);
	sqlite3_bind_blob(st, 8, s->fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	return step_done(db, st, "update subnetwork", err);
}

int stim_store_subnet_remove(struct stim_db *db, const char *project, const char *region,
			     const char *name, stim_error_t *err)
{
	static const char sql[] =
		"DELETE FROM subnetworks WHERE project = ? AND region = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	bind_subnet_key(st, project, region, name);
	return step_done(db, st, "remove subnetwork", err);
}
