#pragma once
/*
 * What Cloud Storage accepts in a bucket's fields, as pure checks: the
 * name, the location and its type, storage classes, the recovery point
 * objective and public access prevention. Each failure is INVALID_ARGUMENT
 * with reason "invalid", as GCS answers (HTTP 400).
 */

#include "src/error.h"

/*
 * Bucket names (cloud.google.com/storage/docs/buckets#naming): 3-63
 * characters, or up to 222 when they hold dots with each dot-separated
 * part at most 63; lowercase letters, digits, '-', '_' and '.'; a letter or
 * digit first and last; not an IPv4 address in dotted-decimal; no "goog"
 * prefix and no "google" or close misspelling ("g00gle") anywhere.
 */
int stim_bucket_name_check(const char *name, stim_error_t *err);

/* Locations are stored upper case, as GCS returns them ("us-central1" ->
 * "US-CENTRAL1"). The check accepts the multi-regions (US, EU, ASIA), the
 * predefined dual-regions (NAM4, EUR4, ...) and anything shaped like a
 * region (AREA-DIRECTIONn); it writes the upper-case form to `out`. */
#define STIM_LOCATION_MAX 64
int stim_bucket_location_check(const char *location, char out[STIM_LOCATION_MAX],
			       stim_error_t *err);
/* "multi-region", "dual-region" or "region" for a checked location. */
const char *stim_bucket_location_type(const char *location);

/* Storage classes, case-insensitively; *out is the canonical (static)
 * upper-case name. The legacy MULTI_REGIONAL, REGIONAL and
 * DURABLE_REDUCED_AVAILABILITY are still accepted, as GCS does. */
int stim_storage_class_check(const char *s, const char **out, stim_error_t *err);

/* rpo: DEFAULT, or ASYNC_TURBO (turbo replication) on a dual-region only. */
int stim_bucket_rpo_check(const char *rpo, const char *location, const char **out,
			  stim_error_t *err);

/* iamConfiguration.publicAccessPrevention: "inherited" or "enforced";
 * the legacy "unspecified" reads as "inherited". */
int stim_bucket_pap_check(const char *pap, const char **out, stim_error_t *err);
