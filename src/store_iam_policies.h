#pragma once
/* SQL for the IAM policies of projects and service accounts (rules in
 * src/iam_policies.c). A resource is "projects/ID" or
 * "serviceAccounts/UNIQUE_ID". */

#include <stdint.h>

#include "src/iam_policy.h"
#include "src/store.h"

/* The policy and its generation; a resource never given one has none:
 * version 1, no bindings, generation 0. out->etag is left NULL. */
int stim_store_iam_policy_get(struct stim_db *db, const char *resource, struct stim_iam_policy *out,
			      int64_t *gen, stim_error_t *err);
/* Replaces the policy, as generation gen (inside the caller's
 * transaction). */
int stim_store_iam_policy_put(struct stim_db *db, const char *resource,
			      const struct stim_iam_policy *p, int64_t gen, stim_error_t *err);

/* The id of the project that holds bucket (the caller's), for the
 * effective policy of what is in it. NOT_FOUND without such a bucket. */
int stim_store_iam_bucket_project(struct stim_db *db, const char *bucket, char **project,
				  stim_error_t *err);
