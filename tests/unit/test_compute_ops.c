/* Unit tests of Compute operations over a temporary store: recorded
 * RUNNING, finished by another thread while a waiter blocks, a wait that
 * times out, a failure's GCE error code, scopes, paging, and metadata
 * fingerprints on the project. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/compute_ops.h"
#include "src/compute_projects.h"
#include "src/projects.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

static int setup(void **state)
{
	struct fixture_project *f = fixture_project_open("compute-ops", "ops-proj");

	if (f == NULL)
		return -1;
	f->ctx.compute_hub = stim_compute_hub_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture_project *f = *state;

	stim_compute_hub_free(f->ctx.compute_hub);
	fixture_project_close(f);
	return 0;
}

/* A RUNNING zonal operation; its name goes to name (size 64). */
static void record(struct fixture_project *f, const char *zone, char *name)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_db struct stim_db *db = stim_store_db(f->ctx.store, &err);
	struct stim_compute_op_spec spec = { .project = "ops-proj",
					     .scope_type = STIM_OP_ZONE,
					     .scope = zone,
					     .type = "insert",
					     .target = "projects/ops-proj/zones/z/instances/vm" };
	struct stim_compute_op op;

	assert_int_equal(stim_compute_op_record(db, &spec, &op, &err), 0);
	assert_true(op.running && !op.done);
	assert_true(strncmp(op.name, "operation-", 10) == 0);
	snprintf(name, 64, "%s", op.name);
	stim_compute_op_fini(&op);
}

struct finisher {
	struct fixture_project *f;
	const char *name;
};

static void *finish_later(void *arg)
{
	struct finisher *fin = arg;
	struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
	stim_error_t err = NULL;

	nanosleep(&pause, NULL);
	stim_compute_op_finish(&fin->f->ctx, "ops-proj", fin->name, NULL, &err);
	stim_error_free(err);
	return NULL;
}

static void test_wait(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct finisher fin = { .f = f };
	struct stim_compute_op op;
	char name[64];
	pthread_t t;

	record(f, "us-central1-a", name);
	/* Nothing finishes it: the wait gives up and says RUNNING. */
	assert_int_equal(stim_compute_op_wait(&f->ctx, "ops-proj", STIM_OP_ZONE, "us-central1-a",
					      name, 30, &op, &err),
			 0);
	assert_true(op.running);
	stim_compute_op_fini(&op);
	/* Another thread finishes it while we wait. */
	fin.name = name;
	pthread_create(&t, NULL, finish_later, &fin);
	assert_int_equal(stim_compute_op_wait(&f->ctx, "ops-proj", STIM_OP_ZONE, "us-central1-a",
					      name, 5000, &op, &err),
			 0);
	pthread_join(t, NULL);
	assert_true(op.done);
	assert_int_equal(op.progress, 100);
	assert_null(op.error_code);
	stim_compute_op_fini(&op);
}

static void test_failure_and_scope(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_error failure = { .code = STIM_NOT_FOUND, .msg = (char *)"no such image" };
	struct stim_compute_op op;
	char name[64];

	record(f, "us-east1-b", name);
	assert_int_equal(stim_compute_op_finish(&f->ctx, "ops-proj", name, &failure, &err), 0);
	assert_int_equal(stim_compute_op_get(&f->ctx, "ops-proj", STIM_OP_ZONE, "us-east1-b", name,
					     &op, &err),
			 0);
	assert_true(op.done);
	assert_string_equal(op.error_code, "RESOURCE_NOT_FOUND");
	assert_string_equal(op.error_message, "no such image");
	assert_int_equal(op.http_status, 404);
	stim_compute_op_fini(&op);
	/* Only in its own zone, not in another or as a global one. */
	assert_int_equal(stim_compute_op_get(&f->ctx, "ops-proj", STIM_OP_ZONE, "us-east1-c", name,
					     &op, &err),
			 -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(
		stim_compute_op_get(&f->ctx, "ops-proj", STIM_OP_GLOBAL, "", name, &op, &err), -1);
	stim_error_free(steal_pointer(&err));
}

static void test_list_pages(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	char after[64] = "";
	char name[64];
	int seen = 0;

	for (int i = 0; i < 5; i++)
		record(f, "europe-west1-b", name);
	record(f, "europe-west1-c", name);
	for (bool more = true; more;) {
		struct stim_compute_op *ops;
		size_t n;

		assert_int_equal(stim_compute_op_list(&f->ctx, "ops-proj", STIM_OP_ZONE,
						      "europe-west1-b", after, 2, &ops, &n, &more,
						      &err),
				 0);
		assert_true(n <= 2);
		seen += (int)n;
		if (n > 0)
			snprintf(after, sizeof(after), "%s", ops[n - 1].name);
		for (size_t i = 0; i < n; i++)
			stim_compute_op_fini(&ops[i]);
		free(ops);
	}
	assert_int_equal(seen, 5);
}

static void test_metadata_fingerprint(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_compute_metadata m;
	struct stim_compute_op op;
	struct stim_labels items = { 0 };
	struct stim_project p;
	unsigned char fp[STIM_FINGERPRINT_LEN];

	assert_int_equal(stim_compute_project_get(&f->ctx, "ops-proj", &p, &m, &err), 0);
	memcpy(fp, m.fingerprint, sizeof(fp));
	stim_compute_metadata_fini(&m);
	stim_project_fini(&p);
	/* The first read fixed the fingerprint: a second sees the same. */
	assert_int_equal(stim_compute_project_get(&f->ctx, "ops-proj", &p, &m, &err), 0);
	assert_memory_equal(fp, m.fingerprint, sizeof(fp));
	stim_compute_metadata_fini(&m);
	stim_project_fini(&p);

	stim_labels_set(&items, "k", "v");
	assert_int_equal(
		stim_compute_project_set_metadata(&f->ctx, "ops-proj", fp, &items, &op, &err), 0);
	assert_true(op.done);
	assert_int_equal(op.scope_type, STIM_OP_GLOBAL);
	stim_compute_op_fini(&op);
	/* The old fingerprint is stale now. */
	stim_labels_set(&items, "k", "w");
	assert_int_equal(
		stim_compute_project_set_metadata(&f->ctx, "ops-proj", fp, &items, &op, &err), -1);
	assert_int_equal(err->code, STIM_FAILED_PRECONDITION);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_compute_project_get(&f->ctx, "ops-proj", &p, &m, &err), 0);
	assert_int_equal(m.items.n, 1);
	assert_string_equal(m.items.v[0].value, "v");
	stim_compute_metadata_fini(&m);
	stim_project_fini(&p);
	assert_int_equal(stim_compute_project_get(&f->ctx, "nope-proj", &p, &m, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_and_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_fingerprint, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
