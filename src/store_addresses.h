#pragma once
/* SQL for static addresses (rules in src/addresses.c). Writes run inside
 * the caller's transaction, if any. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/addresses.h"
#include "src/store.h"

/* ALREADY_EXISTS when the name, or the address, is taken. */
int stim_store_address_put(struct stim_db *db, const struct stim_address *a, stim_error_t *err);
/* NOT_FOUND when absent. The user is filled in. */
int stim_store_address_get(struct stim_db *db, const char *project, const char *region,
			   const char *name, struct stim_address *out, stim_error_t *err);
/* The address reserved as ip, in any project: NOT_FOUND when none. */
int stim_store_address_at(struct stim_db *db, uint32_t ip, struct stim_address *out,
			  stim_error_t *err);
int stim_store_address_scan(struct stim_db *db, const char *project, const char *region,
			    const char *after_region, const char *after_name, int limit,
			    struct stim_address **out, size_t *n, stim_error_t *err);
int stim_store_address_remove(struct stim_db *db, const char *project, const char *region,
			      const char *name, stim_error_t *err);
