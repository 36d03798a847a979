/* Custom roles over a fixture store: GCP's id, title, stage and
 * permission rules, the etag of a change, and the soft delete that can be
 * undone for 7 days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/custom_roles.h"
#include "src/iam_policy.h"
#include "src/store_custom_roles.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

#define P "roles-proj"

static int setup(void **state)
{
	struct fixture_project *f = fixture_project_open("custom-roles", P);

	*state = f;
	return f == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	fixture_project_close(*state);
	return 0;
}

static void spec_init(struct stim_custom_role *spec, const char *title, const char *perm)
{
	memset(spec, 0, sizeof(*spec));
	spec->title = (char *)title;
	if (perm != NULL)
		stim_strv_add_sorted(&spec->permissions, perm);
}

static void refused(struct fixture_project *f, const char *id, struct stim_custom_role *spec,
		    enum stim_code code)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_custom_role out;

	assert_int_equal(stim_custom_role_create(&f->ctx, P, id, spec, &out, &err), -1);
	assert_int_equal(err->code, code);
}

static void test_rules(void **state)
{
	struct fixture_project *f = *state;
	struct stim_custom_role spec;
	char long_title[102];

	spec_init(&spec, "T", "storage.objects.get");
	refused(f, "ab", &spec, STIM_INVALID_ARGUMENT);
	refused(f, "bad-id", &spec, STIM_INVALID_ARGUMENT);
	spec.stage = "SOON";
	refused(f, "good_id.1", &spec, STIM_INVALID_ARGUMENT);
	spec.stage = NULL;
	memset(long_title, 'x', sizeof(long_title) - 1);
	long_title[sizeof(long_title) - 1] = '\0';
	spec.title = long_title;
	refused(f, "good_id.1", &spec, STIM_INVALID_ARGUMENT);
	spec.title = "";
	refused(f, "good_id.1", &spec, STIM_INVALID_ARGUMENT);
	stim_strv_fini(&spec.permissions);
	spec_init(&spec, "T", "storage.objects.fly");
	refused(f, "good_id.1", &spec, STIM_INVALID_ARGUMENT);
	stim_strv_fini(&spec.permissions);
}

static void test_lifecycle(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_custom_role spec;
	struct stim_custom_role r;
	cleanup_free char *etag = NULL;

	spec_init(&spec, "Reader", "storage.objects.get");
	assert_int_equal(stim_custom_role_create(&f->ctx, P, "reader", &spec, &r, &err), 0);
	assert_string_equal(r.stage, "ALPHA");
	etag = stim_iam_etag(r.gen);
	stim_custom_role_fini(&r);
	refused(f, "reader", &spec, STIM_ALREADY_EXISTS);

	/* Only the masked field changes. */
	spec.title = "Renamed";
	stim_strv_fini(&spec.permissions);
	assert_int_equal(
		stim_custom_role_patch(&f->ctx, P, "reader", &spec, "title", etag, &r, &err), 0);
	assert_string_equal(r.title, "Renamed");
	assert_int_equal(r.permissions.n, 1);
	stim_custom_role_fini(&r);
	/* The etag read before that change is stale now. */
	assert_int_equal(
		stim_custom_role_patch(&f->ctx, P, "reader", &spec, "title", etag, &r, &err), -1);
	assert_int_equal(err->code, STIM_ABORTED);
	stim_error_free(steal_pointer(&err));

	assert_int_equal(stim_custom_role_delete(&f->ctx, P, "reader", NULL, &r, &err), 0);
	assert_true(r.deleted_ms != 0);
	stim_custom_role_fini(&r);
	refused(f, "reader", &spec, STIM_ALREADY_EXISTS);
	assert_int_equal(
		stim_custom_role_patch(&f->ctx, P, "reader", &spec, "title", NULL, &r, &err), -1);
	assert_int_equal(err->code, STIM_FAILED_PRECONDITION);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_custom_role_undelete(&f->ctx, P, "reader", NULL, &r, &err), 0);
	assert_int_equal(r.deleted_ms, 0);

	/* Deleted 8 days ago: too late to undo. */
	r.deleted_ms = stim_now_ms() - 8LL * 24 * 3600 * 1000;
	{
		cleanup_db struct stim_db *db = stim_store_db(f->ctx.store, &err);

		assert_int_equal(stim_store_custom_role_update(db, &r, &err), 0);
	}
	stim_custom_role_fini(&r);
	assert_int_equal(stim_custom_role_undelete(&f->ctx, P, "reader", NULL, &r, &err), -1);
	assert_int_equal(err->code, STIM_FAILED_PRECONDITION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
