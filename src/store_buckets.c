/* SQL for buckets, their labels, lifecycle rules and IAM bindings (see store_buckets.h). */
#include "src/store_buckets.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/store_iam_policies.h"
#include "src/util.h"

/* In the order bind_bucket() binds and row_to_bucket() reads them. */
#define BUCKET_COLUMNS                                                                             \
	"name, project_number, generation, metageneration, location, storage_class, rpo, "         \
	"public_access_prevention, versioning, uniform_access, uniform_access_time, "              \
	"default_event_based_hold, soft_delete_seconds, soft_delete_time, create_time, "           \
	"update_time"

/* Bucket names are lowercase ASCII, so every one sorts below this: the
 * upper bound of a scan without a prefix. */
#define NAME_CEILING "\x7f"

static void row_to_bucket(sqlite3_stmt *st, struct stim_bucket *b)
{
	memset(b, 0, sizeof(*b));
	b->name = stim_db_column_dup(st, 0);
	b->project_number = sqlite3_column_int64(st, 1);
	b->generation = sqlite3_column_int64(st, 2);
	b->metageneration = sqlite3_column_int64(st, 3);
	b->location = stim_db_column_dup(st, 4);
	b->storage_class = stim_db_column_dup(st, 5);
	b->rpo = stim_db_column_dup(st, 6);
	b->public_access_prevention = stim_db_column_dup(st, 7);
	b->versioning = sqlite3_column_int(st, 8) != 0;
	b->uniform_access = sqlite3_column_int(st, 9) != 0;
	b->uniform_access_time_ms = sqlite3_column_int64(st, 10);
	b->default_event_based_hold = sqlite3_column_int(st, 11) != 0;
	b->soft_delete_seconds = sqlite3_column_int64(st, 12);
	b->soft_delete_time_ms = sqlite3_column_int64(st, 13);
	b->create_time_ms = sqlite3_column_int64(st, 14);
	b->update_time_ms = sqlite3_column_int64(st, 15);
}

/* Binds ?1..?16 in BUCKET_COLUMNS order (the name is ?1). */
static void bind_bucket(sqlite3_stmt *st, const struct stim_bucket *b)
{
	sqlite3_bind_text(st, 1, b->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, b->project_number);
	sqlite3_bind_int64(st, 3, b->generation);
	sqlite3_bind_int64(st, 4, b->metageneration);
	sqlite3_bind_text(st, 5, b->location, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, b->storage_class, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, b->rpo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, b->public_access_prevention, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, b->versioning);
	sqlite3_bind_int(st, 10, b->uniform_access);
	sqlite3_bind_int64(st, 11, b->uniform_access_time_ms);
	sqlite3_bind_int(st, 12, b->default_event_based_hold);
	sqlite3_bind_int64(st, 13, b->soft_delete_seconds);
	sqlite3_bind_int64(st, 14, b->soft_delete_time_ms);
	sqlite3_bind_int64(st, 15, b->create_time_ms);
	sqlite3_bind_int64(st, 16, b->update_time_ms);
}

/* Runs a statement that takes the bucket name as ?1 and returns nothing
 * (the DELETEs that clear a bucket's child rows). */
static int exec_for_bucket(struct stim_db *db, const char *sql, const char *name, const char *what,
			   stim_error_t *err)
{
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, what, err);
	return 0;
}

/* Binds name to ?1 and steps to the bucket's one row; NOT_FOUND when there
 * is none. */
static int step_bucket_row(struct stim_db *db, sqlite3_stmt *st, const char *name, const char *what,
			   stim_error_t *err)
{
	int rc;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return stim_err(err, STIM_NOT_FOUND, "bucket %s", name);
	if (rc != SQLITE_ROW)
		return stim_db_err(db, what, err);
	return 0;
}

/* Labels */

static int load_labels(struct stim_db *db, struct stim_bucket *b, stim_error_t *err)
{
	static const char sql[] = "SELECT key, value FROM bucket_labels WHERE bucket = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, b->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stim_labels_set(&b->labels, (const char *)sqlite3_column_text(st, 0),
				(const char *)sqlite3_column_text(st, 1));
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "read bucket labels", err);
	return 0;
}

static int write_labels(struct stim_db *db, const struct stim_bucket *b, stim_error_t *err)
{
	static const char del_sql[] = "DELETE FROM bucket_labels WHERE bucket = ?1";
	static const char ins_sql[] =
		"INSERT INTO bucket_labels (bucket, key, value) VALUES (?, ?, ?)";
	cleanup_reset sqlite3_stmt *ins = NULL;

	if (exec_for_bucket(db, del_sql, b->name, "clear bucket labels", err) < 0)
		return -1;
	ins = stim_db_stmt(db, ins_sql, err);
	if (ins == NULL)
		return -1;
	for (size_t i = 0; i < b->labels.n; i++) {
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, b->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, b->labels.v[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, b->labels.v[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return stim_db_err(db, "write bucket label", err);
	}
	return 0;
}

/* Lifecycle rules: one row per rule (position = its index), its list
 * conditions one row per entry, `kind` naming the list by its JSON name. */

static void bind_opt_int(sqlite3_stmt *st, int col, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, v);
}

static int64_t column_opt_int(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, col);
}

static int list_kind(const char *name)
{
	for (int k = 0; k < STIM_LC_LISTS; k++) {
		if (strcmp(name, stim_lc_list_names[k]) == 0)
			return k;
	}
	return -1;
}

static int load_rule_lists(struct stim_db *db, struct stim_bucket *b, stim_error_t *err)
{
	static const char sql[] = "SELECT position, kind, value FROM bucket_lifecycle_matches "
				  "WHERE bucket = ? ORDER BY position, kind, idx";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, b->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pos = sqlite3_column_int64(st, 0);
		int kind = list_kind((const char *)sqlite3_column_text(st, 1));

		if (pos < 0 || (size_t)pos >= b->lifecycle.n || kind < 0)
			return stim_err(err, STIM_INTERNAL,
					"bucket %s: a stray lifecycle match row", b->name);
		stim_strv_push(&b->lifecycle.rules[pos].list[kind],
			       (const char *)sqlite3_column_text(st, 2));
	}
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "read lifecycle matches", err);
	return 0;
}

static int load_lifecycle(struct stim_db *db, struct stim_bucket *b, stim_error_t *err)
{
	static const char sql[] = "SELECT action, storage_class, age, days_since_custom_time, "
				  "days_since_noncurrent_time, num_newer_versions, created_before, "
				  "custom_time_before, noncurrent_time_before, is_live "
				  "FROM bucket_lifecycle_rules WHERE bucket = ? ORDER BY position";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, b->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cleanup_error stim_error_t perr = NULL;
		enum stim_lifecycle_action action;
		struct stim_lifecycle_rule *r;

		if (stim_lifecycle_action_parse((const char *)sqlite3_column_text(st, 0), &action,
						&perr) < 0)
			return stim_err(err, STIM_INTERNAL, "bucket %s: %s", b->name, perr->msg);
		r = stim_lifecycle_add(&b->lifecycle, action);
		r->storage_class = stim_db_column_dup(st, 1);
		for (int k = 0; k < STIM_LC_NUMS; k++)
			r->num[k] = column_opt_int(st, 2 + k);
		for (int k = 0; k < STIM_LC_DATES; k++)
			r->date[k] = stim_db_column_dup(st, 2 + STIM_LC_NUMS + k);
		r->is_live = (int)column_opt_int(st, 2 + STIM_LC_NUMS + STIM_LC_DATES);
	}
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "read lifecycle rules", err);
	sqlite3_reset(st);
	return b->lifecycle.n > 0 ? load_rule_lists(db, b, err) : 0;
}

static int write_rule_lists(struct stim_db *db, const char *bucket, int64_t pos,
			    const struct stim_lifecycle_rule *r, stim_error_t *err)
{
	static const char sql[] = "INSERT INTO bucket_lifecycle_matches "
				  "(bucket, position, kind, idx, value) VALUES (?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	for (int k = 0; k < STIM_LC_LISTS; k++) {
		for (size_t i = 0; i < r->list[k].n; i++) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, pos);
			sqlite3_bind_text(st, 3, stim_lc_list_names[k], -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 4, (int64_t)i);
			sqlite3_bind_text(st, 5, r->list[k].v[i], -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				return stim_db_err(db, "write lifecycle match", err);
		}
	}
	return 0;
}

static int write_lifecycle(struct stim_db *db, const struct stim_bucket *b, stim_error_t *err)
{
	/* The match rows go with their rules (ON DELETE CASCADE). */
	static const char del_sql[] = "DELETE FROM bucket_lifecycle_rules WHERE bucket = ?1";
	static const char ins_sql[] =
		"INSERT INTO bucket_lifecycle_rules (bucket, position, action, storage_class, "
		"age, days_since_custom_time, days_since_noncurrent_time, num_newer_versions, "
		"created_before, custom_time_before, noncurrent_time_before, is_live) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	cleanup_reset sqlite3_stmt *ins = NULL;

	if (exec_for_bucket(db, del_sql, b->name, "clear lifecycle rules", err) < 0)
		return -1;
	ins = stim_db_stmt(db, ins_sql, err);
	if (ins == NULL)
		return -1;
	for (size_t i = 0; i < b->lifecycle.n; i++) {
		const struct stim_lifecycle_rule *r = &b->lifecycle.rules[i];

		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, b->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, (int64_t)i);
		sqlite3_bind_text(ins, 3, stim_lifecycle_action_name(r->action), -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, r->storage_class, -1, SQLITE_STATIC);
		for (int k = 0; k < STIM_LC_NUMS; k++)
			bind_opt_int(ins, 5 + k, r->num[k]);
		for (int k = 0; k < STIM_LC_DATES; k++)
			sqlite3_bind_text(ins, 5 + STIM_LC_NUMS + k, r->date[k], -1, SQLITE_STATIC);
		bind_opt_int(ins, 5 + STIM_LC_NUMS + STIM_LC_DATES, r->is_live);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return stim_db_err(db, "write lifecycle rule", err);
		if (write_rule_lists(db, b->name, (int64_t)i, r, err) < 0)
			return -1;
	}
	return 0;
}

/* Buckets */

static int load_children(struct stim_db *db, struct stim_bucket *b, stim_error_t *err)
{
	if (load_labels(db, b, err) < 0 || load_lifecycle(db, b, err) < 0) {
		stim_bucket_fini(b);
		return -1;
	}
	return 0;
}

int stim_store_bucket_get(struct stim_db *db, const char *name, struct stim_bucket *out,
			  stim_error_t *err)
{
	static const char sql[] = "SELECT " BUCKET_COLUMNS " FROM buckets WHERE name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	struct stim_bucket b;

	if (st == NULL || step_bucket_row(db, st, name, "read bucket", err) < 0)
		return -1;
	row_to_bucket(st, &b);
	sqlite3_reset(st);
	if (load_children(db, &b, err) < 0)
		return -1;
	*out = b;
	return 0;
}

int stim_store_bucket_insert(struct stim_db *db, const struct stim_bucket *b, stim_error_t *err)
{
	static const char sql[] = "INSERT INTO buckets (" BUCKET_COLUMNS ") VALUES "
				  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
				  "?15, ?16)";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	bind_bucket(st, b);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "insert bucket", err);
	if (write_labels(db, b, err) < 0)
		return -1;
	return write_lifecycle(db, b, err);
}

int stim_store_bucket_update(struct stim_db *db, const struct stim_bucket *b, stim_error_t *err)
{
	static const char sql[] =
		"UPDATE buckets SET project_number = ?2, generation = ?3, metageneration = ?4, "
		"location = ?5, storage_class = ?6, rpo = ?7, public_access_prevention = ?8, "
		"versioning = ?9, uniform_access = ?10, uniform_access_time = ?11, "
		"default_event_based_hold = ?12, soft_delete_seconds = ?13, "
		"soft_delete_time = ?14, create_time = ?15, update_time = ?16 WHERE name = ?1";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	if (st == NULL)
		return -1;
	bind_bucket(st, b);
	if (sqlite3_step(st) != SQLITE_DONE)
		return stim_db_err(db, "update bucket", err);
	if (sqlite3_changes(stim_db_handle(db)) != 1)
		return stim_err(err, STIM_NOT_FOUND, "bucket %s", b->name);
	if (write_labels(db, b, err) < 0)
		return -1;
	return write_lifecycle(db, b, err);
}

int stim_store_bucket_delete(struct stim_db *db, const char *name, stim_error_t *err)
{
	/* Labels, rules and bindings go with it (ON DELETE CASCADE). */
	static const char sql[] = "DELETE FROM buckets WHERE name = ?1";

	stim_db_iam_changed(db);
	if (exec_for_bucket(db, sql, name, "delete bucket", err) < 0)
		return -1;
	if (sqlite3_changes(stim_db_handle(db)) != 1)
		return stim_err(err, STIM_NOT_FOUND, "bucket %s", name);
	return 0;
}

int stim_store_bucket_scan(struct stim_db *db, int64_t project_number, const char *prefix,
			   const char *after, int limit, struct stim_bucket **items, size_t *n,
			   stim_error_t *err)
{
	/* [prefix, ceiling) is the prefix's range of the (project_number,
	 * name) index, so the scan never walks names that cannot match. */
	static const char sql[] = "SELECT " BUCKET_COLUMNS " FROM buckets "
				  "WHERE project_number = ?1 AND name > ?2 AND name >= ?3 "
				  "AND name < ?4 ORDER BY name LIMIT ?5";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	cleanup_free char *ceiling = NULL;
	struct stim_bucket *v = NULL;
	size_t count = 0;
	int rc;

	if (st == NULL)
		return -1;
	if (prefix != NULL && prefix[0] != '\0') {
		/* The first string above every one that starts with prefix. A
		 * prefix of bytes above the name alphabet matches no name. */
		size_t len = strlen(prefix);

		ceiling = xstrdup(prefix);
		if ((unsigned char)ceiling[len - 1] < 0x7f)
			ceiling[len - 1]++;
	}
	sqlite3_bind_int64(st, 1, project_number);
	sqlite3_bind_text(st, 2, after != NULL ? after : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, prefix != NULL ? prefix : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ceiling != NULL ? ceiling : NAME_CEILING, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (count + 1) * sizeof(*v));
		row_to_bucket(st, &v[count]);
		count++;
	}
	if (rc != SQLITE_DONE) {
		stim_db_err(db, "list buckets", err);
		goto fail;
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < count; i++) {
		if (load_children(db, &v[i], err) < 0) {
			/* load_children freed row i; free the rest after it. */
			for (size_t j = i + 1; j < count; j++)
				stim_bucket_fini(&v[j]);
			count = i;
			goto fail;
		}
	}
	*items = v;
	*n = count;
	return 0;
fail:
	for (size_t i = 0; i < count; i++)
		stim_bucket_fini(&v[i]);
	free(v);
	return -1;
}

int stim_store_bucket_is_empty(struct stim_db *db, const char *name, stim_error_t *err)
{
	/* Noncurrent versions count: GCS refuses to delete a bucket that
	 * still holds any (gcloud storage rm -r deletes every generation). */
	static const char sql[] = "SELECT 1 FROM objects WHERE bucket = ? LIMIT 1";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "look for objects", err);
	return 1;
}

/* IAM: the policy store's (src/store_iam_policies.h), under "buckets/NAME". */

/* NOT_FOUND unless the bucket exists. */
static int bucket_exists(struct stim_db *db, const char *name, stim_error_t *err)
{
	static const char sql[] = "SELECT 1 FROM buckets WHERE name = ?";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);

	return st != NULL ? step_bucket_row(db, st, name, "look for a bucket", err) : -1;
}

int stim_store_bucket_policy_get(struct stim_db *db, const char *name, struct stim_iam_policy *out,
				 stim_error_t *err)
{
	cleanup_free char *resource = xasprintf("buckets/%s", name);
	int64_t gen;

	memset(out, 0, sizeof(*out));
	if (bucket_exists(db, name, err) < 0)
		return -1;
	return stim_store_iam_policy_get(db, resource, out, &gen, err);
}

int stim_store_bucket_policy_put(struct stim_db *db, const char *name,
				 const struct stim_iam_policy *p, stim_error_t *err)
{
	cleanup_free char *resource = xasprintf("buckets/%s", name);

	if (bucket_exists(db, name, err) < 0)
		return -1;
	return stim_store_iam_policy_put(db, resource, p, 0, err);
}

int stim_store_buckets_with_lifecycle(struct stim_db *db, struct stim_strv *names,
				      stim_error_t *err)
{
	static const char sql[] = "SELECT DISTINCT bucket FROM bucket_lifecycle_rules "
				  "ORDER BY bucket";
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stim_strv_push(names, (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		return stim_db_err(db, "list buckets with lifecycle rules", err);
	return 0;
}
