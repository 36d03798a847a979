#pragma once
/* SQL for service account keys (rules in src/sa_keys.c). */

#include <stddef.h>
#include <stdint.h>

#include "src/sa_keys.h"
#include "src/store.h"

int stim_store_sa_key_insert(struct stim_db *db, const struct stim_sa_key *k, stim_error_t *err);
/* By id, of any account (sa_unique_id 0) or of that one. NOT_FOUND
 * otherwise. */
int stim_store_sa_key_get(struct stim_db *db, int64_t sa_unique_id, const char *key_id,
			  struct stim_sa_key *out, stim_error_t *err);
/* An account's keys by id. */
int stim_store_sa_key_list(struct stim_db *db, int64_t sa_unique_id, struct stim_sa_key **out,
			   size_t *n, stim_error_t *err);
int stim_store_sa_key_set_disabled(struct stim_db *db, const char *key_id, bool disabled,
				   stim_error_t *err);
int stim_store_sa_key_delete(struct stim_db *db, const char *key_id, stim_error_t *err);
