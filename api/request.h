#pragma once
/*
 * What a handler sees of an HTTP request, and how it answers. Nothing here
 * names libmicrohttpd: api/server.c fills a struct api_req from the
 * connection, calls the handler, and sends what the handler left in
 * req->resp. Tests build a struct api_req by hand.
 *
 * A handler parses, makes ONE service call and renders (STYLE.md rule 7):
 *
 *	static int api_crm_projects_get(struct api_req *req, stim_error_t *err)
 *	{
 *		...
 *		if (stim_project_get(req->ctx, api_path(req, "project"), &p, err) < 0)
 *			return -1;
 *		return api_reply_json(req, 200, api_crm_project_to_json(&p));
 *	}
 *
 * It returns 0 once it has replied, or -1 with *err set, which the server
 * renders as Google's JSON error (api/errors.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "src/context.h"
#include "src/error.h"
#include "src/fields.h"

#define API_MAX_PARAMS 8

struct api_param {
	const char *name; /* borrowed from the route template or the query */
	char *value;	  /* owned, percent-decoded */
};

struct api_req;
struct api_metrics;
typedef int (*api_handler_fn)(struct api_req *req, stim_error_t *err);

/*
 * A route that takes its body as a stream (media uploads) instead of a
 * buffer of at most API_MAX_BODY. The server calls, in order:
 *   begin    once the headers are in and the route matched, before any body
 *            byte; it refuses early (404 bucket, 412) by failing, and the
 *            client gets the answer without sending the body;
 *   data     for each piece of the body as it arrives (any size, in order);
 *            a failure stops the stream, the rest of the body is read and
 *            dropped, and the error is the answer;
 *   handler  at the end, as for any route, with req->stream set;
 *   release  always, last, also when the client went away mid-body: it
 *            frees the state and removes what the stream left behind.
 */
struct api_stream_ops {
	int (*begin)(struct api_req *req, void **state, stim_error_t *err);
	int (*data)(void *state, const char *buf, size_t len, stim_error_t *err);
	void (*release)(void *state);
};

/* One row of an API file's route table. Templates are Google's HTTP paths:
 * `{var}` is one path segment, `{var}:verb` one segment ending in ":verb"
 * (custom methods), and a final `{var=**}` the rest of the path. */
struct api_route {
	const char *method;
	const char *path;
	api_handler_fn handler;
	const struct api_stream_ops *stream; /* NULL: the body is buffered */
};

#define API_MAX_HEADERS 12

struct api_header {
	const char *name; /* static */
	char *value;	  /* owned */
};

struct api_response {
	unsigned status;
	char *body; /* owned (malloc) */
	size_t len;
	const char *content_type; /* static; NULL for an empty body */
	/* A body sent from a file instead (object media): `len` bytes from
	 * `offset` of `fd`, which the response owns when use_fd is set (a
	 * flag, so that a zeroed response never owns descriptor 0). */
	bool use_fd;
	int fd;
	uint64_t offset;
	/* Extra headers (Content-Range, x-goog-hash, Location, ...). */
	struct api_header headers[API_MAX_HEADERS];
	size_t nheaders;
};

struct api_dispatcher;

struct api_req {
	struct stim_ctx *ctx;
	/* The dispatcher that routed this request: batch requests dispatch
	 * their parts through it (NULL in some unit tests). */
	struct api_dispatcher *dispatcher;
	const char *method;
	const char *path; /* raw, still percent-encoded */
	const char *id;	  /* request id, also in every log line */
	struct api_param params[API_MAX_PARAMS];
	size_t nparams;
	struct api_param *query; /* owned */
	size_t nquery;
	/* The `fields` selection (partial response), owned; NULL: all. */
	struct stim_fields *fields;
	const char *body; /* buffered routes: the whole body (not NUL-terminated) */
	size_t body_len;
	void *stream; /* streaming routes: the state begin() made */
	/* The server's hook for header lookups (NULL in unit tests). */
	const char *(*header_fn)(void *conn, const char *name);
	void *conn;
	/* The HTTP layer's counters, for the /metrics handler (may be NULL). */
	struct api_metrics *metrics;
	/* Under `serve --auth enforce`: who the caller's token stands for
	 * ("user:EMAIL", "serviceAccount:EMAIL"), owned; NULL otherwise or
	 * without a token (api/authorize.c). */
	char *principal;
	struct api_response resp;
};

/* A path variable or query parameter by name (borrowed), or NULL. */
const char *api_path(const struct api_req *req, const char *name);
const char *api_query(const struct api_req *req, const char *name);
/* A request header (case-insensitive), or NULL. */
const char *api_header(const struct api_req *req, const char *name);
/* Parses the body as a JSON object (see stim_json_parse_body). */
json_t *api_body_json(const struct api_req *req, stim_error_t *err);
/* Reads an integer query parameter; 0 and no error when absent. */
int api_query_int(const struct api_req *req, const char *name, int min, int max, int *out,
		  stim_error_t *err);

/* Reads an int64 query parameter: *has says whether it was there. */
int api_query_int64(const struct api_req *req, const char *name, bool *has, int64_t *out,
		    stim_error_t *err);

/* Replies. They take ownership of what they are given and return 0. */
int api_reply_json(struct api_req *req, unsigned status, json_t *body);
int api_reply_text(struct api_req *req, unsigned status, const char *content_type, char *text);
/* A reply without a body, e.g. 204 for a Cloud Storage delete. */
int api_reply_empty(struct api_req *req, unsigned status);
/* A reply of `len` bytes of fd from `offset` (the reply owns fd from now on,
 * also on error paths); content_type is static. */
int api_reply_fd(struct api_req *req, unsigned status, const char *content_type, int fd,
		 uint64_t offset, uint64_t len);
/* Adds a response header (name static, value copied); at most
 * API_MAX_HEADERS, a programming error beyond. */
void api_reply_header(struct api_req *req, const char *name, const char *value);

/* "http://HOST[:PORT]" as the client addressed the daemon (its Host header),
 * for links in responses (selfLink, mediaLink). The caller's. Clients keep
 * only the path of such links (reference/gcloud/README.md), so a missing
 * Host falls back to "http://localhost". */
char *api_base_url(const struct api_req *req);

/* Frees what the request owns (params, query, response). */
void api_req_fini(struct api_req *req);
/* Frees a response's body, file and headers. */
void api_response_fini(struct api_response *r);
