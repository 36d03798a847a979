#pragma once
/*
 * Resumable upload sessions (Cloud Storage uploadType=resumable): a session
 * names the object to be and keeps its bytes in a partial file, appended
 * chunk by chunk; each chunk is durable before it is acknowledged, so an
 * upload goes on after a dropped connection or a daemon restart from the
 * offset the session reports. The last chunk makes the object live exactly
 * as a one-shot upload does (src/objects.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include "src/blobs.h"
#include "src/context.h"
#include "src/error.h"
#include "src/objects.h"

/* A session lasts a week from its start, as in Cloud Storage. */
#define STIM_SESSION_LIFETIME_MS (7LL * 24 * 3600 * 1000)

struct stim_upload_session {
	char id[STIM_BLOB_ID_LEN + 1];
	char *bucket;
	char *name;
	char *content_type;
	char *content_encoding;
	char *content_disposition;
	char *content_language;
	char *cache_control;
	char *storage_class;
	bool has_metadata;
	struct stim_labels metadata;
	bool has_md5;
	unsigned char md5[16];
	bool has_crc32c;
	uint32_t crc32c;
	struct stim_object_cond cond;
	bool has_total; /* the total size, once a chunk or the start said it */
	uint64_t total;
	uint64_t received; /* durable bytes */
	int64_t create_time_ms;
};

/* Starts a session for spec (name required) in bucket (NOT_FOUND if it is
 * missing); has_total/total from X-Upload-Content-Length. */
int stim_session_start(struct stim_ctx *ctx, const char *bucket,
		       const struct stim_object_spec *spec, const struct stim_object_cond *cond,
		       bool has_total, uint64_t total, struct stim_upload_session *out,
		       stim_error_t *err);
/* NOT_FOUND for an unknown (or finished, cancelled or expired) session. */
int stim_session_get(struct stim_ctx *ctx, const char *id, struct stim_upload_session *out,
		     stim_error_t *err);
/* The partial file, locked for this writer (UNAVAILABLE while another
 * request writes to the session), cut to what the session recorded and
 * positioned there; *s is read again under the lock. The caller writes,
 * fsyncs, records with stim_session_advance, and closes the descriptor
 * (which ends the lock) only after stim_session_finish, if it finishes. */
int stim_session_open(struct stim_ctx *ctx, struct stim_upload_session *s, stim_error_t *err);
int stim_session_advance(struct stim_ctx *ctx, struct stim_upload_session *s, uint64_t received,
			 bool has_total, uint64_t total, stim_error_t *err);
/* All bytes are in: the object goes live (or a precondition fails) and the
 * session ends either way. */
int stim_session_finish(struct stim_ctx *ctx, struct stim_upload_session *s,
			struct stim_object *out, stim_error_t *err);
int stim_session_cancel(struct stim_ctx *ctx, const char *id, stim_error_t *err);

void stim_session_fini(struct stim_upload_session *s);

/* Housekeeping: ends the sessions started before before_ms (their bytes
 * go too), and removes partial files no session names (a crash between
 * the two). Each returns how many went. */
int stim_sessions_expire(struct stim_ctx *ctx, int64_t before_ms, stim_error_t *err);
int stim_sessions_sweep_partials(struct stim_ctx *ctx, stim_error_t *err);
