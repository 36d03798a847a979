#pragma once
/*
 * One request from raw method, URI and body to a response: route, call the
 * handler, render errors, count metrics, log. No libmicrohttpd here, so unit
 * tests drive the whole API stack with plain strings (curl tests/data style).
 */

#include <stddef.h>
#include <stdint.h>

#include "api/request.h"
#include "src/context.h"

struct api_router;
struct api_metrics;

/* Requests larger than this are refused with 413. JSON bodies of the APIs
 * served so far are a few KB; media uploads will stream instead. */
#define API_MAX_BODY (8u << 20)

struct api_dispatcher {
	struct stim_ctx *ctx;
	struct api_router *router;
	struct api_metrics *metrics;
};

/* The routes of every API, registered in one place (api/routes.c). */
void api_routes_register(struct api_router *router);

/* Handles one request. `id` is the request id (logged and echoed); header_fn
 * and conn may be NULL. The response body is the caller's. Returns the
 * matched route id (-1 when none) for metrics. */
int api_dispatch(struct api_dispatcher *d, const char *method, const char *uri, const char *body,
		 size_t body_len, const char *id, const char *(*header_fn)(void *, const char *),
		 void *conn, struct api_response *resp, char *allow, size_t allow_size);

/* The 413 response for a body over API_MAX_BODY. */
void api_reply_too_large(struct api_response *resp, size_t limit);
