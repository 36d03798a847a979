/* Unit tests of the error makers and their mapping to Google's JSON error and HTTP status. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/errors.h"
#include "src/cleanup.h"
#include "src/error.h"
#include "src/json.h"
#include "src/util.h"

static const struct {
	enum stim_code code;
	unsigned http;
	const char *status;
	const char *reason;
} codes[] = {
	{ STIM_CANCELLED, 499, "CANCELLED", "cancelled" },
	{ STIM_UNKNOWN, 500, "UNKNOWN", "unknown" },
	{ STIM_INVALID_ARGUMENT, 400, "INVALID_ARGUMENT", "badRequest" },
	{ STIM_DEADLINE_EXCEEDED, 504, "DEADLINE_EXCEEDED", "deadlineExceeded" },
	{ STIM_NOT_FOUND, 404, "NOT_FOUND", "notFound" },
	{ STIM_ALREADY_EXISTS, 409, "ALREADY_EXISTS", "alreadyExists" },
	{ STIM_PERMISSION_DENIED, 403, "PERMISSION_DENIED", "forbidden" },
	{ STIM_RESOURCE_EXHAUSTED, 429, "RESOURCE_EXHAUSTED", "rateLimitExceeded" },
	{ STIM_FAILED_PRECONDITION, 400, "FAILED_PRECONDITION", "failedPrecondition" },
	{ STIM_ABORTED, 409, "ABORTED", "aborted" },
	{ STIM_OUT_OF_RANGE, 400, "OUT_OF_RANGE", "outOfRange" },
	{ STIM_UNIMPLEMENTED, 501, "UNIMPLEMENTED", "notImplemented" },
	{ STIM_INTERNAL, 500, "INTERNAL", "backendError" },
	{ STIM_UNAVAILABLE, 503, "UNAVAILABLE", "backendError" },
	{ STIM_DATA_LOSS, 500, "DATA_LOSS", "dataLoss" },
	{ STIM_UNAUTHENTICATED, 401, "UNAUTHENTICATED", "required" },
};

/* Codes whose text names host paths or SQL and stays in the log. */
static bool hidden(enum stim_code code)
{
	return code == STIM_INTERNAL || code == STIM_UNKNOWN || code == STIM_DATA_LOSS;
}

/* Checks the whole shape and returns error.message (borrowed from j). */
static const char *check_shape(json_t *j, unsigned http, const char *status, const char *reason)
{
	json_t *inner = json_object_get(j, "error");
	json_t *errors;
	json_t *detail;

	assert_true(json_is_object(j));
	assert_int_equal(json_object_size(j), 1);
	assert_true(json_is_object(inner));
	assert_int_equal(json_object_size(inner), 4);
	assert_int_equal(json_integer_value(json_object_get(inner, "code")), http);
	assert_string_equal(json_string_value(json_object_get(inner, "status")), status);
	errors = json_object_get(inner, "errors");
	assert_true(json_is_array(errors));
	assert_int_equal(json_array_size(errors), 1);
	detail = json_array_get(errors, 0);
	assert_int_equal(json_object_size(detail), 3);
	assert_string_equal(json_string_value(json_object_get(detail, "domain")), "global");
	assert_string_equal(json_string_value(json_object_get(detail, "reason")), reason);
	assert_non_null(json_string_value(json_object_get(inner, "message")));
	/* The same text in both places, as Google sends it. */
	assert_string_equal(json_string_value(json_object_get(detail, "message")),
			    json_string_value(json_object_get(inner, "message")));
	return json_string_value(json_object_get(inner, "message"));
}

static void test_each_code(void **state)
{
	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(codes); i++) {
		cleanup_error stim_error_t err = NULL;
		cleanup_json json_t *j = NULL;
		unsigned http = 0;
		const char *msg;

		assert_int_equal(stim_err(&err, codes[i].code, "thing %s went %d ways", "x", 3),
				 -1);
		assert_int_equal(err->code, codes[i].code);
		assert_string_equal(stim_code_name(codes[i].code), codes[i].status);
		assert_int_equal(api_error_http_status(codes[i].code), codes[i].http);
		j = api_error_to_json(err, &http);
		assert_int_equal(http, codes[i].http);
		msg = check_shape(j, codes[i].http, codes[i].status, codes[i].reason);
		if (hidden(codes[i].code))
			assert_null(strstr(msg, "thing x"));
		else
			assert_string_equal(msg, "thing x went 3 ways");
	}
}

static void test_custom_reason(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *j = NULL;
	unsigned http = 0;

	(void)state;
	assert_int_equal(stim_err_reason(&err, STIM_INVALID_ARGUMENT, "invalid",
					 "Invalid bucket name: '%s'.", "Bad"),
			 -1);
	assert_string_equal(err->reason, "invalid");
	assert_int_equal(err->errnum, 0);
	j = api_error_to_json(err, &http);
	assert_int_equal(http, 400);
	assert_string_equal(check_shape(j, 400, "INVALID_ARGUMENT", "invalid"),
			    "Invalid bucket name: 'Bad'.");
}

/* conditionNotMet is 412 in Google's JSON APIs, though FAILED_PRECONDITION
 * alone is 400; other FAILED_PRECONDITION reasons stay 400. */
static void test_condition_not_met_is_412(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_error stim_error_t other = NULL;
	cleanup_json json_t *j = NULL;
	cleanup_json json_t *k = NULL;
	unsigned http = 0;

	(void)state;
	stim_err_reason(&err, STIM_FAILED_PRECONDITION, "conditionNotMet",
			"Precondition %s failed.", "ifGenerationMatch");
	j = api_error_to_json(err, &http);
	assert_int_equal(http, 412);
	assert_string_equal(check_shape(j, 412, "FAILED_PRECONDITION", "conditionNotMet"),
			    "Precondition ifGenerationMatch failed.");
	stim_err_reason(&other, STIM_FAILED_PRECONDITION, "failedPrecondition", "not active");
	k = api_error_to_json(other, &http);
	assert_int_equal(http, 400);
}

static void test_internal_hidden(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *j = NULL;
	cleanup_free char *text = NULL;
	unsigned http = 0;
	const char *msg;

	(void)state;
	stim_err_sys(&err, EACCES, "open /var/lib/stimulator/secret.key");
	stim_err_wrap(&err, "sqlite: SELECT * FROM keys");
	j = api_error_to_json(err, &http);
	assert_int_equal(http, 500);
	msg = check_shape(j, 500, "INTERNAL", "backendError");
	assert_null(strstr(msg, "secret"));
	assert_non_null(strstr(msg, "Internal error"));
	/* Not anywhere in the body either. */
	text = stim_json_dump(j, NULL);
	assert_null(strstr(text, "/var/lib"));
	assert_null(strstr(text, "SELECT"));
	/* The log keeps the whole story. */
	assert_non_null(strstr(err->msg, "secret.key"));
}

static void test_invalid_utf8(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *j = NULL;
	cleanup_json json_t *back = NULL;
	cleanup_free char *text = NULL;
	json_error_t jerr;
	unsigned http = 0;

	(void)state;
	/* A message quoting bad input: a lone continuation byte and a cut sequence. */
	stim_err(&err, STIM_NOT_FOUND, "bucket '%s' not found", "a\x80\xff\xc3");
	j = api_error_to_json(err, &http);
	assert_non_null(j);
	assert_int_equal(http, 404);
	check_shape(j, 404, "NOT_FOUND", "notFound");
	text = stim_json_dump(j, NULL);
	back = json_loads(text, 0, &jerr);
	if (back == NULL)
		print_error("%s: %s\n", text, jerr.text);
	assert_non_null(back);
	check_shape(back, 404, "NOT_FOUND", "notFound");
}

static void test_out_of_range_code(void **state)
{
	struct stim_error e = { .code = (enum stim_code)99, .msg = "odd" };
	cleanup_json json_t *j = NULL;
	unsigned http = 0;

	(void)state;
	assert_string_equal(stim_code_name((enum stim_code)99), "UNKNOWN");
	assert_string_equal(stim_code_name(STIM_OK), "OK");
	assert_int_equal(api_error_http_status((enum stim_code)99), 500);
	j = api_error_to_json(&e, &http);
	assert_int_equal(http, 500);
	check_shape(j, 500, "UNKNOWN", "unknown");
}

static void test_error_json_direct(void **state)
{
	cleanup_json json_t *j = NULL;

	(void)state;
	j = api_error_json(405, "UNIMPLEMENTED", "methodNotAllowed",
			   "Method PATCH is not allowed.");
	assert_string_equal(check_shape(j, 405, "UNIMPLEMENTED", "methodNotAllowed"),
			    "Method PATCH is not allowed.");
}

static void test_wrap(void **state)
{
	cleanup_error stim_error_t err = NULL;

	(void)state;
	stim_err_reason(&err, STIM_NOT_FOUND, "notFound", "instance %s", "vm1");
	assert_int_equal(stim_err_wrap(&err, "start %s", "vm1"), -1);
	assert_int_equal(stim_err_wrap(&err, "zone %s", "us-east1-b"), -1);
	assert_string_equal(err->msg, "zone us-east1-b: start vm1: instance vm1");
	assert_int_equal(err->code, STIM_NOT_FOUND);
	assert_string_equal(err->reason, "notFound");
	assert_int_equal(err->errnum, 0);
}

static void test_sys(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *want = xasprintf("mkdir /nope/x: %s", strerror(ENOENT));

	(void)state;
	assert_int_equal(stim_err_sys(&err, ENOENT, "mkdir %s", "/nope/x"), -1);
	assert_int_equal(err->code, STIM_INTERNAL);
	assert_int_equal(err->errnum, ENOENT);
	assert_null(err->reason);
	assert_string_equal(err->msg, want);
	/* Wrapping keeps errnum. */
	stim_err_wrap(&err, "data dir");
	assert_int_equal(err->errnum, ENOENT);
	assert_int_equal(err->code, STIM_INTERNAL);
	assert_true(stim_str_has_prefix(err->msg, "data dir: mkdir /nope/x: "));
}

static void test_cleanup_and_free(void **state)
{
	stim_error_t err = NULL;

	(void)state;
	/* Freeing nothing is fine; cleanup_error on NULL too. */
	stim_error_free(NULL);
	stim_cleanup_error(&err);
	stim_err(&err, STIM_ABORTED, "%s", "");
	assert_string_equal(err->msg, "");
	stim_error_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_code),
		cmocka_unit_test(test_custom_reason),
		cmocka_unit_test(test_condition_not_met_is_412),
		cmocka_unit_test(test_internal_hidden),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_out_of_range_code),
		cmocka_unit_test(test_error_json_direct),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_sys),
		cmocka_unit_test(test_cleanup_and_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
