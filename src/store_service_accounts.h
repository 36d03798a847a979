#pragma once
/* SQL for IAM service accounts (rules in src/service_accounts.c). */

#include <stddef.h>
#include <stdint.h>

#include "src/service_accounts.h"
#include "src/store.h"

/* ALREADY_EXISTS when a live account has the email. */
int stim_store_sa_insert(struct stim_db *db, const struct stim_service_account *sa,
			 stim_error_t *err);
/* By email or unique id (the other NULL / 0); deleted ones only when
 * deleted is set. NOT_FOUND otherwise. */
int stim_store_sa_get(struct stim_db *db, const char *email, int64_t unique_id, bool deleted,
		      struct stim_service_account *out, stim_error_t *err);
/* A project's live accounts by email, after `after`, at most limit. */
int stim_store_sa_list(struct stim_db *db, const char *project, const char *after, int limit,
		       struct stim_service_account **out, size_t *n, stim_error_t *err);
/* Writes display name, description, disabled and deleted_ms, and a new
 * generation (the etag's). ALREADY_EXISTS when an undelete meets a live
 * account with its email. */
int stim_store_sa_update(struct stim_db *db, const struct stim_service_account *sa,
			 stim_error_t *err);
