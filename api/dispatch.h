#pragma once
/*
 * One request from raw method, URI and body to a response: route, call the
 * handler, render errors, log. No libmicrohttpd here, so unit tests and
 * fuzzers drive the whole API stack with plain strings.
 *
 * A request is a call with a life of its own, because the server learns
 * about it in steps: api_call_begin() once the request line and headers
 * are in (it routes, and answers at once when it can: 404, 405, a refused
 * stream), api_call_data() for each piece of the body, api_call_finish()
 * at the end, and api_call_free() always, also for a client that went away.
 * api_dispatch() runs all four for a request held whole in memory.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/request.h"
#include "src/context.h"

struct api_router;
struct api_metrics;

/* Buffered bodies larger than this are refused with 413. JSON bodies are a
 * few KB; media uploads take streaming routes, which have no such limit. */
#define API_MAX_BODY (8u << 20)

struct api_dispatcher {
	struct stim_ctx *ctx;
	struct api_router *router;
	struct api_metrics *metrics;
};

/* The routes of every API, registered in one place (api/routes.c). */
void api_routes_register(struct api_router *router);

/* What the server knows of a request when its headers are in. Borrowed for
 * the life of the call. header_fn and conn may be NULL. */
struct api_call_info {
	const char *method;
	const char *uri; /* raw: path and query, percent-encoded */
	const char *id;	 /* request id, logged and echoed */
	const char *(*header_fn)(void *conn, const char *name);
	void *conn;
	uint64_t content_length; /* UINT64_MAX: not announced (chunked) */
};

struct api_call;

/* Routes the request. Never fails: a request that cannot go on has its
 * answer ready at once (api_call_answered). */
struct api_call *api_call_begin(struct api_dispatcher *d, const struct api_call_info *info);
/* True when the answer is known before the body (an error): send it now. */
bool api_call_answered(const struct api_call *c);
/* Hands on a piece of the body (buffered or streamed). */
void api_call_data(struct api_call *c, const char *buf, size_t len);
/* Runs the handler (unless answered already) and gives the response; its
 * body, and `allow` for 405, are the caller's until api_call_free. */
struct api_response *api_call_finish(struct api_call *c);
const char *api_call_allow(const struct api_call *c);
/* The matched route's id for metrics, or -1. */
int api_call_route_id(const struct api_call *c);
/* Releases everything, stream state included. NULL is fine. */
void api_call_free(struct api_call *c);

/* The four steps at once. The response is the caller's (api_response_fini;
 * free(resp->body) suffices for JSON APIs). Returns the matched route id
 * (-1 when none). */
int api_dispatch(struct api_dispatcher *d, const char *method, const char *uri, const char *body,
		 size_t body_len, const char *id, const char *(*header_fn)(void *, const char *),
		 void *conn, struct api_response *resp, char *allow, size_t allow_size);

/* The 413 response for a body over API_MAX_BODY. */
void api_reply_too_large(struct api_response *resp, size_t limit);
