#pragma once
/*
 * The one place a stim_error becomes Google's JSON error:
 *
 *   {"error":{"code":404,"message":"...","errors":[{"message":"...",
 *    "domain":"global","reason":"notFound"}],"status":"NOT_FOUND"}}
 *
 * with the HTTP status and reason Google uses for the google.rpc code.
 * gcloud shows `message` (Compute), or `status: message` (IAM, Resource
 * Manager); reference/gcloud/README.md.
 */

#include <jansson.h>

#include "src/error.h"

/* The HTTP status for an rpc code (NOT_FOUND -> 404). */
unsigned api_error_http_status(enum stim_code code);

/* Renders an error; the result is the caller's. */
json_t *api_error_to_json(const struct stim_error *e, unsigned *http_status);

/* Renders an error the HTTP layer makes itself (unknown route, wrong method,
 * body too large), where the HTTP status has no rpc code of its own. */
json_t *api_error_json(unsigned http_status, const char *status, const char *reason,
		       const char *message);
