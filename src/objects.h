#pragma once
/*
 * Cloud Storage objects: uploads, reads, listings and deletes, with
 * generations, metagenerations, preconditions and versioning, over the
 * store (metadata) and the blob store (bytes).
 *
 * An upload streams into a blob that nobody can see; committing it checks
 * the preconditions and, in one transaction, makes the new generation the
 * live one (the old one becomes noncurrent in a versioned bucket, or goes).
 * A reader therefore sees the old object or the new one, never a part, and
 * two writers of one name both succeed with distinct generations unless a
 * precondition says otherwise. Blobs of removed generations are unlinked
 * after the commit; a crash in between leaves an orphan, swept at start.
 */

#include <stdbool.h>
#include <stdint.h>

#include "src/blobs.h"
#include "src/context.h"
#include "src/error.h"
#include "src/labels.h"

struct stim_object {
	char *bucket;
	char *name;
	int64_t generation; /* microseconds since the epoch, as GCS's */
	int64_t metageneration;
	bool live;
	uint64_t size;
	char blob_id[STIM_BLOB_ID_LEN + 1];
	bool has_md5;
	unsigned char md5[16];
	uint32_t crc32c;
	char *content_type; /* NULL: application/octet-stream */
	char *content_encoding;
	char *content_disposition;
	char *content_language;
	char *cache_control;
	char *storage_class;
	int64_t create_time_ms;
	int64_t update_time_ms;
	int64_t noncurrent_time_ms;  /* 0 while live */
	int component_count;	     /* composite objects: their components; else 0 */
	struct stim_labels metadata; /* custom metadata (keys free-form) */
};

/* What an upload's metadata (or the Content-Type of a media upload) sets.
 * Strings are borrowed; metadata is owned (stim_object_spec_fini). md5 and
 * crc32c, when given, are what the client expects: a mismatch refuses the
 * upload. */
struct stim_object_spec {
	const char *name;
	const char *content_type;
	const char *content_encoding;
	const char *content_disposition;
	const char *content_language;
	const char *cache_control;
	const char *storage_class;
	bool has_metadata;
	struct stim_labels metadata;
	bool has_md5;
	unsigned char md5[16];
	bool has_crc32c;
	uint32_t crc32c;
	/* objects.compose: the components of the result (then it has no MD5,
	 * as in GCS, and the expected hashes are not checked). 0 otherwise. */
	int component_count;
};

/* A source of objects.compose: a name, optionally a generation (0: the live
 * one) and an ifGenerationMatch of its own. */
struct stim_compose_source {
	const char *name;
	int64_t generation;
	bool has_gen_match;
	int64_t gen_match;
};

/* ifGenerationMatch (0: only if there is no live object), ...NotMatch,
 * ifMetagenerationMatch, ...NotMatch. */
struct stim_object_cond {
	bool has_gen_match;
	int64_t gen_match;
	bool has_gen_not_match;
	int64_t gen_not_match;
	bool has_meta_match;
	int64_t meta_match;
	bool has_meta_not_match;
	int64_t meta_not_match;
};

struct stim_object_query {
	const char *bucket;
	const char *prefix;	  /* NULL or "" for all */
	const char *delimiter;	  /* NULL: no grouping */
	const char *start_offset; /* names >= this only (NULL: no bound) */
	const char *end_offset;	  /* names < this only (NULL: no bound) */
	bool versions;		  /* every generation, not only live ones */
	int max_results;	  /* 0: 1000 */
	const char *page_token;
	const char *match_glob; /* NULL: every name (see src/glob.h) */
	/* With a delimiter: an object named like a "directory" ("a/") is
	 * listed in items as well as in prefixes. */
	bool include_trailing_delimiter;
	/* Rows a page may look at before it ends early with a token (0:
	 * 10,000); small values are for tests. */
	int scan_budget;
};

struct stim_object_page {
	struct stim_object *items;
	size_t n;
	char **prefixes; /* with a delimiter: the "directories" seen */
	size_t nprefixes;
	char *next_page_token;
};

/* Object names: 1 to 1024 bytes of UTF-8, no CR or LF, not "." or "..". */
int stim_object_name_check(const char *name, stim_error_t *err);

/* Uploads. begin checks the bucket (NOT_FOUND) and the announced size (0:
 * unknown) against the free space; commit names the object, checks the
 * preconditions and the expected hashes, and makes it live. Any thread;
 * one upload per request. */
struct stim_upload;
struct stim_upload *stim_upload_begin(struct stim_ctx *ctx, const char *bucket,
				      uint64_t expect_size, stim_error_t *err);
int stim_upload_write(struct stim_upload *u, const void *buf, size_t len, stim_error_t *err);
int stim_upload_commit(struct stim_upload *u, const struct stim_object_spec *spec,
		       const struct stim_object_cond *cond, struct stim_object *out,
		       stim_error_t *err);
void stim_upload_free(struct stim_upload *u);

/* Makes a committed blob the live object `spec` names, as an upload's
 * commit does (preconditions, hashes, versions); removes the blob when it
 * fails. For resumable sessions, whose bytes become a blob another way. */
int stim_object_commit_blob(struct stim_ctx *ctx, const char *bucket,
			    const struct stim_object_spec *spec,
			    const struct stim_object_cond *cond, const struct stim_blob_info *info,
			    struct stim_object *out, stim_error_t *err);

/* generation 0: the live one. NOT_FOUND when absent; conditionNotMet when a
 * precondition fails; STIM_OBJECT_NOT_MODIFIED for a GET whose
 * ifGenerationNotMatch / ifMetagenerationNotMatch names the current one.
 * With fd non-NULL, *fd gets the object's bytes (read-only, the caller's),
 * opened in the same step as the row is read: a writer that replaces or
 * deletes the object unlinks the blob only under the store's lock, so a
 * reader always gets the old bytes or the new, never an error. */
#define STIM_OBJECT_NOT_MODIFIED 1
int stim_object_get(struct stim_ctx *ctx, const char *bucket, const char *name, int64_t generation,
		    const struct stim_object_cond *cond, struct stim_object *out, int *fd,
		    stim_error_t *err);
/* generation 0: the live one (noncurrent in a versioned bucket, else gone). */
int stim_object_delete(struct stim_ctx *ctx, const char *bucket, const char *name,
		       int64_t generation, const struct stim_object_cond *cond, stim_error_t *err);
/* One page (src/objects_list.c). It may hold fewer than max_results, with
 * a token, when a glob turned many rows away: a page never walks the
 * bucket. */
int stim_object_list(struct stim_ctx *ctx, const struct stim_object_query *q,
		     struct stim_object_page *out, stim_error_t *err);

/* objects.compose: the sources' bytes in order (1 to 32 sources, each in
 * bucket) become a new object, spec->name in bucket, under cond. */
int stim_object_compose(struct stim_ctx *ctx, const char *bucket,
			const struct stim_object_spec *spec, const struct stim_compose_source *src,
			size_t n, const struct stim_object_cond *cond, struct stim_object *out,
			stim_error_t *err);

/* objects.copy and objects.rewrite: the source (generation 0: live; its
 * own preconditions in src_cond) becomes spec->name in dst_bucket. Fields
 * of spec that are set replace the source's; the rest are the source's.
 * The bytes are shared, not copied (stim_blob_link). */
int stim_object_copy(struct stim_ctx *ctx, const char *src_bucket, const char *src_name,
		     int64_t src_generation, const struct stim_object_cond *src_cond,
		     const char *dst_bucket, const struct stim_object_spec *spec,
		     const struct stim_object_cond *cond, struct stim_object *out,
		     stim_error_t *err);

/* A metadata change (objects.patch, objects.update). A field whose set_
 * flag is on takes value (NULL clears it). Custom metadata: all of it goes
 * first when metadata_clear, then metadata_set is added and the keys of
 * metadata_removed dropped. Strings borrowed; the label sets are owned
 * (stim_object_patch_fini). */
struct stim_object_patch {
	bool set_content_type;
	const char *content_type;
	bool set_content_encoding;
	const char *content_encoding;
	bool set_content_disposition;
	const char *content_disposition;
	bool set_content_language;
	const char *content_language;
	bool set_cache_control;
	const char *cache_control;
	bool metadata_clear;
	struct stim_labels metadata_set;
	struct stim_labels metadata_removed;
};

/* Applies p to one generation (0: the live one) under cond; the
 * metageneration goes up by one. */
int stim_object_patch(struct stim_ctx *ctx, const char *bucket, const char *name,
		      int64_t generation, const struct stim_object_cond *cond,
		      const struct stim_object_patch *p, struct stim_object *out,
		      stim_error_t *err);
void stim_object_patch_fini(struct stim_object_patch *p);

/* Removes the blobs no object names (start-up). Returns how many. */
int stim_objects_sweep_blobs(struct stim_ctx *ctx, stim_error_t *err);

void stim_object_fini(struct stim_object *o);
void stim_object_spec_fini(struct stim_object_spec *s);
void stim_object_page_fini(struct stim_object_page *p);
