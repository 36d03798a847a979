/* Unit tests of the instance service over a temporary store, without a
 * host to start processes on (no stim-init, no cgroups: the jobs run
 * inline): names and tags, the image a sourceImage resolves to, input
 * refused with GCE's errors, a start that fails leaving no instance and an
 * operation that says why, the set* methods' fingerprints and rules on
 * rows written straight to the store, and the INSTANCES quota. Real
 * starts are tests/integration's. */
#include <string.h>

#include "src/cleanup.h"
#include "src/compute_ops.h"
#include "src/instances.h"
#include "src/projects.h"
#include "src/store_instances.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

static int setup(void **state)
{
	struct fixture_project *f = fixture_project_open("instances", "vm-proj");

	if (f == NULL)
		return -1;
	free(f->cfg.data_dir);
	f->cfg.data_dir = xstrdup(f->tmp);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture_project *f = *state;

	fixture_project_close(f);
	return 0;
}

static void test_names(void **state)
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
}

static void test_refused(void **state)
{
	struct fixture_project *f = *state;
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
	struct fixture_project *f = *state;
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

/* A stopped instance, written straight to the store (no host to boot). */
static void put_stopped(struct fixture_project *f, const char *zone, const char *name)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_db struct stim_db *db = stim_store_db(f->ctx.store, &err);
	struct stim_instance in = {
		.project = "vm-proj",
		.zone = (char *)zone,
		.name = (char *)name,
		.status = "TERMINATED",
		.machine_type = "e2-micro",
		.image = "busybox",
	};

	in.id = (int64_t)(stim_random_u64() & INT64_MAX);
	assert_non_null(db);
	assert_int_equal(stim_store_instance_insert(db, &in, &err), 0);
}

static void get(struct fixture_project *f, const char *name, struct stim_instance *in)
{
	cleanup_error stim_error_t err = NULL;

	assert_int_equal(stim_instance_get(&f->ctx, "vm-proj", "us-central1-a", name, in, &err), 0);
}

static void test_tags_check(void **state)
{
	struct stim_strv tags = { 0 };
	cleanup_error stim_error_t err = NULL;

	stim_strv_push(&tags, "web");
	stim_strv_push(&tags, "a-1");
	assert_int_equal(stim_instance_tags_check(&tags, &err), 0);
	stim_strv_push(&tags, "Web");
	assert_int_equal(stim_instance_tags_check(&tags, &err), -1);
	assert_non_null(strstr(err->msg, "tags.items[2]"));
	stim_strv_fini(&tags);
	stim_error_free(steal_pointer(&err));
	for (int i = 0; i < 65; i++) {
		char t[16];

		snprintf(t, sizeof(t), "t%d", i);
		stim_strv_push(&tags, t);
	}
	assert_int_equal(stim_instance_tags_check(&tags, &err), -1);
	stim_strv_fini(&tags);
}

static void test_settings(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	unsigned char stale[STIM_FINGERPRINT_LEN];
	struct stim_labels labels = { 0 };
	struct stim_strv tags = { 0 };
	struct stim_compute_op op;
	struct stim_instance in;

	put_stopped(f, "us-central1-a", "vm-1");
	get(f, "vm-1", &in);
	memcpy(stale, in.label_fingerprint, sizeof(stale));

	/* Labels: the current fingerprint is needed, and changes. */
	stim_labels_set(&labels, "env", "dev");
	assert_int_equal(stim_instance_set_labels(&f->ctx, "vm-proj", "us-central1-a", "vm-1", NULL,
						  &labels, &op, &err),
			 -1);
	assert_string_equal(err->reason, "conditionNotMet");
	stim_error_free(steal_pointer(&err));
	stim_labels_set(&labels, "env", "dev");
	assert_int_equal(stim_instance_set_labels(&f->ctx, "vm-proj", "us-central1-a", "vm-1",
						  stale, &labels, &op, &err),
			 0);
	assert_true(op.done);
	assert_string_equal(op.type, "setLabels");
	stim_compute_op_fini(&op);
	stim_instance_fini(&in);
	get(f, "vm-1", &in);
	assert_int_equal(in.labels.n, 1);
	assert_string_equal(in.labels.v[0].value, "dev");
	assert_memory_not_equal(in.label_fingerprint, stale, sizeof(stale));
	stim_labels_set(&labels, "env", "prod");
	assert_int_equal(stim_instance_set_labels(&f->ctx, "vm-proj", "us-central1-a", "vm-1",
						  stale, &labels, &op, &err),
			 -1);
	stim_error_free(steal_pointer(&err));

	/* Tags: sorted, deduplicated, same fingerprint rule. */
	memcpy(stale, in.tags_fingerprint, sizeof(stale));
	stim_strv_push(&tags, "web");
	stim_strv_push(&tags, "db");
	stim_strv_push(&tags, "web");
	assert_int_equal(stim_instance_set_tags(&f->ctx, "vm-proj", "us-central1-a", "vm-1", stale,
						&tags, &op, &err),
			 0);
	stim_compute_op_fini(&op);
	assert_int_equal(stim_instance_set_tags(&f->ctx, "vm-proj", "us-central1-a", "vm-1", stale,
						&tags, &op, &err),
			 -1);
	stim_error_free(steal_pointer(&err));
	stim_strv_fini(&tags);
	stim_instance_fini(&in);
	get(f, "vm-1", &in);
	assert_int_equal(in.tags.n, 2);
	assert_string_equal(in.tags.v[0], "db");
	assert_string_equal(in.tags.v[1], "web");
	assert_int_equal(in.labels.n, 1); /* the tags left the labels alone */
	stim_instance_fini(&in);

	/* The machine type: a known one, while TERMINATED. */
	assert_int_equal(stim_instance_set_machine_type(&f->ctx, "vm-proj", "us-central1-a", "vm-1",
							"n9-huge-1", &op, &err),
			 -1);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_instance_set_machine_type(&f->ctx, "vm-proj", "us-central1-a", "vm-1",
							"zones/us-central1-a/machineTypes/e2-small",
							&op, &err),
			 0);
	stim_compute_op_fini(&op);
	get(f, "vm-1", &in);
	assert_string_equal(in.machine_type, "e2-small");
	{
		cleanup_db struct stim_db *db = stim_store_db(f->ctx.store, &err);

		free(in.status);
		in.status = xstrdup("RUNNING");
		assert_int_equal(stim_store_instance_set_state(db, &in, &err), 0);
	}
	stim_instance_fini(&in);
	assert_int_equal(stim_instance_set_machine_type(&f->ctx, "vm-proj", "us-central1-a", "vm-1",
							"e2-micro", &op, &err),
			 -1);
	assert_string_equal(err->reason, "resourceNotReady");
}

static void test_quota(void **state)
{
	struct fixture_project *f = *state;
	struct stim_instance_spec spec = { .name = "vm-3", .machine_type = "e2-micro" };
	cleanup_error stim_error_t err = NULL;
	struct stim_compute_op op;

	f->cfg.instance_quota = 2;
	put_stopped(f, "us-central1-a", "vm-1");
	put_stopped(f, "us-central1-b", "vm-2");
	put_stopped(f, "us-central10-a", "vm-x"); /* not in us-central1 */
	assert_int_equal(
		stim_instance_insert(&f->ctx, "vm-proj", "us-central1-c", &spec, &op, &err), -1);
	assert_int_equal(err->code, STIM_RESOURCE_EXHAUSTED);
	assert_string_equal(err->reason, "quotaExceeded");
	assert_string_equal(err->msg, "Quota 'INSTANCES' exceeded.  Limit: 2.0 in region "
				      "us-central1.");
	stim_error_free(steal_pointer(&err));
	/* Another region counts its own. */
	assert_int_equal(stim_instance_insert(&f->ctx, "vm-proj", "us-east1-b", &spec, &op, &err),
			 0);
	stim_compute_op_fini(&op);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_start_leaves_nothing, setup, teardown),
		cmocka_unit_test(test_tags_check),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
