#pragma once
/*
 * A tool's calls to a running daemon (`stimulator env`, the ssh shim):
 * one GET of a small JSON answer over libcurl, never through a proxy.
 * Call curl_global_init first.
 */

#include <jansson.h>

#include "src/error.h"

/* The daemon's base URL ("http://HOST:PORT/") that `stimulator env`
 * exported as STIMULATOR_ENDPOINT, else the default listen address's.
 * The caller's. */
char *stim_daemon_base(void);

/* GET base + path (already escaped): the HTTP status and, when the body
 * is JSON, *body (the caller's; NULL otherwise). UNAVAILABLE when no
 * daemon answers within timeout_ms. */
int stim_daemon_get(const char *base, const char *path, long timeout_ms, long *status,
		    json_t **body, stim_error_t *err);
