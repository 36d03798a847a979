/* Resumable upload sessions: durable chunks, then one commit (see upload_sessions.h). */
#include "src/upload_sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/buckets.h"
#include "src/cleanup.h"
#include "src/log.h"
#include "src/store_upload_sessions.h"
#include "src/util.h"

void stim_session_fini(struct stim_upload_session *s)
{
	free(s->bucket);
	free(s->name);
	free(s->content_type);
	free(s->content_encoding);
	free(s->content_disposition);
	free(s->content_language);
	free(s->cache_control);
	free(s->storage_class);
	stim_labels_fini(&s->metadata);
	memset(s, 0, sizeof(*s));
}

int stim_session_start(struct stim_ctx *ctx, const char *bucket,
		       const struct stim_object_spec *spec, const struct stim_object_cond *cond,
		       bool has_total, uint64_t total, struct stim_upload_session *out,
		       stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_upload_session s = { 0 };
	unsigned char raw[STIM_BLOB_ID_LEN / 2];
	struct stim_bucket b;
	int fd;

	if (spec->name == NULL)
		return stim_err(err, STIM_INVALID_ARGUMENT, "Required: the object name.");
	if (stim_object_name_check(spec->name, err) < 0)
		return -1;
	if (stim_bucket_get(ctx, bucket, NULL, &b, err) < 0)
		return -1;
	stim_bucket_fini(&b);

	/* The id is the upload's only credential in its URL: 128 random bits. */
	stim_random_bytes(raw, sizeof(raw));
	stim_hex(raw, sizeof(raw), s.id);
	s.bucket = xstrdup(bucket);
	s.name = xstrdup(spec->name);
	s.content_type = xstrdup_or_null(spec->content_type);
	s.content_encoding = xstrdup_or_null(spec->content_encoding);
	s.content_disposition = xstrdup_or_null(spec->content_disposition);
	s.content_language = xstrdup_or_null(spec->content_language);
	s.cache_control = xstrdup_or_null(spec->cache_control);
	s.storage_class = xstrdup_or_null(spec->storage_class);
	s.has_metadata = spec->has_metadata;
	for (size_t i = 0; i < spec->metadata.n; i++)
		stim_labels_set(&s.metadata, spec->metadata.v[i].key, spec->metadata.v[i].value);
	s.has_md5 = spec->has_md5;
	memcpy(s.md5, spec->md5, 16);
	s.has_crc32c = spec->has_crc32c;
	s.crc32c = spec->crc32c;
	if (cond != NULL)
		s.cond = *cond;
	s.has_total = has_total;
	s.total = total;

	fd = stim_blob_partial_open(ctx->blobs, s.id, true, err);
	if (fd < 0 || stim_store_session_insert(db, &s, err) < 0) {
		stim_error_t rerr = NULL;

		if (fd >= 0)
			close(fd);
		stim_blob_partial_remove(ctx->blobs, s.id, &rerr);
		stim_error_free(rerr);
		stim_session_fini(&s);
		return -1;
	}
	close(fd);
	*out = s;
	return 0;
}

int stim_session_get(struct stim_ctx *ctx, const char *id, struct stim_upload_session *out,
		     stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (stim_store_session_get(db, id, out, err) < 0)
		return -1;
	/* Expired but not swept yet: gone all the same. */
	if (out->create_time_ms < stim_now_ms() - STIM_SESSION_LIFETIME_MS) {
		stim_session_fini(out);
		return stim_err(err, STIM_NOT_FOUND, "Upload session %s has expired.", id);
	}
	return 0;
}

int stim_session_open(struct stim_ctx *ctx, struct stim_upload_session *s, stim_error_t *err)
{
	struct stim_upload_session now;
	int fd = stim_blob_partial_open(ctx->blobs, s->id, false, err);

	if (fd < 0)
		return -1;
	/* With the lock held, what the session holds can no longer move: read
	 * it again, since a writer may have advanced it (or finished it) after
	 * the caller looked. */
	if (stim_session_get(ctx, s->id, &now, err) < 0) {
		close(fd);
		return -1;
	}
	stim_session_fini(s);
	*s = now;
	if (stim_blob_partial_cut(fd, s->id, s->received, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int stim_session_advance(struct stim_ctx *ctx, struct stim_upload_session *s, uint64_t received,
			 bool has_total, uint64_t total, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	s->received = received;
	if (has_total) {
		s->has_total = true;
		s->total = total;
	}
	return stim_store_session_progress(db, s, err);
}

static void end_session(struct stim_ctx *ctx, const char *id)
{
	cleanup_db struct stim_db *db = NULL;
	stim_error_t err = NULL;

	db = stim_store_db(ctx->store, &err);
	stim_store_session_remove(db, id, &err);
	stim_error_free(steal_pointer(&err));
	stim_blob_partial_remove(ctx->blobs, id, &err);
	stim_error_free(err);
}

int stim_session_finish(struct stim_ctx *ctx, struct stim_upload_session *s,
			struct stim_object *out, stim_error_t *err)
{
	struct stim_object_spec spec = {
		.name = s->name,
		.content_type = s->content_type,
		.content_encoding = s->content_encoding,
		.content_disposition = s->content_disposition,
		.content_language = s->content_language,
		.cache_control = s->cache_control,
		.storage_class = s->storage_class,
		.has_metadata = s->has_metadata,
		.metadata = s->metadata, /* borrowed: not finalised here */
		.has_md5 = s->has_md5,
		.has_crc32c = s->has_crc32c,
		.crc32c = s->crc32c,
	};
	struct stim_blob_info info;
	int ret;

	memcpy(spec.md5, s->md5, 16);
	if (stim_blob_partial_finish(ctx->blobs, s->id, &info, err) < 0)
		return -1;
	/* From here the bytes are a blob; the session is over whatever the
	 * commit says (a failed precondition is final, as in GCS). */
	ret = stim_object_commit_blob(ctx, s->bucket, &spec, &s->cond, &info, out, err);
	end_session(ctx, s->id);
	return ret;
}

int stim_session_cancel(struct stim_ctx *ctx, const char *id, stim_error_t *err)
{
	struct stim_upload_session s;

	if (stim_session_get(ctx, id, &s, err) < 0)
		return -1;
	stim_session_fini(&s);
	end_session(ctx, id);
	return 0;
}

int stim_sessions_expire(struct stim_ctx *ctx, int64_t before_ms, stim_error_t *err)
{
	struct stim_strv ids = { 0 };
	int n;

	{
		cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

		if (db == NULL || stim_store_sessions_before(db, before_ms, &ids, err) < 0) {
			stim_strv_fini(&ids);
			return -1;
		}
	}
	for (size_t i = 0; i < ids.n; i++) {
		STIM_LOG_I("upload session %s expired", ids.v[i]);
		end_session(ctx, ids.v[i]);
	}
	n = (int)ids.n;
	stim_strv_fini(&ids);
	return n;
}

static bool session_exists(const char *id, void *arg)
{
	struct stim_db *db = arg;
	stim_error_t err = NULL;
	bool exists = true; /* when in doubt, keep */

	if (stim_store_session_exists(db, id, &exists, &err) < 0)
		stim_error_free(err);
	return exists;
}

int stim_sessions_sweep_partials(struct stim_ctx *ctx, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL)
		return -1;
	return stim_blobs_sweep_partial(ctx->blobs, session_exists, db, err);
}
