#pragma once
/*
 * Enforcement at the door, under `serve --auth enforce`: before a route's
 * handler (and before a streamed body's first byte), the caller's bearer
 * token is checked (src/oauth.h) and the route's permission
 * (api/permissions.h) on the resource its path names (src/authz.h).
 * 401 with Google's error for a missing or bad token, 403 naming the
 * missing permission otherwise.
 */

#include "api/request.h"
#include "src/error.h"

/* route: the matched route's "METHOD /template". Sets req->principal. */
int api_authorize(struct api_req *req, const char *route, stim_error_t *err);
