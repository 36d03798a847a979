/* Unit tests of the instance service over a temporary store, without a
 * host to start processes on (no stim-init, no cgroups: the jobs run
 * inline): names, the image a sourceImage resolves to, input refused with
 * GCE's errors, and a start that fails leaving no instance and an
 * operation that says why. Real starts are tests/integration's. */
#include <string.h>

#include "src/cleanup.h"
#include "src/compute_ops.h"
#include "src/instances.h"
#include "src/projects.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

struct fixture {
	char tmp[FIXTURE_TMP_SIZE];
	struct stim_config cfg;
	struct stim_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	stim_error_t err = NULL;

	if (fixture_store_open("instances", f->tmp, &f->cfg, &f->ctx) < 0 ||
	    stim_project_ensure(&f->ctx, "vm-proj", &err) < 0)
		return -1;
	free(f->cfg.data_dir);
	f->cfg.data_dir = xstrdup(f->tmp);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fixture_store_close(f->tmp, &f->cfg, &f->ctx);
	free(f);
	return 0;
}

static void test_names_and_images(void **state)
{
	static const char *const good[] = {
		"a", "vm-1", "x23456789012345678901234567890123456789012345678901234567890123"
	};
	static const char *const bad[] = {
		"",   "1vm",  "vm-",
		"Vm", "vm_1", "x234567890123456789012345678901234567890123456789012345678901234"
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_instance_name_check(good[i], &err), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_instance_name_check(bad[i], &err), -1);
	}
	assert_string_equal(stim_instance_image_recipe(NULL), "host");
	assert_string_equal(stim_instance_image_recipe("http://h/compute/v1/projects/debian-cloud/"
						       "zones/-/imageFamilyViews/debian-12"),
			    "host");
	assert_string_equal(stim_instance_image_recipe("projects/p/global/images/busybox"),
			    "busybox");
	assert_null(stim_instance_image_recipe("projects/p/global/images/windows-95"));
}

static void test_refused(void **state)
{
	struct fixture *f = *state;
	struct stim_compute_op op;
	struct stim_instance_spec spec = { .name = "vm-1", .machine_type = "n9-huge-1" };
	cleanup_error stim_error_t err = NULL;

	assert_int_equal(
		stim_instance_insert(&f->ctx, "vm-proj", "us-central1-a", &spec, &op, &err), -1);
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	stim_error_free(steal_pointer(&err));
	spec.machine_type = "zones/us-central1-a/machineTypes/n1-standard-1";
	assert_int_equal(stim_instance_insert(&f->ctx, "vm-proj", "mars-1a", &spec, &op, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(
		stim_instance_insert(&f->ctx, "no-proj", "us-central1-a", &spec, &op, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
}

static void test_failed_start_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct stim_instance_spec spec = { .name = "vm-1", .machine_type = "e2-micro" };
	cleanup_error stim_error_t err = NULL;
	struct stim_compute_op op;
	struct stim_compute_op done;
	struct stim_instance *v = NULL;
	size_t n = 0;
	bool more = false;

	/* No stim-init here: the inline job fails, as a start would without. */
	assert_int_equal(
		stim_instance_insert(&f->ctx, "vm-proj", "us-central1-a", &spec, &op, &err), 0);
	assert_true(op.running);
	assert_int_equal(stim_compute_op_get(&f->ctx, "vm-proj", STIM_OP_ZONE, "us-central1-a",
					     op.name, &done, &err),
			 0);
	assert_true(done.done);
	assert_string_equal(done.error_code, "CONDITION_NOT_MET");
	assert_non_null(strstr(done.error_message, "stim-init"));
	assert_string_equal(done.type, "insert");
	assert_string_equal(done.target, "projects/vm-proj/zones/us-central1-a/instances/vm-1");
	stim_compute_op_fini(&done);
	stim_compute_op_fini(&op);
	assert_int_equal(stim_instance_list(&f->ctx, "vm-proj", NULL, "", 10, &v, &n, &more, &err),
			 0);
	assert_int_equal(n, 0);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_images),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_start_leaves_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
