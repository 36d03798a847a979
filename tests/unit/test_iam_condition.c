/* IAM Conditions: the CEL subset evaluates as GCP would, and anything
 * outside it is UNSUPPORTED (which enforcement treats as no grant). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "src/iam_condition.h"

/* 2026-11-23T12:00:00Z */
#define NOW 1795435200000LL

static void is(const char *expr, enum stim_condition_result want)
{
	const struct stim_iam_request req = {
		.now_ms = NOW,
		.resource_name = "projects/_/buckets/logs/objects/2026/app.log",
		.resource_type = "storage.googleapis.com/Object",
	};
	enum stim_condition_result got = stim_iam_condition_eval(expr, &req);

	if (got != want)
		fail_msg("%s: %d, expected %d", expr, got, want);
}

static void test_time(void **state)
{
	is("request.time < timestamp(\"2030-01-01T00:00:00Z\")", STIM_CONDITION_TRUE);
	is("request.time < timestamp('2020-01-01T00:00:00Z')", STIM_CONDITION_FALSE);
	is("request.time >= timestamp(\"2026-11-23T12:00:00Z\")", STIM_CONDITION_TRUE);
	is("request.time > timestamp(\"2026-11-23T12:00:00.001Z\")", STIM_CONDITION_FALSE);
	/* 13:00 at +02:00 is 11:00 UTC: already past. */
	is("request.time > timestamp(\"2026-11-23T13:00:00+02:00\")", STIM_CONDITION_TRUE);
	is("request.time > timestamp(\"2026-11-23T13:00:00\")", STIM_CONDITION_UNSUPPORTED);
	is("request.time < timestamp(\"not a time\")", STIM_CONDITION_UNSUPPORTED);
}

static void test_resource(void **state)
{
	is("resource.name.startsWith(\"projects/_/buckets/logs/objects/2026/\")",
	   STIM_CONDITION_TRUE);
	is("resource.name.startsWith(\"projects/_/buckets/other/\")", STIM_CONDITION_FALSE);
	is("resource.name.endsWith('.log')", STIM_CONDITION_TRUE);
	is("resource.type == \"storage.googleapis.com/Object\"", STIM_CONDITION_TRUE);
	is("resource.type != \"storage.googleapis.com/Object\"", STIM_CONDITION_FALSE);
	is("resource.name < \"z\"", STIM_CONDITION_UNSUPPORTED);
}

static void test_logic(void **state)
{
	is("resource.name.endsWith('.log') && request.time < timestamp(\"2030-01-01T00:00:00Z\")",
	   STIM_CONDITION_TRUE);
	is("resource.name.endsWith('.txt') || !(resource.type == 'x')", STIM_CONDITION_TRUE);
	is("!(resource.name.endsWith('.log'))", STIM_CONDITION_FALSE);
	is("(true && false) || false", STIM_CONDITION_FALSE);
	is("", STIM_CONDITION_UNSUPPORTED);
	is("resource.matchTag('env', 'prod')", STIM_CONDITION_UNSUPPORTED);
	is("request.time < timestamp(\"2030-01-01T00:00:00Z\") &&", STIM_CONDITION_UNSUPPORTED);
	is("true true", STIM_CONDITION_UNSUPPORTED);
	is("api.getAttribute('x', []) == 'y'", STIM_CONDITION_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_resource),
		cmocka_unit_test(test_logic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
