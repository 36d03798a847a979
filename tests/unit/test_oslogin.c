/* OS Login: the POSIX name and ids a user gets, key fingerprints, and a
 * profile through imports, expiry and deletes, over a fixture store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/oslogin.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

#define KEY_A "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCa alice@laptop"
#define KEY_B "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIb"

static int setup(void **state)
{
	struct fixture_project *f = fixture_project_open("oslogin", "os-proj");

	*state = f;
	return f == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	fixture_project_close(*state);
	return 0;
}

static void test_names(void **state)
{
	cleanup_free char *a = stim_oslogin_username("alice@example.com");
	cleanup_free char *none = stim_oslogin_username("None");
	cleanup_free char *sa =
		stim_oslogin_username("deploy-bot@a-long-project-id.iam.gserviceaccount.com");
	cleanup_free char *f1 = stim_oslogin_fingerprint(KEY_A);
	cleanup_free char *f2 =
		stim_oslogin_fingerprint("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCa");

	assert_string_equal(a, "alice_example_com");
	assert_string_equal(none, "none"); /* what gcloud sends with no credentials */
	assert_int_equal(strlen(sa), 32);  /* at most 32, as a user name may be */
	assert_int_equal(stim_oslogin_uid("None"), stim_oslogin_uid("None"));
	assert_true(stim_oslogin_uid("None") != stim_oslogin_uid("alice@example.com"));
	assert_true(stim_oslogin_uid("x") >= 100000 && stim_oslogin_uid("x") < 0x80000000u);
	/* The comment is not the key's. */
	assert_int_equal(strlen(f1), 64);
	assert_string_equal(f1, f2);
	/* sha256sum's of "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCa". */
	assert_string_equal(f1, "eacbe73d2b078491bef641748b5996c7bbd58dbdad9c2efd13bec783cdf440b5");
	assert_null(stim_oslogin_fingerprint("not-a-key"));
	assert_null(stim_oslogin_fingerprint(""));
}

static void test_profile(void **state)
{
	struct fixture_project *f = *state;
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *p = NULL;
	cleanup_json json_t *uids = NULL;
	cleanup_free char *lines = NULL;
	cleanup_free char *fp = stim_oslogin_fingerprint(KEY_A);
	json_t *acct;
	json_t *key = NULL;

	assert_int_equal(stim_oslogin_profile(&f->ctx, "None", "os-proj", &p, &err), 0);
	acct = json_array_get(json_object_get(p, "posixAccounts"), 0);
	assert_string_equal(json_string_value(json_object_get(acct, "username")), "none");
	assert_string_equal(json_string_value(json_object_get(acct, "homeDirectory")),
			    "/home/none");
	assert_string_equal(json_string_value(json_object_get(acct, "name")),
			    "users/None/projects/os-proj");
	assert_int_equal(json_object_size(json_object_get(p, "sshPublicKeys")), 0);
	json_decref(steal_pointer(&p));

	assert_int_equal(stim_oslogin_import(&f->ctx, "None", "os-proj", KEY_A, 0, &p, &err), 0);
	/* Again: the same key, once. */
	json_decref(steal_pointer(&p));
	assert_int_equal(stim_oslogin_import(&f->ctx, "None", "os-proj", KEY_A, 0, &p, &err), 0);
	assert_int_equal(json_object_size(json_object_get(p, "sshPublicKeys")), 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(p, "sshPublicKeys"), fp), "key")),
		KEY_A);
	/* One that expired already is kept but counts for nothing. */
	json_decref(steal_pointer(&p));
	assert_int_equal(
		stim_oslogin_import(&f->ctx, "bob@example.com", NULL, KEY_B, 1000, &p, &err), 0);
	assert_int_equal(json_object_size(json_object_get(p, "sshPublicKeys")), 0);

	assert_int_equal(stim_oslogin_accounts(&f->ctx, &lines, &uids, &err), 0);
	assert_string_equal(lines, "none:" KEY_A);
	assert_int_equal(json_integer_value(json_object_get(uids, "none")),
			 stim_oslogin_uid("None"));

	assert_int_equal(stim_oslogin_key_get(&f->ctx, "None", fp, &key, &err), 0);
	assert_string_equal(json_string_value(json_object_get(key, "fingerprint")), fp);
	json_decref(key);
	assert_int_equal(stim_oslogin_key_delete(&f->ctx, "None", fp, &err), 0);
	assert_int_equal(stim_oslogin_key_delete(&f->ctx, "None", fp, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_oslogin_import(&f->ctx, "None", NULL, "nonsense", 0, &p, &err), -1);
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_profile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
