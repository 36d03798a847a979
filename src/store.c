/* The SQLite store: one exclusive connection, statement cache, transactions. */
#include "src/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/cleanup.h"
#include "src/log.h"
#include "src/store_internal.h"
#include "src/util.h"

/* A second daemon on the same data dir waits this long for the lock (long
 * enough for a restart's old process to let go), then gives up. */
#define BUSY_TIMEOUT_MS 500

struct stmt_slot {
	const char *sql; /* the key: address of the caller's literal */
	sqlite3_stmt *stmt;
};

struct stim_db {
	sqlite3 *conn;
	struct stmt_slot *slots; /* open addressing, capacity a power of two */
	size_t cap;
	size_t used;
	pthread_mutex_t lock; /* recursive: held from stim_store_db to release */
	uint64_t iam_gen;     /* atomic: bumped by every IAM change */
};

struct stim_store {
	char *path;
	struct stim_db db;
};

struct stim_tx {
	struct stim_db *db;
};

static void db_close(struct stim_db *db)
{
	for (size_t i = 0; i < db->cap; i++) {
		if (db->slots[i].stmt != NULL)
			sqlite3_finalize(db->slots[i].stmt);
	}
	free(db->slots);
	db->slots = NULL;
	sqlite3_close(db->conn);
	db->conn = NULL;
}

static int db_open(struct stim_store *store, stim_error_t *err)
{
	struct stim_db *db = &store->db;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc;

	db->cap = 64;
	db->slots = xcalloc(db->cap, sizeof(*db->slots));
	rc = sqlite3_open_v2(store->path, &db->conn, flags, NULL);
	if (rc != SQLITE_OK) {
		stim_err(err, STIM_INTERNAL, "open %s: %s", store->path,
			 db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->conn, 1);
	/* Exclusive before WAL: then the WAL index lives in heap memory and no
	 * transaction takes a file lock (see store.h). NORMAL sync is durable
	 * across a daemon crash (not a power cut), which an emulator needs.
	 * Switching to WAL reads the file, which takes the exclusive lock: a
	 * second daemon on the same data dir stops here. */
	if (stim_db_exec(db, "PRAGMA locking_mode = EXCLUSIVE", err) < 0)
		return -1;
	if (stim_db_exec(db, "PRAGMA journal_mode = WAL", err) < 0) {
		if ((sqlite3_extended_errcode(db->conn) & 0xff) != SQLITE_BUSY)
			return -1;
		stim_error_free(*err);
		*err = NULL;
		return stim_err(err, STIM_FAILED_PRECONDITION,
				"%s is in use by another stimulator daemon", store->path);
	}
	if (stim_db_exec(db, "PRAGMA synchronous = NORMAL", err) < 0 ||
	    stim_db_exec(db, "PRAGMA foreign_keys = ON", err) < 0)
		return -1;
	return 0;
}

struct stim_store *stim_store_open(const char *data_dir, stim_error_t *err)
{
	struct stim_store *store;
	pthread_mutexattr_t attr;

	/* SQLite's memory statistics take a global mutex on every allocation;
	 * nothing reads them. Must precede sqlite3_initialize, so it is a
	 * no-op (SQLITE_MISUSE) once another store was opened. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (stim_mkdir_p(data_dir, 0700, err) < 0)
		return NULL;
	/* The data dir holds tokens and keys later: keep it ours alone even
	 * when it existed before. */
	if (chmod(data_dir, 0700) < 0) {
		stim_err_sys(err, errno, "chmod %s", data_dir);
		return NULL;
	}
	store = xcalloc(1, sizeof(*store));
	store->path = xasprintf("%s/stimulator.db", data_dir);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&store->db.lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (db_open(store, err) < 0 || stim_store_migrate(&store->db, err) < 0) {
		stim_store_close(store);
		return NULL;
	}
	return store;
}

void stim_store_close(struct stim_store *store)
{
	if (store == NULL)
		return;
	db_close(&store->db);
	pthread_mutex_destroy(&store->db.lock);
	free(store->path);
	free(store);
}

struct stim_db *stim_store_db(struct stim_store *store, stim_error_t *err)
{
	pthread_mutex_lock(&store->db.lock);
	return &store->db;
}

void stim_db_release(struct stim_db *db)
{
	pthread_mutex_unlock(&db->lock);
}

void stim_cleanup_db(struct stim_db **db)
{
	if (*db != NULL)
		stim_db_release(*db);
}

int stim_store_ping(struct stim_store *store, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(store, err);

	if (db == NULL)
		return -1;
	return stim_store_version(db, err) < 0 ? -1 : 0;
}

int stim_store_version(struct stim_db *db, stim_error_t *err)
{
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, "PRAGMA user_version", err);

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW)
		return stim_db_err(db, "read schema version", err);
	return sqlite3_column_int(st, 0);
}

sqlite3 *stim_db_handle(struct stim_db *db)
{
	return db->conn;
}

static size_t slot_of(const struct stim_db *db, const char *sql)
{
	/* Pointer hash: the low bits of string literals are poorly spread. */
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (db->cap - 1);
}

static void cache_grow(struct stim_db *db)
{
	struct stmt_slot *old = db->slots;
	size_t oldcap = db->cap;

	db->cap *= 2;
	db->slots = xcalloc(db->cap, sizeof(*db->slots));
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (old[i].sql == NULL)
			continue;
		j = slot_of(db, old[i].sql);
		while (db->slots[j].sql != NULL)
			j = (j + 1) & (db->cap - 1);
		db->slots[j] = old[i];
	}
	free(old);
}

sqlite3_stmt *stim_db_stmt(struct stim_db *db, const char *sql, stim_error_t *err)
{
	size_t i = slot_of(db, sql);
	sqlite3_stmt *stmt = NULL;

	while (db->slots[i].sql != NULL) {
		if (db->slots[i].sql == sql)
			return db->slots[i].stmt;
		i = (i + 1) & (db->cap - 1);
	}
	if (sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
	    SQLITE_OK) {
		stim_db_err(db, "prepare", err);
		return NULL;
	}
	if ((db->used + 1) * 2 > db->cap) {
		cache_grow(db);
		i = slot_of(db, sql);
		while (db->slots[i].sql != NULL)
			i = (i + 1) & (db->cap - 1);
	}
	db->slots[i].sql = sql;
	db->slots[i].stmt = stmt;
	db->used++;
	return stmt;
}

void stim_cleanup_reset(sqlite3_stmt **stmt)
{
	if (*stmt != NULL) {
		sqlite3_reset(*stmt);
		sqlite3_clear_bindings(*stmt);
	}
}

char *stim_db_column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

void stim_db_bind_text_opt(sqlite3_stmt *st, int col, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

int stim_db_rows(struct stim_db *db, sqlite3_stmt *st, size_t elem_size,
		 int (*row)(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err), void *arg,
		 void (*fini)(void *elem), const char *what, void **out, size_t *n,
		 stim_error_t *err)
{
	char *v = NULL;
	size_t count = 0;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* Doubling: a page of a thousand rows is ten reallocs, not 1000. */
		if (count == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			v = xrealloc(v, cap * elem_size);
		}
		memset(v + count * elem_size, 0, elem_size);
		if (row(st, v + count * elem_size, arg, err) < 0)
			goto fail;
		count++;
	}
	if (rc != SQLITE_DONE) {
		stim_db_err(db, what, err);
		goto fail;
	}
	*out = v;
	*n = count;
	return 0;
fail:
	for (size_t i = 0; i < count; i++)
		fini(v + i * elem_size);
	free(v);
	return -1;
}

int stim_db_err(struct stim_db *db, const char *what, stim_error_t *err)
{
	int rc = sqlite3_extended_errcode(db->conn);
	const char *msg = sqlite3_errmsg(db->conn);

	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return stim_err(err, STIM_ALREADY_EXISTS, "%s: %s", what, msg);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return stim_err(err, STIM_UNAVAILABLE, "%s: database busy: %s", what, msg);
	return stim_err(err, STIM_INTERNAL, "%s: sqlite: %s", what, msg);
}

int stim_db_exec(struct stim_db *db, const char *sql, stim_error_t *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
		stim_err(err, STIM_INTERNAL, "sqlite: %s", msg ? msg : sqlite3_errmsg(db->conn));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

struct stim_tx *stim_tx_begin(struct stim_db *db, stim_error_t *err)
{
	struct stim_tx *tx;
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, "BEGIN IMMEDIATE", err);

	if (st == NULL)
		return NULL;
	if (sqlite3_step(st) != SQLITE_DONE) {
		stim_db_err(db, "begin transaction", err);
		return NULL;
	}
	tx = xmalloc(sizeof(*tx));
	tx->db = db;
	return tx;
}

int stim_tx_commit(struct stim_tx *tx, stim_error_t *err)
{
	struct stim_db *db = tx->db;
	cleanup_reset sqlite3_stmt *st = stim_db_stmt(db, "COMMIT", err);

	if (st == NULL || sqlite3_step(st) != SQLITE_DONE) {
		if (st != NULL)
			stim_db_err(db, "commit", err);
		stim_tx_rollback(tx);
		return -1;
	}
	free(tx);
	return 0;
}

void stim_tx_rollback(struct stim_tx *tx)
{
	if (tx == NULL)
		return;
	/* Fails only when no transaction is open, which is fine here. */
	sqlite3_exec(tx->db->conn, "ROLLBACK", NULL, NULL, NULL);
	free(tx);
}

void stim_cleanup_tx(struct stim_tx **tx)
{
	stim_tx_rollback(*tx);
}

void stim_db_iam_changed(struct stim_db *db)
{
	__atomic_add_fetch(&db->iam_gen, 1, __ATOMIC_SEQ_CST);
}

uint64_t stim_store_iam_gen(struct stim_store *store)
{
	return __atomic_load_n(&store->db.iam_gen, __ATOMIC_SEQ_CST);
}
