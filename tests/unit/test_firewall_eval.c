/* GCE's firewall decision, rule by rule: implied rules, priority, deny
 * beating allow at equal priority, targets by tag and account, sources by
 * range, tag or account, destination ranges, protocols and ports,
 * disabled rules and direction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/firewall_eval.h"
#include "tests/unit/fw_rules.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* A TCP connection into instance 10.0.0.3 (tags web) from src. */
static struct stim_fw_packet tcp_in(uint32_t src, int port)
{
	static struct stim_strv web;

	if (web.n == 0)
		stim_strv_push(&web, "web");
	return (struct stim_fw_packet){ .proto = 6,
					.port = port,
					.src = { .addr = src },
					.dst = { .addr = IP(10, 0, 0, 3),
						 .tags = &web,
						 .service_account =
							 "app@p.iam.gserviceaccount.com" } };
}

static void test_implied(void **state)
{
	struct stim_fw_packet in = tcp_in(IP(1, 2, 3, 4), 22);
	struct stim_fw_packet out = tcp_in(IP(1, 2, 3, 4), 22);
	const struct stim_firewall *by = (void *)1;

	out.egress = true;
	assert_false(stim_firewall_allows(NULL, 0, &in, &by));
	assert_null(by);
	assert_true(stim_firewall_allows(NULL, 0, &out, NULL));
}

static void test_priority_and_deny(void **state)
{
	struct fw_rules s = { 0 };
	struct stim_fw_packet p = tcp_in(IP(1, 2, 3, 4), 22);
	const struct stim_firewall *by;

	fw_rules_add(&s, "{\"name\":\"allow-ssh\",\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":["
			 "\"22\"]}]}");
	assert_true(stim_firewall_allows(s.v, s.n, &p, &by));
	assert_string_equal(by->name, "allow-ssh");
	/* A deny at the same priority wins. */
	fw_rules_add(&s, "{\"name\":\"deny-all\",\"denied\":[{\"IPProtocol\":\"all\"}]}");
	assert_false(stim_firewall_allows(s.v, s.n, &p, &by));
	assert_string_equal(by->name, "deny-all");
	/* A lower number wins over both. */
	fw_rules_add(&s, "{\"name\":\"allow-first\",\"priority\":10,\"allowed\":[{\"IPProtocol\":"
			 "\"tcp\"}],\"sourceRanges\":[\"1.2.0.0/16\"]}");
	assert_true(stim_firewall_allows(s.v, s.n, &p, &by));
	assert_string_equal(by->name, "allow-first");
	/* Disabled, it counts for nothing. */
	s.v[2].disabled = true;
	assert_false(stim_firewall_allows(s.v, s.n, &p, NULL));
	fw_rules_fini(&s);
}

static void test_matching(void **state)
{
	struct fw_rules s = { 0 };
	struct stim_strv app = { 0 };
	struct stim_fw_packet p;

	fw_rules_add(&s,
		     "{\"name\":\"web\",\"targetTags\":[\"web\"],\"sourceRanges\":[\"10.0.0.0/8\"],"
		     "\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"80\",\"8000-8080\"]}]}");
	p = tcp_in(IP(10, 9, 9, 9), 80);
	assert_true(stim_firewall_allows(s.v, s.n, &p, NULL));
	p.port = 8080;
	assert_true(stim_firewall_allows(s.v, s.n, &p, NULL));
	p.port = 8081; /* outside the ports */
	assert_false(stim_firewall_allows(s.v, s.n, &p, NULL));
	p = tcp_in(IP(11, 0, 0, 1), 80); /* outside the range */
	assert_false(stim_firewall_allows(s.v, s.n, &p, NULL));
	p = tcp_in(IP(10, 0, 0, 1), 80);
	p.proto = 17; /* udp is not tcp */
	assert_false(stim_firewall_allows(s.v, s.n, &p, NULL));
	p = tcp_in(IP(10, 0, 0, 1), 80);
	p.dst.tags = NULL; /* an instance without the tag */
	assert_false(stim_firewall_allows(s.v, s.n, &p, NULL));
	fw_rules_fini(&s);

	/* Sources by tag or by service account; targets by account. */
	fw_rules_add(&s,
		     "{\"name\":\"from-app\",\"sourceTags\":[\"app\"],\"allowed\":[{\"IPProtocol\":"
		     "\"tcp\"}]}");
	fw_rules_add(&s, "{\"name\":\"to-sa\",\"sourceServiceAccounts\":[\"lb@p\"],"
			 "\"targetServiceAccounts\":[\"app@p.iam.gserviceaccount.com\"],"
			 "\"allowed\":[{\"IPProtocol\":\"udp\"}]}");
	stim_strv_push(&app, "app");
	p = tcp_in(IP(10, 0, 0, 9), 5432);
	assert_false(stim_firewall_allows(s.v, s.n, &p, NULL));
	p.src.tags = &app;
	assert_true(stim_firewall_allows(s.v, s.n, &p, NULL));
	p = tcp_in(IP(10, 0, 0, 9), 53);
	p.proto = 17;
	p.src.service_account = "lb@p";
	assert_true(stim_firewall_allows(s.v, s.n, &p, NULL));
	p.dst.service_account = "other@p";
	assert_false(stim_firewall_allows(s.v, s.n, &p, NULL));
	stim_strv_fini(&app);
	fw_rules_fini(&s);
}

static void test_egress(void **state)
{
	struct fw_rules s = { 0 };
	struct stim_fw_packet p = tcp_in(IP(10, 0, 0, 3), 53);

	/* The instance is the source now: 10.0.0.3 -> 8.8.8.8:53/udp. */
	p.egress = true;
	p.proto = 17;
	p.src = p.dst;
	p.dst = (struct stim_fw_end){ .addr = IP(8, 8, 8, 8) };
	fw_rules_add(&s, "{\"name\":\"no-dns\",\"direction\":\"EGRESS\",\"destinationRanges\":["
			 "\"8.8.8.8\"],\"denied\":[{\"IPProtocol\":\"udp\",\"ports\":[\"53\"]}]}");
	assert_false(stim_firewall_allows(s.v, s.n, &p, NULL));
	p.dst.addr = IP(1, 1, 1, 1); /* another resolver: the implied allow */
	assert_true(stim_firewall_allows(s.v, s.n, &p, NULL));
	/* An ingress rule never decides egress. */
	fw_rules_add(&s, "{\"name\":\"in\",\"denied\":[{\"IPProtocol\":\"all\"}],\"priority\":0}");
	assert_true(stim_firewall_allows(s.v, s.n, &p, NULL));
	/* ICMP has no ports: a port list never matches it. */
	p.proto = 1;
	p.port = -1;
	p.dst.addr = IP(8, 8, 8, 8);
	assert_true(stim_firewall_allows(s.v, s.n, &p, NULL));
	fw_rules_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_implied),
		cmocka_unit_test(test_priority_and_deny),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_egress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
