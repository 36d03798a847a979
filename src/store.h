#pragma once
/*
 * The SQLite store: the source of truth for every resource.
 *
 * One database file in WAL mode under the data dir, reached through ONE
 * connection in exclusive locking mode that callers take in turn.
 *
 * Why not a connection per thread (DESIGN.md's first plan): SQLite guards
 * every read transaction of a shared database with fcntl() locks on the WAL
 * index and with VFS mutexes, about three system calls per GET, and system
 * calls dominate request cost on our VMs (tests/bench/http measured a
 * project GET at 0.64 of /health/live that way). The daemon is the only
 * process that opens the file, so an exclusive lock held for the life of
 * the connection costs nothing and also stops a second daemon from sharing
 * the data dir. The price is that store work is serialised: keep it short,
 * and never hold the store across host work (netlink, process start).
 *
 * stim_store_db() takes the connection (a recursive mutex: a service may
 * call another) and cleanup_db gives it back. The connection keeps its
 * prepared statements, keyed by the address of the SQL text.
 *
 * Schema changes are numbered migrations in src/store_migrations.c, applied
 * in order at start, each in its own transaction, tracked in user_version.
 *
 * SQL lives only in src/store*.c. Callers see C structs, never statements.
 */

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

struct stim_store;
struct stim_db;

/* Lifecycle: open creates DIR (0700) if needed, takes the database's lock
 * (FAILED_PRECONDITION if another daemon holds it) and migrates the schema.
 * Close only after every thread that used the store has stopped. */
struct stim_store *stim_store_open(const char *data_dir, stim_error_t *err);
void stim_store_close(struct stim_store *store);

/* Takes the connection for the calling thread until stim_db_release();
 * declare the variable cleanup_db. Blocks while another thread has it. */
struct stim_db *stim_store_db(struct stim_store *store, stim_error_t *err);
void stim_db_release(struct stim_db *db);
void stim_cleanup_db(struct stim_db **db);
#define cleanup_db __attribute__((cleanup(stim_cleanup_db)))

/* A cheap query that proves the database answers (for /health/ready). */
int stim_store_ping(struct stim_store *store, stim_error_t *err);

/* IAM's generation: every write to what an IAM answer rests on (policies,
 * custom roles, service accounts, their keys) calls stim_db_iam_changed,
 * from inside the writer's hold of the connection, so an answer computed
 * under one generation (src/decision_cache.h) is never used under a
 * later one. stim_store_iam_gen reads it without taking the connection. */
void stim_db_iam_changed(struct stim_db *db);
uint64_t stim_store_iam_gen(struct stim_store *store);

/* The schema version the database is at. */
int stim_store_version(struct stim_db *db, stim_error_t *err);

/*
 * Statements. stim_db_stmt() returns the thread's cached statement for `sql`
 * (which must be a string literal or otherwise live forever: its address is
 * the cache key), reset and with bindings cleared. Declare the variable with
 * cleanup_reset so it is reset again when the caller is done with it.
 */
sqlite3_stmt *stim_db_stmt(struct stim_db *db, const char *sql, stim_error_t *err);
void stim_cleanup_reset(sqlite3_stmt **stmt);
#define cleanup_reset __attribute__((cleanup(stim_cleanup_reset)))

/* A text column as a new string (the caller's), or NULL for SQL NULL. */
char *stim_db_column_dup(sqlite3_stmt *st, int col);
/* Binds s (borrowed until the statement runs), or SQL NULL for NULL. */
void stim_db_bind_text_opt(sqlite3_stmt *st, int col, const char *s);

/* Every row of st (bound, not yet stepped) as an array of elements of
 * elem_size, each filled by row(st, elem, arg, err) from a zeroed one.
 * On failure (a row's, or the step's, named by `what`) the elements made
 * are finished with fini and nothing is returned. */
int stim_db_rows(struct stim_db *db, sqlite3_stmt *st, size_t elem_size,
		 int (*row)(sqlite3_stmt *st, void *elem, void *arg, stim_error_t *err), void *arg,
		 void (*fini)(void *elem), const char *what, void **out, size_t *n,
		 stim_error_t *err);

/* Turns the connection's last error into a stim_error: a UNIQUE or PRIMARY
 * KEY violation is ALREADY_EXISTS, SQLITE_BUSY is UNAVAILABLE, the rest is
 * INTERNAL. `what` says what was being done. Returns -1. */
int stim_db_err(struct stim_db *db, const char *what, stim_error_t *err);

/* Runs one statement with no results (used by migrations and transactions). */
int stim_db_exec(struct stim_db *db, const char *sql, stim_error_t *err);

/* The raw connection, for the store_* modules only. */
sqlite3 *stim_db_handle(struct stim_db *db);

/*
 * Transactions. stim_tx_begin() starts a write transaction (BEGIN IMMEDIATE,
 * so a writer waits for the lock up front instead of failing half way).
 * A transaction declared cleanup_tx rolls back when it goes out of scope
 * unless stim_tx_commit(steal_pointer(&tx), err) ran, so a multi-step change
 * cannot half-commit.
 */
struct stim_tx;
struct stim_tx *stim_tx_begin(struct stim_db *db, stim_error_t *err);
int stim_tx_commit(struct stim_tx *tx, stim_error_t *err);
void stim_tx_rollback(struct stim_tx *tx);
void stim_cleanup_tx(struct stim_tx **tx);
#define cleanup_tx __attribute__((cleanup(stim_cleanup_tx)))
