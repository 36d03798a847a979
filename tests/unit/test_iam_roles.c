/* The role catalogue: its tables are sorted and self-consistent (every
 * role's permission is a known one), the real roles grant what GCP's
 * grant, and full resource names read as GCP writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/iam_roles.h"
#include "src/util.h"

static void test_tables(void **state)
{
	size_t nr;
	size_t np;
	const struct stim_role_def *roles = stim_roles_predefined(&nr);
	const char *const *perms = stim_permissions(&np);

	assert_true(nr >= 30);
	assert_true(np >= 100);
	for (size_t i = 1; i < np; i++)
		assert_true(strcmp(perms[i - 1], perms[i]) < 0);
	for (size_t i = 0; i < nr; i++) {
		const struct stim_role_def *r = &roles[i];

		if (i > 0)
			assert_true(strcmp(roles[i - 1].name, r->name) < 0);
		assert_ptr_equal(stim_role_predefined(r->name), r);
		assert_true(stim_str_has_prefix(r->name, "roles/"));
		assert_true(*r->title != '\0');
		for (size_t k = 0; r->permissions[k] != NULL; k++) {
			if (!stim_permission_known(r->permissions[k]))
				fail_msg("%s: unknown %s", r->name, r->permissions[k]);
			if (k > 0)
				assert_true(strcmp(r->permissions[k - 1], r->permissions[k]) < 0);
		}
	}
	assert_null(stim_role_predefined("roles/storage.nothing"));
	assert_false(stim_permission_known("storage.objects.fly"));
}

/* role must grant (or not) permission. */
static void grants(const char *role, const char *permission, bool want)
{
	const struct stim_role_def *r = stim_role_predefined(role);

	if (r == NULL)
		fail_msg("no role %s", role);
	if (stim_role_has(r->permissions, permission) != want)
		fail_msg("%s %s %s", role, want ? "lacks" : "grants", permission);
}

static void test_real_roles(void **state)
{
	grants("roles/storage.objectViewer", "storage.objects.get", true);
	grants("roles/storage.objectViewer", "storage.objects.list", true);
	grants("roles/storage.objectViewer", "storage.objects.create", false);
	grants("roles/storage.objectCreator", "storage.objects.create", true);
	grants("roles/storage.objectCreator", "storage.objects.delete", false);
	grants("roles/storage.objectAdmin", "storage.objects.delete", true);
	grants("roles/storage.objectAdmin", "storage.buckets.create", false);
	grants("roles/storage.admin", "storage.buckets.create", true);
	grants("roles/storage.admin", "storage.buckets.setIamPolicy", true);
	grants("roles/compute.instanceAdmin.v1", "compute.instances.start", true);
	grants("roles/compute.viewer", "compute.instances.get", true);
	grants("roles/compute.viewer", "compute.instances.start", false);
	grants("roles/compute.securityAdmin", "compute.firewalls.create", true);
	grants("roles/iam.serviceAccountKeyAdmin", "iam.serviceAccountKeys.create", true);
	grants("roles/iam.serviceAccountAdmin", "iam.serviceAccounts.create", true);
	grants("roles/iam.serviceAccountAdmin", "iam.serviceAccountKeys.create", false);
	grants("roles/viewer", "storage.buckets.list", true);
	grants("roles/viewer", "compute.instances.delete", false);
	grants("roles/editor", "compute.instances.delete", true);
	grants("roles/editor", "resourcemanager.projects.setIamPolicy", false);
	grants("roles/owner", "resourcemanager.projects.setIamPolicy", true);
}

static void kind(const char *name, int want)
{
	cleanup_error stim_error_t err = NULL;
	enum stim_iam_resource_kind k;
	int ret = stim_iam_resource_kind(name, &k, &err);

	if (want < 0) {
		assert_int_equal(ret, -1);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
		return;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(k, want);
}

static void test_resource_names(void **state)
{
	kind("//cloudresourcemanager.googleapis.com/projects/p1", STIM_IAM_PROJECT);
	/* gcloud writes its endpoint override's host. */
	kind("//127.0.0.1:8080/projects/p1", STIM_IAM_PROJECT);
	kind("//storage.googleapis.com/projects/_/buckets/b1", STIM_IAM_BUCKET);
	kind("//iam.googleapis.com/projects/p1/serviceAccounts/a@p1.iam.gserviceaccount.com",
	     STIM_IAM_SERVICE_ACCOUNT);
	kind("projects/p1", -1);
	kind("//cloudresourcemanager.googleapis.com/projects/", -1);
	kind("//cloudresourcemanager.googleapis.com/folders/1", -1);
	assert_true(stim_permission_applies("compute.instances.get", STIM_IAM_PROJECT));
	assert_true(stim_permission_applies("storage.objects.get", STIM_IAM_BUCKET));
	assert_false(stim_permission_applies("compute.instances.get", STIM_IAM_BUCKET));
	assert_true(
		stim_permission_applies("iam.serviceAccountKeys.create", STIM_IAM_SERVICE_ACCOUNT));
	assert_false(stim_permission_applies("storage.objects.get", STIM_IAM_SERVICE_ACCOUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_real_roles),
		cmocka_unit_test(test_resource_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
