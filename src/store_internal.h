#pragma once
/* Shared between src/store.c and src/store_migrations.c only. */

#include "src/store.h"

/* One schema step. `sql` may hold several statements. */
struct stim_migration {
	int version;
	const char *sql;
};

/* The migrations in order; versions are 1, 2, 3, ... without gaps. */
extern const struct stim_migration stim_migrations[];
extern const int stim_migrations_count;

/* Applies every migration above the database's user_version. */
int stim_store_migrate(struct stim_db *db, stim_error_t *err);
