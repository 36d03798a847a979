/* A firewall as nftables messages, without a kernel: how a dispatch
 * chain changes (netns/nft_plan.h), the transaction that makes the
 * tables afresh, and the small ones that change them after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/netfilter/nf_tables.h>

#include "netns/nft.h"
#include "netns/nft_plan.h"
#include "src/cleanup.h"
#include "src/firewall_compile.h"
#include "tests/unit/fw_rules.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* ---- the planner ---- */

#define NOLD 4

/* Old order A B C D, handles 10 20 30 40, hashes 1 2 3 4. */
static struct stim_nft_slot old[NOLD];

static void old_slots(void)
{
	static const char *const names[NOLD] = { "a", "b", "c", "d" };

	for (int i = 0; i < NOLD; i++)
		old[i] = (struct stim_nft_slot){ .name = (char *)names[i],
						 .hash = (uint64_t)i + 1,
						 .handle = 10 * ((uint64_t)i + 1) };
}

static void plan(const char *const *names, const uint64_t *hashes, size_t n,
		 struct stim_nft_step *steps, enum stim_nft_fate *fates)
{
	old_slots();
	stim_nft_plan(old, NOLD, names, hashes, n, steps, fates);
}

static void test_plan_same(void **state)
{
	const char *names[] = { "a", "b", "c", "d" };
	uint64_t hashes[] = { 1, 2, 3, 4 };
	struct stim_nft_step steps[4];
	enum stim_nft_fate fates[NOLD];

	plan(names, hashes, 4, steps, fates);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(steps[i].old, i);
		assert_false(steps[i].fill);
		assert_false(steps[i].jump);
		assert_int_equal(fates[i], STIM_NFT_STAYS);
	}
}

/* A new rule goes before the next kept one; one at the end appends; a
 * changed rule is filled again where it is; a rule left out goes. */
static void test_plan_insert_change_remove(void **state)
{
	const char *names[] = { "a", "new", "b", "d", "last" };
	uint64_t hashes[] = { 1, 9, 7, 4, 9 };
	struct stim_nft_step steps[5];
	enum stim_nft_fate fates[NOLD];

	plan(names, hashes, 5, steps, fates);
	assert_true(steps[1].old == STIM_NFT_NEW && steps[1].fill && steps[1].jump);
	assert_int_equal(steps[1].before, 20);
	assert_true(steps[2].fill && !steps[2].jump); /* b changed, in place */
	assert_true(steps[4].jump);
	assert_int_equal(steps[4].before, 0);
	assert_int_equal(fates[2], STIM_NFT_GOES);
	assert_int_equal(fates[3], STIM_NFT_STAYS);
}

/* Order changed: the rules met out of their old order move, each before
 * the next rule that stays. */
static void test_plan_moves(void **state)
{
	const char *names[] = { "c", "a", "b", "d" };
	uint64_t hashes[] = { 3, 1, 2, 4 };
	struct stim_nft_step steps[4];
	enum stim_nft_fate fates[NOLD];

	plan(names, hashes, 4, steps, fates);
	assert_false(steps[0].jump); /* c stays: the first met */
	assert_true(steps[1].jump && steps[2].jump);
	assert_false(steps[1].fill || steps[2].fill);
	assert_int_equal(steps[1].before, 40);
	assert_int_equal(steps[2].before, 40);
	assert_false(steps[3].jump);
	assert_int_equal(fates[0], STIM_NFT_MOVES);
	assert_int_equal(fates[1], STIM_NFT_MOVES);
	assert_int_equal(fates[2], STIM_NFT_STAYS);
}

/* A jump whose handle never came back is no anchor: it is made again. */
static void test_plan_unknown_handle(void **state)
{
	const char *names[] = { "a", "b" };
	uint64_t hashes[] = { 1, 2 };
	struct stim_nft_step steps[2];
	enum stim_nft_fate fates[NOLD];

	old_slots();
	old[1].handle = 0;
	stim_nft_plan(old, NOLD, names, hashes, 2, steps, fates);
	assert_true(steps[1].jump);
	assert_int_equal(fates[1], STIM_NFT_MOVES);
	assert_int_equal(steps[1].before, 0);
}

/* ---- batches ---- */

static struct stim_strv web;

/* 10.0.0.2 web, 10.0.0.3 and 10.0.1.2 untagged. */
static const struct stim_fw_member *members(size_t *n)
{
	static struct stim_fw_member m[3];

	if (web.n == 0)
		stim_strv_push(&web, "web");
	m[0] = (struct stim_fw_member){ .addr = IP(10, 0, 0, 2), .instance_id = 1, .tags = &web };
	m[1] = (struct stim_fw_member){ .addr = IP(10, 0, 0, 3), .instance_id = 2 };
	m[2] = (struct stim_fw_member){ .addr = IP(10, 0, 1, 2), .instance_id = 3 };
	*n = 3;
	return m;
}

static struct stim_nft_port port = { "v000000000001", IP(10, 0, 0, 2) };

/* s compiled and built from st (its batch taken as applied, the jumps
 * given handles from 1000 on), then each count checked: NEWRULE,
 * DELRULE, NEWCHAIN, DELCHAIN, NEWSET, DELSET, DELSETELEM. */
static void change(struct stim_nft_state *st, const struct fw_rules *s, size_t nports,
		   const int want[7])
{
	static const int types[7] = { NFT_MSG_NEWRULE,	 NFT_MSG_DELRULE, NFT_MSG_NEWCHAIN,
				      NFT_MSG_DELCHAIN,	 NFT_MSG_NEWSET,  NFT_MSG_DELSET,
				      NFT_MSG_DELSETELEM };
	static uint64_t handles = 1000;
	cleanup_error stim_error_t err = NULL;
	struct stim_fw_ruleset rs;
	struct stim_nft_batch *b;
	size_t nm;
	const struct stim_fw_member *m = members(&nm);

	assert_int_equal(stim_fw_compile(s->v, s->n, m, nm, &rs, &err), 0);
	b = stim_nft_batch_build(st, &rs, &port, nports);
	for (int i = 0; i < 7; i++) {
		if ((int)stim_nft_batch_count(b, types[i]) != want[i])
			fail_msg("message type %d: %zu, not %d", types[i],
				 stim_nft_batch_count(b, types[i]), want[i]);
	}
	stim_nft_batch_applied(b, handles);
	handles += 100;
	stim_nft_batch_free(b);
	stim_fw_ruleset_fini(&rs);
}

/* The tables made afresh: the fixed rules of each chain, a chain per
 * rule with a jump to it, and per line a rule for each combination of
 * the spans it expands, or a named set (made once for equal contents)
 * where the combinations would be too many. */
static void test_batch_fresh(void **state)
{
	struct fw_rules s = { 0 };
	struct stim_fw_ruleset rs;
	cleanup_error stim_error_t err = NULL;
	struct stim_nft_batch *b;
	size_t nm;
	const struct stim_fw_member *m = members(&nm);

	/* One span each: compares, no set. */
	fw_rules_add(&s, "{\"name\":\"two\",\"targetTags\":[\"web\"],\"allowed\":[{"
			 "\"IPProtocol\":\"tcp\",\"ports\":[\"80\"]},{\"IPProtocol\":\"udp\"}]}");
	assert_int_equal(stim_fw_compile(s.v, s.n, m, nm, &rs, &err), 0);
	b = stim_nft_batch_build(NULL, &rs, &port, 1);
	/* inet and bridge: made if missing, deleted, made; then the
	 * closing message that asks for the ack. */
	assert_int_equal(stim_nft_batch_count(b, NFT_MSG_NEWTABLE), 5);
	assert_int_equal(stim_nft_batch_count(b, NFT_MSG_DELTABLE), 2);
	/* egress, ingress, to_instance, egress_allowed, forward, input,
	 * nat_in, nat_out, the bridge's prerouting, the rule's. */
	assert_int_equal(stim_nft_batch_count(b, NFT_MSG_NEWCHAIN), 10);
	/* Two lines and their rule's jump; to_instance's two (ingress,
	 * implied deny), egress_allowed's two, forward's four (replies,
	 * egress, ingress, the host's to no instance), input's three
	 * (replies, loopback, metadata); DNAT and SNAT; the bridge's three
	 * (IPv4, ARP, the rest dropped). */
	assert_int_equal(stim_nft_batch_count(b, NFT_MSG_NEWRULE), 3 + 2 + 2 + 4 + 3 + 2 + 3);
	/* members, the two NAT maps (empty: no message of elements), ports */
	assert_int_equal(stim_nft_batch_count(b, NFT_MSG_NEWSET), 4);
	assert_int_equal(stim_nft_batch_count(b, NFT_MSG_NEWSETELEM), 2);
	assert_false(stim_nft_batch_empty(b));
	assert_true(stim_nft_batch_len(b) > 1000);
	stim_nft_batch_free(b);
	stim_fw_ruleset_fini(&rs);
	fw_rules_fini(&s);

	/* 3 sources x 3 ports would be 9 rules: the sources become a set,
	 * the ports 3 rules. udp's 3 sources alone: 3 rules. The deny has
	 * the same sources: the same set. */
	fw_rules_add(&s, "{\"name\":\"a\",\"sourceRanges\":[\"1.0.0.0/8\",\"3.0.0.0/8\","
			 "\"5.0.0.0/8\"],\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"1\","
			 "\"3\",\"5\"]},{\"IPProtocol\":\"udp\"}]}");
	fw_rules_add(&s, "{\"name\":\"c\",\"priority\":7,\"sourceRanges\":[\"1.0.0.0/8\","
			 "\"3.0.0.0/8\",\"5.0.0.0/8\"],\"denied\":[{\"IPProtocol\":\"tcp\","
			 "\"ports\":[\"1\",\"3\",\"5\"]}]}");
	assert_int_equal(stim_fw_compile(s.v, s.n, m, nm, &rs, &err), 0);
	b = stim_nft_batch_build(NULL, &rs, &port, 1);
	assert_int_equal(stim_nft_batch_count(b, NFT_MSG_NEWSET), 5);
	assert_int_equal(stim_nft_batch_count(b, NFT_MSG_NEWRULE),
			 3 + 3 + 3 + 2 + 2 + 2 + 4 + 3 + 2 + 3);
	stim_nft_batch_free(b);
	stim_fw_ruleset_fini(&rs);
	fw_rules_fini(&s);
}

#define RULE_A                                                                                     \
	"{\"name\":\"a\",\"sourceRanges\":[\"1.0.0.0/8\",\"3.0.0.0/8\",\"5.0.0.0/"                 \
	"8\"],\"allowed\":["                                                                       \
	"{\"IPProtocol\":\"tcp\",\"ports\":[\"1\",\"3\",\"5\"]}]}"

/* After the tables are made, each change sends only what it changes. */
static void test_batch_changes(void **state)
{
	struct stim_nft_state *st = stim_nft_state_new();
	struct fw_rules s = { 0 };

	/* a: its sources a set (3 x 3 spans), 3 rules; c: 3 rules, no set. */
	fw_rules_add(&s, RULE_A);
	fw_rules_add(&s, "{\"name\":\"c\",\"priority\":7,\"sourceRanges\":[\"9.0.0.0/8\"],"
			 "\"denied\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"1\",\"3\",\"5\"]}]}");
	change(st, &s, 1, (const int[]){ 3 + 3 + 2 + 16, 0, 10 + 1, 0, 5, 0, 0 });
	assert_true(stim_nft_state_valid(st));

	/* The same again: nothing to send. */
	change(st, &s, 1, (const int[]){ 0, 0, 0, 0, 0, 0, 0 });

	/* c's ports: its chain emptied and filled, nothing else. */
	fw_rules_fini(&s);
	fw_rules_add(&s, RULE_A);
	fw_rules_add(&s, "{\"name\":\"c\",\"priority\":7,\"sourceRanges\":[\"9.0.0.0/8\"],"
			 "\"denied\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"1\",\"3\"]}]}");
	change(st, &s, 1, (const int[]){ 2, 1, 0, 0, 0, 0, 0 });

	/* c below a: c's jump deleted and made again after a's, its chain
	 * emptied and filled (the priority is in its log prefix). */
	fw_rules_fini(&s);
	fw_rules_add(&s, RULE_A);
	fw_rules_add(&s, "{\"name\":\"c\",\"priority\":2000,\"sourceRanges\":[\"9.0.0.0/8\"],"
			 "\"denied\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"1\",\"3\"]}]}");
	change(st, &s, 1, (const int[]){ 2 + 1, 2, 0, 0, 0, 0, 0 });

	/* A new rule with a set of its own: chain, set, lines, jump. */
	fw_rules_add(&s, "{\"name\":\"d\",\"sourceRanges\":[\"2.0.0.0/8\",\"4.0.0.0/8\","
			 "\"6.0.0.0/8\"],\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"2\","
			 "\"4\",\"6\"]}]}");
	change(st, &s, 1, (const int[]){ 3 + 1, 0, 1, 0, 1, 0, 0 });

	/* a gone: its jump and chain, and its set, which nothing else
	 * looks up. */
	stim_firewall_fini(&s.v[0]);
	memmove(&s.v[0], &s.v[1], 2 * sizeof(s.v[0]));
	s.n = 2;
	change(st, &s, 1, (const int[]){ 0, 1, 0, 1, 0, 1, 0 });

	/* A port less: the NAT maps and the bridge's ports emptied and
	 * filled (with nothing), rules untouched. */
	change(st, &s, 0, (const int[]){ 0, 0, 0, 0, 0, 0, 3 });

	fw_rules_fini(&s);
	stim_nft_state_free(st);
}

/* A batch built and never sent leaves the state forgotten: the next is
 * made afresh. */
static void test_batch_unsent(void **state)
{
	struct stim_nft_state *st = stim_nft_state_new();
	struct fw_rules s = { 0 };
	cleanup_error stim_error_t err = NULL;
	struct stim_fw_ruleset rs;
	size_t nm;
	const struct stim_fw_member *m = members(&nm);

	fw_rules_add(&s, RULE_A);
	change(st, &s, 1, (const int[]){ 3 + 1 + 16, 0, 10, 0, 5, 0, 0 });
	assert_int_equal(stim_fw_compile(s.v, s.n, m, nm, &rs, &err), 0);
	stim_nft_batch_free(stim_nft_batch_build(st, &rs, &port, 1));
	assert_false(stim_nft_state_valid(st));
	stim_fw_ruleset_fini(&rs);
	change(st, &s, 1, (const int[]){ 3 + 1 + 16, 0, 10, 0, 5, 0, 0 });
	fw_rules_fini(&s);
	stim_nft_state_free(st);
}

/* Many members and ranges: the set's elements span several messages
 * (a netlink attribute holds at most 64 KiB), and the batch pages. */
static void test_batch_large(void **state)
{
	struct fw_rules s = { 0 };
	struct stim_fw_ruleset rs;
	cleanup_error stim_error_t err = NULL;
	struct stim_nft_batch *b;
	struct stim_fw_member *m = calloc(20000, sizeof(*m));
	struct stim_nft_port *ports = calloc(20000, sizeof(*ports));

	for (int i = 0; i < 20000; i++) {
		/* Every other address, so no two merge into one span. */
		m[i] = (struct stim_fw_member){ .addr = IP(10, 0, 0, 0) + 2 * (uint32_t)i,
						.instance_id = i };
		snprintf(ports[i].ifname, sizeof(ports[i].ifname), "v%012x", i);
		ports[i].addr = m[i].addr;
	}
	fw_rules_add(&s, "{\"name\":\"all\",\"allowed\":[{\"IPProtocol\":\"all\"}]}");
	assert_int_equal(stim_fw_compile(s.v, s.n, m, 20000, &rs, &err), 0);
	assert_int_equal(rs.members.n, 20000);
	b = stim_nft_batch_build(NULL, &rs, ports, 20000);
	assert_true(stim_nft_batch_count(b, NFT_MSG_NEWSETELEM) > 4);
	assert_true(stim_nft_batch_len(b) > 512 * 1024); /* pages of 128 KiB */
	stim_nft_batch_free(b);
	stim_fw_ruleset_fini(&rs);
	fw_rules_fini(&s);
	free(m);
	free(ports);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_same),
		cmocka_unit_test(test_plan_insert_change_remove),
		cmocka_unit_test(test_plan_moves),
		cmocka_unit_test(test_plan_unknown_handle),
		cmocka_unit_test(test_batch_fresh),
		cmocka_unit_test(test_batch_changes),
		cmocka_unit_test(test_batch_unsent),
		cmocka_unit_test(test_batch_large),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	stim_strv_fini(&web);
	return ret;
}
