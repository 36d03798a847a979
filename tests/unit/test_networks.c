/* Networks and subnetworks over a temporary store: auto mode's subnets
 * from GCE's table, ranges that never overlap in a network, expansion,
 * fingerprints, and the in-use refusals. */
#include <string.h>

#include "src/cleanup.h"
#include "src/networks.h"
#include "src/projects.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

static int setup(void **state)
{
	struct fixture_project *f = fixture_project_open("networks", "net-proj");

	if (f == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture_project *f = *state;

	fixture_project_close(f);
	return 0;
}

static void net(struct fixture_project *f, const char *name, int auto_subnets)
{
	struct stim_network_spec spec = { .name = name, .auto_subnets = auto_subnets };
	cleanup_error stim_error_t err = NULL;
	struct stim_compute_op op;

	if (stim_network_insert(&f->ctx, "net-proj", &spec, &op, &err) < 0)
		fail_msg("network %s: %s", name, err->msg);
	assert_true(op.done);
	assert_int_equal(op.scope_type, STIM_OP_GLOBAL);
	stim_compute_op_fini(&op);
}

/* 0 or the error's reason. */
static const char *subnet(struct fixture_project *f, const char *region, const char *name,
			  const char *network, const char *range)
{
	static char reason[64];
	struct stim_subnetwork_spec spec = { .name = name,
					     .network = network,
					     .ip_cidr_range = range };
	cleanup_error stim_error_t err = NULL;
	struct stim_compute_op op;

	if (stim_subnetwork_insert(&f->ctx, "net-proj", region, &spec, &op, &err) == 0) {
		assert_int_equal(op.scope_type, STIM_OP_REGION);
		stim_compute_op_fini(&op);
		return NULL;
	}
	snprintf(reason, sizeof(reason), "%s", err->reason != NULL ? err->reason : "?");
	return reason;
}

static void test_auto_mode(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_subnetwork s;
	struct stim_network n;
	char buf[STIM_CIDR_BUFSZ];

	net(f, "auto-net", 1);
	assert_int_equal(stim_network_get(&f->ctx, "net-proj", "auto-net", &n, &err), 0);
	assert_int_equal(n.subnets.n, 15);
	assert_int_equal(n.mtu, 1460);
	assert_string_equal(n.routing_mode, "REGIONAL");
	stim_network_fini(&n);
	assert_int_equal(
		stim_subnetwork_get(&f->ctx, "net-proj", "us-central1", "auto-net", &s, &err), 0);
	assert_string_equal(stim_cidr_format(&s.range, buf), "10.128.0.0/20");
	stim_subnetwork_fini(&s);
	/* Custom subnets on an auto network stay out of 10.128.0.0/9. */
	assert_string_equal(subnet(f, "us-central1", "extra", "auto-net", "10.200.0.0/24"),
			    "invalid");
	assert_null(subnet(f, "us-central1", "extra", "auto-net", "192.168.0.0/24"));
	/* Its own subnet goes only with it; the extra one holds it. */
	{
		struct stim_compute_op op;

		assert_int_equal(stim_subnetwork_delete(&f->ctx, "net-proj", "us-central1",
							"auto-net", &op, &err),
				 -1);
		assert_string_equal(err->reason, "resourceInUseByAnotherResource");
		stim_error_free(steal_pointer(&err));
		assert_int_equal(stim_network_delete(&f->ctx, "net-proj", "auto-net", &op, &err),
				 -1);
		stim_error_free(steal_pointer(&err));
		assert_int_equal(stim_subnetwork_delete(&f->ctx, "net-proj", "us-central1", "extra",
							&op, &err),
				 0);
		stim_compute_op_fini(&op);
		assert_int_equal(stim_network_delete(&f->ctx, "net-proj", "auto-net", &op, &err),
				 0);
		stim_compute_op_fini(&op);
	}
}

static void test_custom_mode(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_compute_op op;
	struct stim_subnetwork s;
	char buf[STIM_CIDR_BUFSZ];

	net(f, "n1", 0);
	net(f, "n2", 0);
	assert_null(subnet(f, "us-central1", "s1", "n1", "10.0.0.0/24"));
	/* Overlaps in the network are refused, in any region; another
	 * network may reuse the range. */
	assert_string_equal(subnet(f, "us-east1", "s2", "n1", "10.0.0.128/25"), "invalid");
	assert_null(
		subnet(f, "us-east1", "s2", "projects/net-proj/global/networks/n2", "10.0.0.0/24"));
	assert_string_equal(subnet(f, "us-central1", "s1", "n1", "10.9.0.0/24"), "alreadyExists");
	assert_string_equal(subnet(f, "us-central1", "s3", "n1", "10.1.0.0/30"), "invalid");
	assert_string_equal(subnet(f, "us-central1", "s3", "n1", "169.254.0.0/24"), "invalid");
	assert_string_equal(subnet(f, "us-central1", "s3", "n1", "10.1.0.1/24"), "invalid");
	assert_string_equal(subnet(f, "us-central1", "s3", "nope", "10.1.0.0/24"), "notFound");
	assert_string_equal(subnet(f, "mars1", "s3", "n1", "10.1.0.0/24"), "notFound");
	assert_string_equal(subnet(f, "us-central1", "Bad", "n1", "10.1.0.0/24"), "invalid");
	assert_null(subnet(f, "us-central1", "s3", "n1", "10.0.4.0/24"));

	/* Expansion: a shorter prefix holding the old range, free of others. */
	assert_int_equal(stim_subnetwork_expand(&f->ctx, "net-proj", "us-central1", "s1",
						"10.0.0.0/20", &op, &err),
			 -1); /* would swallow s3 */
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_subnetwork_expand(&f->ctx, "net-proj", "us-central1", "s1",
						"10.0.0.0/25", &op, &err),
			 -1); /* narrower */
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_subnetwork_expand(&f->ctx, "net-proj", "us-central1", "s1",
						"10.0.0.0/22", &op, &err),
			 0);
	stim_compute_op_fini(&op);
	assert_int_equal(stim_subnetwork_get(&f->ctx, "net-proj", "us-central1", "s1", &s, &err),
			 0);
	assert_string_equal(stim_cidr_format(&s.range, buf), "10.0.0.0/22");

	/* patch needs the current fingerprint. */
	{
		unsigned char stale[STIM_FINGERPRINT_LEN];

		memcpy(stale, s.fingerprint, sizeof(stale));
		assert_int_equal(stim_subnetwork_patch(&f->ctx, "net-proj", "us-central1", "s1",
						       s.fingerprint, "web tier", 1, &op, &err),
				 0);
		stim_compute_op_fini(&op);
		assert_int_equal(stim_subnetwork_patch(&f->ctx, "net-proj", "us-central1", "s1",
						       stale, NULL, 0, &op, &err),
				 -1);
		assert_string_equal(err->reason, "conditionNotMet");
		stim_error_free(steal_pointer(&err));
	}
	stim_subnetwork_fini(&s);

	/* A network with subnets is in use. */
	assert_int_equal(stim_network_delete(&f->ctx, "net-proj", "n1", &op, &err), -1);
	assert_string_equal(err->reason, "resourceInUseByAnotherResource");
	assert_non_null(strstr(err->msg, "subnetworks/s"));
}

static void test_refused(void **state)
{
	struct fixture_project *f = *state;
	struct stim_network_spec spec = { .name = "legacy", .auto_subnets = -1 };
	cleanup_error stim_error_t err = NULL;
	struct stim_compute_op op;

	assert_int_equal(stim_network_insert(&f->ctx, "net-proj", &spec, &op, &err), -1);
	stim_error_free(steal_pointer(&err));
	spec.auto_subnets = 0;
	spec.mtu = 9000;
	assert_int_equal(stim_network_insert(&f->ctx, "net-proj", &spec, &op, &err), -1);
	stim_error_free(steal_pointer(&err));
	spec.mtu = 0;
	spec.routing_mode = "SOMETIMES";
	assert_int_equal(stim_network_insert(&f->ctx, "net-proj", &spec, &op, &err), -1);
	stim_error_free(steal_pointer(&err));
	spec.routing_mode = NULL;
	assert_int_equal(stim_network_insert(&f->ctx, "no-proj", &spec, &op, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auto_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_custom_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
