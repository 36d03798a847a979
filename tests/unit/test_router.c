/* Unit tests of the router: templates, specificity, 404/405/400, percent and query decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/router.h"
#include "src/error.h"
#include "src/util.h"

/* Dummy handlers: the tests compare route pointers, never call these. */
static int h_one(struct api_req *req, stim_error_t *err)
{
	return 0;
}

static int h_two(struct api_req *req, stim_error_t *err)
{
	return 0;
}

/* The shape of Resource Manager and Service Usage, plus a rest-of-path route. */
static const struct api_route crm[] = {
	{ "POST", "/v1/projects", h_one },
	{ "GET", "/v1/projects", h_one },
	{ "GET", "/v1/projects/{project}", h_one },
	{ "PUT", "/v1/projects/{project}", h_one },
	{ "DELETE", "/v1/projects/{project}", h_one },
	{ "POST", "/v1/projects/{project}:undelete", h_two },
	{ "POST", "/v1/projects/{project}/services/{service}:enable", h_one },
	{ "GET", "/v1/projects/{project}/services/{service}", h_one },
	{ "GET", "/v1/projects/{project}/services", h_one },
	{ "POST", "/v1/projects/{project}/services:batchEnable", h_two },
};

static const struct api_route storage[] = {
	{ "GET", "/storage/v1/b/{bucket}/o/{object}", h_one },
	{ "GET", "/download/storage/v1/b/{bucket}/o/{object=**}", h_two },
	{ "GET", "/health/live", h_one },
};

static struct api_router *router_of(const struct api_route *a, size_t na, const struct api_route *b,
				    size_t nb)
{
	struct api_router *r = api_router_new();

	api_router_add(r, a, na);
	if (b != NULL)
		api_router_add(r, b, nb);
	return r;
}

static struct api_router *default_router(void)
{
	return router_of(crm, STIM_ARRAY_SIZE(crm), storage, STIM_ARRAY_SIZE(storage));
}

/* Matches and checks the route found; the params stay in *m for the caller. */
static void expect_route(const struct api_router *r, const char *method, const char *path,
			 const struct api_route *want, struct api_match *m)
{
	enum api_match_result res = api_router_match(r, method, path, m);

	if (res != API_MATCH_OK)
		print_error("%s %s: result %d\n", method, path, (int)res);
	assert_int_equal(res, API_MATCH_OK);
	assert_ptr_equal(m->route, want);
	assert_true(m->id >= 0);
}

static const char *param(const struct api_match *m, const char *name)
{
	for (size_t i = 0; i < m->nparams; i++) {
		if (strcmp(m->params[i].name, name) == 0)
			return m->params[i].value;
	}
	return NULL;
}

static void expect_result(const struct api_router *r, const char *method, const char *path,
			  enum api_match_result want)
{
	struct api_match m;
	enum api_match_result res = api_router_match(r, method, path, &m);

	if (res != want)
		print_error("%s %s: result %d, want %d\n", method, path, (int)res, (int)want);
	assert_int_equal(res, want);
	assert_null(m.route);
	assert_int_equal(m.id, -1);
	api_match_fini(&m);
}

static void test_literal(void **state)
{
	struct api_router *r = default_router();
	struct api_match m;

	(void)state;
	expect_route(r, "GET", "/health/live", &storage[2], &m);
	assert_int_equal(m.nparams, 0);
	api_match_fini(&m);
	expect_route(r, "GET", "/v1/projects", &crm[1], &m);
	api_match_fini(&m);
	expect_route(r, "POST", "/v1/projects", &crm[0], &m);
	api_match_fini(&m);
	expect_result(r, "GET", "/health/livex", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/health", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/health/live/x", API_MATCH_NO_PATH);
	/* Literals compare exactly: case and escapes matter. */
	expect_result(r, "GET", "/Health/live", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/health/l%69ve", API_MATCH_NO_PATH);
	api_router_free(r);
}

static void test_var_capture(void **state)
{
	struct api_router *r = default_router();
	struct api_match m;

	(void)state;
	expect_route(r, "GET", "/v1/projects/my-proj", &crm[2], &m);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0].name, "project");
	assert_string_equal(m.params[0].value, "my-proj");
	api_match_fini(&m);
	assert_int_equal(m.nparams, 0);

	expect_route(r, "GET", "/v1/projects/p1/services/compute.googleapis.com", &crm[7], &m);
	assert_int_equal(m.nparams, 2);
	assert_string_equal(param(&m, "project"), "p1");
	assert_string_equal(param(&m, "service"), "compute.googleapis.com");
	api_match_fini(&m);

	/* Captures are percent-decoded after matching ('+' is not a space in paths). */
	expect_route(r, "GET", "/v1/projects/a%20b+c%7e", &crm[2], &m);
	assert_string_equal(param(&m, "project"), "a b+c~");
	api_match_fini(&m);
	api_router_free(r);
}

static void test_encoded_slash_stays_in_segment(void **state)
{
	struct api_router *r = default_router();
	struct api_match m;

	(void)state;
	/* %2F is matched as part of one segment, then decoded to '/'. */
	expect_route(r, "GET", "/storage/v1/b/bkt/o/dir%2Fsub%2ffile.txt", &storage[0], &m);
	assert_string_equal(param(&m, "bucket"), "bkt");
	assert_string_equal(param(&m, "object"), "dir/sub/file.txt");
	api_match_fini(&m);
	expect_route(r, "GET", "/v1/projects/a%2Fb", &crm[2], &m);
	assert_string_equal(param(&m, "project"), "a/b");
	api_match_fini(&m);
	/* An unencoded '/' is a segment boundary, so {object} does not match. */
	expect_result(r, "GET", "/storage/v1/b/bkt/o/dir/file.txt", API_MATCH_NO_PATH);
	api_router_free(r);
}

static void test_custom_verb(void **state)
{
	struct api_router *r = default_router();
	struct api_match m;

	(void)state;
	expect_route(r, "POST", "/v1/projects/my-proj:undelete", &crm[5], &m);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(param(&m, "project"), "my-proj");
	api_match_fini(&m);

	expect_route(r, "GET", "/v1/projects/my-proj", &crm[2], &m);
	assert_string_equal(param(&m, "project"), "my-proj");
	api_match_fini(&m);

	expect_route(r, "POST", "/v1/projects/p/services/compute.googleapis.com:enable", &crm[6],
		     &m);
	assert_string_equal(param(&m, "project"), "p");
	assert_string_equal(param(&m, "service"), "compute.googleapis.com");
	api_match_fini(&m);

	/* A literal segment holding a verb. */
	expect_route(r, "POST", "/v1/projects/p/services:batchEnable", &crm[9], &m);
	assert_string_equal(param(&m, "project"), "p");
	api_match_fini(&m);

	/* The verb must be the whole suffix, and something must precede it. */
	expect_result(r, "POST", "/v1/projects/p:undeletex", API_MATCH_NO_METHOD);
	expect_result(r, "POST", "/v1/projects/p/services/s:disable", API_MATCH_NO_METHOD);
	expect_result(r, "POST", "/v1/projects/p", API_MATCH_NO_METHOD);
	api_router_free(r);
}

static void test_rest_of_path(void **state)
{
	struct api_router *r = default_router();
	struct api_match m;

	(void)state;
	expect_route(r, "GET", "/download/storage/v1/b/bkt/o/a/b%2Fc/d.txt", &storage[1], &m);
	assert_int_equal(m.nparams, 2);
	assert_string_equal(param(&m, "bucket"), "bkt");
	assert_string_equal(param(&m, "object"), "a/b/c/d.txt");
	api_match_fini(&m);
	expect_route(r, "GET", "/download/storage/v1/b/bkt/o/one", &storage[1], &m);
	assert_string_equal(param(&m, "object"), "one");
	api_match_fini(&m);
	/* The rest is never empty. */
	expect_result(r, "GET", "/download/storage/v1/b/bkt/o/", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/download/storage/v1/b/bkt/o", API_MATCH_NO_PATH);
	api_router_free(r);
}

static void test_rest_of_path_deep(void **state)
{
	struct api_router *r = default_router();
	char path[512] = "/download/storage/v1/b/bkt/o";
	char want[512] = "";
	char got[512];
	const struct api_route *route;
	const char *object;
	struct api_match m;
	enum api_match_result res;

	(void)state;
	/* An object name may hold many slashes (GCS allows 1024 bytes): the
	 * rest-of-path variable takes all of them, however deep. */
	for (int i = 0; i < 40; i++) {
		char seg[8];

		snprintf(seg, sizeof(seg), "d%d", i);
		strcat(path, "/");
		strcat(path, seg);
		if (i > 0)
			strcat(want, "/");
		strcat(want, seg);
	}
	res = api_router_match(r, "GET", path, &m);
	route = m.route;
	object = res == API_MATCH_OK ? param(&m, "object") : NULL;
	snprintf(got, sizeof(got), "%s", object != NULL ? object : "");
	api_match_fini(&m);
	api_router_free(r);
	if (res != API_MATCH_OK)
		print_error("GET %s: result %d\n", path, (int)res);
	assert_int_equal(res, API_MATCH_OK);
	assert_ptr_equal(route, &storage[1]);
	assert_string_equal(got, want);
}

static void test_most_specific_wins(void **state)
{
	static const struct api_route general_first[] = {
		{ "GET", "/x/{rest=**}", h_one }, { "GET", "/x/{a}", h_one },
		{ "GET", "/x/{a}:verb", h_one },  { "GET", "/x/special", h_one },
		{ "GET", "/x/{a}/{b}", h_one },	  { "GET", "/x/{a}/lit", h_one },
	};
	static const struct api_route specific_first[] = {
		{ "GET", "/x/{a}/lit", h_two }, { "GET", "/x/{a}/{b}", h_two },
		{ "GET", "/x/special", h_two }, { "GET", "/x/{a}:verb", h_two },
		{ "GET", "/x/{a}", h_two },	{ "GET", "/x/{rest=**}", h_two },
	};
	/* index in general_first, index in specific_first, path */
	static const struct {
		size_t g;
		size_t s;
		const char *path;
	} cases[] = {
		{ 3, 2, "/x/special" }, { 2, 3, "/x/foo:verb" }, { 1, 4, "/x/foo" },
		{ 5, 0, "/x/foo/lit" }, { 4, 1, "/x/foo/bar" },	 { 0, 5, "/x/foo/bar/baz" },
	};

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		struct api_router *g =
			router_of(general_first, STIM_ARRAY_SIZE(general_first), NULL, 0);
		struct api_router *s =
			router_of(specific_first, STIM_ARRAY_SIZE(specific_first), NULL, 0);
		/* Split over two tables added in either order. */
		struct api_router *split = router_of(general_first + 3, 3, general_first, 3);
		struct api_match m;

		expect_route(g, "GET", cases[i].path, &general_first[cases[i].g], &m);
		api_match_fini(&m);
		expect_route(s, "GET", cases[i].path, &specific_first[cases[i].s], &m);
		api_match_fini(&m);
		expect_route(split, "GET", cases[i].path, &general_first[cases[i].g], &m);
		api_match_fini(&m);
		api_router_free(g);
		api_router_free(s);
		api_router_free(split);
	}
}

static void test_verb_value_when_only_plain_route_has_method(void **state)
{
	struct api_router *r = default_router();
	struct api_match m;

	(void)state;
	/* GET has no :undelete route, so the whole segment is the project. */
	expect_route(r, "GET", "/v1/projects/p:undelete", &crm[2], &m);
	assert_string_equal(param(&m, "project"), "p:undelete");
	api_match_fini(&m);
	api_router_free(r);
}

static void test_no_method(void **state)
{
	struct api_router *r = default_router();
	struct api_match m;

	(void)state;
	assert_int_equal(api_router_match(r, "PATCH", "/v1/projects/x", &m), API_MATCH_NO_METHOD);
	assert_null(m.route);
	assert_int_equal(m.id, -1);
	assert_int_equal(m.nparams, 0);
	assert_string_equal(m.allow, "GET, PUT, DELETE");
	api_match_fini(&m);

	assert_int_equal(api_router_match(r, "DELETE", "/v1/projects", &m), API_MATCH_NO_METHOD);
	assert_string_equal(m.allow, "POST, GET");
	api_match_fini(&m);

	assert_int_equal(api_router_match(r, "GET", "/v1/projects/x:undelete", &m), API_MATCH_OK);
	api_match_fini(&m);
	assert_int_equal(api_router_match(r, "PATCH", "/v1/projects/x:undelete", &m),
			 API_MATCH_NO_METHOD);
	/* Each method once, the verb route's first (it is more specific). */
	assert_string_equal(m.allow, "POST, GET, PUT, DELETE");
	api_match_fini(&m);

	/* Methods are case-sensitive, as HTTP says. */
	assert_int_equal(api_router_match(r, "get", "/health/live", &m), API_MATCH_NO_METHOD);
	assert_string_equal(m.allow, "GET");
	api_match_fini(&m);
	api_router_free(r);
}

static void test_no_path(void **state)
{
	struct api_router *r = default_router();

	(void)state;
	expect_result(r, "GET", "/nothing/here", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/", API_MATCH_NO_PATH);
	expect_result(r, "GET", "", API_MATCH_NO_PATH);
	expect_result(r, "GET", "health/live", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/v2/projects/x", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/v1/projects/x/unknown", API_MATCH_NO_PATH);
	api_router_free(r);
}

static void test_empty_segments(void **state)
{
	struct api_router *r = default_router();

	(void)state;
	/* An empty segment never fills {var}, and a trailing slash is another path. */
	expect_result(r, "GET", "/v1/projects/", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/v1/projects//services", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/v1//projects", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/health/live/", API_MATCH_NO_PATH);
	expect_result(r, "GET", "//health/live", API_MATCH_NO_PATH);
	expect_result(r, "GET", "/v1/projects/p/services/", API_MATCH_NO_PATH);
	expect_result(r, "POST", "/v1/projects/:undelete/x", API_MATCH_NO_PATH);
	api_router_free(r);
}

static void test_bad_path(void **state)
{
	static const char *const bad[] = {
		"/v1/projects/%zz",
		"/v1/projects/%2",
		"/v1/projects/a%",
		"/v1/projects/%00",
		"/v1/projects/a%00b:undelete",
		"/v1/projects/%G1/services",
		"/storage/v1/b/bkt/o/x%2",
		"/download/storage/v1/b/bkt/o/a/%0",
		"/download/storage/v1/b/bkt/o/a/b%00",
	};
	struct api_router *r = default_router();

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(bad); i++)
		expect_result(r, i == 4 ? "POST" : "GET", bad[i], API_MATCH_BAD_PATH);
	api_router_free(r);
}

static void test_percent_decode(void **state)
{
	char *s;

	(void)state;
	s = api_percent_decode("a%20b+c", 7, 0);
	assert_string_equal(s, "a b+c");
	free(s);
	s = api_percent_decode("a%20b+c", 7, 1);
	assert_string_equal(s, "a b c");
	free(s);
	s = api_percent_decode("%2f%2F%41%7e", 12, 0);
	assert_string_equal(s, "//A~");
	free(s);
	s = api_percent_decode("%C3%A9t%C3%A9", 13, 0);
	assert_string_equal(s, "\xc3\xa9t\xc3\xa9");
	free(s);
	s = api_percent_decode("", 0, 0);
	assert_string_equal(s, "");
	free(s);
	/* Only len bytes are read. */
	s = api_percent_decode("abc%41", 3, 0);
	assert_string_equal(s, "abc");
	free(s);
	s = api_percent_decode("%2B", 3, 1);
	assert_string_equal(s, "+");
	free(s);

	/* Broken escapes and an encoded NUL. */
	assert_null(api_percent_decode("%", 1, 0));
	assert_null(api_percent_decode("%4", 2, 0));
	assert_null(api_percent_decode("abc%41", 5, 0)); /* cut inside the escape */
	assert_null(api_percent_decode("%g0", 3, 0));
	assert_null(api_percent_decode("%0g", 3, 0));
	assert_null(api_percent_decode("a%00", 4, 0));
	assert_null(api_percent_decode("%%41", 4, 1));
}

static void test_query_parse(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct api_param *q = NULL;
	size_t n = 99;

	(void)state;
	assert_int_equal(api_query_parse("filter=name%3Ax+y&pageSize=3&a=1&&a=2&flag&e=&%2Fk=v", &q,
					 &n, &err),
			 0);
	assert_null(err);
	assert_int_equal(n, 7);
	assert_string_equal(q[0].name, "filter");
	assert_string_equal(q[0].value, "name:x y");
	assert_string_equal(q[1].name, "pageSize");
	assert_string_equal(q[1].value, "3");
	/* Repeated keys are all kept, in order. */
	assert_string_equal(q[2].name, "a");
	assert_string_equal(q[2].value, "1");
	assert_string_equal(q[3].name, "a");
	assert_string_equal(q[3].value, "2");
	/* A name without '=' has the empty value. */
	assert_string_equal(q[4].name, "flag");
	assert_string_equal(q[4].value, "");
	assert_string_equal(q[5].name, "e");
	assert_string_equal(q[5].value, "");
	/* Names are decoded too. */
	assert_string_equal(q[6].name, "/k");
	assert_string_equal(q[6].value, "v");
	for (size_t i = 0; i < n; i++) {
		free((char *)q[i].name);
		free(q[i].value);
	}
	free(q);

	q = NULL;
	n = 99;
	assert_int_equal(api_query_parse("", &q, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(q);
	n = 99;
	assert_int_equal(api_query_parse("&&&", &q, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(q);
	/* '=' inside the value is kept. */
	assert_int_equal(api_query_parse("k=a=b", &q, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(q[0].value, "a=b");
	free((char *)q[0].name);
	free(q[0].value);
	free(q);
}

static void test_query_parse_errors(void **state)
{
	static const char *const bad[] = { "a=1&b=%zz", "a=%", "%x=1", "a=%00", "ok=1&b%2=2" };

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(bad); i++) {
		stim_error_t err = NULL;
		struct api_param *q = (struct api_param *)&err; /* must stay untouched */
		size_t n = 42;

		assert_int_equal(api_query_parse(bad[i], &q, &n, &err), -1);
		assert_non_null(err);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
		assert_non_null(strstr(err->msg, "percent-escape"));
		assert_ptr_equal(q, (struct api_param *)&err);
		assert_int_equal(n, 42);
		stim_error_free(err);
	}
}

static void test_label_and_count(void **state)
{
	struct api_router *r = api_router_new();
	struct api_match m;
	int seen[STIM_ARRAY_SIZE(crm) + STIM_ARRAY_SIZE(storage)] = { 0 };

	(void)state;
	assert_int_equal(api_router_count(r), 0);
	assert_string_equal(api_router_label(r, 0), "unmatched");
	api_router_add(r, crm, STIM_ARRAY_SIZE(crm));
	assert_int_equal(api_router_count(r), STIM_ARRAY_SIZE(crm));
	api_router_add(r, storage, STIM_ARRAY_SIZE(storage));
	assert_int_equal(api_router_count(r), STIM_ARRAY_SIZE(crm) + STIM_ARRAY_SIZE(storage));
	assert_string_equal(api_router_label(r, api_router_count(r)), "unmatched");
	assert_string_equal(api_router_label(r, (size_t)-1), "unmatched");

	/* Every template appears exactly once among the labels. */
	for (size_t id = 0; id < api_router_count(r); id++) {
		const char *label = api_router_label(r, id);

		for (size_t j = 0; j < STIM_ARRAY_SIZE(seen); j++) {
			const struct api_route *rt = j < STIM_ARRAY_SIZE(crm)
							     ? &crm[j]
							     : &storage[j - STIM_ARRAY_SIZE(crm)];
			char *want = xasprintf("%s %s", rt->method, rt->path);

			if (strcmp(label, want) == 0)
				seen[j]++;
			free(want);
		}
	}
	for (size_t j = 0; j < STIM_ARRAY_SIZE(seen); j++)
		assert_int_equal(seen[j], 1);

	/* A match's id names its own template. */
	expect_route(r, "POST", "/v1/projects/p:undelete", &crm[5], &m);
	assert_string_equal(api_router_label(r, (size_t)m.id),
			    "POST /v1/projects/{project}:undelete");
	api_match_fini(&m);
	expect_route(r, "GET", "/health/live", &storage[2], &m);
	assert_string_equal(api_router_label(r, (size_t)m.id), "GET /health/live");
	api_match_fini(&m);
	api_router_free(r);
	api_router_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_var_capture),
		cmocka_unit_test(test_encoded_slash_stays_in_segment),
		cmocka_unit_test(test_custom_verb),
		cmocka_unit_test(test_rest_of_path),
		cmocka_unit_test(test_rest_of_path_deep),
		cmocka_unit_test(test_most_specific_wins),
		cmocka_unit_test(test_verb_value_when_only_plain_route_has_method),
		cmocka_unit_test(test_no_method),
		cmocka_unit_test(test_no_path),
		cmocka_unit_test(test_empty_segments),
		cmocka_unit_test(test_bad_path),
		cmocka_unit_test(test_percent_decode),
		cmocka_unit_test(test_query_parse),
		cmocka_unit_test(test_query_parse_errors),
		cmocka_unit_test(test_label_and_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
