/* Unit tests of gc's pure parts: name and mount filters, removal order (parsing: test_procfs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/netfilter.h>

#include "src/error.h"
#include "src/host_objects.h"
#include "src/host_objects_internal.h"
#include "src/procfs.h"
#include "src/util.h"

static void test_name_matches(void **state)
{
	(void)state;
	assert_true(stim_host_name_matches("stimbr0", "stim"));
	assert_true(stim_host_name_matches("stim", "stim"));
	assert_false(stim_host_name_matches("sti", "stim"));
	assert_false(stim_host_name_matches("xstim", "stim"));
	assert_false(stim_host_name_matches("Stimbr0", "stim"));
	assert_false(stim_host_name_matches("anything", ""));
	assert_false(stim_host_name_matches("stimt1a", "stimt12"));
}

static void test_cgroup_name_matches(void **state)
{
	(void)state;
	assert_true(stim_host_cgroup_name_matches("stim-vm1", "stim"));
	assert_false(stim_host_cgroup_name_matches("stimulator.service", "stim"));
	assert_false(stim_host_cgroup_name_matches("stim.slice", "stim"));
	assert_false(stim_host_cgroup_name_matches("stim-run.scope", "stim"));
	assert_false(stim_host_cgroup_name_matches("system.slice", "stim"));
}

static void test_prefix_check(void **state)
{
	static const char *const bad[] = { "", "s", "sti", "st m", "stim/x", "stim\t", "stim\n" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_host_prefix_check(bad[i], &err), -1);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
	{
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_host_prefix_check(NULL, &err), -1);
		assert_int_equal(stim_host_prefix_check("stim", NULL), 0);
		assert_int_equal(stim_host_prefix_check("stimt12345", NULL), 0);
	}
}

static void test_list_refuses_before_touching_host(void **state)
{
	struct stim_host_object *v = NULL;
	size_t n = 0;

	(void)state;
	{
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_host_objects_list("sti", NULL, &v, &n, &err), -1);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
	{
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_host_objects_list("stim", "var/lib/x", &v, &n, &err), -1);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
	{
		cleanup_error stim_error_t err = NULL;

		/* "/" or "/tmp" would put half the host's mounts "below" it. */
		assert_int_equal(stim_host_objects_list("stim", "/", &v, &n, &err), -1);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
	{
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(
			stim_host_objects_list("stim", "/nonexistent-stim-test/../x", &v, &n, &err),
			-1);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
	assert_null(v);
}

static void test_paths(void **state)
{
	(void)state;
	assert_true(stim_path_is_under("/var/lib/stimulator/x", "/var/lib/stimulator"));
	assert_true(stim_path_is_under("/var/lib/stimulator/x/y", "/var/lib/stimulator"));
	assert_false(stim_path_is_under("/var/lib/stimulator", "/var/lib/stimulator"));
	assert_false(stim_path_is_under("/var/lib/stimulator/", "/var/lib/stimulator"));
	assert_false(stim_path_is_under("/var/lib/stimulatorx/y", "/var/lib/stimulator"));
	assert_false(stim_path_is_under("/var/lib", "/var/lib/stimulator"));
	assert_true(stim_path_is_under("/a", "/"));
	assert_false(stim_path_is_under("/", "/"));

	assert_string_equal(stim_path_basename("/run/netns/stimr"), "stimr");
	assert_string_equal(stim_path_basename("/"), "");
	assert_string_equal(stim_path_basename("name"), "name");

	assert_int_equal(stim_path_depth("/"), 0);
	assert_int_equal(stim_path_depth("/a"), 1);
	assert_int_equal(stim_path_depth("/a/b/c"), 3);
	assert_int_equal(stim_path_depth("/a//b/"), 2);
}

static int cmp_strings(const void *a, const void *b)
{
	return stim_path_cmp_deepest_first(*(const char *const *)a, *(const char *const *)b);
}

static void test_deepest_first(void **state)
{
	const char *paths[] = { "/d", "/d/x", "/d/x/y/z", "/c/b", "/d/a", "/d/x/y" };
	const char *want[] = { "/d/x/y/z", "/d/x/y", "/c/b", "/d/a", "/d/x", "/d" };

	(void)state;
	qsort(paths, 6, sizeof(paths[0]), cmp_strings);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(paths[i], want[i]);
	assert_true(stim_path_cmp_deepest_first("/a/b", "/a") < 0);
	assert_true(stim_path_cmp_deepest_first("/a", "/a/b") > 0);
	assert_int_equal(stim_path_cmp_deepest_first("/a", "/a"), 0);
}

static bool mount_matches(const char *mount_point, const char *source)
{
	struct stim_mountinfo m = {
		.root = (char *)"/",
		.mount_point = (char *)mount_point,
		.fstype = (char *)"tmpfs",
		.source = (char *)source,
		.super_options = (char *)"rw",
	};

	return stim_host_mount_matches(&m, "stim", "/var/lib/stimulator");
}

static void test_mount_filter(void **state)
{
	(void)state;
	/* Below the data dir, whatever the name. */
	assert_true(mount_matches("/var/lib/stimulator/instances/i1/rootfs", "overlay"));
	assert_true(mount_matches("/var/lib/stimulator/x", "tmpfs"));
	/* Named with the prefix, anywhere. */
	assert_true(mount_matches("/tmp/stimt1/m", "stim-overlay"));
	assert_true(mount_matches("/mnt/stimdisk", "tmpfs"));
	/* Never the data dir itself, nor what holds it, nor "/". */
	assert_false(mount_matches("/var/lib/stimulator", "stimdata"));
	assert_false(mount_matches("/var/lib", "stimdisk"));
	assert_false(mount_matches("/", "stimroot"));
	/* netns files belong to the netns kind. */
	assert_false(mount_matches("/run/netns/stimr1", "nsfs"));
	/* Not ours. */
	assert_false(mount_matches("/var/lib/stimulatorx/y", "tmpfs"));
	assert_false(mount_matches("/home/user/mnt", "/dev/sdb1"));
	assert_false(mount_matches("/run/netns/other", "nsfs"));
	assert_false(mount_matches("relative/stimx", "tmpfs"));
}

static void test_sort_removal_order(void **state)
{
	struct stim_host_object v[] = {
		{ STIM_HOST_OBJECT_NFT_TABLE, (char *)"inet stimfw", NFPROTO_INET, false },
		{ STIM_HOST_OBJECT_LINK, (char *)"stimbr0", 0, false },
		{ STIM_HOST_OBJECT_MOUNT, (char *)"/var/lib/stimulator/a", 0, false },
		{ STIM_HOST_OBJECT_CGROUP, (char *)"/sys/fs/cgroup/memory/stim-a", 0, false },
		{ STIM_HOST_OBJECT_NETNS, (char *)"stimr-1", 0, false },
		{ STIM_HOST_OBJECT_CGROUP, (char *)"/sys/fs/cgroup/unified/stim-a", 0, true },
		{ STIM_HOST_OBJECT_MOUNT, (char *)"/var/lib/stimulator/a/b", 0, false },
		{ STIM_HOST_OBJECT_CGROUP, (char *)"/sys/fs/cgroup/memory/stim-a/leaf", 0, false },
		{ STIM_HOST_OBJECT_CGROUP, (char *)"/sys/fs/cgroup/unified/stim-a/leaf", 0, true },
		{ STIM_HOST_OBJECT_LINK, (char *)"stimbr", 0, false },
	};
	const char *want[] = {
		"/sys/fs/cgroup/unified/stim-a/leaf",
		"/sys/fs/cgroup/unified/stim-a",
		"/sys/fs/cgroup/memory/stim-a/leaf",
		"/sys/fs/cgroup/memory/stim-a",
		"/var/lib/stimulator/a/b",
		"/var/lib/stimulator/a",
		"stimr-1",
		"stimbr",
		"stimbr0",
		"inet stimfw",
	};

	(void)state;
	stim_host_objects_sort(v, STIM_ARRAY_SIZE(v));
	for (size_t i = 0; i < STIM_ARRAY_SIZE(v); i++)
		assert_string_equal(v[i].name, want[i]);
	stim_host_objects_sort(v, 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(stim_nft_family_name(NFPROTO_INET), "inet");
	assert_string_equal(stim_nft_family_name(NFPROTO_IPV4), "ip");
	assert_string_equal(stim_nft_family_name(NFPROTO_IPV6), "ip6");
	assert_string_equal(stim_nft_family_name(NFPROTO_BRIDGE), "bridge");
	assert_string_equal(stim_nft_family_name(NFPROTO_NETDEV), "netdev");
	assert_string_equal(stim_nft_family_name(NFPROTO_ARP), "arp");
	assert_string_equal(stim_nft_family_name(99), "unknown");
	assert_string_equal(stim_host_object_kind_name(STIM_HOST_OBJECT_NETNS), "netns");
	assert_string_equal(stim_host_object_kind_name(STIM_HOST_OBJECT_NFT_TABLE), "nft");
	assert_string_equal(stim_host_object_kind_name(STIM_HOST_OBJECT_CGROUP), "cgroup");
}

static void test_vec_ceiling(void **state)
{
	struct stim_host_object_vec vec = { 0 };
	cleanup_error stim_error_t err = NULL;
	int ret = 0;

	(void)state;
	for (int i = 0; i <= STIM_HOST_OBJECTS_MAX && ret == 0; i++)
		ret = stim_host_object_vec_add(&vec, STIM_HOST_OBJECT_LINK, strdup("stimx"), 0,
					       false, &err);
	assert_int_equal(ret, -1);
	assert_int_equal(err->code, STIM_RESOURCE_EXHAUSTED);
	assert_int_equal(vec.n, STIM_HOST_OBJECTS_MAX);
	stim_host_objects_free(vec.v, vec.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_matches),
		cmocka_unit_test(test_cgroup_name_matches),
		cmocka_unit_test(test_prefix_check),
		cmocka_unit_test(test_list_refuses_before_touching_host),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_deepest_first),
		cmocka_unit_test(test_mount_filter),
		cmocka_unit_test(test_sort_removal_order),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_vec_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
