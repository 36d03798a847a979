/* Unit tests of lifecycle decisions (src/lifecycle_match.c): each
 * condition alone, conditions together, and the choice among rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/bucket_lifecycle.h"
#include "src/cleanup.h"
#include "src/lifecycle_match.h"
#include "src/util.h"

#define DAY_MS (24LL * 3600 * 1000)

/* 2026-11-22T12:00:00Z */
static const int64_t now = 1795348800000LL;

static struct stim_lc_object object(const char *name, int64_t age_days)
{
	return (struct stim_lc_object){
		.name = name,
		.storage_class = "STANDARD",
		.create_time_ms = now - age_days * DAY_MS,
		.live = true,
	};
}

static enum stim_lc_verdict decide(const struct stim_lifecycle *l, const struct stim_lc_object *o,
				   const char **cls)
{
	const char *ignored = NULL;

	return stim_lifecycle_decide(l, o, now, cls != NULL ? cls : &ignored);
}

static void test_date_ms(void **state)
{
	assert_true(stim_lifecycle_date_ms("1970-01-02") == DAY_MS);
	assert_true(stim_lifecycle_date_ms("2026-11-22") == now - 12 * 3600 * 1000);
}

static void test_age(void **state)
{
	struct stim_lifecycle l = { 0 };
	struct stim_lc_object young = object("a", 2);
	struct stim_lc_object old = object("a", 3);

	stim_lifecycle_add(&l, STIM_LIFECYCLE_DELETE)->num[STIM_LC_AGE] = 3;
	assert_int_equal(decide(&l, &young, NULL), STIM_LC_KEEP);
	assert_int_equal(decide(&l, &old, NULL), STIM_LC_DELETE);
	/* age 0: at once. */
	l.rules[0].num[STIM_LC_AGE] = 0;
	young.create_time_ms = now;
	assert_int_equal(decide(&l, &young, NULL), STIM_LC_DELETE);
	stim_lifecycle_fini(&l);
}

static void test_created_before(void **state)
{
	struct stim_lifecycle l = { 0 };
	struct stim_lc_object today = object("a", 0);
	struct stim_lc_object yesterday = object("a", 1);

	stim_lifecycle_add(&l, STIM_LIFECYCLE_DELETE)->date[STIM_LC_CREATED_BEFORE] =
		xstrdup("2026-11-22");
	assert_int_equal(decide(&l, &today, NULL), STIM_LC_KEEP);
	assert_int_equal(decide(&l, &yesterday, NULL), STIM_LC_DELETE);
	stim_lifecycle_fini(&l);
}

static void test_versions(void **state)
{
	struct stim_lifecycle l = { 0 };
	struct stim_lifecycle_rule *r = stim_lifecycle_add(&l, STIM_LIFECYCLE_DELETE);
	struct stim_lc_object live = object("a", 10);
	struct stim_lc_object old = object("a", 10);

	/* isLive false and two newer versions: the oldest of three goes. */
	r->is_live = 0;
	r->num[STIM_LC_NUM_NEWER_VERSIONS] = 2;
	old.live = false;
	old.noncurrent_time_ms = now - DAY_MS;
	old.newer_versions = 1;
	assert_int_equal(decide(&l, &live, NULL), STIM_LC_KEEP);
	assert_int_equal(decide(&l, &old, NULL), STIM_LC_KEEP);
	old.newer_versions = 2;
	assert_int_equal(decide(&l, &old, NULL), STIM_LC_DELETE);
	assert_true(stim_lifecycle_needs_versions(&l));

	/* daysSinceNoncurrentTime and noncurrentTimeBefore: never for live. */
	r->num[STIM_LC_NUM_NEWER_VERSIONS] = -1;
	r->is_live = -1;
	r->num[STIM_LC_DAYS_SINCE_NONCURRENT_TIME] = 2;
	assert_int_equal(decide(&l, &old, NULL), STIM_LC_KEEP);
	old.noncurrent_time_ms = now - 2 * DAY_MS;
	assert_int_equal(decide(&l, &old, NULL), STIM_LC_DELETE);
	assert_int_equal(decide(&l, &live, NULL), STIM_LC_KEEP);
	r->num[STIM_LC_DAYS_SINCE_NONCURRENT_TIME] = -1;
	r->date[STIM_LC_NONCURRENT_TIME_BEFORE] = xstrdup("2026-11-21");
	assert_int_equal(decide(&l, &old, NULL), STIM_LC_DELETE);
	assert_int_equal(decide(&l, &live, NULL), STIM_LC_KEEP);
	assert_false(stim_lifecycle_needs_versions(&l));
	stim_lifecycle_fini(&l);
}

static void test_matches(void **state)
{
	struct stim_lifecycle l = { 0 };
	struct stim_lifecycle_rule *r = stim_lifecycle_add(&l, STIM_LIFECYCLE_DELETE);
	struct stim_lc_object log = object("logs/a.gz", 0);
	struct stim_lc_object txt = object("logs/a.txt", 0);
	struct stim_lc_object other = object("data/a.gz", 0);

	r->num[STIM_LC_AGE] = 0;
	stim_strv_push(&r->list[STIM_LC_MATCHES_PREFIX], "tmp/");
	stim_strv_push(&r->list[STIM_LC_MATCHES_PREFIX], "logs/");
	stim_strv_push(&r->list[STIM_LC_MATCHES_SUFFIX], ".gz");
	assert_int_equal(decide(&l, &log, NULL), STIM_LC_DELETE);
	assert_int_equal(decide(&l, &txt, NULL), STIM_LC_KEEP);
	assert_int_equal(decide(&l, &other, NULL), STIM_LC_KEEP);
	stim_strv_push(&r->list[STIM_LC_MATCHES_STORAGE_CLASS], "NEARLINE");
	assert_int_equal(decide(&l, &log, NULL), STIM_LC_KEEP);
	log.storage_class = "NEARLINE";
	assert_int_equal(decide(&l, &log, NULL), STIM_LC_DELETE);
	stim_lifecycle_fini(&l);
}

static void test_choice(void **state)
{
	struct stim_lifecycle l = { 0 };
	struct stim_lc_object o = object("a", 40);
	const char *cls = NULL;

	stim_lifecycle_add(&l, STIM_LIFECYCLE_SET_STORAGE_CLASS)->num[STIM_LC_AGE] = 10;
	l.rules[0].storage_class = xstrdup("NEARLINE");
	stim_lifecycle_add(&l, STIM_LIFECYCLE_SET_STORAGE_CLASS)->num[STIM_LC_AGE] = 30;
	l.rules[1].storage_class = xstrdup("COLDLINE");
	/* Both apply: the colder class wins. */
	assert_int_equal(decide(&l, &o, &cls), STIM_LC_SET_CLASS);
	assert_string_equal(cls, "COLDLINE");
	/* Never to a warmer class, nor to the same one. */
	o.storage_class = "ARCHIVE";
	assert_int_equal(decide(&l, &o, NULL), STIM_LC_KEEP);
	o.storage_class = "COLDLINE";
	assert_int_equal(decide(&l, &o, NULL), STIM_LC_KEEP);
	/* Delete beats any class change. */
	o.storage_class = "STANDARD";
	stim_lifecycle_add(&l, STIM_LIFECYCLE_DELETE)->num[STIM_LC_AGE] = 35;
	assert_int_equal(decide(&l, &o, NULL), STIM_LC_DELETE);
	stim_lifecycle_fini(&l);
}

static void test_never(void **state)
{
	struct stim_lifecycle l = { 0 };
	struct stim_lc_object o = object("a", 400);

	/* No customTime on objects here; multipart uploads are the XML API's. */
	stim_lifecycle_add(&l, STIM_LIFECYCLE_DELETE)->num[STIM_LC_DAYS_SINCE_CUSTOM_TIME] = 1;
	stim_lifecycle_add(&l, STIM_LIFECYCLE_DELETE)->date[STIM_LC_CUSTOM_TIME_BEFORE] =
		xstrdup("2030-01-01");
	stim_lifecycle_add(&l, STIM_LIFECYCLE_ABORT_MULTIPART)->num[STIM_LC_AGE] = 1;
	assert_int_equal(decide(&l, &o, NULL), STIM_LC_KEEP);
	stim_lifecycle_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_ms),	       cmocka_unit_test(test_age),
		cmocka_unit_test(test_created_before), cmocka_unit_test(test_versions),
		cmocka_unit_test(test_matches),	       cmocka_unit_test(test_choice),
		cmocka_unit_test(test_never),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
