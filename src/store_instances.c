/* SQL for instances (see store_instances.h). */
#include "src/store_instances.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

#define INSTANCE_COLUMNS                                                                           \
	"project, zone, name, id, status, status_message, machine_type, image, source_image, "     \
	"description, metadata_fingerprint, pid, pid_start, create_time, last_start_time, "        \
	"label_fingerprint, tags_fingerprint, nic_network, nic_region, nic_subnet, nic_ip, "       \
	"service_account, scopes, nic_external_ip, nic_access_config"

static void bind_key(sqlite3_stmt *st, const char *project, const char *zone, const char *name)
{
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
}

/* The key/value sets kept beside an instance (metadata, labels). Each
 * string is the cache key of its statement, so they live here. */
struct pair_table {
	const char *del;
	const char *ins;
	const char *sel;
	const char *what;
};

static const struct pair_table metadata_table = {
	"DELETE FROM instance_metadata WHERE project = ? AND zone = ? AND name = ?",
	"INSERT INTO instance_metadata (project, zone, name, key, value) VALUES (?, ?, ?, ?, ?)",
	"SELECT key, value FROM instance_metadata WHERE project = ? AND zone = ? AND name = ?",
	"instance metadata",
};

static const struct pair_table labels_table = {
	"DELETE FROM instance_labels WHERE project = ? AND zone = ? AND name = ?",
	"INSERT INTO instance_labels (project, zone, name, key, value) VALUES (?, ?, ?, ?, ?)",
	"SELECT key, value FROM instance_labels WHERE project = ? AND zone = ? AND name = ?",
	"instance labels",
};

static const char tags_del_sql[] =
	"DELETE FROM instance_tags WHERE project = ? AND zone = ? AND name = ?";
static const char tags_ins_sql[] =
	"INSERT INTO instance_tags (project, zone, name, tag) VALUES (?, ?, ?, ?)";
static const char tags_sel_sql[] =
	"SELECT tag FROM instance_tags WHERE project = ? AND zone = ? AND name = ? ORDER BY tag";

static int clear(struct stim_db *db, const char *sql, const struct stim_instance *in,
		 const char *what, stim_error_t *err)
{
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	bind_key(st, in->project, in->zone, in->name);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, what, err);
	return 0;
}

static int put_pairs(struct stim_db *db, const struct pair_table *t, const struct stim_instance *in,
		     const struct stim_labels *pairs, stim_error_t *err)
{
	cleanup_reset sqlite3_stmt *ins = NULL;

	if (clear(db, t->del, in, t->what, err) < 0)
		return -1;
	ins = stim_db_stmt(db, t->ins, err);
	if (ins == NULL)
		return -1;
	for (size_t i = 0; i < pairs->n; i++) {
		sqlite3_reset(ins);
		bind_key(ins, in->project, in->zone, in->name);
		sqlite3_bind_text(ins, 4, pairs->v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, pairs->v[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return stim_db_err(db, t->what, err);
	}
	return 0;
}

static int put_tags(struct stim_db *db, const struct stim_instance *in, stim_error_t *err)
{
	cleanup_reset sqlite3_stmt *ins = NULL;

	if (clear(db, tags_del_sql, in, "clear instance tags", err) < 0)
		return -1;
	ins = stim_db_stmt(db, tags_ins_sql, err);
	if (ins == NULL)
		return -1;
	for (size_t i = 0; i < in->tags.n; i++) {
		sqlite3_reset(ins);
		bind_key(ins, in->project, in->zone, in->name);
		sqlite3_bind_text(ins, 4, in->tags.v[i], -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return stim_db_err(db, "write instance tags", err);
	}
	return 0;
}

static int put_attrs(struct stim_db *db, const struct stim_instance *in, stim_error_t *err)
{
	if (put_pairs(db, &metadata_table, in, &in->metadata, err) < 0 ||
	    put_pairs(db, &labels_table, in, &in->labels, err) < 0)
		return -1;
	return put_tags(db, in, err);
}

int stim_store_instance_insert(struct stim_db *db, const struct stim_instance *in,
			       stim_error_t *err)
{
	static const char sql[] =
		"INSERT INTO instances (" INSTANCE_COLUMNS ") VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_key(st, in->project, in->zone, in->name);
	sqlite3_bind_int64(st, 4, in->id);
	sqlite3_bind_text(st, 5, in->status, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 6, in->status_message);
	sqlite3_bind_text(st, 7, in->machine_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, in->image, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 9, in->source_image);
	stim_db_bind_text_opt(st, 10, in->description);
	sqlite3_bind_blob(st, 11, in->metadata_fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	sqlite3_bind_null(st, 12);
	sqlite3_bind_null(st, 13);
	sqlite3_bind_int64(st, 14, in->create_time_ms);
	sqlite3_bind_null(st, 15);
	sqlite3_bind_blob(st, 16, in->label_fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 17, in->tags_fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 18, in->nic.network);
	stim_db_bind_text_opt(st, 19, in->nic.region);
	stim_db_bind_text_opt(st, 20, in->nic.subnet);
	if (in->nic.network != NULL)
		sqlite3_bind_int64(st, 21, in->nic.ip);
	else
		sqlite3_bind_null(st, 21);
	stim_db_bind_text_opt(st, 22, in->service_account);
	stim_db_bind_text_opt(st, 23, in->scopes);
	if (in->nic.external_ip != 0)
		sqlite3_bind_int64(st, 24, in->nic.external_ip);
	else
		sqlite3_bind_null(st, 24);
	sqlite3_bind_int(st, 25, in->nic.access_config);
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) /* extended codes are on */
		return stim_err_reason(err, STIM_ALREADY_EXISTS, "alreadyExists",
				       "The resource 'projects/%s/zones/%s/instances/%s' already "
				       "exists",
				       in->project, in->zone, in->name);
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "insert instance", err);
	return put_attrs(db, in, err);
}

static void fingerprint_column(sqlite3_stmt *st, int col, unsigned char *out)
{
	if (sqlite3_column_bytes(st, col) == STIM_FINGERPRINT_LEN)
		memcpy(out, sqlite3_column_blob(st, col), STIM_FINGERPRINT_LEN);
}

static void row_to_instance(sqlite3_stmt *st, struct stim_instance *in)
{
	memset(in, 0, sizeof(*in));
	in->project = stim_db_column_dup(st, 0);
	in->zone = stim_db_column_dup(st, 1);
	in->name = stim_db_column_dup(st, 2);
	in->id = sqlite3_column_int64(st, 3);
	in->status = stim_db_column_dup(st, 4);
	in->status_message = stim_db_column_dup(st, 5);
	in->machine_type = stim_db_column_dup(st, 6);
	in->image = stim_db_column_dup(st, 7);
	in->source_image = stim_db_column_dup(st, 8);
	in->description = stim_db_column_dup(st, 9);
	fingerprint_column(st, 10, in->metadata_fingerprint);
	in->pid = sqlite3_column_int(st, 11);
	in->pid_start = (uint64_t)sqlite3_column_int64(st, 12);
	in->create_time_ms = sqlite3_column_int64(st, 13);
	in->last_start_time_ms = sqlite3_column_int64(st, 14);
	fingerprint_column(st, 15, in->label_fingerprint);
	fingerprint_column(st, 16, in->tags_fingerprint);
	in->nic.network = stim_db_column_dup(st, 17);
	in->nic.region = stim_db_column_dup(st, 18);
	in->nic.subnet = stim_db_column_dup(st, 19);
	in->nic.ip = (uint32_t)sqlite3_column_int64(st, 20);
	in->service_account = stim_db_column_dup(st, 21);
	in->scopes = stim_db_column_dup(st, 22);
	in->nic.external_ip = (uint32_t)sqlite3_column_int64(st, 23);
	in->nic.access_config = sqlite3_column_int(st, 24) != 0;
}

static int instance_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	row_to_instance(st, elem);
	return 0;
}

static void instance_fini(void *elem)
{
	stim_instance_fini(elem);
}

static int load_pairs(struct stim_db *db, const struct pair_table *t, struct stim_instance *in,
		      struct stim_labels *out, stim_error_t *err)
{
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, t->sel, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_key(st, in->project, in->zone, in->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stim_labels_set(out, (const char *)sqlite3_column_text(st, 0),
				(const char *)sqlite3_column_text(st, 1));
	if (rc != SQLITE_DONE)
		return stim_db_err(db, t->what, err);
	return 0;
}

static int load_attrs(struct stim_db *db, struct stim_instance *in, stim_error_t *err)
{
	cleanup_reset sqlite3_stmt *st = NULL;
	int rc;

	if (load_pairs(db, &metadata_table, in, &in->metadata, err) < 0 ||
	    load_pairs(db, &labels_table, in, &in->labels, err) < 0)
		return -1;
	st = stim_db_stmt(db, tags_sel_sql, err);
	if (st == NULL)
		return -1;
	bind_key(st, in->project, in->zone, in->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stim_strv_push(&in->tags, (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "read instance tags", err);
	return 0;
}

int stim_store_instance_get(struct stim_db *db, const char *project, const char *zone,
			    const char *name, struct stim_instance *out, stim_error_t *err)
{
	static const char sql[] = "SELECT " INSTANCE_COLUMNS " FROM instances "
				  "WHERE project = ? AND zone = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_key(st, project, zone, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The resource 'projects/%s/zones/%s/instances/%s' was not "
				       "found",
				       project, zone, name);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "read instance", err);
	row_to_instance(st, out);
	sqlite3_reset(st);
	if (load_attrs(db, out, err) < 0) {
		stim_instance_fini(out);
		return -1;
	}
	return 0;
}

int stim_store_instance_set_state(struct stim_db *db, const struct stim_instance *in,
				  stim_error_t *err)
{
	static const char sql[] =
		"UPDATE instances SET status = ?, status_message = ?, pid = ?, pid_start = ?, "
		"last_start_time = ? WHERE project = ? AND zone = ? AND name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, in->status, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 2, in->status_message);
	if (in->pid > 0) {
		sqlite3_bind_int(st, 3, in->pid);
		sqlite3_bind_int64(st, 4, (int64_t)in->pid_start);
	} else {
		sqlite3_bind_null(st, 3);
		sqlite3_bind_null(st, 4);
	}
	if (in->last_start_time_ms != 0)
		sqlite3_bind_int64(st, 5, in->last_start_time_ms);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, in->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, in->zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, in->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "update instance", err);
	return 0;
}

int stim_store_instance_remove(struct stim_db *db, const char *project, const char *zone,
			       const char *name, stim_error_t *err)
{
	static const char sql[] =
		"DELETE FROM instances WHERE project = ? AND zone = ? AND name = ?";
	const struct stim_instance key = { .project = (char *)project,
					   .zone = (char *)zone,
					   .name = (char *)name };

	if (clear(db, sql, &key, "remove instance", err) < 0 ||
	    clear(db, metadata_table.del, &key, "remove instance metadata", err) < 0 ||
	    clear(db, labels_table.del, &key, "remove instance labels", err) < 0 ||
	    clear(db, tags_del_sql, &key, "remove instance tags", err) < 0)
		return -1;
	return 0;
}

int stim_store_instance_scan(struct stim_db *db, const char *project, const char *zone,
			     const char *after_zone, const char *after_name, int limit,
			     struct stim_instance **out, size_t *n, stim_error_t *err)
{
	/* (zone, name) > (after_zone, after_name), in one index range. */
	static const char sql[] = "SELECT " INSTANCE_COLUMNS " FROM instances "
				  "WHERE project = ?1 AND (?2 IS NULL OR zone = ?2) "
				  "AND (zone, name) > (?3, ?4) ORDER BY zone, name LIMIT ?5";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 2, zone);
	sqlite3_bind_text(st, 3, after_zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, after_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, limit);
	if (stim_db_rows(db, st, sizeof(**out), instance_row, NULL, instance_fini, "list instances",
			 (void **)out, n, err) < 0)
		return -1;
	/* The attributes' own statements, once this one is done. */
	sqlite3_reset(st);
	for (size_t i = 0; i < *n; i++) {
		if (load_attrs(db, &(*out)[i], err) < 0) {
			for (size_t k = 0; k < *n; k++)
				stim_instance_fini(&(*out)[k]);
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

int stim_store_instance_update(struct stim_db *db, const struct stim_instance *in,
			       stim_error_t *err)
{
	static const char sql[] =
		"UPDATE instances SET machine_type = ?, metadata_fingerprint = ?, "
		"label_fingerprint = ?, tags_fingerprint = ? WHERE project = ? AND zone = ? AND "
		"name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, in->machine_type, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, in->metadata_fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, in->label_fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, in->tags_fingerprint, STIM_FINGERPRINT_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, in->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, in->zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, in->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "update instance", err);
	return put_attrs(db, in, err);
}

int stim_store_instance_count_region(struct stim_db *db, const char *project, const char *region,
				     int64_t *count, stim_error_t *err)
{
	/* Zones are "REGION-x": the region and a dash are a prefix of the
	 * primary key, so this counts one index range. */
	static const char sql[] = "SELECT count(*) FROM instances WHERE project = ?1 AND "
				  "zone > ?2 || '-' AND zone < ?2 || '.'";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return stim_db_err(db, "count instances", err);
	*count = sqlite3_column_int64(st, 0);
	return 0;
}

int stim_store_instance_all(struct stim_db *db, struct stim_instance **out, size_t *n,
			    stim_error_t *err)
{
	static const char sql[] =
		"SELECT " INSTANCE_COLUMNS " FROM instances ORDER BY project, zone, name";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	return stim_db_rows(db, st, sizeof(**out), instance_row, NULL, instance_fini,
			    "list every instance", (void **)out, n, err);
}

static int ip_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	*(uint32_t *)elem = (uint32_t)sqlite3_column_int64(st, 0);
	return 0;
}

static void ip_fini(void *elem)
{
}

int stim_store_instance_set_external_ip(struct stim_db *db, const struct stim_instance *in,
					stim_error_t *err)
{
	static const char sql[] = "UPDATE instances SET nic_external_ip = ?4 WHERE project = ?1 "
				  "AND zone = ?2 AND name = ?3";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	bind_key(st, in->project, in->zone, in->name);
	if (in->nic.external_ip != 0)
		sqlite3_bind_int64(st, 4, in->nic.external_ip);
	else
		sqlite3_bind_null(st, 4);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "set an external IP", err);
	return 0;
}

int stim_store_external_ips_taken(struct stim_db *db, uint32_t **out, size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT nic_external_ip FROM instances WHERE "
				  "nic_external_ip IS NOT NULL UNION SELECT address FROM addresses "
				  "ORDER BY 1";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	return stim_db_rows(db, st, sizeof(**out), ip_row, NULL, ip_fini, "list external IPs",
			    (void **)out, n, err);
}

int stim_store_instance_has_external_ip(struct stim_db *db, uint32_t ip, bool *has,
					stim_error_t *err)
{
	static const char sql[] = "SELECT 1 FROM instances WHERE nic_external_ip = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ip);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return stim_db_err(db, "find an external IP", err);
	*has = rc == SQLITE_ROW;
	return 0;
}

int stim_store_instance_ips(struct stim_db *db, const char *project, const char *network,
			    uint32_t **out, size_t *n, stim_error_t *err)
{
	static const char sql[] = "SELECT nic_ip FROM instances WHERE project = ? AND "
				  "nic_network = ? AND nic_ip IS NOT NULL ORDER BY nic_ip";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, network, -1, SQLITE_STATIC);
	return stim_db_rows(db, st, sizeof(**out), ip_row, NULL, ip_fini, "list instance addresses",
			    (void **)out, n, err);
}

int stim_store_instance_at(struct stim_db *db, const char *project, const char *network,
			   uint32_t ip, struct stim_instance *out, stim_error_t *err)
{
	static const char sql[] = "SELECT zone, name FROM instances WHERE project = ? AND "
				  "nic_network = ? AND nic_ip = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	cleanup_free char *zone = NULL;
	cleanup_free char *name = NULL;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, network, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ip);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "no instance has that address");
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "find an instance by address", err);
	zone = stim_db_column_dup(st, 0);
	name = stim_db_column_dup(st, 1);
	sqlite3_reset(st);
	return stim_store_instance_get(db, project, zone, name, out, err);
}

int stim_store_instance_locate(struct stim_db *db, int64_t id, uint32_t external, uint32_t internal,
			       struct stim_instance *out, stim_error_t *err)
{
	static const char sql[] =
		"SELECT project, zone, name FROM instances WHERE CASE WHEN ?1 != 0 THEN id = ?1 "
		"WHEN ?2 != 0 THEN nic_external_ip = ?2 ELSE nic_ip = ?3 END LIMIT 2";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	cleanup_free char *project = NULL;
	cleanup_free char *zone = NULL;
	cleanup_free char *name = NULL;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, external);
	sqlite3_bind_int64(st, 3, internal);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "no instance is there");
	if (rc != SQLITE_ROW)
		return stim_db_err(db, "find an instance", err);
	project = stim_db_column_dup(st, 0);
	zone = stim_db_column_dup(st, 1);
	name = stim_db_column_dup(st, 2);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return stim_err(err, STIM_ABORTED,
				"more than one instance has that internal address");
	sqlite3_reset(st);
	return stim_store_instance_get(db, project, zone, name, out, err);
}

/* Tags come joined by spaces, which a tag (an RFC 1035 name) never has. */
static int member_row(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err)
{
	struct stim_instance *in = elem;
	cleanup_free char *tags = stim_db_column_dup(st, 5);
	char *save = NULL;

	memset(in, 0, sizeof(*in));
	in->zone = stim_db_column_dup(st, 0);
	in->name = stim_db_column_dup(st, 1);
	in->id = sqlite3_column_int64(st, 2);
	in->nic.ip = (uint32_t)sqlite3_column_int64(st, 3);
	in->service_account = stim_db_column_dup(st, 4);
	in->nic.external_ip = (uint32_t)sqlite3_column_int64(st, 6);
	for (char *t = tags != NULL ? strtok_r(tags, " ", &save) : NULL; t != NULL;
	     t = strtok_r(NULL, " ", &save))
		stim_strv_add_sorted(&in->tags, t);
	return 0;
}

int stim_store_instance_members(struct stim_db *db, const char *project, const char *network,
				struct stim_instance **out, size_t *n, stim_error_t *err)
{
	static const char sql[] =
		"SELECT i.zone, i.name, i.id, i.nic_ip, i.service_account, "
		"group_concat(t.tag, ' '), i.nic_external_ip FROM instances i LEFT JOIN "
		"instance_tags t ON t.project = i.project AND "
		"t.zone = i.zone AND t.name = i.name WHERE i.project = ? AND i.nic_network = ? "
		"AND i.nic_ip IS NOT NULL GROUP BY i.zone, i.name ORDER BY i.nic_ip";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, network, -1, SQLITE_STATIC);
	return stim_db_rows(db, st, sizeof(**out), member_row, NULL, instance_fini,
			    "list a network's instances", (void **)out, n, err);
}

int stim_store_instance_on_network(struct stim_db *db, const char *project, const char *network,
				   const char *region, const char *subnet, bool running_only,
				   char **user, stim_error_t *err)
{
	static const char sql[] =
		"SELECT zone, name FROM instances WHERE project = ?1 AND nic_network = ?2 AND "
		"(?3 IS NULL OR (nic_region = ?3 AND nic_subnet = ?4)) AND (?5 = 0 OR status IN "
		"('PROVISIONING', 'STAGING', 'RUNNING', 'SUSPENDING', 'SUSPENDED')) LIMIT 1";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	*user = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, network, -1, SQLITE_STATIC);
	stim_db_bind_text_opt(st, 3, region);
	stim_db_bind_text_opt(st, 4, subnet);
	sqlite3_bind_int(st, 5, running_only);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*user = xasprintf("projects/%s/zones/%s/instances/%s", project,
				  (const char *)sqlite3_column_text(st, 0),
				  (const char *)sqlite3_column_text(st, 1));
	else if (rc != SQLITE_DONE)
		return stim_db_err(db, "find instances on a network", err);
	return 0;
}
