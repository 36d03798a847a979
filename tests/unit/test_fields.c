/* Unit tests of partial-response selections (src/fields.c): the grammar,
 * selections through objects and arrays, and refused selections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/fields.h"

static const char page[] =
	"{\"kind\":\"storage#objects\",\"nextPageToken\":\"t\",\"prefixes\":[\"d/\"],"
	"\"items\":[{\"name\":\"a\",\"size\":\"1\",\"metadata\":{\"k\":\"v\",\"x\":\"y\"}},"
	"{\"name\":\"b\",\"size\":\"2\"}]}";

/* The selection applied to `page`, compact. */
static char *select_page(const char *selection)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_fields struct stim_fields *f = stim_fields_parse(selection, &err);
	json_t *in = json_loads(page, 0, NULL);
	json_t *out;
	char *s;

	if (f == NULL)
		fail_msg("'%s': %s", selection, err->msg);
	out = stim_fields_apply(f, in);
	s = json_dumps(out, JSON_COMPACT);
	json_decref(in);
	json_decref(out);
	return s;
}

static void test_select(void **state)
{
	static const char *const cases[][2] = {
		{ "kind", "{\"kind\":\"storage#objects\"}" },
		{ "items/name", "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}" },
		{ "items(name,size),nextPageToken",
		  "{\"items\":[{\"name\":\"a\",\"size\":\"1\"},{\"name\":\"b\",\"size\":\"2\"}],"
		  "\"nextPageToken\":\"t\"}" },
		/* gcloud's form: several paths under one member. */
		{ "prefixes,items/name,items/size",
		  "{\"prefixes\":[\"d/\"],\"items\":[{\"name\":\"a\",\"size\":\"1\"},"
		  "{\"name\":\"b\",\"size\":\"2\"}]}" },
		{ "items/metadata/k", "{\"items\":[{\"metadata\":{\"k\":\"v\"}},{}]}" },
		{ "items(metadata(x))", "{\"items\":[{\"metadata\":{\"x\":\"y\"}},{}]}" },
		/* A whole member stays whole when a path below it is named too. */
		{ "items,items/name",
		  "{\"items\":[{\"name\":\"a\",\"size\":\"1\",\"metadata\":{\"k\":\"v\","
		  "\"x\":\"y\"}},{\"name\":\"b\",\"size\":\"2\"}]}" },
		{ "items/name,items",
		  "{\"items\":[{\"name\":\"a\",\"size\":\"1\",\"metadata\":{\"k\":\"v\","
		  "\"x\":\"y\"}},{\"name\":\"b\",\"size\":\"2\"}]}" },
		{ "*", NULL },
		{ "nope", "{}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = select_page(cases[i][0]);
		json_t *want = json_loads(cases[i][1] != NULL ? cases[i][1] : page, 0, NULL);
		char *w = json_dumps(want, JSON_COMPACT);

		if (strcmp(got, w) != 0)
			fail_msg("'%s':\n want %s\n got  %s", cases[i][0], w, got);
		free(got);
		free(w);
		json_decref(want);
	}
}

static void test_child(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_fields struct stim_fields *f = stim_fields_parse("items(name),kind", &err);
	const struct stim_fields *items;
	bool wanted;

	items = stim_fields_child(f, "items", &wanted);
	assert_true(wanted);
	assert_non_null(items);
	stim_fields_child(items, "name", &wanted);
	assert_true(wanted);
	stim_fields_child(items, "size", &wanted);
	assert_false(wanted);
	assert_null(stim_fields_child(f, "kind", &wanted));
	assert_true(wanted);
	stim_fields_child(f, "prefixes", &wanted);
	assert_false(wanted);
	/* No selection: everything. */
	assert_null(stim_fields_child(NULL, "x", &wanted));
	assert_true(wanted);
}

static void test_refused(void **state)
{
	static const char *const bad[] = { "",	    ",",   "a,",  "a//b", "a(b",  "a)",
					   "a(b))", "a()", "(a)", "*/a",  "a/*/b" };
	char deep[128] = "a";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_error stim_error_t err = NULL;

		if (stim_fields_parse(bad[i], &err) != NULL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
		assert_non_null(strstr(err->msg, "Invalid field selection"));
	}
	for (int i = 0; i < 20; i++)
		strcat(deep, "/a");
	{
		cleanup_error stim_error_t err = NULL;

		assert_null(stim_fields_parse(deep, &err));
		assert_non_null(strstr(err->msg, "deeply"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_child),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
