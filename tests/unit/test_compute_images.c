/* Compute Engine's images: which project has which, and what every form
 * of sourceImage resolves to, the default family before and after Debian
 * is built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/compute_images.h"

#define DEB "debian-12-bookworm-v20261101"

static const char *recipe(const char *project, const char *source, bool built)
{
	cleanup_error stim_error_t err = NULL;
	const struct stim_compute_image *im =
		stim_compute_image_resolve(project, source, built, &err);

	return im != NULL ? im->recipe : NULL;
}

static void test_resolve(void **state)
{
	/* gcloud's default, in each of its spellings. */
	assert_string_equal(recipe("p", NULL, false), "host");
	assert_string_equal(recipe("p", NULL, true), "debian-12");
	assert_string_equal(recipe("p",
				   "http://h:1/compute/v1/projects/debian-cloud/zones/-/"
				   "imageFamilyViews/debian-12",
				   false),
			    "host");
	assert_string_equal(
		recipe("p", "projects/debian-cloud/global/images/family/debian-12", true),
		"debian-12");
	/* The Debian image by name is Debian, built or not (it gets built). */
	assert_string_equal(recipe("p", "projects/debian-cloud/global/images/" DEB, false),
			    "debian-12");
	/* busybox and host in the caller's project, by URL or partial URL. */
	assert_string_equal(recipe("p", "projects/p/global/images/busybox", false), "busybox");
	assert_string_equal(recipe("p", "global/images/host", false), "host");
	assert_string_equal(recipe("p", "projects/p/global/images/family/busybox", false),
			    "busybox");
	/* What does not exist. */
	assert_null(recipe("p", "projects/p/global/images/windows-95", false));
	assert_null(recipe("p", "projects/p/global/images/family/debian-12", false));
	assert_null(recipe("p", "projects/debian-cloud/global/images/busybox", false));
	assert_null(recipe("p", "not a url", false));
}

static void test_projects(void **state)
{
	const struct stim_compute_image *v[8];
	cleanup_error stim_error_t err = NULL;

	assert_true(stim_compute_image_project_is_public("debian-cloud"));
	assert_true(stim_compute_image_project_is_public("ubuntu-os-accelerator-images"));
	assert_false(stim_compute_image_project_is_public("my-project"));
	assert_int_equal(stim_compute_images_of("debian-cloud", v, 8), 1);
	assert_string_equal(v[0]->name, DEB);
	assert_int_equal(stim_compute_images_of("ubuntu-os-cloud", v, 8), 0);
	assert_int_equal(stim_compute_images_of("my-project", v, 8), 2);
	assert_string_equal(v[0]->name, "busybox");
	assert_string_equal(v[1]->name, "host");
	assert_null(stim_compute_image_get("my-project", "nope", &err));
	assert_int_equal(err->code, STIM_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_projects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
