#pragma once
/*
 * SQL for objects and their custom metadata (the rules are in
 * src/objects.c). Writes run inside the caller's transaction.
 */

#include <stdbool.h>
#include <stdint.h>

#include "src/objects.h"
#include "src/store.h"

/* generation 0: the live one. NOT_FOUND when no row matches. */
int stim_store_object_get(struct stim_db *db, const char *bucket, const char *name,
			  int64_t generation, struct stim_object *out, stim_error_t *err);
int stim_store_object_insert(struct stim_db *db, const struct stim_object *o, stim_error_t *err);
/* Rewrites the writable metadata of one generation (content_*, cache
 * control, custom metadata), its metageneration and update time. */
int stim_store_object_update_meta(struct stim_db *db, const struct stim_object *o,
				  stim_error_t *err);
/* Makes a live generation noncurrent as of when_ms. */
int stim_store_object_retire(struct stim_db *db, const char *bucket, const char *name,
			     int64_t generation, int64_t when_ms, stim_error_t *err);
int stim_store_object_remove(struct stim_db *db, const char *bucket, const char *name,
			     int64_t generation, stim_error_t *err);

/* Up to limit objects of bucket from (from, after_gen) on: names above
 * from, or equal to it with a generation above after_gen (0: all); below
 * upto unless it is NULL; in (name, generation) order; only live ones
 * unless versions. Names compare as bytes. The rows are the caller's. */
int stim_store_object_scan(struct stim_db *db, const char *bucket, const char *from,
			   int64_t after_gen, const char *upto, bool versions, int limit,
			   struct stim_object **out, size_t *n, stim_error_t *err);

/* Whether any object row names this blob. */
int stim_store_blob_in_use(struct stim_db *db, const char *blob_id, bool *in_use,
			   stim_error_t *err);

/* Lifecycle: how many generations of name come after this one (the live
 * one included), and a storage class change that keeps the
 * metageneration. */
int stim_store_object_newer_count(struct stim_db *db, const char *bucket, const char *name,
				  int64_t generation, int64_t *count, stim_error_t *err);
int stim_store_object_set_class(struct stim_db *db, const char *bucket, const char *name,
				int64_t generation, const char *storage_class, int64_t when_ms,
				stim_error_t *err);
