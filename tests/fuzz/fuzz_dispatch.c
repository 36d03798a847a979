/*
 * Fuzzes the whole request path without a server: routing, query parsing,
 * the handler, the services, the store on a temporary database, and error
 * rendering, through api_dispatch as api/server.c calls it.
 *
 * The input is "METHOD URI\n" followed by the body. Whatever it is, the
 * answer must be a complete HTTP response: a status from 200 to 599 and a
 * non-empty body that is a JSON object (the Prometheus text of /metrics
 * being the one exception). Anything else aborts, so libFuzzer reports it
 * with the input.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/dispatch.h"
#include "api/metrics.h"
#include "api/router.h"
#include "src/cleanup.h"
#include "src/config.h"
#include "src/context.h"
#include "src/error.h"
#include "src/log.h"
#include "src/projects.h"
#include "src/store.h"
#include "tests/fuzz/fuzz.h"

/* The store is reopened on a fresh database this often. Reopening for
 * every input would make each run independent of the ones before, but costs
 * more than the request itself; this bounds the database's growth and how
 * much history a crash can depend on (replaying the reproducer alone shows
 * whether it does). */
#define RESET_EVERY 2000

/* Requests that leave the database as gcloud would after a short session
 * (reference/gcloud/logs/iam.log), so handlers find projects, labels,
 * services and a deleted project to work on. */
static const struct {
	const char *method;
	const char *uri;
	const char *body;
} seed[] = {
	{ "POST", "/v1/projects?alt=json",
	  "{\"labels\": {\"env\": \"dev\"}, \"name\": \"Project Two\", \"projectId\": "
	  "\"proj-two\"}" },
	{ "POST", "/v1/projects/proj-two/services/cloudapis.googleapis.com:enable?alt=json", "{}" },
	{ "POST", "/v1/projects?alt=json", "{\"projectId\": \"old-proj\"}" },
	{ "DELETE", "/v1/projects/old-proj?alt=json", "" },
};

static struct {
	char dir[64];
	struct stim_config cfg;
	struct stim_ctx ctx;
	struct api_dispatcher d;
	unsigned long runs;
} fx;

static void die(const char *what, stim_error_t err)
{
	fprintf(stderr, "fuzz_dispatch: %s: %s\n", what, err != NULL ? err->msg : "?");
	abort();
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void remove_dir(void)
{
	nftw(fx.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Checks one response; prints what was wrong and aborts. */
static void check(const char *method, const char *uri, int route_id,
		  const struct api_response *resp)
{
	cleanup_json json_t *j = NULL;
	json_error_t jerr;
	const char *why = NULL;

	if (resp->status < 200 || resp->status > 599)
		why = "status out of range";
	else if (resp->body == NULL || resp->len == 0)
		why = "empty body";
	else if (resp->len != strlen(resp->body))
		why = "length does not match the body";
	else if (resp->content_type == NULL)
		why = "no content type";
	if (why == NULL && route_id >= 0 &&
	    strcmp(api_router_label(fx.d.router, (size_t)route_id), "GET /metrics") == 0)
		return;
	if (why == NULL) {
		j = json_loadb(resp->body, resp->len, 0, &jerr);
		if (!json_is_object(j))
			why = "body is not a JSON object";
		else if (strncmp(resp->content_type, "application/json", 16) != 0)
			why = "JSON without a JSON content type";
	}
	if (why == NULL)
		return;
	fprintf(stderr, "fuzz_dispatch: %s %s: %s: status %u, %zu bytes: %.*s\n", method, uri, why,
		resp->status, resp->len, resp->body != NULL ? (int)resp->len : 0,
		resp->body != NULL ? resp->body : "");
	abort();
}

/* One request as api/server.c makes it. The body is an exact-size copy
 * with no terminator, as the server's upload buffer has none: ASan then
 * flags any handler that reads it as a C string. */
static void dispatch(const char *method, const char *uri, const char *body, size_t len)
{
	cleanup_free char *copy = NULL;
	struct api_response resp;
	char allow[64];
	int route_id;

	if (len > 0) {
		copy = xmalloc(len);
		memcpy(copy, body, len);
	}
	route_id = api_dispatch(&fx.d, method, uri, copy != NULL ? copy : "", len,
				"fuzz-request-id", NULL, NULL, &resp, allow, sizeof(allow));
	check(method, uri, route_id, &resp);
	free(resp.body);
}

static void store_open(void)
{
	stim_error_t err = NULL;

	fx.ctx.store = stim_store_open(fx.dir, &err);
	if (fx.ctx.store == NULL)
		die("open the store", err);
	if (stim_project_ensure(&fx.ctx, fx.cfg.default_project, &err) < 0)
		die("default project", err);
	for (size_t i = 0; i < STIM_ARRAY_SIZE(seed); i++)
		dispatch(seed[i].method, seed[i].uri, seed[i].body, strlen(seed[i].body));
}

/* Closes the store and deletes its files (the database, its WAL). */
static void store_close(void)
{
	stim_store_close(fx.ctx.store);
	fx.ctx.store = NULL;
	remove_dir();
}

static void teardown(void)
{
	if (fx.ctx.store == NULL)
		return;
	store_close();
	api_metrics_free(fx.d.metrics);
	api_router_free(fx.d.router);
	stim_config_fini(&fx.cfg);
}

static void setup(void)
{
	char *argv[] = { "stimulator", NULL };
	stim_error_t err = NULL;

	/* Bad requests log at info; keep the fuzzer's output to its own. A
	 * 500 still logs at error, which is worth seeing. */
	stim_log_setup(STIM_LOG_ERROR, STIM_LOG_TEXT);
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/stim-fuzz-dispatch-XXXXXX");
	if (mkdtemp(fx.dir) == NULL) {
		perror("fuzz_dispatch: mkdtemp");
		abort();
	}
	if (stim_config_parse(&fx.cfg, 1, argv, &err) != 0)
		die("config", err);
	fx.ctx.cfg = &fx.cfg;
	fx.d.ctx = &fx.ctx;
	fx.d.router = api_router_new();
	api_routes_register(fx.d.router);
	fx.d.metrics = api_metrics_new(fx.d.router);
	/* libFuzzer leaves through exit() when its time is up. A crash ends
	 * the process with _exit() instead and leaves /tmp/stim-fuzz-dispatch-*
	 * behind, which is cheap next to losing the report. */
	atexit(teardown);
	store_open();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t line_len = nl != NULL ? (size_t)(nl - data) : size;
	cleanup_free char *line = fuzz_strndup(data, line_len);
	const char *body = nl != NULL ? (const char *)nl + 1 : "";
	size_t body_len = nl != NULL ? size - line_len - 1 : 0;
	char *space = strchr(line, ' ');
	const char *uri = "/";

	if (fx.ctx.store == NULL) {
		setup();
	} else if (++fx.runs % RESET_EVERY == 0) {
		store_close();
		store_open();
	}
	if (space != NULL) {
		*space = '\0';
		uri = space + 1;
	}
	dispatch(line, uri, body, body_len);
	return 0;
}
