/* Unit tests of gc's pure parts: mount table parsing, name filters, removal order. */
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
#include "src/util.h"

static void check_unescape(const char *in, const char *want)
{
	char *got = stim_mountinfo_unescape(in, strlen(in));

	assert_string_equal(got, want);
	free(got);
}

static void test_unescape(void **state)
{
	(void)state;
	check_unescape("/plain/path", "/plain/path");
	check_unescape("/a\\040b", "/a b");
	check_unescape("\\011tab\\012nl\\134bs", "\ttab\nnl\\bs");
	check_unescape("/end\\040", "/end ");
	/* Not a complete escape: kept as written. */
	check_unescape("/cut\\04", "/cut\\04");
	check_unescape("/cut\\0", "/cut\\0");
	check_unescape("/x\\", "/x\\");
	check_unescape("/nine\\999", "/nine\\999");
	check_unescape("/big\\400", "/big\\400");
	check_unescape("", "");
}

static void test_unescape_length_bound(void **state)
{
	/* Only len bytes are read, so a field is decoded in place. */
	char *got = stim_mountinfo_unescape("/a\\040b rest", 7);

	(void)state;
	assert_string_equal(got, "/a b");
	free(got);
}

static void test_parse_line(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo m;

	(void)state;
	assert_int_equal(stim_mountinfo_parse_line("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - "
						   "ext3 /dev/root rw,errors=continue\n",
						   &m, &err),
			 0);
	assert_null(err);
	assert_int_equal(m.mount_id, 36);
	assert_int_equal(m.parent_id, 35);
	assert_int_equal(m.major, 98);
	assert_int_equal(m.minor, 0);
	assert_string_equal(m.root, "/mnt1");
	assert_string_equal(m.mount_point, "/mnt2");
	assert_string_equal(m.fstype, "ext3");
	assert_string_equal(m.source, "/dev/root");
	assert_string_equal(m.super_options, "rw,errors=continue");
	stim_mountinfo_fini(&m);
}

static void test_parse_line_no_optional_fields(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo m;

	(void)state;
	assert_int_equal(stim_mountinfo_parse_line("34 30 0:31 / /sys/fs/cgroup/memory rw,relatime "
						   "- cgroup cgroup rw,memory",
						   &m, &err),
			 0);
	assert_string_equal(m.mount_point, "/sys/fs/cgroup/memory");
	assert_string_equal(m.fstype, "cgroup");
	assert_string_equal(m.super_options, "rw,memory");
	assert_int_equal(m.major, 0);
	assert_int_equal(m.minor, 31);
	stim_mountinfo_fini(&m);
}

static void test_parse_line_many_optional_fields_and_escapes(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo m;

	(void)state;
	assert_int_equal(
		stim_mountinfo_parse_line("812 26 0:99 /a\\040dir /var/lib/stimulator/my\\040disk "
					  "rw shared:5 master:2 propagate_from:1 - tmpfs "
					  "stim\\040src rw,size=4k",
					  &m, &err),
		0);
	assert_string_equal(m.root, "/a dir");
	assert_string_equal(m.mount_point, "/var/lib/stimulator/my disk");
	assert_string_equal(m.fstype, "tmpfs");
	assert_string_equal(m.source, "stim src");
	stim_mountinfo_fini(&m);
}

static void check_bad_line(const char *line)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo m;

	assert_int_equal(stim_mountinfo_parse_line(line, &m, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
}

static void test_parse_line_malformed(void **state)
{
	(void)state;
	check_bad_line("");
	check_bad_line("36 35 98:0 /mnt1 /mnt2 rw ext3 /dev/root rw");	   /* no "-" */
	check_bad_line("36 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root");	   /* one short */
	check_bad_line("36 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw x"); /* one too many */
	check_bad_line("x 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw");
	check_bad_line("36 35 980 /mnt1 /mnt2 rw - ext3 /dev/root rw");
	check_bad_line("36 35 98: /mnt1 /mnt2 rw - ext3 /dev/root rw");
	check_bad_line("36  35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw");
	/* A "-" among the first six fields is a field, not the separator. */
	check_bad_line("36 35 98:0 - /mnt2 rw ext3 /dev/root rw");
}

static void test_parse_table(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo *v = NULL;
	size_t n = 0;
	const char *text = "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
			   "\n"
			   "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
			   "41 26 0:40 / /var/lib/stimulator/i/rootfs rw - overlay stim-i rw";

	(void)state;
	assert_int_equal(stim_mountinfo_parse(text, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].mount_point, "/");
	assert_string_equal(v[1].fstype, "cgroup2");
	assert_string_equal(v[2].source, "stim-i");
	stim_mountinfo_free(v, n);
}

static void test_parse_table_reports_line(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(stim_mountinfo_parse("26 1 254:0 / / rw - ext4 /dev/vda rw\nbroken\n", &v,
					      &n, &err),
			 -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "line 2"));
}

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
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_unescape_length_bound),
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_parse_line_no_optional_fields),
		cmocka_unit_test(test_parse_line_many_optional_fields_and_escapes),
		cmocka_unit_test(test_parse_line_malformed),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_table_reports_line),
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
