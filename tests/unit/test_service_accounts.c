/* IAM service accounts over a fixture store: GCP's account id rule, the
 * resource's rendering, and create, find, patch, disable, delete and
 * undelete with their refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/service_accounts.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

#define P "sa-proj"

static int setup(void **state)
{
	struct fixture_project *f = fixture_project_open("service-accounts", P);

	*state = f;
	return f == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	fixture_project_close(*state);
	return 0;
}

static void test_account_id(void **state)
{
	static const char *const good[] = { "sa-one", "abcdef", "a12345",
					    "abcdefghijabcdefghijabcdefghij" };
	static const char *const bad[] = {
		"short",   "1abcdef", "Abcdef",
		"abc_def", "abcdef-", "abcdefghijabcdefghijabcdefghijk"
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_sa_account_id_check(good[i], &err), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_sa_account_id_check(bad[i], &err), -1);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
}

static void test_lifecycle(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_service_account sa;
	struct stim_service_account got;
	cleanup_json json_t *j = NULL;
	char uid[24];

	assert_int_equal(stim_sa_create(&f->ctx, P, "builder", "Builder", NULL, &sa, &err), 0);
	assert_string_equal(sa.email, "builder@" P ".iam.gserviceaccount.com");
	j = stim_sa_json(&sa);
	assert_string_equal(json_string_value(json_object_get(j, "name")),
			    "projects/" P "/serviceAccounts/builder@" P ".iam.gserviceaccount.com");
	assert_null(json_object_get(j, "description"));
	assert_null(json_object_get(j, "disabled"));
	snprintf(uid, sizeof(uid), "%lld", (long long)sa.unique_id);
	assert_int_equal(strlen(uid), 19);
	assert_string_equal(json_string_value(json_object_get(j, "uniqueId")), uid);

	/* Once per email; a project must exist. */
	assert_int_equal(stim_sa_create(&f->ctx, P, "builder", NULL, NULL, &got, &err), -1);
	assert_int_equal(err->code, STIM_ALREADY_EXISTS);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_sa_create(&f->ctx, "nope-nope", "builder", NULL, NULL, &got, &err),
			 -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(steal_pointer(&err));

	/* By unique id; patch by mask only. */
	assert_int_equal(stim_sa_patch(&f->ctx, uid, "New", "desc", "description", &got, &err), 0);
	assert_string_equal(got.display_name, "Builder");
	assert_string_equal(got.description, "desc");
	assert_int_equal(got.gen, 2);
	stim_sa_fini(&got);
	assert_int_equal(stim_sa_patch(&f->ctx, uid, "New", NULL, "", &got, &err), -1);
	stim_error_free(steal_pointer(&err));

	assert_int_equal(stim_sa_set_disabled(&f->ctx, sa.email, true, &err), 0);
	assert_int_equal(stim_sa_get(&f->ctx, sa.email, &got, &err), 0);
	assert_true(got.disabled);
	stim_sa_fini(&got);

	/* Deleted: not found, its email free again; undeleted while it is. */
	assert_int_equal(stim_sa_delete(&f->ctx, sa.email, &err), 0);
	assert_int_equal(stim_sa_get(&f->ctx, sa.email, &got, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_sa_undelete(&f->ctx, uid, &got, &err), 0);
	assert_true(got.disabled); /* as it was */
	stim_sa_fini(&got);
	assert_int_equal(stim_sa_delete(&f->ctx, uid, &err), 0);
	assert_int_equal(stim_sa_create(&f->ctx, P, "builder", NULL, NULL, &got, &err), 0);
	assert_true(got.unique_id != sa.unique_id);
	/* The old one cannot come back over the new. */
	stim_sa_fini(&got);
	assert_int_equal(stim_sa_undelete(&f->ctx, uid, &got, &err), -1);
	assert_int_equal(err->code, STIM_ALREADY_EXISTS);
	stim_sa_fini(&sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_id),
		cmocka_unit_test(test_lifecycle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
