/* Project and service account IAM policies over a fixture store: IAM's
 * empty policy, read-modify-write by etag (a stale one ABORTED, one
 * re-encoded URL-safe taken), version 3 needed to read conditions, and a
 * policy that is the account's, not its email's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/iam_policies.h"
#include "src/service_accounts.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

#define P "pol-proj"

static int setup(void **state)
{
	struct fixture_project *f = fixture_project_open("iam-policies", P);

	*state = f;
	return f == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	fixture_project_close(*state);
	return 0;
}

/* A policy of one binding of role to member, written over etag. */
static int put(struct fixture_project *f, const char *etag, const char *role, const char *member,
	       const char *condition, struct stim_iam_policy *out, stim_error_t *err)
{
	struct stim_iam_policy in = { .version = 3, .etag = etag != NULL ? xstrdup(etag) : NULL };
	struct stim_iam_binding *b = stim_iam_policy_add(&in, role);
	int ret;

	stim_strv_push(&b->members, member);
	if (condition != NULL)
		b->cond_expression = xstrdup(condition);
	ret = stim_project_iam_set(&f->ctx, P, &in, out, err);
	stim_iam_policy_fini(&in);
	return ret;
}

static void test_read_modify_write(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_iam_policy p;
	struct stim_iam_policy q;
	cleanup_free char *first = NULL;
	cleanup_free char *urlsafe = NULL;

	assert_int_equal(stim_project_iam_get(&f->ctx, P, 1, &p, &err), 0);
	assert_string_equal(p.etag, "ACAB");
	assert_int_equal(p.version, 1);
	assert_int_equal(p.n, 0);
	stim_iam_policy_fini(&p);

	assert_int_equal(put(f, "ACAB", "roles/viewer", "user:a@example.com", NULL, &p, &err), 0);
	/* gcloud sends version 3; without conditions IAM keeps 1. */
	assert_int_equal(p.version, 1);
	first = xstrdup(p.etag);
	assert_string_not_equal(first, "ACAB");
	stim_iam_policy_fini(&p);

	/* The etag from before that write is stale now. */
	assert_int_equal(put(f, "ACAB", "roles/viewer", "user:b@example.com", NULL, &p, &err), -1);
	assert_int_equal(err->code, STIM_ABORTED);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_project_iam_get(&f->ctx, P, 1, &q, &err), 0);
	assert_string_equal(q.bindings[0].members.v[0], "user:a@example.com");
	assert_string_equal(q.etag, first);
	stim_iam_policy_fini(&q);

	/* The current one, as gcloud sends it back: URL-safe, unpadded. */
	urlsafe = xstrdup(first);
	for (char *c = urlsafe; *c != '\0'; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c == '=' ? '\0' : *c;
	assert_int_equal(put(f, urlsafe, "roles/viewer", "user:c@example.com", NULL, &p, &err), 0);
	stim_iam_policy_fini(&p);
	/* No etag: written regardless, as IAM does. */
	assert_int_equal(put(f, NULL, "roles/viewer", "user:d@example.com", NULL, &p, &err), 0);
	stim_iam_policy_fini(&p);
}

static void test_conditions(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_iam_policy p;

	assert_int_equal(put(f, NULL, "roles/storage.objectViewer", "user:a@example.com",
			     "request.time < timestamp(\"2030-01-01T00:00:00Z\")", &p, &err),
			 0);
	assert_int_equal(p.version, 3);
	stim_iam_policy_fini(&p);
	assert_int_equal(stim_project_iam_get(&f->ctx, P, 1, &p, &err), -1);
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_project_iam_get(&f->ctx, P, 3, &p, &err), 0);
	assert_non_null(p.bindings[0].cond_expression);
	stim_iam_policy_fini(&p);
}

static void test_account_policy(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_service_account sa;
	struct stim_iam_policy in = { .version = 1 };
	struct stim_iam_policy p;

	assert_int_equal(stim_sa_create(&f->ctx, P, "deployer", NULL, NULL, &sa, &err), 0);
	stim_strv_push(&stim_iam_policy_add(&in, "roles/iam.serviceAccountUser")->members,
		       "user:a@example.com");
	assert_int_equal(stim_sa_iam_set(&f->ctx, sa.email, &in, &p, &err), 0);
	stim_iam_policy_fini(&p);
	assert_int_equal(stim_sa_delete(&f->ctx, sa.email, &err), 0);
	assert_int_equal(stim_sa_iam_get(&f->ctx, sa.email, 3, &p, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(steal_pointer(&err));
	stim_sa_fini(&sa);
	/* The same email again is another account, with a policy of its own. */
	assert_int_equal(stim_sa_create(&f->ctx, P, "deployer", NULL, NULL, &sa, &err), 0);
	assert_int_equal(stim_sa_iam_get(&f->ctx, sa.email, 3, &p, &err), 0);
	assert_int_equal(p.n, 0);
	stim_iam_policy_fini(&p);
	stim_iam_policy_fini(&in);
	stim_sa_fini(&sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_modify_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conditions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_account_policy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
