/* The IAM answer cache: an answer is found under its own question and
 * generation only, a newer generation never sees an older answer, and a
 * question that lands in a taken slot evicts what was there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "src/decision_cache.h"

static void test_generations(void **state)
{
	struct stim_decision_cache *c = stim_decision_cache_new();
	bool yes = false;

	assert_false(stim_decision_cache_get(c, "user:a|storage.objects.get|1|b", 7, &yes));
	stim_decision_cache_put(c, "user:a|storage.objects.get|1|b", 7, true);
	assert_true(stim_decision_cache_get(c, "user:a|storage.objects.get|1|b", 7, &yes));
	assert_true(yes);
	/* A policy changed since: the answer is stale. */
	assert_false(stim_decision_cache_get(c, "user:a|storage.objects.get|1|b", 8, &yes));
	assert_false(stim_decision_cache_get(c, "user:a|storage.objects.list|1|b", 7, &yes));
	stim_decision_cache_put(c, "user:a|storage.objects.get|1|b", 8, false);
	assert_true(stim_decision_cache_get(c, "user:a|storage.objects.get|1|b", 8, &yes));
	assert_false(yes);
	stim_decision_cache_free(c);
}

static void test_many(void **state)
{
	struct stim_decision_cache *c = stim_decision_cache_new();
	char key[64];
	int found = 0;
	bool yes;

	/* More questions than slots: every answer found is the right one. */
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "q%d", i);
		stim_decision_cache_put(c, key, 1, i % 2 == 0);
	}
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "q%d", i);
		if (stim_decision_cache_get(c, key, 1, &yes)) {
			assert_int_equal(yes, i % 2 == 0);
			found++;
		}
	}
	assert_true(found > 0 && found <= 4096);
	stim_decision_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generations),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
