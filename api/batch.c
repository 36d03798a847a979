/* POST /batch/compute/v1: each part of a multipart/mixed body dispatched
 * as a request of its own, the answers in one multipart/mixed reply
 * (see src/batch.h, reference/gcloud/compute.md "Batch endpoint"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/batch.h"
#include "api/dispatch.h"
#include "api/request.h"
#include "src/batch.h"
#include "src/cleanup.h"
#include "src/util.h"

/* The reply's boundary: its parts are JSON, which never holds it. */
#define REPLY_BOUNDARY "batch_stimulator_reply_boundary"

/* What an inner request sees of headers: its own Content-Type, and the
 * batch's Host (resource links in its answer point where the batch
 * went, as gcloud prints them) and Authorization (the batch's credential
 * is each part's, as on Google's batch endpoints). */
struct inner {
	const struct stim_batch_part *part;
	const char *host;
	const char *authorization;
};

static const char *part_header(void *conn, const char *name)
{
	const struct inner *in = conn;

	if (strcasecmp(name, "Content-Type") == 0)
		return in->part->content_type;
	if (strcasecmp(name, "Authorization") == 0)
		return in->authorization;
	return strcasecmp(name, "Host") == 0 ? in->host : NULL;
}

static const char *reason_phrase(unsigned status)
{
	switch (status) {
	case 200:
		return "OK";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 409:
		return "Conflict";
	case 412:
		return "Precondition Failed";
	default:
		return status < 400 ? "OK" : "Error";
	}
}

/* "<id+0>" -> "<response-id+0>", as Google answers and gcloud matches. */
static char *response_id(const char *content_id)
{
	size_t n;

	if (content_id == NULL)
		return NULL;
	n = strlen(content_id);
	if (n >= 2 && content_id[0] == '<' && content_id[n - 1] == '>')
		return xasprintf("<response-%.*s>", (int)(n - 2), content_id + 1);
	return xasprintf("<response-%s>", content_id);
}

static void append(char **buf, size_t *len, const char *data, size_t n)
{
	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void append_answer(char **buf, size_t *len, const struct stim_batch_part *part,
			  const struct api_response *resp)
{
	cleanup_free char *cid = response_id(part->content_id);
	cleanup_free char *head = NULL;
	/* A file body (object media) has no place in a batch answer. */
	size_t body_len = resp->use_fd ? 0 : resp->len;

	head = xasprintf("--" REPLY_BOUNDARY "\r\nContent-Type: application/http\r\n%s%s%s"
			 "\r\nHTTP/1.1 %u %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
			 cid != NULL ? "Content-ID: " : "", cid != NULL ? cid : "",
			 cid != NULL ? "\r\n" : "", resp->status, reason_phrase(resp->status),
			 resp->content_type != NULL ? resp->content_type
						    : "application/json; charset=UTF-8",
			 body_len);
	append(buf, len, head, strlen(head));
	if (body_len > 0)
		append(buf, len, resp->body, body_len);
	append(buf, len, "\r\n", 2);
}

static int api_batch_compute(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *boundary = stim_batch_boundary(api_header(req, "Content-Type"), err);
	struct stim_batch_part *parts = NULL;
	char *out = NULL;
	size_t len = 0;
	size_t n = 0;

	if (boundary == NULL ||
	    stim_batch_parse(req->body, req->body_len, boundary, &parts, &n, err) < 0)
		return -1;
	if (req->dispatcher == NULL) {
		stim_batch_parts_free(parts, n);
		return stim_err(err, STIM_INTERNAL, "no dispatcher for a batch");
	}
	for (size_t i = 0; i < n; i++) {
		struct api_response resp = { 0 };
		char allow[128];
		cleanup_free char *id = xasprintf("%s.%zu", req->id != NULL ? req->id : "batch", i);

		/* A batch inside a batch is not a thing Google serves. */
		if (strncmp(parts[i].path, "/batch/", 7) == 0) {
			resp.status = 400;
			resp.body = xstrdup("{\"error\":{\"code\":400,\"message\":\"A batch cannot "
					    "hold a batch.\",\"status\":\"INVALID_ARGUMENT\"}}");
			resp.len = strlen(resp.body);
		} else {
			struct inner in = { &parts[i], api_header(req, "Host"),
					    api_header(req, "Authorization") };

			api_dispatch(req->dispatcher, parts[i].method, parts[i].path, parts[i].body,
				     parts[i].body_len, id, part_header, &in, &resp, allow,
				     sizeof(allow));
		}
		append_answer(&out, &len, &parts[i], &resp);
		api_response_fini(&resp);
	}
	append(&out, &len, "--" REPLY_BOUNDARY "--\r\n", strlen("--" REPLY_BOUNDARY "--\r\n"));
	stim_batch_parts_free(parts, n);
	return api_reply_text(req, 200, "multipart/mixed; boundary=" REPLY_BOUNDARY, out);
}

const struct api_route api_batch_routes[] = {
	{ "POST", "/batch/compute/v1", api_batch_compute },
};
const size_t api_batch_routes_count = STIM_ARRAY_SIZE(api_batch_routes);
