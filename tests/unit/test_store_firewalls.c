/* A network's firewall rules read through a memo: what changed in the
 * store is read again, what did not is the memo's own parse, and the
 * result is always the store's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/firewalls.h"
#include "src/json.h"
#include "src/store_firewalls.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

static int setup(void **state)
{
	struct fixture_project *f = fixture_project_open("store-firewalls", "fw-proj");

	*state = f;
	return f == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	fixture_project_close(*state);
	return 0;
}

static void put(struct stim_db *db, const char *json, bool update)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *body = stim_json_parse_body(json, strlen(json), &err);
	struct stim_firewall fw = { 0 };
	static int64_t id = 100;

	assert_non_null(body);
	if (stim_firewall_from_json(body, &fw, &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	fw.project = xstrdup("fw-proj");
	fw.id = id++;
	if (stim_store_firewall_put(db, &fw, update, &err) < 0)
		fail_msg("put: %s", err->msg);
	stim_firewall_fini(&fw);
}

/* The network's rules through the memo: their names, and the address of
 * each rule's name string (the same address: the memo's parse kept). */
static size_t scan(struct stim_db *db, struct stim_fw_memo *memo, const char **names,
		   const char **name_ptrs)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free struct stim_firewall *rules = NULL;
	size_t n;

	if (stim_store_firewall_scan_memo(db, "fw-proj", "n1", memo, &rules, &n, &err) < 0)
		fail_msg("scan: %s", err->msg);
	assert_true(n <= 4);
	for (size_t i = 0; i < n; i++) {
		names[i] = rules[i].name;
		name_ptrs[i] = rules[i].name;
	}
	return n;
}

static void test_memo(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	cleanup_db struct stim_db *db = stim_store_db(f->ctx.store, &err);
	struct stim_fw_memo *memo = stim_fw_memo_new();
	const char *names[4];
	const char *before[4];
	const char *after[4];
	cleanup_free struct stim_firewall *rules = NULL;
	size_t n;

	assert_non_null(db);
	put(db, "{\"name\":\"a\",\"network\":\"n1\",\"allowed\":[{\"IPProtocol\":\"tcp\"}]}",
	    false);
	put(db, "{\"name\":\"b\",\"network\":\"n1\",\"allowed\":[{\"IPProtocol\":\"udp\"}]}",
	    false);
	put(db, "{\"name\":\"c\",\"network\":\"n1\",\"allowed\":[{\"IPProtocol\":\"icmp\"}]}",
	    false);
	/* another network's (and the project's default network has its
	 * own four): never seen */
	put(db, "{\"name\":\"x\",\"network\":\"other\",\"allowed\":[{\"IPProtocol\":\"all\"}]}",
	    false);
	assert_int_equal(scan(db, memo, names, before), 3);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[2], "c");

	/* b changed, a gone, d new: c is the memo's parse still. */
	put(db,
	    "{\"name\":\"b\",\"network\":\"n1\",\"priority\":5,\"allowed\":[{\"IPProtocol\":"
	    "\"udp\"}]}",
	    true);
	assert_int_equal(stim_store_firewall_remove(db, "fw-proj", "a", &err), 0);
	put(db, "{\"name\":\"d\",\"network\":\"n1\",\"allowed\":[{\"IPProtocol\":\"tcp\"}]}",
	    false);
	assert_int_equal(scan(db, memo, names, after), 3);
	assert_string_equal(names[0], "b");
	assert_string_equal(names[1], "c");
	assert_string_equal(names[2], "d");
	assert_ptr_equal(after[1], before[2]);
	if (stim_store_firewall_scan_memo(db, "fw-proj", "n1", memo, &rules, &n, &err) < 0)
		fail_msg("scan: %s", err->msg);
	assert_int_equal(rules[0].priority, 5);
	assert_int_equal(rules[0].id, 101); /* b's: an update keeps the id */
	assert_string_equal(rules[0].project, "fw-proj");

	/* Empty: the memo lets everything go (ASan sees the rest). */
	free(steal_pointer(&rules));
	for (int i = 0; i < 3; i++)
		assert_int_equal(stim_store_firewall_remove(db, "fw-proj", names[i], &err), 0);
	assert_int_equal(scan(db, memo, names, after), 0);
	stim_fw_memo_free(memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
