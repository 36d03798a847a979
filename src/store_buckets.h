#pragma once
/*
 * SQL for buckets: their rows, labels, lifecycle rules and IAM bindings.
 * C structs in and out; the rules live in src/buckets.c. Writes must run
 * inside the caller's transaction.
 */

#include <stdint.h>

#include "src/buckets.h"
#include "src/iam_policy.h"
#include "src/store.h"
#include "src/strv.h"

/* A bucket with its labels and lifecycle rules; NOT_FOUND when absent. */
int stim_store_bucket_get(struct stim_db *db, const char *name, struct stim_bucket *out,
			  stim_error_t *err);
/* ALREADY_EXISTS when the name is taken (names are global). */
int stim_store_bucket_insert(struct stim_db *db, const struct stim_bucket *b, stim_error_t *err);
/* Rewrites every column, the labels and the lifecycle rules of a bucket. */
int stim_store_bucket_update(struct stim_db *db, const struct stim_bucket *b, stim_error_t *err);
/* Removes the bucket with its labels, rules and IAM bindings. */
int stim_store_bucket_delete(struct stim_db *db, const char *name, stim_error_t *err);

/* A project's buckets with name > after (NULL: from the start) that begin
 * with prefix (NULL: any), by name, at most limit. */
int stim_store_bucket_scan(struct stim_db *db, int64_t project_number, const char *prefix,
			   const char *after, int limit, struct stim_bucket **items, size_t *n,
			   stim_error_t *err);

/* 1 when the bucket holds no objects (live or noncurrent), 0 when it does,
 * -1 on error. */
int stim_store_bucket_is_empty(struct stim_db *db, const char *name, stim_error_t *err);

/* The bucket's IAM policy: version and bindings (the etag is the
 * service's). NOT_FOUND when the bucket is absent. */
int stim_store_bucket_policy_get(struct stim_db *db, const char *name, struct stim_iam_policy *out,
				 stim_error_t *err);
/* Replaces the bucket's version and bindings with p's. */
int stim_store_bucket_policy_put(struct stim_db *db, const char *name,
				 const struct stim_iam_policy *p, stim_error_t *err);

/* The names of the buckets that have lifecycle rules, for the sweeper. */
int stim_store_buckets_with_lifecycle(struct stim_db *db, struct stim_strv *names,
				      stim_error_t *err);
