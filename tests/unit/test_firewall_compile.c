/* The firewall compiler: rules and instances in, ordered lines with
 * resolved sets out; and, over many random rule sets, instances and
 * connections, the compiled chains decide exactly as GCE's model
 * (src/firewall_eval.h) does at the sender's egress and the receiver's
 * ingress. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/firewall_compile.h"
#include "tests/unit/fw_rules.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static struct stim_strv web;
static struct stim_strv db;

/* 10.0.0.2 web, 10.0.0.3 db (account db@p), 10.0.1.2 untagged. */
static const struct stim_fw_member *members(size_t *n)
{
	static struct stim_fw_member m[3];

	if (web.n == 0) {
		stim_strv_push(&web, "web");
		stim_strv_push(&db, "db");
	}
	m[0] = (struct stim_fw_member){ .addr = IP(10, 0, 0, 2), .instance_id = 1, .tags = &web };
	m[1] = (struct stim_fw_member){
		.addr = IP(10, 0, 0, 3), .instance_id = 2, .tags = &db, .service_account = "db@p"
	};
	m[2] = (struct stim_fw_member){ .addr = IP(10, 0, 1, 2), .instance_id = 3 };
	*n = 3;
	return m;
}

static void test_shape(void **state)
{
	struct fw_rules s = { 0 };
	struct stim_fw_ruleset rs;
	cleanup_error stim_error_t err = NULL;
	size_t nm;
	const struct stim_fw_member *m = members(&nm);

	fw_rules_add(
		&s,
		"{\"name\":\"web\",\"targetTags\":[\"web\"],\"sourceRanges\":[\"10.0.0.0/8\","
		"\"10.1.0.0/16\",\"192.168.0.1\"],\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":"
		"[\"80\",\"8000-8080\",\"81\"]},{\"IPProtocol\":\"udp\"}]}");
	fw_rules_add(
		&s,
		"{\"name\":\"deny\",\"denied\":[{\"IPProtocol\":\"all\"}],\"sourceTags\":[\"web\"],"
		"\"sourceServiceAccounts\":[],\"priority\":1000}");
	fw_rules_add(&s, "{\"name\":\"first\",\"priority\":5,\"allowed\":[{\"IPProtocol\":\"all\"},"
			 "{\"IPProtocol\":\"tcp\"}],\"targetServiceAccounts\":[\"db@p\"]}");
	fw_rules_add(&s,
		     "{\"name\":\"nobody\",\"targetTags\":[\"none\"],\"allowed\":[{\"IPProtocol\":"
		     "\"tcp\"}]}");
	fw_rules_add(&s,
		     "{\"name\":\"off\",\"disabled\":true,\"allowed\":[{\"IPProtocol\":\"tcp\"}]}");
	fw_rules_add(
		&s,
		"{\"name\":\"out\",\"direction\":\"EGRESS\",\"denied\":[{\"IPProtocol\":\"icmp\"}],"
		"\"destinationRanges\":[\"0.0.0.0/0\"]}");
	if (stim_fw_compile(s.v, s.n, m, nm, &rs, &err) < 0)
		fail_msg("%s", err->msg);

	/* "first" (priority 5, one line: all covers tcp), then at 1000 the
	 * deny before web's two lines; "nobody" and "off" make none. */
	assert_int_equal(rs.ningress, 4);
	assert_string_equal(rs.ingress[0].rule->name, "first");
	assert_int_equal(rs.ingress[0].proto, -1);
	assert_int_equal(rs.ingress[0].targets.n, 1);
	assert_int_equal(rs.ingress[0].targets.v[0].lo, IP(10, 0, 0, 3));
	assert_true(rs.ingress[0].src.any); /* no source: 0.0.0.0/0 */
	assert_string_equal(rs.ingress[1].rule->name, "deny");
	assert_true(rs.ingress[1].deny);
	assert_int_equal(rs.ingress[1].src.n, 1); /* the web instance */
	assert_int_equal(rs.ingress[1].src.v[0].lo, IP(10, 0, 0, 2));

	/* web: 10.1.0.0/16 folds into 10.0.0.0/8; ports 80 and 81 join. */
	assert_string_equal(rs.ingress[2].rule->name, "web");
	assert_int_equal(rs.ingress[2].proto, 6);
	assert_int_equal(rs.ingress[2].src.n, 2);
	assert_int_equal(rs.ingress[2].src.v[0].lo, IP(10, 0, 0, 0));
	assert_int_equal(rs.ingress[2].src.v[0].hi, IP(10, 255, 255, 255));
	assert_int_equal(rs.ingress[2].src.v[1].lo, IP(192, 168, 0, 1));
	assert_int_equal(rs.ingress[2].ports.n, 2);
	assert_int_equal(rs.ingress[2].ports.v[0].lo, 80);
	assert_int_equal(rs.ingress[2].ports.v[0].hi, 81);
	assert_int_equal(rs.ingress[2].ports.v[1].lo, 8000);
	assert_int_equal(rs.ingress[2].ports.v[1].hi, 8080);
	assert_true(rs.ingress[2].dst.any);
	assert_int_equal(rs.ingress[3].proto, 17);
	assert_true(rs.ingress[3].ports.any);

	assert_int_equal(rs.negress, 1);
	assert_true(rs.egress[0].dst.any);
	assert_true(rs.egress[0].targets.any);
	assert_int_equal(rs.egress[0].proto, 1);
	assert_int_equal(rs.members.n, 2); /* 10.0.0.2-3 and 10.0.1.2 */
	stim_fw_ruleset_fini(&rs);
	fw_rules_fini(&s);
}

static void test_paths(void **state)
{
	struct fw_rules s = { 0 };
	struct stim_fw_ruleset rs;
	cleanup_error stim_error_t err = NULL;
	const struct stim_fw_line *by;
	size_t nm;
	const struct stim_fw_member *m = members(&nm);
	struct stim_fw_packet p = { .proto = 6, .port = 5432 };

	fw_rules_add(
		&s,
		"{\"name\":\"db\",\"targetTags\":[\"db\"],\"sourceTags\":[\"web\"],\"allowed\":["
		"{\"IPProtocol\":\"tcp\",\"ports\":[\"5432\"]}]}");
	fw_rules_add(&s, "{\"name\":\"no-out\",\"direction\":\"EGRESS\",\"targetTags\":[\"db\"],"
			 "\"denied\":[{\"IPProtocol\":\"all\"}]}");
	assert_int_equal(stim_fw_compile(s.v, s.n, m, nm, &rs, &err), 0);

	p.src.addr = IP(10, 0, 0, 2); /* web -> db: both checks pass */
	p.dst.addr = IP(10, 0, 0, 3);
	assert_true(stim_fw_ruleset_allows(&rs, &p, &by));
	assert_string_equal(by->rule->name, "db");
	p.src.addr = IP(10, 0, 1, 2); /* untagged -> db: the implied deny */
	assert_false(stim_fw_ruleset_allows(&rs, &p, &by));
	assert_null(by);
	p.src.addr = IP(10, 0, 0, 3); /* db -> web: db's egress denied */
	p.dst.addr = IP(10, 0, 0, 2);
	assert_false(stim_fw_ruleset_allows(&rs, &p, &by));
	assert_string_equal(by->rule->name, "no-out");
	p.src.addr = IP(10, 0, 0, 2); /* web -> outside: implied allow */
	p.dst.addr = IP(8, 8, 8, 8);
	assert_true(stim_fw_ruleset_allows(&rs, &p, NULL));
	p.src.addr = IP(8, 8, 8, 8); /* outside -> db: tags are not ranges */
	p.dst.addr = IP(10, 0, 0, 3);
	assert_false(stim_fw_ruleset_allows(&rs, &p, NULL));
	stim_fw_ruleset_fini(&rs);
	fw_rules_fini(&s);
}

/* A small deterministic generator (xorshift), so a failure repeats. */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd((uint32_t)n)];
}

#define PICK(v) pick(v, sizeof(v) / sizeof(v[0]))

static void random_rule(struct fw_rules *s, int i)
{
	static const char *const protos[] = {
		"{\"IPProtocol\":\"tcp\"}",
		"{\"IPProtocol\":\"tcp\",\"ports\":[\"22\",\"80-90\"]}",
		"{\"IPProtocol\":\"udp\",\"ports\":[\"53\"]}",
		"{\"IPProtocol\":\"icmp\"}",
		"{\"IPProtocol\":\"all\"}",
		"{\"IPProtocol\":\"6\",\"ports\":[\"80\"]},{\"IPProtocol\":\"17\"}",
	};
	static const char *const ranges[] = {
		"",
		"\"10.0.0.0/24\"",
		"\"10.0.0.2\"",
		"\"0.0.0.0/0\"",
		"\"10.0.0.0/8\",\"8.8.8.0/24\"",
		"\"192.168.1.0/24\"",
	};
	static const char *const tags[] = { "", "\"web\"", "\"db\"", "\"web\",\"db\"", "\"x\"" };
	static const char *const sas[] = { "", "\"db@p\"", "\"other@p\"" };
	static const char *const prios[] = { "0", "100", "1000", "1000", "65535" };
	bool egress = rnd(3) == 0;
	bool deny = rnd(2) == 0;
	char json[1024];
	int k;
	const char *src = PICK(ranges);
	const char *stags = egress ? "" : PICK(tags);
	const char *ttags = PICK(tags);
	const char *tsas = *ttags == '\0' ? PICK(sas) : "";

	k = snprintf(json, sizeof(json),
		     "{\"name\":\"r%d\",\"direction\":\"%s\",\"priority\":%s,\"%s\":[%s],"
		     "\"disabled\":%s",
		     i, egress ? "EGRESS" : "INGRESS", PICK(prios), deny ? "denied" : "allowed",
		     PICK(protos), rnd(8) == 0 ? "true" : "false");
	if (*src != '\0')
		k += snprintf(json + k, sizeof(json) - k, ",\"sourceRanges\":[%s]", src);
	if (*stags != '\0')
		k += snprintf(json + k, sizeof(json) - k, ",\"sourceTags\":[%s]", stags);
	if (rnd(3) == 0)
		k += snprintf(json + k, sizeof(json) - k, ",\"destinationRanges\":[%s]",
			      egress ? "\"8.8.8.0/24\"" : "\"10.0.0.0/24\"");
	if (*ttags != '\0')
		k += snprintf(json + k, sizeof(json) - k, ",\"targetTags\":[%s]", ttags);
	if (*tsas != '\0')
		k += snprintf(json + k, sizeof(json) - k, ",\"targetServiceAccounts\":[%s]", tsas);
	snprintf(json + k, sizeof(json) - k, "}");
	fw_rules_add(s, json);
}

/* The member owning addr, as a packet end. */
static struct stim_fw_end end_of(uint32_t addr, const struct stim_fw_member *m, size_t nm,
				 bool *member)
{
	for (size_t i = 0; i < nm; i++) {
		if (m[i].addr == addr) {
			*member = true;
			return (struct stim_fw_end){ addr, m[i].tags, m[i].service_account };
		}
	}
	*member = false;
	return (struct stim_fw_end){ .addr = addr };
}

/* GCE's model: the sender's egress when it is an instance, then the
 * receiver's ingress when it is one. */
static bool reference(const struct fw_rules *s, struct stim_fw_packet p,
		      const struct stim_fw_member *m, size_t nm)
{
	bool src_member;
	bool dst_member;

	p.src = end_of(p.src.addr, m, nm, &src_member);
	p.dst = end_of(p.dst.addr, m, nm, &dst_member);
	p.egress = true;
	if (src_member && !stim_firewall_allows(s->v, s->n, &p, NULL))
		return false;
	p.egress = false;
	return !dst_member || stim_firewall_allows(s->v, s->n, &p, NULL);
}

static void test_agrees_with_model(void **state)
{
	static const uint32_t addrs[] = {
		IP(10, 0, 0, 2), IP(10, 0, 0, 3),    IP(10, 0, 1, 2),
		IP(8, 8, 8, 8),	 IP(192, 168, 1, 9),
	};
	static const int protos[] = { 6, 17, 1, 47 };
	static const int ports[] = { 22, 53, 80, 85, 91, 443 };
	size_t nm;
	const struct stim_fw_member *m = members(&nm);
	int checked = 0;

	for (int round = 0; round < 300; round++) {
		struct fw_rules s = { 0 };
		struct stim_fw_ruleset rs;
		cleanup_error stim_error_t err = NULL;
		int nrules = 1 + (int)rnd(FW_RULES_MAX - 1);

		for (int i = 0; i < nrules; i++)
			random_rule(&s, i);
		assert_int_equal(stim_fw_compile(s.v, s.n, m, nm, &rs, &err), 0);
		for (int k = 0; k < 60; k++) {
			struct stim_fw_packet p = {
				.proto = protos[rnd(4)],
				.src.addr = addrs[rnd(5)],
				.dst.addr = addrs[rnd(5)],
			};

			p.port = p.proto == 6 || p.proto == 17 ? ports[rnd(6)] : -1;
			if (p.src.addr == p.dst.addr)
				continue;
			if (stim_fw_ruleset_allows(&rs, &p, NULL) != reference(&s, p, m, nm))
				fail_msg("round %d: proto %d port %d from %08x to %08x disagrees",
					 round, p.proto, p.port, p.src.addr, p.dst.addr);
			checked++;
		}
		stim_fw_ruleset_fini(&rs);
		fw_rules_fini(&s);
	}
	assert_true(checked > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_agrees_with_model),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	stim_strv_fini(&web);
	stim_strv_fini(&db);
	return ret;
}
