/*
 * Fuzzes the router over the real route tables: api_router_match on a
 * method and a raw path, then api_percent_decode and api_query_parse on the
 * query. The input is "METHOD\nPATH[?QUERY]"; without a newline it is all
 * path, tried as GET.
 */
#include <stdlib.h>
#include <string.h>

#include "api/dispatch.h"
#include "api/router.h"
#include "src/cleanup.h"
#include "src/error.h"
#include "tests/fuzz/fuzz.h"

/* Built on the first input and kept for the process: compiling the tables
 * per input would cost more than matching, and the router is read-only. */
static struct api_router *router;

static void match(const char *method, const char *path)
{
	struct api_match m;
	enum api_match_result r = api_router_match(router, method, path, &m);

	/* The result must be one of the four, and only OK leaves params. */
	if (r != API_MATCH_OK && m.nparams != 0)
		abort();
	if (r == API_MATCH_OK &&
	    (m.route == NULL || m.id < 0 || (size_t)m.id >= api_router_count(router)))
		abort();
	if (r != API_MATCH_OK && r != API_MATCH_NO_PATH && r != API_MATCH_NO_METHOD &&
	    r != API_MATCH_BAD_PATH)
		abort();
	/* The 405 text goes into an Allow header: it must stay terminated. */
	if (memchr(m.allow, '\0', sizeof(m.allow)) == NULL)
		abort();
	api_match_fini(&m);
}

static void query(const char *raw)
{
	cleanup_error stim_error_t err = NULL;
	struct api_param *params = NULL;
	size_t n = 0;

	if (api_query_parse(raw, &params, &n, &err) < 0) {
		/* Failure sets the error and hands nothing back. */
		if (err == NULL || params != NULL)
			abort();
		return;
	}
	for (size_t i = 0; i < n; i++) {
		free((char *)params[i].name);
		free(params[i].value);
	}
	free(params);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_free char *input = fuzz_strndup(data, size);
	cleanup_free char *decoded = NULL;
	const char *method = "GET";
	char *path = input;
	char *nl = strchr(input, '\n');
	char *q;

	if (router == NULL) {
		router = api_router_new();
		api_routes_register(router);
	}
	if (nl != NULL) {
		*nl = '\0';
		method = input;
		path = nl + 1;
	}
	q = strchr(path, '?');
	if (q != NULL)
		*q++ = '\0';

	match(method, path);
	/* Both decodings the server uses: path segments keep '+', queries
	 * read it as a space. */
	decoded = api_percent_decode(path, strlen(path), 0);
	free(decoded);
	decoded = api_percent_decode(path, strlen(path), 1);
	if (q != NULL)
		query(q);
	return 0;
}
