#pragma once
/*
 * Cloud Storage JSON API v1 (/storage/v1/...), as `gcloud storage` and the
 * client libraries call it (reference/gcloud/storage.md): buckets, their
 * IAM policies, storageLayout and managedFolders. The parse and render
 * functions are pure and exported for unit tests.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api/request.h"
#include "src/buckets.h"
#include "src/iam_policy.h"

extern const struct api_route api_storage_bucket_routes[];
extern const size_t api_storage_bucket_routes_count;

/* A storage#bucket; links start with base_url ("http://HOST:PORT"). */
json_t *api_storage_bucket_to_json(const struct stim_bucket *b, const char *base_url);
/* A bucket body into a spec. patch=true reads JSON merge semantics: null
 * clears a field, and a label set to null is removed. Strings in spec are
 * borrowed from body; on failure spec holds nothing to free. */
int api_storage_bucket_spec_from_json(json_t *body, bool patch, struct stim_bucket_spec *spec,
				      stim_error_t *err);
/* A storage#storageLayout, which `gcloud storage rm -r` reads first. */
json_t *api_storage_layout_to_json(const struct stim_bucket *b);

/* A storage#policy of a bucket, and a policy body into p (owned by p). */
json_t *api_storage_policy_to_json(const char *bucket, const struct stim_iam_policy *p);
int api_storage_policy_from_json(json_t *body, struct stim_iam_policy *p, stim_error_t *err);
