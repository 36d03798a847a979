/* The permission table against the routes and the role catalogue: every
 * registered route has its entry and no entry is for a route that is
 * not; every permission named is one the catalogue knows (so some role
 * can grant it); each check names a resource the route's path holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/dispatch.h"
#include "api/permissions.h"
#include "api/router.h"
#include "src/iam_roles.h"
#include "src/util.h"

/* The path variable an `on` reads, or NULL. */
static const char *variable(enum api_perm_on on)
{
	switch (on) {
	case API_ON_PROJECT:
		return "{project}";
	case API_ON_BUCKET:
		return "{bucket}";
	case API_ON_SOURCE_BUCKET:
		return "{sourceBucket}";
	case API_ON_DEST_BUCKET:
		return "{destinationBucket}";
	case API_ON_ACCOUNT:
		return "{account}";
	default:
		return NULL;
	}
}

static void check_one(const char *route, const char *permission, enum api_perm_on on)
{
	bool special = strcmp(permission, API_PUBLIC) == 0 || strcmp(permission, API_CALLER) == 0;
	const char *var = variable(on);

	if (!special && !stim_permission_known(permission))
		fail_msg("%s: %s is not in the catalogue", route, permission);
	if (special != (on == API_ON_NONE))
		fail_msg("%s: %s checked on nothing, or a special value on something", route,
			 permission);
	if (var != NULL && strstr(route, var) == NULL)
		fail_msg("%s: checks %s, which its path lacks", route, var);
	if (on == API_ON_QUERY_PROJECT && strcmp(route, "POST /storage/v1/b") != 0 &&
	    strcmp(route, "GET /storage/v1/b") != 0)
		fail_msg("%s: only bucket insert and list take ?project=", route);
}

static void test_every_route(void **state)
{
	struct api_router *r = api_router_new();
	size_t n;
	const struct api_permission *v = api_permissions(&n);

	api_routes_register(r);
	assert_int_equal(api_router_count(r), n);
	for (size_t i = 0; i < api_router_count(r); i++) {
		const char *label = api_router_label(r, i);
		const struct api_permission *p = api_permission_of(label);

		if (p == NULL)
			fail_msg("no permission for %s", label);
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			assert_true(strcmp(v[i - 1].route, v[i].route) < 0);
		check_one(v[i].route, v[i].permission, v[i].on);
		if (v[i].permission2 != NULL)
			check_one(v[i].route, v[i].permission2, v[i].on2);
	}
	api_router_free(r);
}

/* A few rows as GCP has them, read through the lookup. */
static void test_known_rows(void **state)
{
	const struct api_permission *p = api_permission_of("GET /storage/v1/b/{bucket}/o/{object}");

	assert_non_null(p);
	assert_string_equal(p->permission, "storage.objects.get");
	assert_int_equal(p->on, API_ON_BUCKET);
	p = api_permission_of(
		"POST /compute/v1/projects/{project}/zones/{zone}/instances/{instance}/start");
	assert_string_equal(p->permission, "compute.instances.start");
	p = api_permission_of("POST /v1/projects/{project}/serviceAccounts/{account}/keys");
	assert_string_equal(p->permission, "iam.serviceAccountKeys.create");
	assert_int_equal(p->on, API_ON_ACCOUNT);
	p = api_permission_of("POST /token");
	assert_string_equal(p->permission, API_PUBLIC);
	assert_null(api_permission_of("GET /nowhere"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route),
		cmocka_unit_test(test_known_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
