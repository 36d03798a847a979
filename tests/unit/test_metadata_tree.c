/* The metadata server's answers, path by path, as metadata.google.internal
 * gives them: directory listings, hyphenated segments, the user's own
 * attribute keys, leaves as text or JSON, recursive JSON without the
 * server's own token, and 404s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/metadata_tree.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static json_t *tree;

static int setup(void **state)
{
	static struct stim_instance in;
	static struct stim_labels project_attrs;
	struct stim_mds_view v = { .in = &in,
				   .project = "p",
				   .project_number = 42,
				   .project_attrs = &project_attrs,
				   .range = { IP(10, 128, 0, 0), 20 },
				   .mtu = 1460 };

	in.project = "p";
	in.zone = "us-central1-a";
	in.name = "vm";
	in.id = 1234567890123;
	in.machine_type = "e2-small";
	in.image = "busybox";
	in.nic.network = "default";
	in.nic.ip = IP(10, 128, 0, 2);
	in.service_account = "42-compute@developer.gserviceaccount.com";
	in.scopes = "https://www.googleapis.com/auth/cloud-platform "
		    "https://www.googleapis.com/auth/devstorage.read_only";
	stim_labels_set(&in.metadata, "startup-script", "echo hi");
	stim_labels_set(&in.metadata, "enable-oslogin", "FALSE");
	stim_strv_push(&in.tags, "web");
	stim_labels_set(&project_attrs, "ssh-keys", "alice:ssh-ed25519 AAAA alice");
	tree = stim_mds_tree(&v);
	stim_labels_fini(&in.metadata);
	stim_strv_fini(&in.tags);
	stim_labels_fini(&project_attrs);
	return tree != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	json_decref(tree);
	return 0;
}

/* The answer's body, checked to be of kind. */
static char *ask(const char *path, bool recursive, const char *alt, enum stim_mds_kind kind)
{
	struct stim_mds_answer a;

	stim_mds_resolve(tree, path, recursive, alt, &a);
	if (a.kind != kind)
		fail_msg("%s: kind %d, wanted %d (%s)", path, a.kind, kind,
			 a.body != NULL ? a.body : "");
	return a.body;
}

static void expect(const char *path, const char *want)
{
	cleanup_free char *got = ask(path, false, NULL, STIM_MDS_TEXT);

	assert_string_equal(got, want);
}

static void test_leaves(void **state)
{
	expect("instance/hostname", "vm.us-central1-a.c.p.internal");
	expect("instance/id", "1234567890123");
	expect("instance/name", "vm");
	expect("instance/zone", "projects/42/zones/us-central1-a");
	expect("instance/machine-type", "projects/42/machineTypes/e2-small");
	expect("instance/network-interfaces/0/ip", "10.128.0.2");
	expect("instance/network-interfaces/0/gateway", "10.128.0.1");
	expect("instance/network-interfaces/0/subnetmask", "255.255.240.0");
	expect("instance/network-interfaces/0/network", "projects/42/networks/default");
	expect("instance/attributes/startup-script", "echo hi");
	expect("instance/tags", "[\"web\"]");
	expect("instance/service-accounts/default/email",
	       "42-compute@developer.gserviceaccount.com");
	expect("instance/service-accounts/default/scopes",
	       "https://www.googleapis.com/auth/cloud-platform\n"
	       "https://www.googleapis.com/auth/devstorage.read_only\n");
	expect("project/project-id", "p");
	expect("project/numeric-project-id", "42");
	expect("project/attributes/ssh-keys", "alice:ssh-ed25519 AAAA alice");
	{
		cleanup_free char *j = ask("instance/hostname", false, "json", STIM_MDS_JSON);

		assert_string_equal(j, "\"vm.us-central1-a.c.p.internal\"");
	}
}

static void test_directories(void **state)
{
	cleanup_free char *inst = ask("instance/", false, NULL, STIM_MDS_TEXT);

	expect("", "instance/\nproject/\n");
	assert_non_null(strstr(inst, "attributes/\n"));
	assert_non_null(strstr(inst, "machine-type\n"));
	assert_non_null(strstr(inst, "network-interfaces/\n"));
	assert_non_null(strstr(inst, "service-accounts/\n"));
	assert_non_null(strstr(inst, "tags\n"));
	/* The user's keys as they are, sorted. */
	expect("instance/attributes/", "enable-oslogin\nstartup-script\n");
	expect("instance/network-interfaces/", "0/\n");
	expect("instance/service-accounts/",
	       "default/\n42-compute@developer.gserviceaccount.com/\n");
	expect("instance/service-accounts/default/", "aliases\nemail\nscopes\ntoken\nidentity\n");
	/* No trailing slash: the same directory. */
	expect("instance/network-interfaces", "0/\n");
}

static void test_recursive_and_dynamic(void **state)
{
	cleanup_free char *body = ask("instance/", true, NULL, STIM_MDS_JSON);
	cleanup_free char *token =
		ask("instance/service-accounts/default/token", false, NULL, STIM_MDS_DYNAMIC);
	json_t *j = json_loads(body, 0, NULL);
	json_t *sa;

	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "machineType")),
			    "projects/42/machineTypes/e2-small");
	sa = json_object_get(json_object_get(j, "serviceAccounts"), "default");
	assert_non_null(json_object_get(sa, "email"));
	assert_null(json_object_get(sa, "token")); /* the server's, not listed */
	json_decref(j);
	assert_string_equal(token, "token");
}

static void test_missing(void **state)
{
	struct stim_mds_answer a;
	static const char *const paths[] = {
		"instance/nope",
		"instance/hostname/x",
		"instance/network-interfaces/1/",
		"instance/attributes/none",
		"instance/Attributes/",
		"project/network-interfaces/0",
		"instance/network-interfaces/x",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		stim_mds_resolve(tree, paths[i], false, NULL, &a);
		if (a.kind != STIM_MDS_MISSING)
			fail_msg("%s: found", paths[i]);
		assert_null(a.body);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaves),
		cmocka_unit_test(test_directories),
		cmocka_unit_test(test_recursive_and_dynamic),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
