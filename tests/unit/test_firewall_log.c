/* Firewall logging's records: the prefix a logged rule writes
 * (netns/nft.h) and a packet's first bytes read back into an event, and
 * the event as GCE's firewall log entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netns/nft.h"
#include "src/firewall_log_entry.h"
#include "tests/unit/fw_rules.h"

/* 10.0.0.2:40000 -> 10.0.0.3:22, TCP SYN: IPv4 header then ports. */
static const unsigned char syn[] = {
	0x45, 0, 0,  60, 0, 0, 0x40, 0,	   64, 6,  0, 0, 10, 0,
	0,    2, 10, 0,	 0, 3, 0x9c, 0x40, 0,  22, 0, 0, 0,  0,
};

static void test_roundtrip(void **state)
{
	struct fw_rules s = { 0 };
	char prefix[STIM_NFT_LOG_PREFIX_MAX];
	struct stim_fwlog_event ev;

	fw_rules_add(&s, "{\"name\":\"allow-ssh\",\"priority\":900,\"allowed\":[{\"IPProtocol\":"
			 "\"tcp\",\"ports\":[\"22\"]}],\"logConfig\":{\"enable\":true}}");
	stim_nft_log_prefix(&s.v[0], prefix);
	assert_int_equal(stim_fwlog_parse(prefix, syn, sizeof(syn), &ev), 0);
	assert_string_equal(ev.rule, "allow-ssh");
	assert_false(ev.egress);
	assert_false(ev.deny);
	assert_int_equal(ev.priority, 900);
	assert_int_equal(ev.proto, 6);
	assert_int_equal(ev.src, 0x0a000002);
	assert_int_equal(ev.dst, 0x0a000003);
	assert_int_equal(ev.src_port, 40000);
	assert_int_equal(ev.dst_port, 22);
	fw_rules_fini(&s);

	/* Not ours, or not IPv4, or cut short. */
	assert_int_equal(stim_fwlog_parse("something else", syn, sizeof(syn), &ev), -1);
	assert_int_equal(stim_fwlog_parse("r I A 1", syn, 12, &ev), -1);
	assert_int_equal(stim_fwlog_parse("r X A 1", syn, sizeof(syn), &ev), -1);
}

static void test_entry(void **state)
{
	struct stim_fwlog_event ev;
	struct stim_instance in = { .zone = "us-central1-a", .name = "vm" };
	json_t *e;
	json_t *p;

	assert_int_equal(stim_fwlog_parse("no-out E D 10", syn, sizeof(syn), &ev), 0);
	e = stim_fwlog_entry(&ev, "proj", "default", &in, 0);
	assert_string_equal(json_string_value(json_object_get(e, "logName")),
			    "projects/proj/logs/compute.googleapis.com%2Ffirewall");
	p = json_object_get(e, "jsonPayload");
	assert_string_equal(json_string_value(json_object_get(p, "disposition")), "DENIED");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(p, "rule_details"), "reference")),
		"network:default/firewall:no-out");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(p, "rule_details"), "direction")),
		"EGRESS");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(p, "connection"), "dest_ip")),
		"10.0.0.3");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(p, "connection"), "dest_port")),
		22);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(p, "instance"), "vm_name")),
		"vm");
	json_decref(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
