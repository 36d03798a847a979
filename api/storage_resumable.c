/* Cloud Storage resumable uploads: chunks with Content-Range, 308, cancel. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/router.h"
#include "api/storage_objects.h"
#include "src/cleanup.h"
#include "src/upload_sessions.h"
#include "src/util.h"

struct chunk {
	struct stim_upload_session s;
	int fd;
	bool has_bytes;	 /* a body of bytes A-B; false for a status query (no range) */
	uint64_t first;	 /* A */
	uint64_t length; /* B - A + 1 */
	bool to_end;	 /* "bytes A-*": the body is the rest of the object */
	bool has_total;
	uint64_t total;
	uint64_t seen;	   /* body bytes so far */
	uint64_t max_size; /* --max-object-size */
};

static int bad_range(const char *h, stim_error_t *err)
{
	return stim_err(err, STIM_INVALID_ARGUMENT,
			"Invalid Content-Range '%s': expected 'bytes A-B/TOTAL', 'bytes A-B/*', "
			"'bytes */TOTAL' or 'bytes */*'.",
			h);
}

/* Reads Content-Range (or, without one, a whole upload of Content-Length). */
static int parse_content_range(const struct api_req *req, struct chunk *c, stim_error_t *err)
{
	const char *h = api_header(req, "Content-Range");
	const char *slash;
	unsigned long long a;
	unsigned long long b;
	char tail;

	if (h == NULL) {
		const char *cl = api_header(req, "Content-Length");

		c->total = cl != NULL ? strtoull(cl, NULL, 10) : 0;
		c->has_total = true;
		c->has_bytes = c->total > 0;
		c->first = 0;
		c->length = c->total;
		return 0;
	}
	if (strncmp(h, "bytes ", 6) != 0)
		return bad_range(h, err);
	slash = strchr(h, '/');
	if (slash == NULL)
		return bad_range(h, err);
	if (strcmp(slash + 1, "*") != 0) {
		if (sscanf(slash + 1, "%llu%c", &a, &tail) != 1)
			return bad_range(h, err);
		c->has_total = true;
		c->total = a;
	}
	if (strncmp(h + 6, "*/", 2) == 0)
		return 0;
	/* The Node client's single-request form: the body runs to the end of
	 * the object, whose size the end of the body tells. */
	if (sscanf(h + 6, "%llu-*%c", &a, &tail) == 2 && tail == '/') {
		c->has_bytes = true;
		c->to_end = true;
		c->first = a;
		c->length = UINT64_MAX - a;
		return 0;
	}
	if (sscanf(h + 6, "%llu-%llu%c", &a, &b, &tail) != 3 || tail != '/' || b < a)
		return bad_range(h, err);
	if (c->has_total && b >= c->total)
		return bad_range(h, err);
	c->has_bytes = true;
	c->first = a;
	c->length = b - a + 1;
	return 0;
}

/* An object of `size` bytes against --max-object-size (413), and `more`
 * bytes to come against the free space (503), before any is taken. */
static int check_size(const struct api_req *req, uint64_t size, uint64_t more, stim_error_t *err)
{
	return stim_blobs_check_size(req->ctx->blobs, size, req->ctx->cfg->max_object_size, more,
				     err);
}

static int chunk_begin(struct api_req *req, void **state, stim_error_t *err)
{
	const char *id = api_query(req, "upload_id");
	struct chunk *c;

	if (id == NULL)
		return stim_err(err, STIM_INVALID_ARGUMENT, "Required parameter: upload_id.");
	c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	c->max_size = req->ctx->cfg->max_object_size;
	*state = c; /* from here release() cleans up, also on failure */
	if (stim_session_get(req->ctx, id, &c->s, err) < 0) {
		*state = NULL;
		free(c);
		return -1;
	}
	if (strcmp(c->s.bucket, api_path(req, "bucket")) != 0 ||
	    parse_content_range(req, c, err) < 0)
		goto fail;
	if (c->has_total && c->s.has_total && c->total != c->s.total) {
		stim_err(err, STIM_INVALID_ARGUMENT,
			 "The upload's total size is %" PRIu64 ", not %" PRIu64 ".", c->s.total,
			 c->total);
		goto fail;
	}
	if (c->has_total && check_size(req, c->total, 0, err) < 0)
		goto fail;
	if (c->has_bytes && !c->to_end && check_size(req, c->first + c->length, c->length, err) < 0)
		goto fail;
	if (c->has_bytes) {
		/* Read the session again under the writer's lock. */
		c->fd = stim_session_open(req->ctx, &c->s, err);
		if (c->fd < 0)
			goto fail;
	}
	/* A chunk must go on from what the session holds; one that repeats
	 * bytes it already has (the client missed our answer) is fine. */
	if (c->has_bytes && c->first > c->s.received) {
		stim_err(err, STIM_INVALID_ARGUMENT,
			 "The chunk starts at byte %" PRIu64 " but the upload holds only %" PRIu64
			 " bytes; resume from there (a status query says where).",
			 c->first, c->s.received);
		goto fail;
	}
	return 0;
fail:
	if (c->fd >= 0)
		close(c->fd);
	stim_session_fini(&c->s);
	*state = NULL;
	free(c);
	return -1;
}

static int chunk_data(void *state, const char *buf, size_t len, stim_error_t *err)
{
	struct chunk *c = state;
	uint64_t at = c->first + c->seen; /* offset of buf[0] in the object */
	uint64_t skip = 0;

	if (!c->has_bytes || c->seen + len > c->length)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"The body is longer than its Content-Range says.");
	/* "bytes A-*" announces no end: the limit is checked as it grows. */
	if (c->to_end && at + len > c->max_size)
		return stim_err_reason(err, STIM_RESOURCE_EXHAUSTED, "uploadTooLarge",
				       "The object is over the limit of %" PRIu64 " bytes.",
				       c->max_size);
	c->seen += len;
	if (at < c->s.received)
		skip = c->s.received - at < len ? c->s.received - at : len;
	while (skip < len) {
		ssize_t n = write(c->fd, buf + skip, len - skip);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == ENOSPC || errno == EDQUOT))
			return stim_err_reason(err, STIM_UNAVAILABLE, "backendError",
					       "The data directory ran out of space; the upload "
					       "keeps what it held before this chunk.");
		if (n < 0)
			return stim_err_sys(err, errno, "write upload %s", c->s.id);
		skip += (size_t)n;
	}
	return 0;
}

static void chunk_release(void *state)
{
	struct chunk *c = state;

	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	stim_session_fini(&c->s);
	free(c);
}

const struct api_stream_ops api_storage_chunk_stream = {
	chunk_begin,
	chunk_data,
	chunk_release,
};

/* 308 "Resume Incomplete": how much is durable, in GCS's Range form. */
static int reply_incomplete(struct api_req *req, uint64_t received)
{
	api_reply_empty(req, 308);
	if (received > 0) {
		char range[48];

		snprintf(range, sizeof(range), "bytes=0-%" PRIu64, received - 1);
		api_reply_header(req, "Range", range);
	}
	return 0;
}

int api_storage_objects_chunk(struct api_req *req, stim_error_t *err)
{
	struct chunk *c = req->stream;
	cleanup_free char *base = api_base_url(req);
	uint64_t received = c->s.received;
	struct stim_object o;

	if (c->has_bytes) {
		if (c->to_end) {
			c->length = c->seen;
			if (c->has_total && c->first + c->seen != c->total)
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"The body ends at byte %" PRIu64
						" but the total size is %" PRIu64 ".",
						c->first + c->seen, c->total);
			c->has_total = true;
			c->total = c->first + c->seen;
		}
		if (c->seen != c->length)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"The body is shorter than its Content-Range says.");
		/* Durable before it is acknowledged: a 308 promises these bytes. */
		if (fsync(c->fd) < 0)
			return stim_err_sys(err, errno, "fsync upload %s", c->s.id);
		if (c->first + c->length > received)
			received = c->first + c->length;
	}
	if (received != c->s.received || (c->has_total && !c->s.has_total)) {
		if (stim_session_advance(req->ctx, &c->s, received, c->has_total, c->total, err) <
		    0)
			return -1;
	}
	if (!c->s.has_total || c->s.received < c->s.total)
		return reply_incomplete(req, c->s.received);
	if (c->s.received > c->s.total)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"The upload holds more bytes than its total size.");
	/* The writer's lock (c->fd) is held until the session is over, so no
	 * second request can finish it too; a status query that completes
	 * the upload ("bytes *" + "/TOTAL") takes it now. */
	if (c->fd < 0) {
		c->fd = stim_session_open(req->ctx, &c->s, err);
		if (c->fd < 0)
			return -1;
		if (c->s.received != c->s.total)
			return reply_incomplete(req, c->s.received);
	}
	if (stim_session_finish(req->ctx, &c->s, &o, err) < 0)
		return -1;
	api_reply_json(req, 200, api_storage_object_to_json(&o, base, req->fields));
	stim_object_fini(&o);
	return 0;
}

int api_storage_objects_cancel(struct api_req *req, stim_error_t *err)
{
	const char *id = api_query(req, "upload_id");

	if (id == NULL)
		return stim_err(err, STIM_INVALID_ARGUMENT, "Required parameter: upload_id.");
	if (stim_session_cancel(req->ctx, id, err) < 0)
		return -1;
	/* What GCS answers a cancelled upload. */
	return api_reply_empty(req, 499);
}

/* Starts a session from the metadata body (api/storage_upload.c buffers it). */
int api_storage_session_start(struct api_req *req, struct stim_object_spec *spec, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	cleanup_free char *enc = NULL;
	cleanup_free char *location = NULL;
	const char *type = api_header(req, "X-Upload-Content-Type");
	const char *len = api_header(req, "X-Upload-Content-Length");
	struct stim_upload_session s;
	struct stim_object_cond cond;
	char *end = NULL;
	uint64_t total = 0;

	if (spec->content_type == NULL)
		spec->content_type = type;
	if (len != NULL) {
		errno = 0;
		total = strtoull(len, &end, 10);
		if (*end != '\0' || errno != 0)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid X-Upload-Content-Length '%s'.", len);
	}
	if (len != NULL && stim_blobs_check_size(req->ctx->blobs, total,
						 req->ctx->cfg->max_object_size, total, err) < 0)
		return -1;
	if (api_storage_object_cond(req, &cond, err) < 0 ||
	    stim_session_start(req->ctx, api_path(req, "bucket"), spec, &cond, len != NULL, total,
			       &s, err) < 0)
		return -1;
	enc = api_percent_encode(s.name);
	location =
		xasprintf("%s/upload/storage/v1/b/%s/o?uploadType=resumable&name=%s&upload_id=%s",
			  base, s.bucket, enc, s.id);
	api_reply_empty(req, 200);
	api_reply_header(req, "Location", location);
	stim_session_fini(&s);
	return 0;
}
