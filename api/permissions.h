#pragma once
/*
 * The permission each API method needs under `serve --auth enforce`, as
 * GCP names it, and the resource it is checked on: one table, keyed by
 * the route's "METHOD /template" (api_router_label), which a unit test
 * holds against every registered route and the role catalogue.
 */

#include <stdbool.h>
#include <stddef.h>

/* A route anyone may call, with or without a token (health, the token
 * endpoint, an upload session's own URL, which is its capability). */
#define API_PUBLIC "public"
/* A route any caller with a valid token may call (projects.create, the
 * catalogue of roles, the caller's own OS Login profile). */
#define API_CALLER "caller"

/* What a permission is checked on: the resource a path variable names. */
enum api_perm_on {
	API_ON_NONE = 0,      /* API_PUBLIC and API_CALLER */
	API_ON_PROJECT,	      /* {project} */
	API_ON_QUERY_PROJECT, /* ?project= (bucket insert and list) */
	API_ON_BUCKET,	      /* {bucket} */
	API_ON_SOURCE_BUCKET, /* {sourceBucket} */
	API_ON_DEST_BUCKET,   /* {destinationBucket} */
	API_ON_ACCOUNT,	      /* {account}: a service account */
};

struct api_permission {
	const char *route; /* "METHOD /template" */
	const char *permission;
	enum api_perm_on on;
	/* A second check, or NULL (a copy reads its source and writes its
	 * destination). */
	const char *permission2;
	enum api_perm_on on2;
};

/* The entry of route (a "METHOD /template" label), or NULL: a route nobody
 * classified, which enforcement refuses. */
const struct api_permission *api_permission_of(const char *route);

/* The whole table (for the unit test). */
const struct api_permission *api_permissions(size_t *n);
