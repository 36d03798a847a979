#pragma once
/*
 * Cloud Storage buckets: the rules (names, locations, storage classes,
 * lifecycle, preconditions, metagenerations, bucket IAM) over the store.
 * No HTTP here: api/storage_buckets.c turns JSON into these structs.
 *
 * Bucket names are global: one name, one bucket, across every project. A
 * bucket belongs to a project by number. Every change to a bucket's
 * metadata (patch, update, setIamPolicy) adds one to its metageneration,
 * which its etag and its IAM policy's etag encode (src/etag.h), so a
 * read-modify-write on either fails when the other changed in between.
 */

#include <stdbool.h>
#include <stdint.h>

#include "src/bucket_lifecycle.h"
#include "src/context.h"
#include "src/error.h"
#include "src/iam_policy.h"
#include "src/labels.h"
#include "src/strv.h"

struct stim_bucket {
	char *name;
	int64_t project_number;
	int64_t generation; /* fixed at creation */
	int64_t metageneration;
	char *location; /* upper case: "US", "US-CENTRAL1" */
	char *storage_class;
	char *rpo;
	char *public_access_prevention; /* "inherited" or "enforced" */
	bool versioning;
	bool uniform_access;
	int64_t uniform_access_time_ms; /* when uniform access was turned on; 0 when off */
	bool default_event_based_hold;
	int64_t soft_delete_seconds;
	int64_t soft_delete_time_ms; /* the policy's effectiveTime */
	int64_t create_time_ms;
	int64_t update_time_ms;
	struct stim_labels labels;
	struct stim_lifecycle lifecycle;
};

/*
 * What a caller may set. Strings are borrowed; labels, labels_removed and
 * lifecycle are owned (stim_bucket_spec_fini). A field without its has_ flag
 * (or a NULL string) is absent: on insert it takes GCS's default, on patch
 * it stays as it is, on update (a PUT of the whole resource) it is reset to
 * the default.
 */
struct stim_bucket_spec {
	const char *name;
	const char *location;
	const char *storage_class;
	const char *rpo;
	const char *public_access_prevention;
	bool has_versioning;
	bool versioning;
	bool has_uniform_access;
	bool uniform_access;
	bool has_default_event_based_hold;
	bool default_event_based_hold;
	bool has_soft_delete;
	int64_t soft_delete_seconds;
	bool has_lifecycle; /* with zero rules: remove every rule */
	struct stim_lifecycle lifecycle;
	/* Labels: every label goes first when labels_clear; then `labels` are
	 * set and the keys in labels_removed (a patch's "key": null) dropped. */
	bool labels_clear;
	struct stim_labels labels;
	struct stim_strv labels_removed;
};

/* ifMetagenerationMatch / ifMetagenerationNotMatch. */
struct stim_bucket_cond {
	bool has_match;
	int64_t match;
	bool has_not_match;
	int64_t not_match;
};

struct stim_bucket_query {
	const char *project; /* id or number; required */
	const char *prefix;  /* NULL for all */
	int max_results;     /* 0: the default (1000) */
	const char *page_token;
};

struct stim_bucket_page {
	struct stim_bucket *items;
	size_t n;
	char *next_page_token; /* NULL on the last page */
};

/*
 * Service calls; any thread. Results are the caller's (the _fini
 * functions). Errors: NOT_FOUND for a missing bucket or project,
 * INVALID_ARGUMENT for bad input, ALREADY_EXISTS (reason "conflict") for a
 * taken name or a non-empty bucket on delete, FAILED_PRECONDITION with
 * reason "conditionNotMet" when a precondition or an etag does not hold.
 */
int stim_bucket_insert(struct stim_ctx *ctx, const char *project,
		       const struct stim_bucket_spec *spec, struct stim_bucket *out,
		       stim_error_t *err);
/* Returns 0, or STIM_BUCKET_NOT_MODIFIED (out untouched) when
 * ifMetagenerationNotMatch names the current metageneration: GCS answers a
 * GET so with 304. */
#define STIM_BUCKET_NOT_MODIFIED 1
int stim_bucket_get(struct stim_ctx *ctx, const char *name, const struct stim_bucket_cond *cond,
		    struct stim_bucket *out, stim_error_t *err);
int stim_bucket_list(struct stim_ctx *ctx, const struct stim_bucket_query *q,
		     struct stim_bucket_page *out, stim_error_t *err);
int stim_bucket_patch(struct stim_ctx *ctx, const char *name, const struct stim_bucket_cond *cond,
		      const struct stim_bucket_spec *spec, struct stim_bucket *out,
		      stim_error_t *err);
int stim_bucket_update(struct stim_ctx *ctx, const char *name, const struct stim_bucket_cond *cond,
		       const struct stim_bucket_spec *spec, struct stim_bucket *out,
		       stim_error_t *err);
int stim_bucket_delete(struct stim_ctx *ctx, const char *name, const struct stim_bucket_cond *cond,
		       stim_error_t *err);

/* Bucket IAM (stored, not enforced). get refuses a policy with conditions
 * to a caller that asked for a version below 3, as IAM does. set checks
 * and normalises `in` in place (stim_iam_policy_check), compares in->etag
 * with the current one (decoded bytes; either base64 alphabet; none: no
 * check), and answers the stored policy with its new etag. */
int stim_bucket_iam_get(struct stim_ctx *ctx, const char *name, int requested_version,
			struct stim_iam_policy *out, stim_error_t *err);
int stim_bucket_iam_set(struct stim_ctx *ctx, const char *name, struct stim_iam_policy *in,
			struct stim_iam_policy *out, stim_error_t *err);

/* Pure parts, exported for unit tests. */

/* The bucket's etag (the caller's): its metageneration, protobuf-encoded. */
char *stim_bucket_etag(const struct stim_bucket *b);
/* Applies spec to b: replace=false merges (patch), replace=true first
 * resets every writable field to its default (update). Checks every value;
 * on failure b is unchanged. */
int stim_bucket_apply(struct stim_bucket *b, const struct stim_bucket_spec *spec, bool replace,
		      int64_t now_ms, stim_error_t *err);
/* The preconditions against a metageneration: 0 when they hold. */
int stim_bucket_cond_check(const struct stim_bucket_cond *cond, int64_t metageneration,
			   stim_error_t *err);

void stim_bucket_fini(struct stim_bucket *b);
void stim_bucket_page_fini(struct stim_bucket_page *page);
void stim_bucket_spec_fini(struct stim_bucket_spec *spec);
