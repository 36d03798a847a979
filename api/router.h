#pragma once
/*
 * The router: matches a method and a raw (percent-encoded) path against the
 * route tables of every API file. Matching happens on the raw path so that
 * an encoded '/' (%2F, as in Cloud Storage object names) stays inside its
 * segment; captured variables are decoded afterwards.
 *
 * Routes are tried most specific first (a literal segment beats
 * `{var}:verb`, which beats `{var}`, which beats `{var=**}`), so the order of
 * the tables does not matter. Each route gets a stable small integer id for
 * metrics.
 */

#include <stddef.h>

#include "api/request.h"
#include "src/error.h"

struct api_router;

struct api_router *api_router_new(void);
void api_router_free(struct api_router *r);
/* Adds a table; the table must outlive the router. Aborts on a malformed
 * template (a programming error, caught by the unit tests). */
void api_router_add(struct api_router *r, const struct api_route *routes, size_t n);

/* Number of routes, and route i's template as "METHOD /path" (for metrics). */
size_t api_router_count(const struct api_router *r);
const char *api_router_label(const struct api_router *r, size_t id);

enum api_match_result {
	API_MATCH_OK = 0,
	API_MATCH_NO_PATH = 1,	 /* 404 */
	API_MATCH_NO_METHOD = 2, /* 405; `allow` lists the methods that would match */
	API_MATCH_BAD_PATH = 3,	 /* 400; a broken percent-escape */
};

struct api_match {
	const struct api_route *route;
	int id;
	struct api_param params[API_MAX_PARAMS]; /* values owned */
	size_t nparams;
	char allow[64];
};

/* On API_MATCH_OK the params are the caller's (move them into the request,
 * or api_match_fini). */
enum api_match_result api_router_match(const struct api_router *r, const char *method,
				       const char *raw_path, struct api_match *out);
void api_match_fini(struct api_match *m);

/* Percent-decodes [s, s+len) into a new string. '+' stays '+' unless
 * plus_is_space (query strings). NULL on a broken escape or an encoded NUL. */
char *api_percent_decode(const char *s, size_t len, int plus_is_space);

/* Percent-encodes every byte but the unreserved ones (RFC 3986), as an
 * object name inside a link must be. The caller's. */
char *api_percent_encode(const char *s);

/* Splits a raw query string into decoded name/value pairs (owned). */
int api_query_parse(const char *raw, struct api_param **out, size_t *n, stim_error_t *err);
