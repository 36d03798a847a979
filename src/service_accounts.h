#pragma once
/*
 * IAM service accounts (IAM v1 projects.serviceAccounts): made in a
 * project as ACCOUNT_ID@PROJECT.iam.gserviceaccount.com with a unique id,
 * found by email or unique id under any project segment (gcloud sends
 * projects/-/ as often as the project), renamed and described, disabled
 * and enabled, deleted and, for 30 days, undeleted by unique id. GCP's
 * rules and messages: an account id of 6 to 30 lower-case letters,
 * digits and hyphens, starting with a letter and not ending with a
 * hyphen; a display name of at most 100 characters, a description of at
 * most 256.
 */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "src/context.h"
#include "src/error.h"
#include "src/store.h"

#define STIM_SA_UNDELETE_MS (30LL * 24 * 3600 * 1000)

struct stim_service_account {
	char *project;
	char *account_id;
	char *email;
	int64_t unique_id;
	char *display_name; /* NULL: none */
	char *description;  /* NULL: none */
	bool disabled;
	int64_t deleted_ms; /* 0: live */
	int64_t create_ms;
	int64_t gen; /* bumped by every change: the etag */
};

void stim_sa_fini(struct stim_service_account *sa);

/* INVALID_ARGUMENT with GCP's message when id is no account id. */
int stim_sa_account_id_check(const char *id, stim_error_t *err);

/* The resource as IAM renders it. */
json_t *stim_sa_json(const struct stim_service_account *sa);

/* create: accountId and the serviceAccount's displayName and
 * description (either NULL). */
int stim_sa_create(struct stim_ctx *ctx, const char *project, const char *account_id,
		   const char *display_name, const char *description,
		   struct stim_service_account *out, stim_error_t *err);
/* An account by email or unique id (all digits) in an open database;
 * deleted ones only when deleted is set. For the services that hang off
 * accounts (keys, tokens). */
int stim_sa_find(struct stim_db *db, const char *name, bool deleted,
		 struct stim_service_account *out, stim_error_t *err);
/* get: name is an email or a unique id. */
int stim_sa_get(struct stim_ctx *ctx, const char *name, struct stim_service_account *out,
		stim_error_t *err);
int stim_sa_list(struct stim_ctx *ctx, const char *project, const char *after, int limit,
		 struct stim_service_account **out, size_t *n, stim_error_t *err);
/* patch: the fields named in mask ("displayName", "description"). */
int stim_sa_patch(struct stim_ctx *ctx, const char *name, const char *display_name,
		  const char *description, const char *mask, struct stim_service_account *out,
		  stim_error_t *err);
int stim_sa_set_disabled(struct stim_ctx *ctx, const char *name, bool disabled, stim_error_t *err);
int stim_sa_delete(struct stim_ctx *ctx, const char *name, stim_error_t *err);
/* undelete: by unique id, within 30 days of the delete. */
int stim_sa_undelete(struct stim_ctx *ctx, const char *name, struct stim_service_account *out,
		     stim_error_t *err);
