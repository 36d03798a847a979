/* Unit tests of JSON body parsing and getters, base64, RFC 3339 time stamps and labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/json.h"
#include "src/labels.h"
#include "src/util.h"

/* Expects an INVALID_ARGUMENT whose message holds `needle`; frees it. */
static void expect_invalid(stim_error_t *err, const char *needle)
{
	assert_non_null(*err);
	assert_int_equal((*err)->code, STIM_INVALID_ARGUMENT);
	if (strstr((*err)->msg, needle) == NULL)
		print_error("message '%s' lacks '%s'\n", (*err)->msg, needle);
	assert_non_null(strstr((*err)->msg, needle));
	stim_error_free(*err);
	*err = NULL;
}

static json_t *parse(const char *s, stim_error_t *err)
{
	return stim_json_parse_body(s, strlen(s), err);
}

/* Body parsing */

static void test_parse_empty_body(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *j = NULL;

	(void)state;
	j = stim_json_parse_body("", 0, &err);
	assert_non_null(j);
	assert_true(json_is_object(j));
	assert_int_equal(json_object_size(j), 0);
	json_decref(j);
	/* Only the length counts: a non-empty buffer with len 0 is empty too. */
	j = stim_json_parse_body("garbage", 0, &err);
	assert_true(json_is_object(j));
	assert_null(err);
}

static void test_parse_object(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *j = NULL;
	const char body[] = "{\"a\": 1, \"b\": {\"c\": [true]}} trailing";

	(void)state;
	/* Exactly len bytes are read. */
	j = stim_json_parse_body(body, strlen("{\"a\": 1, \"b\": {\"c\": [true]}}"), &err);
	assert_non_null(j);
	assert_null(err);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
}

static void test_parse_broken(void **state)
{
	stim_error_t err = NULL;

	(void)state;
	assert_null(parse("{\"a\": ", &err));
	expect_invalid(&err, "Invalid JSON payload received.");
	assert_null(parse("{\"a\": 1,}", &err));
	assert_non_null(err);
	assert_true(stim_str_has_prefix(err->msg, "Invalid JSON payload received."));
	/* The place of the fault: line, column, position. */
	assert_non_null(strstr(err->msg, "line 1"));
	assert_non_null(strstr(err->msg, "(position 9)"));
	expect_invalid(&err, "column");
	assert_null(parse("{\n\"a\": tru}", &err));
	expect_invalid(&err, "line 2");
	assert_null(parse("not json", &err));
	expect_invalid(&err, "Invalid JSON payload received.");
	assert_null(stim_json_parse_body("{}\0{}", 5, &err));
	expect_invalid(&err, "Invalid JSON payload received.");
}

static void test_parse_not_object(void **state)
{
	static const char *const bodies[] = { "[1, 2]", "[]", "\"text\"", "42", "null", "true" };

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(bodies); i++) {
		stim_error_t err = NULL;

		assert_null(parse(bodies[i], &err));
		expect_invalid(&err, "Invalid JSON payload received.");
	}
}

static void test_parse_duplicate_keys(void **state)
{
	stim_error_t err = NULL;

	(void)state;
	assert_null(parse("{\"a\": 1, \"a\": 2}", &err));
	expect_invalid(&err, "duplicate");
	assert_null(parse("{\"o\": {\"k\": 1, \"k\": 1}}", &err));
	expect_invalid(&err, "Invalid JSON payload received.");
}

/* Field checks and getters */

static void test_check_fields(void **state)
{
	static const char *const known[] = { "name", "labels", NULL };
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *ok = json_pack("{s:s, s:{}}", "name", "x", "labels");
	cleanup_json json_t *bad = json_pack("{s:s, s:i}", "name", "x", "colour", 1);
	cleanup_json json_t *empty = json_object();

	(void)state;
	assert_int_equal(stim_json_check_fields(ok, known, "", &err), 0);
	assert_int_equal(stim_json_check_fields(empty, known, "", &err), 0);
	assert_null(err);
	assert_int_equal(stim_json_check_fields(bad, known, "", &err), -1);
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	assert_string_equal(err->msg, "Invalid JSON payload received. Unknown name \"colour\": "
				      "Cannot find field.");
}

static void test_check_fields_nested(void **state)
{
	static const char *const known[] = { "type", "id", NULL };
	stim_error_t err = NULL;
	json_t *bad = json_pack("{s:s, s:i}", "type", "folder", "colour", 1);
	char msg[256];
	int ret;

	(void)state;
	/* Google quotes the path: Unknown name "colour" at 'parent': ... */
	ret = stim_json_check_fields(bad, known, "parent", &err);
	snprintf(msg, sizeof(msg), "%s", err != NULL ? err->msg : "");
	stim_error_free(err);
	json_decref(bad);
	assert_int_equal(ret, -1);
	assert_string_equal(msg, "Invalid JSON payload received. Unknown name \"colour\" at "
				 "'parent': Cannot find field.");
}

static void test_get_string(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *j =
		json_pack("{s:s, s:n, s:i, s:[]}", "s", "value", "null", "num", 5, "arr");
	const char *out = "untouched";

	(void)state;
	assert_int_equal(stim_json_get_string(j, "missing", &out, &err), 0);
	assert_string_equal(out, "untouched");
	assert_int_equal(stim_json_get_string(j, "null", &out, &err), 0);
	assert_string_equal(out, "untouched");
	assert_int_equal(stim_json_get_string(j, "s", &out, &err), 0);
	assert_string_equal(out, "value");
	assert_null(err);

	out = "untouched";
	assert_int_equal(stim_json_get_string(j, "num", &out, &err), -1);
	assert_string_equal(out, "untouched");
	assert_string_equal(err->msg, "Invalid value at 'num' (TYPE_STRING), 5");
	stim_error_free(err);
	err = NULL;
	assert_int_equal(stim_json_get_string(j, "arr", &out, &err), -1);
	expect_invalid(&err, "Invalid value at 'arr' (TYPE_STRING)");
}

static void test_get_object(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *j = json_pack("{s:{s:s}, s:n, s:s}", "o", "k", "v", "null", "s", "x");
	json_t *sentinel = json_true();
	json_t *out = sentinel;

	(void)state;
	assert_int_equal(stim_json_get_object(j, "missing", &out, &err), 0);
	assert_ptr_equal(out, sentinel);
	assert_int_equal(stim_json_get_object(j, "null", &out, &err), 0);
	assert_ptr_equal(out, sentinel);
	assert_int_equal(stim_json_get_object(j, "o", &out, &err), 0);
	assert_ptr_equal(out, json_object_get(j, "o"));
	out = sentinel;
	assert_int_equal(stim_json_get_object(j, "s", &out, &err), -1);
	assert_ptr_equal(out, sentinel);
	expect_invalid(&err, "Invalid value at 's' (TYPE_MESSAGE), \"x\"");
}

static void test_get_int64(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *j =
		json_pack("{s:s, s:I, s:s, s:s, s:n, s:s, s:s, s:f, s:b, s:s, s:s}", "str",
			  "123456789012", "num", (json_int_t)-42, "min", "-9223372036854775808",
			  "max", "9223372036854775807", "null", "junk", "12x", "empty", "", "real",
			  1.5, "bool", 1, "over", "9223372036854775808", "hex", "0x10");
	int64_t out = 7;

	(void)state;
	assert_int_equal(stim_json_get_int64(j, "missing", &out, &err), 0);
	assert_int_equal(out, 7);
	assert_int_equal(stim_json_get_int64(j, "null", &out, &err), 0);
	assert_int_equal(out, 7);
	assert_int_equal(stim_json_get_int64(j, "str", &out, &err), 0);
	assert_int_equal(out, 123456789012LL);
	assert_int_equal(stim_json_get_int64(j, "num", &out, &err), 0);
	assert_int_equal(out, -42);
	assert_int_equal(stim_json_get_int64(j, "min", &out, &err), 0);
	assert_true(out == INT64_MIN);
	assert_int_equal(stim_json_get_int64(j, "max", &out, &err), 0);
	assert_true(out == INT64_MAX);
	assert_null(err);

	out = 7;
	static const char *const bad[] = { "junk", "empty", "real", "bool", "over", "hex" };
	for (size_t i = 0; i < STIM_ARRAY_SIZE(bad); i++) {
		char want[64];

		snprintf(want, sizeof(want), "Invalid value at '%s' (TYPE_INT64)", bad[i]);
		assert_int_equal(stim_json_get_int64(j, bad[i], &out, &err), -1);
		expect_invalid(&err, want);
		assert_int_equal(out, 7);
	}
}

static void test_dump(void **state)
{
	cleanup_json json_t *j = json_object();
	cleanup_free char *s = NULL;
	size_t len = 0;

	(void)state;
	/* Compact, and keys in insertion order. */
	json_object_set_new(j, "z", json_integer(1));
	json_object_set_new(j, "a", json_pack("[s, n]", "x"));
	s = stim_json_dump(j, &len);
	assert_string_equal(s, "{\"z\":1,\"a\":[\"x\",null]}");
	assert_int_equal(len, strlen(s));
}

/* base64 */

static void test_base64_encode(void **state)
{
	static const unsigned char high[] = { 0xfb, 0xff, 0xbf };
	static const struct {
		const char *in;
		const char *std;
		const char *url;
	} cases[] = {
		{ "", "", "" },
		{ "a", "YQ==", "YQ" },
		{ "ab", "YWI=", "YWI" },
		{ "abc", "YWJj", "YWJj" },
		{ "hello world", "aGVsbG8gd29ybGQ=", "aGVsbG8gd29ybGQ" },
	};

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		char *std = stim_base64_encode(cases[i].in, strlen(cases[i].in), false);
		char *url = stim_base64_encode(cases[i].in, strlen(cases[i].in), true);

		assert_string_equal(std, cases[i].std);
		assert_string_equal(url, cases[i].url);
		free(std);
		free(url);
	}
	{
		cleanup_free char *std = stim_base64_encode(high, sizeof(high), false);
		cleanup_free char *url = stim_base64_encode(high, sizeof(high), true);

		assert_string_equal(std, "+/+/");
		assert_string_equal(url, "-_-_");
	}
}

static void test_base64_decode(void **state)
{
	static const struct {
		const char *in;
		const char *want;
		int len;
	} cases[] = {
		{ "", "", 0 },
		{ "YQ==", "a", 1 },
		{ "YQ", "a", 1 },
		{ "YWI=", "ab", 2 },
		{ "YWI", "ab", 2 },
		{ "YWJj", "abc", 3 },
		{ "aGVsbG8gd29ybGQ=", "hello world", 11 },
		{ "+/+/", "\xfb\xff\xbf", 3 },
		{ "-_-_", "\xfb\xff\xbf", 3 },
		{ "-_8=", "\xfb\xff", 2 },
	};
	unsigned char out[64];

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		int n = stim_base64_decode(cases[i].in, out, sizeof(out));

		assert_int_equal(n, cases[i].len);
		assert_memory_equal(out, cases[i].want, (size_t)n);
	}
	/* The output must fit. */
	assert_int_equal(stim_base64_decode("YWJj", out, 2), -1);
	assert_int_equal(stim_base64_decode("YWJj", out, 3), 3);
}

static void test_base64_decode_invalid(void **state)
{
	static const char *const bad[] = {
		"Y",	    /* one char of a quad */
		"YWJjZ",    /* ditto after a whole quad */
		"Y$$$",	    /* not in either alphabet */
		"YW Jj",    /* space */
		"YWJj\n",   /* newline */
		"YQ==YQ==", /* padding inside the text */
		"AA=A",	    /* ditto */
	};
	unsigned char out[64];

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(bad); i++) {
		int n = stim_base64_decode(bad[i], out, sizeof(out));

		if (n != -1)
			print_error("'%s' decoded to %d bytes\n", bad[i], n);
		assert_int_equal(n, -1);
	}
}

static void test_base64_round_trip(void **state)
{
	unsigned char in[67];
	unsigned char out[67];

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 250);
	for (size_t n = 0; n <= sizeof(in); n++) {
		for (int url = 0; url <= 1; url++) {
			cleanup_free char *s = stim_base64_encode(in, n, url);

			assert_int_equal(stim_base64_decode(s, out, sizeof(out)), (int)n);
			assert_memory_equal(out, in, n);
		}
	}
}

/* Time stamps */

static void test_time_format(void **state)
{
	static const struct {
		int64_t ms;
		const char *want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ 999, "1970-01-01T00:00:00.999Z" },
		{ 1000, "1970-01-01T00:00:01.000Z" },
		{ 1795359202351LL, "2026-11-22T14:53:22.351Z" },
		{ 1709208000000LL, "2024-02-29T12:00:00.000Z" },
		{ 951868800000LL - 1, "2000-02-29T23:59:59.999Z" },
		{ 4107542400000LL - 1, "2100-02-28T23:59:59.999Z" },
		{ 253402300799999LL, "9999-12-31T23:59:59.999Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
	};
	char buf[STIM_TIME_BUFSZ];

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		assert_ptr_equal(stim_time_format(cases[i].ms, buf), buf);
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_time_format_matches_gmtime(void **state)
{
	char buf[STIM_TIME_BUFSZ];
	char want[STIM_TIME_BUFSZ + 8];

	(void)state;
	/* Every ~3.7 days from 1970 to 2200, at an odd hour and millisecond. */
	for (int64_t ms = 0; ms < 7258118400000LL; ms += 320000000123LL / 1000) {
		time_t secs = (time_t)(ms / 1000);
		struct tm tm;
		size_t n;

		gmtime_r(&secs, &tm);
		n = strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want + n, sizeof(want) - n, ".%03dZ", (int)(ms % 1000));
		stim_time_format(ms, buf);
		if (strcmp(buf, want) != 0)
			print_error("ms %lld\n", (long long)ms);
		assert_string_equal(buf, want);
	}
}

/* Labels */

static char *repeat(const char *unit, size_t times)
{
	char *s = xcalloc(1, strlen(unit) * times + 1);

	for (size_t i = 0; i < times; i++)
		strcat(s, unit);
	return s;
}

static void test_label_key_check(void **state)
{
	cleanup_free char *k63 = repeat("k", 63);
	cleanup_free char *k64 = repeat("k", 64);
	cleanup_free char *intl63 = repeat("\xc3\xa9", 63); /* é: 63 chars, 126 bytes */
	cleanup_free char *intl64 = repeat("\xc3\xa9", 64);
	const char *good[] = { "env",		"a",
			       "a-b_c9",	"team_1",
			       "\xc3\xa9quipe", "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87",
			       "k\xe6\x97\xa5", k63,
			       intl63 };
	const char *bad[] = { "",    "Env", "eNv", "1env", "-env", "_env",
			      "a b", "a.b", "a/b", k64,	   intl64 };

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(good); i++) {
		cleanup_error stim_error_t err = NULL;

		if (stim_label_key_check(good[i], &err) != 0)
			print_error("key '%s': %s\n", good[i], err->msg);
		assert_null(err);
	}
	for (size_t i = 0; i < STIM_ARRAY_SIZE(bad); i++) {
		stim_error_t err = NULL;

		if (stim_label_key_check(bad[i], &err) != -1)
			print_error("key '%s' passed\n", bad[i]);
		expect_invalid(&err, "Label key");
	}
}

static void test_label_value_check(void **state)
{
	cleanup_free char *v63 = repeat("v", 63);
	cleanup_free char *v64 = repeat("v", 64);
	cleanup_free char *intl64 = repeat("\xe6\x97\xa5", 64);
	const char *good[] = {
		"", "dev", "1", "9-lives", "_x", "-", "\xe6\x97\xa5\xe6\x9c\xac", v63
	};
	const char *bad[] = { "Dev", "a b", "a.b", "x:y", v64, intl64 };

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(good); i++) {
		cleanup_error stim_error_t err = NULL;

		if (stim_label_value_check("k", good[i], &err) != 0)
			print_error("value '%s': %s\n", good[i], err->msg);
		assert_null(err);
	}
	for (size_t i = 0; i < STIM_ARRAY_SIZE(bad); i++) {
		stim_error_t err = NULL;

		assert_int_equal(stim_label_value_check("k", bad[i], &err), -1);
		expect_invalid(&err, "of key 'k'");
	}
}

static void test_labels_from_json(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *j = json_pack("{s:s, s:s, s:s}", "zeta", "3", "alpha", "", "mid", "x");
	cleanup_json json_t *back = NULL;
	struct stim_labels l = { 0 };

	(void)state;
	assert_int_equal(stim_labels_from_json(j, &l, &err), 0);
	assert_null(err);
	assert_int_equal(l.n, 3);
	/* Sorted by key, whatever the JSON order. */
	assert_string_equal(l.v[0].key, "alpha");
	assert_string_equal(l.v[0].value, "");
	assert_string_equal(l.v[1].key, "mid");
	assert_string_equal(l.v[2].key, "zeta");
	assert_string_equal(l.v[2].value, "3");
	back = stim_labels_to_json(&l);
	assert_true(json_equal(back, j));

	/* set replaces, and keeps the order. */
	stim_labels_set(&l, "mid", "y");
	stim_labels_set(&l, "beta", "b");
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[1].key, "beta");
	assert_string_equal(l.v[2].value, "y");
	stim_labels_fini(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

static void test_labels_from_json_refused(void **state)
{
	cleanup_json json_t *many = json_object();
	cleanup_json json_t *sixty_four = json_object();
	cleanup_json json_t *num = json_pack("{s:s, s:i}", "a", "x", "b", 1);
	cleanup_json json_t *badkey = json_pack("{s:s}", "Bad", "x");
	cleanup_json json_t *badval = json_pack("{s:s}", "k", "X");
	cleanup_json json_t *arr = json_array();
	cleanup_error stim_error_t err = NULL;
	struct stim_labels l = { 0 };

	(void)state;
	for (int i = 0; i < 65; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(many, key, json_string("v"));
		if (i < 64)
			json_object_set_new(sixty_four, key, json_string("v"));
	}
	assert_int_equal(stim_labels_from_json(sixty_four, &l, &err), 0);
	assert_int_equal(l.n, 64);

	/* A refusal leaves the previous labels as they were. */
	assert_int_equal(stim_labels_from_json(many, &l, &err), -1);
	expect_invalid(&err, "At most 64 labels");
	assert_int_equal(l.n, 64);
	assert_int_equal(stim_labels_from_json(num, &l, &err), -1);
	expect_invalid(&err, "Invalid value at 'labels[b]' (TYPE_STRING)");
	assert_int_equal(stim_labels_from_json(badkey, &l, &err), -1);
	expect_invalid(&err, "Label key 'Bad'");
	assert_int_equal(stim_labels_from_json(badval, &l, &err), -1);
	expect_invalid(&err, "Label value 'X'");
	assert_int_equal(stim_labels_from_json(arr, &l, &err), -1);
	expect_invalid(&err, "Invalid value at 'labels'");
	assert_int_equal(l.n, 64);
	stim_labels_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_empty_body),
		cmocka_unit_test(test_parse_object),
		cmocka_unit_test(test_parse_broken),
		cmocka_unit_test(test_parse_not_object),
		cmocka_unit_test(test_parse_duplicate_keys),
		cmocka_unit_test(test_check_fields),
		cmocka_unit_test(test_check_fields_nested),
		cmocka_unit_test(test_get_string),
		cmocka_unit_test(test_get_object),
		cmocka_unit_test(test_get_int64),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_base64_encode),
		cmocka_unit_test(test_base64_decode),
		cmocka_unit_test(test_base64_decode_invalid),
		cmocka_unit_test(test_base64_round_trip),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_time_format_matches_gmtime),
		cmocka_unit_test(test_label_key_check),
		cmocka_unit_test(test_label_value_check),
		cmocka_unit_test(test_labels_from_json),
		cmocka_unit_test(test_labels_from_json_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
