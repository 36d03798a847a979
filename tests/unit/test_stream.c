/* Unit tests of the request lifecycle in api/dispatch.c: streamed bodies,
 * early answers, and release when a client goes away. No store, no server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/dispatch.h"
#include "api/router.h"
#include "src/cleanup.h"
#include "src/error.h"
#include "src/util.h"

/* What the stream saw, kept outside its state so tests can check after
 * release() freed that state. */
static struct {
	char seen[256];
	size_t len;
	int begins;
	int pieces;
	int releases;
	bool handler_ran;
} log_;

struct sink {
	size_t limit; /* fail once more than this has arrived */
};

static int sink_begin(struct api_req *req, void **state, stim_error_t *err)
{
	struct sink *s;

	log_.begins++;
	if (api_query(req, "refuse") != NULL)
		return stim_err(err, STIM_NOT_FOUND, "no such bucket");
	s = xcalloc(1, sizeof(*s));
	s->limit = api_query(req, "limit") != NULL ? strtoul(api_query(req, "limit"), NULL, 10)
						   : SIZE_MAX;
	*state = s;
	return 0;
}

static int sink_data(void *state, const char *buf, size_t len, stim_error_t *err)
{
	struct sink *s = state;

	log_.pieces++;
	if (log_.len + len > s->limit)
		return stim_err(err, STIM_RESOURCE_EXHAUSTED, "too much: over %zu bytes", s->limit);
	memcpy(log_.seen + log_.len, buf, len);
	log_.len += len;
	return 0;
}

static void sink_release(void *state)
{
	log_.releases++;
	free(state);
}

static const struct api_stream_ops sink_ops = { sink_begin, sink_data, sink_release };

static int upload(struct api_req *req, stim_error_t *err)
{
	log_.handler_ran = true;
	assert_non_null(req->stream);
	return api_reply_json(req, 200, json_pack("{s:i}", "size", (int)log_.len));
}

static int echo(struct api_req *req, stim_error_t *err)
{
	return api_reply_json(req, 200, json_pack("{s:i}", "size", (int)req->body_len));
}

static const struct api_route routes[] = {
	{ "POST", "/upload", upload, &sink_ops },
	{ "POST", "/echo", echo },
};

static struct api_dispatcher d;

static int setup(void **state)
{
	memset(&log_, 0, sizeof(log_));
	d.router = api_router_new();
	api_router_add(d.router, routes, STIM_ARRAY_SIZE(routes));
	return 0;
}

static int teardown(void **state)
{
	api_router_free(d.router);
	return 0;
}

static struct api_call *begin(const char *method, const char *uri, uint64_t content_length)
{
	struct api_call_info info = {
		.method = method,
		.uri = uri,
		.id = "test",
		.content_length = content_length,
	};

	return api_call_begin(&d, &info);
}

static void test_stream_pieces_in_order(void **state)
{
	struct api_call *c = begin("POST", "/upload", 11);
	struct api_response *r;

	assert_false(api_call_answered(c));
	assert_int_equal(log_.begins, 1);
	api_call_data(c, "hello", 5);
	api_call_data(c, " ", 1);
	api_call_data(c, "world", 5);
	r = api_call_finish(c);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, "{\"size\":11}");
	assert_true(log_.handler_ran);
	assert_int_equal(log_.pieces, 3);
	assert_memory_equal(log_.seen, "hello world", 11);
	assert_int_equal(log_.releases, 0);
	api_call_free(c);
	assert_int_equal(log_.releases, 1);
}

/* A refusal in begin() is the answer before any byte of the body: the
 * server sends it at once, and nothing is streamed or released. */
static void test_stream_refused_early(void **state)
{
	struct api_call *c = begin("POST", "/upload?refuse=1", 11);
	struct api_response *r;

	assert_true(api_call_answered(c));
	api_call_data(c, "ignored", 7);
	r = api_call_finish(c);
	assert_int_equal(r->status, 404);
	assert_non_null(strstr(r->body, "no such bucket"));
	assert_int_equal(log_.pieces, 0);
	assert_false(log_.handler_ran);
	api_call_free(c);
	assert_int_equal(log_.releases, 0);
}

/* A failure mid-stream stops the stream; the rest of the body is dropped and
 * the error is the answer; the handler never runs; the state is released. */
static void test_stream_fails_midway(void **state)
{
	struct api_call *c = begin("POST", "/upload?limit=6", 11);
	struct api_response *r;

	api_call_data(c, "hello", 5);
	api_call_data(c, " world", 6);
	api_call_data(c, "more", 4);
	r = api_call_finish(c);
	assert_int_equal(r->status, 429);
	assert_non_null(strstr(r->body, "over 6 bytes"));
	assert_int_equal(log_.pieces, 2);
	assert_false(log_.handler_ran);
	api_call_free(c);
	assert_int_equal(log_.releases, 1);
}

/* A client gone mid-body: the server frees the call without finishing it,
 * and the stream must still be released (its temp file removed). */
static void test_stream_client_gone(void **state)
{
	struct api_call *c = begin("POST", "/upload", 1000);

	api_call_data(c, "partial", 7);
	api_call_free(c);
	assert_false(log_.handler_ran);
	assert_int_equal(log_.releases, 1);
}

/* Streaming routes have no buffered-body limit; buffered ones do, and an
 * announced oversize body is refused before it is read. */
static void test_limits(void **state)
{
	struct api_call *c = begin("POST", "/upload", (uint64_t)API_MAX_BODY * 4);

	assert_false(api_call_answered(c));
	api_call_free(c);

	c = begin("POST", "/echo", (uint64_t)API_MAX_BODY + 1);
	assert_true(api_call_answered(c));
	assert_int_equal(api_call_finish(c)->status, 413);
	api_call_free(c);

	c = begin("POST", "/echo", UINT64_MAX); /* chunked: counted as it comes */
	assert_false(api_call_answered(c));
	for (size_t sent = 0; sent <= API_MAX_BODY; sent += 1 << 20) {
		static char mib[1 << 20];

		api_call_data(c, mib, sizeof(mib));
	}
	assert_int_equal(api_call_finish(c)->status, 413);
	api_call_free(c);

	c = begin("POST", "/echo", 3);
	api_call_data(c, "abc", 3);
	assert_string_equal(api_call_finish(c)->body, "{\"size\":3}");
	api_call_free(c);
}

static void test_routing_answers_early(void **state)
{
	struct api_call *c = begin("GET", "/upload", 0);

	assert_true(api_call_answered(c));
	assert_int_equal(api_call_finish(c)->status, 405);
	assert_string_equal(api_call_allow(c), "POST");
	assert_int_equal(api_call_route_id(c), -1);
	api_call_free(c);

	c = begin("POST", "/nowhere", 0);
	assert_true(api_call_answered(c));
	assert_int_equal(api_call_finish(c)->status, 404);
	api_call_free(c);
	assert_int_equal(log_.begins, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream_pieces_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_refused_early, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_fails_midway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_client_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing_answers_early, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
