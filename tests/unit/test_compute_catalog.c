/* Unit tests of Compute Engine's catalog (src/compute_catalog.c): zones
 * map to their regions, machine types carry GCE's figures, and the table
 * is sorted and free of duplicates (lookups bisect it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/compute_catalog.h"

static void test_zones(void **state)
{
	assert_string_equal(stim_compute_zone_region("us-central1-f")->name, "us-central1");
	assert_string_equal(stim_compute_zone_region("europe-west1-d")->name, "europe-west1");
	assert_null(stim_compute_zone_region("europe-west1-a")); /* GCE has no -a there */
	assert_null(stim_compute_zone_region("us-central1"));
	assert_null(stim_compute_zone_region("-a"));
	assert_null(stim_compute_zone_region(""));
	assert_non_null(stim_compute_region_find("asia-east1"));
	assert_null(stim_compute_region_find("asia-east"));
}

static void test_machine_types(void **state)
{
	static const struct {
		const char *name;
		int cpus;
		int mb;
		int milli;
		const char *description;
	} want[] = {
		{ "n1-standard-1", 1, 3840, 1000, "1 vCPU, 3.75 GB RAM" },
		{ "n1-highmem-2", 2, 13312, 2000, "2 vCPUs, 13 GB RAM" },
		{ "n1-highcpu-96", 96, 88474, 96000, "96 vCPUs, 86.4 GB RAM" },
		{ "e2-standard-2", 2, 8192, 2000, "Efficient Instance, 2 vCPUs, 8 GB RAM" },
		{ "e2-micro", 2, 1024, 250, NULL },
		{ "g1-small", 1, 1740, 500, NULL },
		{ "n2d-standard-224", 224, 917504, 224000, NULL },
		{ "c3-highcpu-22", 22, 45056, 22000, NULL },
	};
	const struct stim_machine_type *all;
	size_t n;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct stim_machine_type *t = stim_compute_machine_type_find(want[i].name);

		assert_non_null(t);
		assert_int_equal(t->guest_cpus, want[i].cpus);
		assert_int_equal(t->memory_mb, want[i].mb);
		assert_int_equal(t->cpu_milli, want[i].milli);
		assert_int_equal(t->shared_cpu, want[i].milli < want[i].cpus * 1000);
		if (want[i].description != NULL)
			assert_string_equal(t->description, want[i].description);
	}
	assert_null(stim_compute_machine_type_find("n1-standard-3"));
	assert_null(stim_compute_machine_type_find(""));
	all = stim_compute_machine_types(&n);
	assert_true(n > 100);
	for (size_t i = 1; i < n; i++) {
		assert_true(strcmp(all[i - 1].name, all[i].name) < 0);
		assert_true(all[i].id != all[i - 1].id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_machine_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
