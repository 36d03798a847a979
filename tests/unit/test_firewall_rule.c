/* Firewall rules: GCE's defaults, its refusals, and the JSON round trip
 * the store relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/firewall_rule.h"
#include "src/json.h"

static int parse(const char *text, struct stim_firewall *fw, stim_error_t *err)
{
	cleanup_json json_t *body = stim_json_parse_body(text, strlen(text), err);

	memset(fw, 0, sizeof(*fw));
	return body != NULL ? stim_firewall_from_json(body, fw, err) : -1;
}

static void test_defaults(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_firewall fw;

	assert_int_equal(parse("{\"name\":\"fw\",\"allowed\":[{\"IPProtocol\":\"TCP\","
			       "\"ports\":[\"22\",\"8000-8080\"]}]}",
			       &fw, &err),
			 0);
	assert_string_equal(fw.network, "default");
	assert_int_equal(fw.priority, 1000);
	assert_false(fw.egress);
	assert_false(fw.deny);
	assert_int_equal(fw.nprotos, 1);
	assert_string_equal(fw.protos[0].name, "tcp");
	assert_int_equal(fw.protos[0].number, 6);
	assert_int_equal(fw.protos[0].ports.n, 2);
	/* An ingress rule without a source is from anywhere. */
	assert_int_equal(fw.source_ranges.n, 1);
	assert_string_equal(fw.source_ranges.v[0], "0.0.0.0/0");
	stim_firewall_fini(&fw);

	assert_int_equal(parse("{\"name\":\"out\",\"direction\":\"EGRESS\",\"network\":"
			       "\"projects/p/global/networks/n1\",\"denied\":[{\"IPProtocol\":"
			       "\"all\"}],\"priority\":0}",
			       &fw, &err),
			 0);
	assert_string_equal(fw.network, "n1");
	assert_true(fw.egress);
	assert_true(fw.deny);
	assert_int_equal(fw.protos[0].number, -1);
	assert_int_equal(fw.source_ranges.n, 0);
	assert_string_equal(fw.destination_ranges.v[0], "0.0.0.0/0");
	stim_firewall_fini(&fw);

	/* Tags as the source: no default range then. */
	assert_int_equal(parse("{\"name\":\"t\",\"sourceTags\":[\"web\"],\"targetTags\":[\"db\"],"
			       "\"allowed\":[{\"IPProtocol\":\"47\"}]}",
			       &fw, &err),
			 0);
	assert_int_equal(fw.source_ranges.n, 0);
	assert_int_equal(fw.protos[0].number, 47);
	stim_firewall_fini(&fw);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"{\"allowed\":[{\"IPProtocol\":\"tcp\"}]}", /* no name */
		"{\"name\":\"x\"}",			    /* neither allowed nor denied */
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"denied\":[{"
		"\"IPProtocol\":"
		"\"udp\"}]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"foo\"}]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"256\"}]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"icmp\",\"ports\":[\"1\"]}]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"99999\"]}]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"90-80\"]}]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"priority\":70000}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"direction\":\"UP\"}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"sourceRanges\":[\"10.0.0."
		"1/"
		"8\"]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"sourceTags\":[\"Web\"]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"direction\":\"EGRESS\","
		"\"sourceTags\":[\"web\"]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"targetTags\":[\"a\"],"
		"\"targetServiceAccounts\":[\"sa@p.iam.gserviceaccount.com\"]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"sourceServiceAccounts\":["
		"\"sa@p\"],\"targetTags\":[\"a\"]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"targetServiceAccounts\":["
		"\"not-an-email\"]}",
		"{\"name\":\"x\",\"allowed\":[{\"IPProtocol\":\"tcp\"}],\"color\":\"red\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_error stim_error_t err = NULL;
		struct stim_firewall fw;

		if (parse(bad[i], &fw, &err) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
		stim_firewall_fini(&fw);
	}
}

static void test_round_trip(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *once = NULL;
	cleanup_json json_t *twice = NULL;
	struct stim_firewall a;
	struct stim_firewall b;

	assert_int_equal(parse("{\"name\":\"fw\",\"description\":\"d\",\"priority\":10,"
			       "\"denied\":[{\"IPProtocol\":\"udp\",\"ports\":[\"53\"]},"
			       "{\"IPProtocol\":\"icmp\"}],\"sourceRanges\":[\"10.0.0.0/8\","
			       "\"1.2.3.4\"],\"targetServiceAccounts\":[\"a@b.c\"],"
			       "\"disabled\":true,\"logConfig\":{\"enable\":true}}",
			       &a, &err),
			 0);
	once = stim_firewall_rule_json(&a);
	memset(&b, 0, sizeof(b));
	assert_int_equal(stim_firewall_from_json(once, &b, &err), 0);
	twice = stim_firewall_rule_json(&b);
	assert_true(json_equal(once, twice));
	assert_true(b.disabled);
	assert_true(b.log);
	stim_firewall_fini(&a);
	stim_firewall_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
