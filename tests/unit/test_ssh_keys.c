/* The `ssh-keys` metadata value, as gcloud writes it (reference/gcloud/
 * ssh.md) and as the guest agent reads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "src/ssh_keys.h"

#define ALICE_KEY "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCalice"
#define BOB_KEY	  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIbob"

/* 2026-11-22T15:13:25Z */
#define EXPIRY 1795360405

static const char value[] =
	"alice:" ALICE_KEY " root@host\n"
	"bob:" BOB_KEY
	" google-ssh {\"userName\":\"bob\",\"expireOn\":\"2026-11-22T15:13:25+0000\"}\r\n"
	"not a key line\n"
	"-evil:" ALICE_KEY "\n"
	"carol:ssh-rsa\n"
	"alice:" BOB_KEY;

static void test_allow(void **state)
{
	/* the key with any comment, or none; the user must be the key's */
	assert_true(stim_ssh_keys_allow(value, "alice", ALICE_KEY " other@comment", 0));
	assert_true(stim_ssh_keys_allow(value, "alice", ALICE_KEY, 0));
	assert_true(stim_ssh_keys_allow(value, "alice", BOB_KEY, 0));
	assert_false(stim_ssh_keys_allow(value, "root", ALICE_KEY, 0));
	/* the same blob under another type is another key */
	assert_false(stim_ssh_keys_allow(value, "alice",
					 "ssh-dss AAAAB3NzaC1yc2EAAAADAQABAAABAQCalice", 0));
	assert_false(stim_ssh_keys_allow(value, "alice", "ssh-rsa AAAAB3Nza", 0));
	/* a name no account may have, a line that does not parse */
	assert_false(stim_ssh_keys_allow(value, "-evil", ALICE_KEY, 0));
	assert_false(stim_ssh_keys_allow(NULL, "alice", ALICE_KEY, 0));
	assert_false(stim_ssh_keys_allow(value, "alice", "", 0));
}

/* google-ssh's expireOn: valid up to the second before. */
static void test_expiry(void **state)
{
	assert_true(stim_ssh_keys_allow(value, "bob", BOB_KEY, EXPIRY - 1));
	assert_false(stim_ssh_keys_allow(value, "bob", BOB_KEY, EXPIRY));
	assert_true(stim_ssh_keys_allow("bob:" BOB_KEY " google-ssh {\"expireOn\":\"2026-11-22T16:"
					"13:25+0100\"}",
					"bob", BOB_KEY, EXPIRY - 1));
	assert_false(stim_ssh_keys_allow("bob:" BOB_KEY " google-ssh {\"expireOn\":\"2026-11-22T16:"
					 "13:25+0100\"}",
					 "bob", BOB_KEY, EXPIRY));
	/* one that does not parse never expires */
	assert_true(stim_ssh_keys_allow("bob:" BOB_KEY " google-ssh {\"expireOn\":\"soon\"}", "bob",
					BOB_KEY, EXPIRY + 1000));
}

static void test_users(void **state)
{
	struct stim_strv users = { 0 };

	stim_ssh_keys_users(value, 0, &users);
	assert_int_equal(users.n, 2); /* alice once, bob; carol's line has no key */
	assert_true(stim_strv_contains(&users, "alice"));
	assert_true(stim_strv_contains(&users, "bob"));
	stim_strv_fini(&users);

	stim_ssh_keys_users(value, EXPIRY, &users);
	assert_false(stim_strv_contains(&users, "bob"));
	stim_strv_fini(&users);

	assert_true(stim_ssh_user_valid("a.b_c-d9"));
	assert_false(stim_ssh_user_valid("a b"));
	assert_false(stim_ssh_user_valid("../etc"));
	assert_false(stim_ssh_user_valid("abcdefghijabcdefghijabcdefghijabc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_users),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
