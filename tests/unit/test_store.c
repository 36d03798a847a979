/* Unit tests of the SQLite store on a temporary data dir: open, migrations, lock, transactions. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/projects.h"
#include "src/store.h"
#include "src/store_buckets.h"
#include "src/store_internal.h"
#include "src/store_projects.h"
#include "src/util.h"

struct fixture {
	char tmp[64]; /* mkdtemp'd, removed in teardown */
	char *data;   /* tmp/data/dir: its parents do not exist yet */
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->tmp, sizeof(f->tmp), "/tmp/stim-unit-store-XXXXXX");
	if (mkdtemp(f->tmp) == NULL)
		return -1;
	f->data = xasprintf("%s/data/dir", f->tmp);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->data);
	free(f);
	return 0;
}

static struct stim_store *open_ok(const char *dir)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_store *s = stim_store_open(dir, &err);

	if (s == NULL)
		print_error("open %s: %s\n", dir, err->msg);
	assert_non_null(s);
	assert_null(err);
	return s;
}

/* A project row with fixed fields; strings are static. */
static struct stim_project project(const char *id, int64_t number)
{
	struct stim_project p = {
		.project_id = (char *)id,
		.number = number,
		.name = (char *)id,
		.state = STIM_PROJECT_ACTIVE,
		.create_time_ms = 1700000000000LL,
	};

	return p;
}

static bool project_exists(struct stim_store *s, const char *id)
{
	cleanup_db struct stim_db *db = stim_store_db(s, NULL);
	cleanup_error stim_error_t err = NULL;
	struct stim_project p;

	if (stim_store_project_get(db, id, &p, &err) == 0) {
		stim_project_fini(&p);
		return true;
	}
	assert_int_equal(err->code, STIM_NOT_FOUND);
	return false;
}

static void test_open_creates_dir_0700(void **state)
{
	struct fixture *f = *state;
	struct stim_store *s;
	struct stat st;
	cleanup_free char *db = xasprintf("%s/stimulator.db", f->data);
	cleanup_free char *existing = xasprintf("%s/existing", f->tmp);

	assert_int_equal(stat(f->data, &st), -1);
	s = open_ok(f->data);
	assert_int_equal(stat(f->data, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(db, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	stim_store_close(s);

	/* A dir that existed with wider modes is narrowed to 0700. */
	assert_int_equal(mkdir(existing, 0755), 0);
	assert_int_equal(chmod(existing, 0755), 0);
	s = open_ok(existing);
	assert_int_equal(stat(existing, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	stim_store_close(s);
	stim_store_close(NULL);
}

static void test_open_fails_on_file(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *file = xasprintf("%s/plain-file", f->tmp);
	cleanup_error stim_error_t err = NULL;
	FILE *fp = fopen(file, "w");

	assert_non_null(fp);
	fclose(fp);
	assert_null(stim_store_open(file, &err));
	assert_non_null(err);
	assert_int_equal(err->code, STIM_INTERNAL);
}

static void test_migrations_to_latest(void **state)
{
	struct fixture *f = *state;
	struct stim_store *s = open_ok(f->data);
	cleanup_error stim_error_t err = NULL;

	assert_true(stim_migrations_count >= 1);
	for (int i = 0; i < stim_migrations_count; i++)
		assert_int_equal(stim_migrations[i].version, i + 1);
	{
		cleanup_db struct stim_db *db = stim_store_db(s, &err);
		static const char sql[] = "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
					  "AND name IN ('projects', 'project_labels', "
					  "'lro_operations', 'project_services')";
		cleanup_reset sqlite3_stmt *st = NULL;

		assert_non_null(db);
		assert_int_equal(stim_store_version(db, &err), stim_migrations_count);
		st = stim_db_stmt(db, sql, &err);
		assert_non_null(st);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 4);
	}
	assert_int_equal(stim_store_ping(s, &err), 0);
	assert_null(err);
	stim_store_close(s);
}

static void test_reopen_idempotent(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;

	for (int round = 0; round < 3; round++) {
		struct stim_store *s = open_ok(f->data);
		cleanup_db struct stim_db *db = stim_store_db(s, &err);

		assert_int_equal(stim_store_version(db, &err), stim_migrations_count);
		stim_db_release(steal_pointer(&db));
		stim_store_close(s);
	}
}

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_store *s = open_ok(f->data);

	{
		cleanup_db struct stim_db *db = stim_store_db(s, &err);
		cleanup_free char *bump =
			xasprintf("PRAGMA user_version = %d", stim_migrations_count + 1);

		assert_int_equal(stim_db_exec(db, bump, &err), 0);
	}
	stim_store_close(s);
	assert_null(stim_store_open(f->data, &err));
	assert_non_null(err);
	assert_int_equal(err->code, STIM_FAILED_PRECONDITION);
	assert_non_null(strstr(err->msg, "newer than this binary"));
}

/* Migration 19 moves the bucket policies of migration 2 into the shared
 * IAM tables, and a bucket's delete still takes its policy along. */
static void test_bucket_policies_move(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *path = xasprintf("%s/stimulator.db", f->data);
	struct stim_iam_policy p;
	struct stim_store *s;
	sqlite3 *raw = NULL;

	assert_int_equal(stim_mkdir_p(f->data, 0700, &err), 0);
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	for (int i = 0; i < 18; i++)
		assert_int_equal(sqlite3_exec(raw, stim_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(
			raw,
			"PRAGMA user_version = 18;"
			"INSERT INTO projects (project_id, project_number, name, "
			"  lifecycle_state, create_time) VALUES ('p1', 77, 'p', 'ACTIVE', 0);"
			"INSERT INTO buckets VALUES ('b1', 77, 1, 1, 'US', 'STANDARD', "
			"  'DEFAULT', 'inherited', 0, 0, 0, 0, 0, 0, 0, 0, 3);"
			"INSERT INTO bucket_iam_bindings VALUES ('b1', 0, 'roles/storage.admin', "
			"  't', NULL, 'true');"
			"INSERT INTO bucket_iam_members VALUES ('b1', 0, 'user:a@example.com');"
			"INSERT INTO bucket_iam_members VALUES ('b1', 0, 'user:b@example.com');",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(raw);

	s = open_ok(f->data);
	{
		cleanup_db struct stim_db *db = stim_store_db(s, &err);

		assert_int_equal(stim_store_bucket_policy_get(db, "b1", &p, &err), 0);
		assert_int_equal(p.version, 3);
		assert_int_equal(p.n, 1);
		assert_string_equal(p.bindings[0].role, "roles/storage.admin");
		assert_string_equal(p.bindings[0].cond_expression, "true");
		assert_null(p.bindings[0].cond_description);
		assert_int_equal(p.bindings[0].members.n, 2);
		assert_string_equal(p.bindings[0].members.v[1], "user:b@example.com");
		stim_iam_policy_fini(&p);
		assert_int_equal(stim_db_exec(db, "DELETE FROM buckets WHERE name = 'b1'", &err),
				 0);
		{
			cleanup_reset sqlite3_stmt *st = stim_db_stmt(
				db,
				"SELECT (SELECT count(*) FROM iam_policies) + (SELECT count(*) "
				"FROM iam_bindings) + (SELECT count(*) FROM iam_members)",
				&err);

			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int(st, 0), 0);
		}
	}
	stim_store_close(s);
}

static void test_tx_rolls_back_when_not_committed(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_store *s = open_ok(f->data);
	struct stim_project p = project("rolled-back", 100000000001LL);

	{
		cleanup_db struct stim_db *db = stim_store_db(s, &err);
		cleanup_tx struct stim_tx *tx = stim_tx_begin(db, &err);

		assert_non_null(tx);
		assert_int_equal(stim_store_project_insert(db, &p, &err), 0);
		/* Visible inside the transaction... */
		assert_true(project_exists(s, "rolled-back"));
		/* ...and the scope ends without stim_tx_commit. */
	}
	assert_null(err);
	assert_false(project_exists(s, "rolled-back"));

	/* An explicit rollback does the same. */
	{
		cleanup_db struct stim_db *db = stim_store_db(s, &err);
		struct stim_tx *tx = stim_tx_begin(db, &err);

		assert_int_equal(stim_store_project_insert(db, &p, &err), 0);
		stim_tx_rollback(tx);
	}
	assert_false(project_exists(s, "rolled-back"));
	stim_tx_rollback(NULL);
	stim_store_close(s);

	/* And nothing came back from disk. */
	s = open_ok(f->data);
	assert_false(project_exists(s, "rolled-back"));
	stim_store_close(s);
}

static void test_commit_survives_reopen(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_store *s = open_ok(f->data);
	struct stim_project p = project("kept-proj", 100000000002LL);

	stim_labels_set(&p.labels, "env", "dev");
	{
		cleanup_db struct stim_db *db = stim_store_db(s, &err);
		cleanup_tx struct stim_tx *tx = stim_tx_begin(db, &err);

		assert_int_equal(stim_store_project_insert(db, &p, &err), 0);
		assert_int_equal(stim_tx_commit(steal_pointer(&tx), &err), 0);
		assert_null(tx);
	}
	stim_labels_fini(&p.labels);
	stim_store_close(s);

	s = open_ok(f->data);
	{
		cleanup_db struct stim_db *db = stim_store_db(s, &err);
		struct stim_project got;

		assert_int_equal(stim_store_project_get(db, "kept-proj", &got, &err), 0);
		assert_string_equal(got.project_id, "kept-proj");
		assert_int_equal(got.number, 100000000002LL);
		assert_int_equal(got.create_time_ms, 1700000000000LL);
		assert_int_equal(got.state, STIM_PROJECT_ACTIVE);
		assert_int_equal(got.labels.n, 1);
		assert_string_equal(got.labels.v[0].key, "env");
		assert_string_equal(got.labels.v[0].value, "dev");
		stim_project_fini(&got);
		assert_int_equal(stim_store_project_get_by_number(db, 100000000002LL, &got, &err),
				 0);
		assert_string_equal(got.project_id, "kept-proj");
		stim_project_fini(&got);
	}
	stim_store_close(s);
}

/* Slow by design: the second open waits out SQLite's busy timeout (2 s)
 * before it reports the lock. */
static void test_second_open_is_refused(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_store *s = open_ok(f->data);
	struct stim_store *again = stim_store_open(f->data, &err);

	assert_null(again);
	assert_non_null(err);
	assert_int_equal(err->code, STIM_FAILED_PRECONDITION);
	assert_non_null(strstr(err->msg, "in use by another stimulator daemon"));
	/* The first store still works. */
	assert_int_equal(stim_store_ping(s, NULL), 0);
	stim_store_close(s);

	/* Once it is closed, the data dir opens again. */
	s = open_ok(f->data);
	stim_store_close(s);
}

static void test_unique_violation_is_already_exists(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_store *s = open_ok(f->data);
	struct stim_project a = project("dup-proj", 100000000003LL);
	struct stim_project same_id = project("dup-proj", 100000000004LL);
	struct stim_project same_number = project("other-proj", 100000000003LL);

	{
		cleanup_db struct stim_db *db = stim_store_db(s, &err);
		cleanup_tx struct stim_tx *tx = stim_tx_begin(db, &err);

		assert_int_equal(stim_store_project_insert(db, &a, &err), 0);
		/* Same primary key (projects.c tells this case by the column name). */
		assert_int_equal(stim_store_project_insert(db, &same_id, &err), -1);
		assert_int_equal(err->code, STIM_ALREADY_EXISTS);
		assert_non_null(strstr(err->msg, "projects.project_id"));
		stim_error_free(err);
		err = NULL;
		/* Same UNIQUE number. */
		assert_int_equal(stim_store_project_insert(db, &same_number, &err), -1);
		assert_int_equal(err->code, STIM_ALREADY_EXISTS);
		assert_non_null(strstr(err->msg, "project_number"));
		stim_error_free(err);
		err = NULL;
		assert_int_equal(stim_tx_commit(steal_pointer(&tx), &err), 0);
	}

	/* stim_db_err itself, straight after the failing step. */
	{
		static const char sql[] = "INSERT INTO projects (project_id, project_number, name, "
					  "lifecycle_state, create_time) VALUES (?, 5, 'n', "
					  "'ACTIVE', 0)";
		cleanup_db struct stim_db *db = stim_store_db(s, &err);
		cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, &err);

		assert_non_null(st);
		sqlite3_bind_text(st, 1, "dup-proj", -1, SQLITE_STATIC);
		assert_int_not_equal(sqlite3_step(st), SQLITE_DONE);
		assert_int_equal(stim_db_err(db, "insert it", &err), -1);
		assert_int_equal(err->code, STIM_ALREADY_EXISTS);
		assert_true(stim_str_has_prefix(err->msg, "insert it: "));
		stim_error_free(err);
		err = NULL;
	}
	/* Other constraint failures are INTERNAL. */
	{
		static const char sql[] = "INSERT INTO projects (project_id, project_number, name, "
					  "lifecycle_state, create_time) VALUES ('x', 6, NULL, "
					  "'ACTIVE', 0)";
		cleanup_db struct stim_db *db = stim_store_db(s, &err);
		cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sql, &err);

		assert_non_null(st);
		assert_int_not_equal(sqlite3_step(st), SQLITE_DONE);
		assert_int_equal(stim_db_err(db, "not null", &err), -1);
		assert_int_equal(err->code, STIM_INTERNAL);
		stim_error_free(err);
		err = NULL;
	}
	/* The committed row is the first one. */
	assert_true(project_exists(s, "dup-proj"));
	assert_false(project_exists(s, "other-proj"));
	stim_store_close(s);
}

static void test_statement_cache(void **state)
{
	/* More statements than the cache's first capacity (64 slots, grows
	 * at half full), each keyed by its own address. */
	static char sqls[80][32];
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_store *s = open_ok(f->data);
	sqlite3_stmt *first[80];

	{
		cleanup_db struct stim_db *db = stim_store_db(s, &err);

		for (int i = 0; i < 80; i++) {
			snprintf(sqls[i], sizeof(sqls[i]), "SELECT %d", i * 3);
			first[i] = stim_db_stmt(db, sqls[i], &err);
			assert_non_null(first[i]);
		}
		for (int i = 0; i < 80; i++) {
			cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, sqls[i], &err);

			/* The same prepared statement comes back after the growth. */
			assert_ptr_equal(st, first[i]);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int(st, 0), i * 3);
		}
		/* A bad statement is an error, not a crash. */
		assert_null(stim_db_stmt(db, "SELEC nonsense", &err));
		assert_non_null(err);
		assert_int_equal(err->code, STIM_INTERNAL);
	}
	stim_store_close(s);
}

static void test_db_is_recursive(void **state)
{
	struct fixture *f = *state;
	struct stim_store *s = open_ok(f->data);
	cleanup_error stim_error_t err = NULL;

	{
		cleanup_db struct stim_db *outer = stim_store_db(s, &err);
		cleanup_db struct stim_db *inner = stim_store_db(s, &err);

		/* A service calling another takes the connection again. */
		assert_ptr_equal(outer, inner);
		assert_int_equal(stim_store_ping(s, &err), 0);
	}
	stim_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_dir_0700, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_fails_on_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrations_to_latest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bucket_policies_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_rolls_back_when_not_committed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_commit_survives_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_open_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_violation_is_already_exists, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_is_recursive, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
