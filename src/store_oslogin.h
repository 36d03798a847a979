#pragma once
/* SQL for OS Login's ssh keys (rules in src/oslogin.c). */

#include <stddef.h>
#include <stdint.h>

#include "src/store.h"

struct stim_oslogin_key {
	char *user;
	char *fingerprint;
	char *key;
	int64_t expire_usec; /* 0: never */
};

void stim_oslogin_key_fini(struct stim_oslogin_key *k);

/* Adds the key, or replaces its expiry when the user has it already. */
int stim_store_oslogin_key_put(struct stim_db *db, const struct stim_oslogin_key *k,
			       stim_error_t *err);
/* A user's keys (user NULL: every user's), by user and fingerprint. */
int stim_store_oslogin_keys(struct stim_db *db, const char *user, struct stim_oslogin_key **out,
			    size_t *n, stim_error_t *err);
/* NOT_FOUND when the user has no such key. */
int stim_store_oslogin_key_delete(struct stim_db *db, const char *user, const char *fingerprint,
				  stim_error_t *err);
