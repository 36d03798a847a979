/* Unit tests of the whole API stack without a server: api_dispatch on a temp store, metrics. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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
#include "src/util.h"
#include "tests/unit/fixture.h"

struct fixture {
	char tmp[FIXTURE_TMP_SIZE];
	struct stim_config cfg;
	struct stim_ctx ctx;
	struct api_dispatcher d;
};

/* One answer: status, body parsed as JSON (NULL when it is not), and the raw text. */
struct answer {
	unsigned status;
	json_t *json;
	char *text;
	const char *content_type;
	char allow[64];
	int route_id;
};

static void answer_fini(struct answer *a)
{
	json_decref(a->json);
	free(a->text);
	memset(a, 0, sizeof(*a));
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	/* 4xx answers log at info; keep the test output to failures. */
	stim_log_setup(STIM_LOG_ERROR, STIM_LOG_TEXT);
	if (fixture_store_open("dispatch", f->tmp, &f->cfg, &f->ctx) < 0)
		return -1;
	f->d.ctx = &f->ctx;
	f->d.router = api_router_new();
	api_routes_register(f->d.router);
	f->d.metrics = api_metrics_new(f->d.router);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	api_metrics_free(f->d.metrics);
	api_router_free(f->d.router);
	fixture_store_close(f->tmp, &f->cfg, &f->ctx);
	free(f);
	return 0;
}

/* Dispatches like api/server.c does, metrics included. */
static void call(struct fixture *f, const char *method, const char *uri, const char *body,
		 struct answer *a)
{
	struct api_response resp;
	uint64_t start = stim_monotonic_ns();
	json_error_t jerr;

	memset(a, 0, sizeof(*a));
	api_metrics_inflight_add(f->d.metrics, 1);
	a->route_id = api_dispatch(&f->d, method, uri, body != NULL ? body : "",
				   body != NULL ? strlen(body) : 0, "test-request-id", NULL, NULL,
				   &resp, a->allow, sizeof(a->allow));
	api_metrics_record(f->d.metrics, a->route_id, resp.status, stim_monotonic_ns() - start);
	api_metrics_inflight_add(f->d.metrics, -1);
	a->status = resp.status;
	a->content_type = resp.content_type;
	assert_non_null(resp.body);
	assert_int_equal(resp.len, strlen(resp.body));
	a->text = resp.body;
	a->json = json_loadb(resp.body, resp.len, 0, &jerr);
}

static const char *str_at(json_t *j, const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k != NULL && j != NULL;
	     k = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, strtoul(k, NULL, 10))
				     : json_object_get(j, k);
	return json_string_value(j);
}

/* Checks Google's error shape and returns error.message. */
static const char *expect_error(struct answer *a, unsigned status, const char *rpc_status,
				const char *reason)
{
	json_t *inner;

	if (a->status != status)
		print_error("status %u: %s\n", a->status, a->text);
	assert_int_equal(a->status, status);
	assert_non_null(a->json);
	inner = json_object_get(a->json, "error");
	assert_non_null(inner);
	assert_int_equal(json_integer_value(json_object_get(inner, "code")), status);
	assert_string_equal(str_at(a->json, "error.status"), rpc_status);
	assert_string_equal(str_at(a->json, "error.errors.0.reason"), reason);
	assert_string_equal(str_at(a->json, "error.errors.0.domain"), "global");
	assert_string_equal(str_at(a->json, "error.errors.0.message"),
			    str_at(a->json, "error.message"));
	return str_at(a->json, "error.message");
}

static void expect_ok(struct answer *a)
{
	if (a->status != 200)
		print_error("status %u: %s\n", a->status, a->text);
	assert_int_equal(a->status, 200);
	assert_non_null(a->json);
	assert_string_equal(a->content_type, "application/json; charset=UTF-8");
}

static void test_health(void **state)
{
	struct fixture *f = *state;
	struct answer a;

	call(f, "GET", "/health/live", NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "status"), "live");
	assert_string_equal(api_router_label(f->d.router, (size_t)a.route_id), "GET /health/live");
	answer_fini(&a);

	call(f, "GET", "/health/ready?verbose=1", NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "status"), "ready");
	assert_string_equal(str_at(a.json, "auth"), "off");
	assert_string_equal(str_at(a.json, "defaultProject"), "stimulator-project");
	answer_fini(&a);
}

static void test_get_default_project(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct answer a;
	cleanup_free char *by_number = NULL;
	const char *number;

	assert_int_equal(stim_project_ensure(&f->ctx, f->cfg.default_project, &err), 0);
	call(f, "GET", "/v1/projects/stimulator-project", NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "projectId"), "stimulator-project");
	assert_string_equal(str_at(a.json, "lifecycleState"), "ACTIVE");
	assert_string_equal(str_at(a.json, "name"), "stimulator-project");
	/* int64 travels as a JSON string. */
	assert_true(json_is_string(json_object_get(a.json, "projectNumber")));
	number = str_at(a.json, "projectNumber");
	assert_int_equal(strlen(number), 12);
	assert_int_equal(strspn(number, "0123456789"), 12);
	assert_non_null(str_at(a.json, "createTime"));
	assert_true(stim_str_has_suffix(str_at(a.json, "createTime"), "Z"));
	/* No labels, no parent: the members are left out. */
	assert_null(json_object_get(a.json, "labels"));
	assert_null(json_object_get(a.json, "parent"));
	by_number = xasprintf("/v1/projects/%s", number);
	answer_fini(&a);

	call(f, "GET", by_number, NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "projectId"), "stimulator-project");
	answer_fini(&a);
}

static void test_create_project(void **state)
{
	struct fixture *f = *state;
	const char *body = "{\"projectId\":\"disp-proj\",\"labels\":{\"a\":\"b\"}}";
	cleanup_free char *op_uri = NULL;
	struct answer a;

	call(f, "POST", "/v1/projects", body, &a);
	expect_ok(&a);
	assert_true(stim_str_has_prefix(str_at(a.json, "name"), "operations/cp."));
	assert_true(json_is_true(json_object_get(a.json, "done")));
	assert_string_equal(str_at(a.json, "response.@type"),
			    "type.googleapis.com/google.cloudresourcemanager.v1.Project");
	assert_string_equal(str_at(a.json, "response.projectId"), "disp-proj");
	assert_string_equal(str_at(a.json, "response.lifecycleState"), "ACTIVE");
	assert_string_equal(str_at(a.json, "response.labels.a"), "b");
	assert_true(json_is_string(
		json_object_get(json_object_get(a.json, "response"), "projectNumber")));
	op_uri = xasprintf("/v1/%s", str_at(a.json, "name"));
	answer_fini(&a);

	/* gcloud polls the operation. */
	call(f, "GET", op_uri, NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "name"), op_uri + strlen("/v1/"));
	assert_true(json_is_true(json_object_get(a.json, "done")));
	assert_string_equal(str_at(a.json, "response.projectId"), "disp-proj");
	answer_fini(&a);

	call(f, "POST", "/v1/projects", body, &a);
	assert_non_null(
		strstr(expect_error(&a, 409, "ALREADY_EXISTS", "alreadyExists"), "disp-proj"));
	answer_fini(&a);

	call(f, "GET", "/v1/projects/disp-proj", NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "labels.a"), "b");
	answer_fini(&a);

	call(f, "GET", "/v1/operations/cp.0000000000000000", NULL, &a);
	expect_error(&a, 404, "NOT_FOUND", "notFound");
	answer_fini(&a);
}

static void test_bad_bodies(void **state)
{
	struct fixture *f = *state;
	struct answer a;
	const char *msg;

	call(f, "POST", "/v1/projects", "{\"projectId\": \"x\",", &a);
	msg = expect_error(&a, 400, "INVALID_ARGUMENT", "badRequest");
	assert_true(stim_str_has_prefix(msg, "Invalid JSON payload received."));
	assert_non_null(strstr(msg, "position"));
	answer_fini(&a);

	call(f, "POST", "/v1/projects", "{\"projectId\":\"unk-proj\",\"colour\":\"red\"}", &a);
	msg = expect_error(&a, 400, "INVALID_ARGUMENT", "badRequest");
	assert_non_null(strstr(msg, "Unknown name \"colour\""));
	answer_fini(&a);

	call(f, "POST", "/v1/projects", "{\"projectId\":\"typ-proj\",\"labels\":{\"a\":1}}", &a);
	msg = expect_error(&a, 400, "INVALID_ARGUMENT", "badRequest");
	assert_non_null(strstr(msg, "labels[a]"));
	answer_fini(&a);

	call(f, "POST", "/v1/projects", "{\"projectId\":7}", &a);
	msg = expect_error(&a, 400, "INVALID_ARGUMENT", "badRequest");
	assert_non_null(strstr(msg, "Invalid value at 'projectId'"));
	answer_fini(&a);

	call(f, "POST", "/v1/projects", "[]", &a);
	expect_error(&a, 400, "INVALID_ARGUMENT", "badRequest");
	answer_fini(&a);

	/* An empty body is {}: projectId is then missing. */
	call(f, "POST", "/v1/projects", NULL, &a);
	msg = expect_error(&a, 400, "INVALID_ARGUMENT", "badRequest");
	assert_non_null(strstr(msg, "projectId"));
	answer_fini(&a);
}

static void test_routing_errors(void **state)
{
	struct fixture *f = *state;
	struct answer a;
	const char *msg;

	call(f, "GET", "/v9/nothing", NULL, &a);
	msg = expect_error(&a, 404, "NOT_FOUND", "notFound");
	assert_non_null(strstr(msg, "/v9/nothing"));
	assert_int_equal(a.route_id, -1);
	answer_fini(&a);

	call(f, "PATCH", "/v1/projects/x", NULL, &a);
	msg = expect_error(&a, 405, "UNIMPLEMENTED", "methodNotAllowed");
	assert_string_equal(a.allow, "GET, PUT, DELETE");
	assert_non_null(strstr(msg, "GET, PUT, DELETE"));
	assert_int_equal(a.route_id, -1);
	answer_fini(&a);

	call(f, "GET", "/v1/projects/%zz", NULL, &a);
	expect_error(&a, 400, "INVALID_ARGUMENT", "badRequest");
	assert_string_equal(a.allow, "");
	answer_fini(&a);

	/* A broken query string is refused before the handler runs. */
	call(f, "GET", "/v1/projects?filter=%zz", NULL, &a);
	expect_error(&a, 400, "INVALID_ARGUMENT", "badRequest");
	answer_fini(&a);

	/* Unknown project: PERMISSION_DENIED, as Resource Manager answers. */
	call(f, "GET", "/v1/projects/ghost-proj", NULL, &a);
	expect_error(&a, 403, "PERMISSION_DENIED", "forbidden");
	answer_fini(&a);
	/* A decoded id that is not UTF-8 still gives a JSON error. */
	call(f, "GET", "/v1/projects/%FF%FE", NULL, &a);
	expect_error(&a, 403, "PERMISSION_DENIED", "forbidden");
	answer_fini(&a);
}

static void test_list_with_query(void **state)
{
	struct fixture *f = *state;
	struct answer a;
	cleanup_free char *next = NULL;

	for (int i = 0; i < 3; i++) {
		char body[96];

		snprintf(body, sizeof(body),
			 "{\"projectId\":\"list-proj-%d\",\"labels\":{\"n\":\"%d\"}}", i, i % 2);
		call(f, "POST", "/v1/projects", body, &a);
		expect_ok(&a);
		answer_fini(&a);
	}
	call(f, "GET", "/v1/projects?filter=labels.n%3A0+AND+lifecycleState%3AACTIVE", NULL, &a);
	expect_ok(&a);
	assert_int_equal(json_array_size(json_object_get(a.json, "projects")), 2);
	assert_string_equal(str_at(a.json, "projects.0.projectId"), "list-proj-0");
	assert_string_equal(str_at(a.json, "projects.1.projectId"), "list-proj-2");
	assert_null(json_object_get(a.json, "nextPageToken"));
	answer_fini(&a);

	call(f, "GET", "/v1/projects?pageSize=2", NULL, &a);
	expect_ok(&a);
	assert_int_equal(json_array_size(json_object_get(a.json, "projects")), 2);
	assert_non_null(str_at(a.json, "nextPageToken"));
	next = xasprintf("/v1/projects?pageSize=2&pageToken=%s", str_at(a.json, "nextPageToken"));
	answer_fini(&a);
	call(f, "GET", next, NULL, &a);
	expect_ok(&a);
	assert_int_equal(json_array_size(json_object_get(a.json, "projects")), 1);
	assert_string_equal(str_at(a.json, "projects.0.projectId"), "list-proj-2");
	answer_fini(&a);

	/* An empty result is {}. */
	call(f, "GET", "/v1/projects?filter=id%3Anone", NULL, &a);
	expect_ok(&a);
	assert_int_equal(json_object_size(a.json), 0);
	answer_fini(&a);

	call(f, "GET", "/v1/projects?pageSize=lots", NULL, &a);
	expect_error(&a, 400, "INVALID_ARGUMENT", "invalid");
	answer_fini(&a);
}

static void test_update_delete_undelete(void **state)
{
	struct fixture *f = *state;
	struct answer a;

	call(f, "POST", "/v1/projects", "{\"projectId\":\"life-proj\",\"labels\":{\"x\":\"y\"}}",
	     &a);
	answer_fini(&a);
	/* v1 update is a PUT of the whole resource: absent labels mean none. */
	call(f, "PUT", "/v1/projects/life-proj", "{\"name\":\"New Name\"}", &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "name"), "New Name");
	assert_null(json_object_get(a.json, "labels"));
	answer_fini(&a);

	/* What GET returned may be sent back; the id must agree with the URL. */
	call(f, "PUT", "/v1/projects/life-proj",
	     "{\"projectId\":\"life-proj\",\"projectNumber\":\"1\",\"lifecycleState\":\"ACTIVE\","
	     "\"name\":\"New Name\",\"labels\":{\"k\":\"v\"}}",
	     &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "labels.k"), "v");
	assert_string_not_equal(str_at(a.json, "projectNumber"), "1");
	answer_fini(&a);
	call(f, "PUT", "/v1/projects/life-proj", "{\"projectId\":\"other-proj\"}", &a);
	expect_error(&a, 400, "INVALID_ARGUMENT", "badRequest");
	answer_fini(&a);

	call(f, "DELETE", "/v1/projects/life-proj", NULL, &a);
	expect_ok(&a);
	assert_int_equal(json_object_size(a.json), 0);
	answer_fini(&a);
	call(f, "GET", "/v1/projects/life-proj", NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "lifecycleState"), "DELETE_REQUESTED");
	answer_fini(&a);
	call(f, "DELETE", "/v1/projects/life-proj", NULL, &a);
	expect_error(&a, 400, "FAILED_PRECONDITION", "failedPrecondition");
	answer_fini(&a);

	call(f, "POST", "/v1/projects/life-proj:undelete", NULL, &a);
	expect_ok(&a);
	answer_fini(&a);
	call(f, "GET", "/v1/projects/life-proj", NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "lifecycleState"), "ACTIVE");
	answer_fini(&a);
}

static void test_enable_service(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct answer a;
	cleanup_free char *op_uri = NULL;
	cleanup_free char *svc_name = NULL;
	cleanup_free char *parent = NULL;

	assert_int_equal(stim_project_ensure(&f->ctx, "stimulator-project", &err), 0);
	call(f, "POST", "/v1/projects/stimulator-project/services/compute.googleapis.com:enable",
	     NULL, &a);
	expect_ok(&a);
	assert_true(stim_str_has_prefix(str_at(a.json, "name"), "operations/acf."));
	assert_true(json_is_true(json_object_get(a.json, "done")));
	assert_string_equal(str_at(a.json, "response.@type"),
			    "type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse");
	assert_string_equal(str_at(a.json, "response.service.config.name"),
			    "compute.googleapis.com");
	assert_string_equal(str_at(a.json, "response.service.state"), "ENABLED");
	/* Service Usage names services under the project number. */
	parent = xstrdup(str_at(a.json, "response.service.parent"));
	assert_true(stim_str_has_prefix(parent, "projects/"));
	assert_int_equal(strspn(parent + strlen("projects/"), "0123456789"), 12);
	svc_name = xasprintf("%s/services/compute.googleapis.com", parent);
	assert_string_equal(str_at(a.json, "response.service.name"), svc_name);
	op_uri = xasprintf("/v1/%s", str_at(a.json, "name"));
	answer_fini(&a);

	call(f, "GET", op_uri, NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "response.service.state"), "ENABLED");
	answer_fini(&a);

	call(f, "GET", "/v1/projects/stimulator-project/services/compute.googleapis.com", NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "state"), "ENABLED");
	answer_fini(&a);

	call(f, "GET", "/v1/projects/stimulator-project/services?filter=state:ENABLED", NULL, &a);
	expect_ok(&a);
	assert_string_equal(str_at(a.json, "services.0.config.name"), "compute.googleapis.com");
	answer_fini(&a);

	call(f, "POST", "/v1/projects/stimulator-project/services:batchEnable",
	     "{\"serviceIds\":[\"iam.googleapis.com\",\"pubsub.googleapis.com\"]}", &a);
	expect_ok(&a);
	assert_string_equal(
		str_at(a.json, "response.@type"),
		"type.googleapis.com/google.api.serviceusage.v1.BatchEnableServicesResponse");
	assert_string_equal(str_at(a.json, "response.services.1.config.name"),
			    "pubsub.googleapis.com");
	answer_fini(&a);

	call(f, "POST", "/v1/projects/stimulator-project/services/compute.googleapis.com:disable",
	     NULL, &a);
	expect_ok(&a);
	assert_string_equal(
		str_at(a.json, "response.@type"),
		"type.googleapis.com/google.api.serviceusage.v1.DisableServiceResponse");
	assert_string_equal(str_at(a.json, "response.service.state"), "DISABLED");
	answer_fini(&a);

	call(f, "POST", "/v1/projects/stimulator-project/services/compute:enable", NULL, &a);
	expect_error(&a, 403, "PERMISSION_DENIED", "forbidden");
	answer_fini(&a);
}

static void test_metrics(void **state)
{
	struct fixture *f = *state;
	struct answer a;
	const char *line;

	call(f, "GET", "/health/live", NULL, &a);
	answer_fini(&a);
	call(f, "GET", "/health/live", NULL, &a);
	answer_fini(&a);
	call(f, "GET", "/nowhere", NULL, &a);
	answer_fini(&a);
	call(f, "PATCH", "/health/live", NULL, &a);
	answer_fini(&a);

	call(f, "GET", "/metrics", NULL, &a);
	assert_int_equal(a.status, 200);
	assert_null(a.json);
	assert_true(stim_str_has_prefix(a.content_type, "text/plain; version=0.0.4"));
	line = strstr(a.text, "stim_http_requests_total{route=\"GET /health/live\",code=\"200\"} ");
	if (line == NULL)
		print_error("%s\n", a.text);
	assert_non_null(line);
	assert_true(stim_str_has_prefix(strchr(line, '}') + 1, " 2\n"));
	assert_non_null(
		strstr(a.text, "stim_http_requests_total{route=\"unmatched\",code=\"404\"} 1\n"));
	assert_non_null(
		strstr(a.text, "stim_http_requests_total{route=\"unmatched\",code=\"405\"} 1\n"));
	assert_non_null(strstr(a.text, "stim_http_request_duration_seconds_count{route=\"GET "
				       "/health/live\"} 2\n"));
	assert_non_null(strstr(a.text, "stim_http_request_duration_seconds_bucket{route=\"GET "
				       "/health/live\",le=\"+Inf\"} 2\n"));
	/* The scrape itself is in flight while it renders. */
	assert_non_null(strstr(a.text, "stim_http_requests_in_flight 1\n"));
	answer_fini(&a);
	assert_int_equal(api_metrics_inflight(f->d.metrics), 0);

	/* The scrape before counts in the next one. */
	call(f, "GET", "/metrics", NULL, &a);
	assert_non_null(strstr(
		a.text, "stim_http_requests_total{route=\"GET /metrics\",code=\"200\"} 1\n"));
	answer_fini(&a);
}

static void test_metrics_fresh_after_free(void **state)
{
	struct fixture *f = *state;
	struct answer a;

	call(f, "GET", "/health/live", NULL, &a);
	answer_fini(&a);
	/* A new metrics object in the same thread starts from zero (the old
	 * thread-local block must not be found again). */
	api_metrics_free(f->d.metrics);
	f->d.metrics = api_metrics_new(f->d.router);
	call(f, "GET", "/metrics", NULL, &a);
	assert_null(strstr(a.text, "route=\"GET /health/live\""));
	answer_fini(&a);
}

static void test_metrics_buckets_and_other(void **state)
{
	static const struct api_route routes[] = {
		{ "GET", "/a", NULL },
		{ "GET", "/b", NULL },
	};
	struct api_router *r = api_router_new();
	struct api_metrics *m;
	cleanup_free char *text = NULL;

	(void)state;
	api_router_add(r, routes, STIM_ARRAY_SIZE(routes));
	m = api_metrics_new(r);
	api_metrics_record(m, 0, 200, 30 * 1000);		  /* 30 us */
	api_metrics_record(m, 0, 200, 3ull * 1000 * 1000 * 1000); /* 3 s */
	api_metrics_record(m, 0, 418, 100 * 1000);		  /* not a kept status */
	api_metrics_record(m, 7, 404, 1000);			  /* no such route id */
	api_metrics_record(m, -1, 404, 1000);
	text = api_metrics_render(m);

	assert_non_null(strstr(text, "# TYPE stim_http_requests_total counter\n"));
	assert_non_null(
		strstr(text, "stim_http_requests_total{route=\"GET /a\",code=\"200\"} 2\n"));
	assert_non_null(
		strstr(text, "stim_http_requests_total{route=\"GET /a\",code=\"other\"} 1\n"));
	assert_non_null(
		strstr(text, "stim_http_requests_total{route=\"unmatched\",code=\"404\"} 2\n"));
	/* Nothing for a route never hit. */
	assert_null(strstr(text, "route=\"GET /b\""));
	/* Buckets are cumulative, le is inclusive, +Inf counts everything. */
	assert_non_null(strstr(text, "stim_http_request_duration_seconds_bucket{route=\"GET "
				     "/a\",le=\"5e-05\"} 1\n"));
	assert_non_null(strstr(text, "stim_http_request_duration_seconds_bucket{route=\"GET "
				     "/a\",le=\"0.0001\"} 2\n"));
	assert_non_null(strstr(text, "stim_http_request_duration_seconds_bucket{route=\"GET "
				     "/a\",le=\"2.5\"} 2\n"));
	assert_non_null(strstr(text, "stim_http_request_duration_seconds_bucket{route=\"GET "
				     "/a\",le=\"5\"} 3\n"));
	assert_non_null(strstr(text, "stim_http_request_duration_seconds_bucket{route=\"GET "
				     "/a\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(text, "stim_http_request_duration_seconds_count{route=\"GET "
				     "/a\"} 3\n"));
	assert_non_null(strstr(text, "stim_http_request_duration_seconds_sum{route=\"GET "
				     "/a\"} 3.000130000\n"));
	assert_non_null(strstr(text, "stim_http_requests_in_flight 0\n"));
	api_metrics_free(m);
	api_router_free(r);
}

struct recorder {
	struct api_metrics *m;
	int n;
};

static void *record_many(void *arg)
{
	struct recorder *rec = arg;

	for (int i = 0; i < rec->n; i++)
		api_metrics_record(rec->m, 0, 200, 1000);
	return NULL;
}

static void test_metrics_threads(void **state)
{
	static const struct api_route routes[] = { { "GET", "/a", NULL } };
	struct api_router *r = api_router_new();
	struct recorder rec;
	pthread_t threads[4];
	cleanup_free char *text = NULL;

	(void)state;
	api_router_add(r, routes, 1);
	rec.m = api_metrics_new(r);
	rec.n = 2500;
	/* Each thread counts into its own block; the scrape sums them, and
	 * the blocks outlive their threads. */
	for (size_t i = 0; i < STIM_ARRAY_SIZE(threads); i++)
		assert_int_equal(pthread_create(&threads[i], NULL, record_many, &rec), 0);
	for (size_t i = 0; i < STIM_ARRAY_SIZE(threads); i++)
		pthread_join(threads[i], NULL);
	text = api_metrics_render(rec.m);
	assert_non_null(
		strstr(text, "stim_http_requests_total{route=\"GET /a\",code=\"200\"} 10000\n"));
	api_metrics_inflight_add(rec.m, 3);
	api_metrics_inflight_add(rec.m, -1);
	assert_int_equal(api_metrics_inflight(rec.m), 2);
	api_metrics_free(rec.m);
	api_router_free(r);
}

static void test_too_large(void **state)
{
	struct api_response resp;
	cleanup_json json_t *j = NULL;
	json_error_t jerr;
	char want[96];

	(void)state;
	api_reply_too_large(&resp, API_MAX_BODY);
	assert_int_equal(resp.status, 413);
	assert_string_equal(resp.content_type, "application/json; charset=UTF-8");
	j = json_loadb(resp.body, resp.len, 0, &jerr);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "error"), "code")),
			 413);
	assert_string_equal(str_at(j, "error.status"), "INVALID_ARGUMENT");
	assert_string_equal(str_at(j, "error.errors.0.domain"), "global");
	assert_string_equal(str_at(j, "error.errors.0.reason"), "badRequest");
	snprintf(want, sizeof(want), "Request payload size exceeds the limit: %u bytes.",
		 API_MAX_BODY);
	assert_string_equal(str_at(j, "error.message"), want);
	assert_string_equal(str_at(j, "error.errors.0.message"), want);
	free(resp.body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_health, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_default_project, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_project, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_with_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_delete_undelete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_fresh_after_free, setup, teardown),
		cmocka_unit_test(test_metrics_buckets_and_other),
		cmocka_unit_test(test_metrics_threads),
		cmocka_unit_test(test_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
