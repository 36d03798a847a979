/* Unit tests of the host probe's pure parsers: /proc/self/cgroup, cgroup mounts, /proc/cgroups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/magic.h>

#include "src/error.h"
#include "src/host_probe.h"
#include "src/procfs.h"

/* What the dev host shows (reference/host-facts.md section 1). */
static const char hybrid_self[] = "9:name=systemd:/\n"
				  "8:pids:/\n"
				  "6:freezer:/\n"
				  "4:memory:/process_api/08d1ee15\n"
				  "3:cpuset:/\n"
				  "2:cpuacct:/\n"
				  "1:cpu:/\n"
				  "0::/\n";

static const char hybrid_mountinfo[] =
	"22 1 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char proc_cgroups[] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
				   "cpuset\t3\t1\t1\n"
				   "cpu\t1\t1\t1\n"
				   "cpuacct\t2\t1\t1\n"
				   "memory\t4\t22\t0\n"
				   "hugetlb\t0\t1\t1\n"
				   "pids\t8\t1\t1\n";

/* Mode detection */

static void test_mode_from_magic(void **state)
{
	cleanup_error stim_error_t err = NULL;
	enum stim_cgroup_mode mode;

	assert_int_equal(stim_probe_cgroup_mode(CGROUP2_SUPER_MAGIC, 0, &mode, &err), 0);
	assert_int_equal(mode, STIM_CGROUP_V2);
	assert_int_equal(stim_probe_cgroup_mode(TMPFS_MAGIC, CGROUP2_SUPER_MAGIC, &mode, &err), 0);
	assert_int_equal(mode, STIM_CGROUP_HYBRID);
	/* unified/ missing, or a plain directory of the tmpfs */
	assert_int_equal(stim_probe_cgroup_mode(TMPFS_MAGIC, 0, &mode, &err), 0);
	assert_int_equal(mode, STIM_CGROUP_V1);
	assert_int_equal(stim_probe_cgroup_mode(TMPFS_MAGIC, TMPFS_MAGIC, &mode, &err), 0);
	assert_int_equal(mode, STIM_CGROUP_V1);
	assert_int_equal(stim_probe_cgroup_mode(CGROUP_SUPER_MAGIC, 0, &mode, &err), 0);
	assert_int_equal(mode, STIM_CGROUP_V1);
	assert_null(err);
}

static void test_mode_nothing_mounted(void **state)
{
	cleanup_error stim_error_t err = NULL;
	enum stim_cgroup_mode mode = STIM_CGROUP_V2;

	/* /sys/fs/cgroup left as the sysfs directory */
	assert_int_equal(stim_probe_cgroup_mode(SYSFS_MAGIC, 0, &mode, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, STIM_FAILED_PRECONDITION);
	assert_int_equal(mode, STIM_CGROUP_V2);
}

/* Lists */

static void test_list_has(void **state)
{
	assert_true(stim_probe_list_has("rw,cpu,cpuacct", "cpu", ','));
	assert_true(stim_probe_list_has("rw,cpu,cpuacct", "cpuacct", ','));
	assert_true(stim_probe_list_has("rw,memory", "memory", ','));
	assert_false(stim_probe_list_has("rw,cpuset", "cpu", ','));
	assert_false(stim_probe_list_has("rw,cpu", "cpuset", ','));
	assert_false(stim_probe_list_has("rw,name=systemd", "systemd", ','));
	assert_true(stim_probe_list_has("rw,name=systemd", "name=systemd", ','));
	/* cgroup.controllers: spaces and a trailing newline */
	assert_true(stim_probe_list_has("cpuset cpu io memory hugetlb pids\n", "pids", ' '));
	assert_true(stim_probe_list_has("cpuset cpu io memory\n", "cpu", ' '));
	assert_false(stim_probe_list_has("hugetlb\n", "memory", ' '));
	assert_false(stim_probe_list_has("", "memory", ' '));
	assert_false(stim_probe_list_has("\n", "memory", ' '));
}

/* /proc/self/cgroup */

static void test_self_path_hybrid(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char buf[128];

	assert_int_equal(stim_probe_self_cgroup(hybrid_self, "memory", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/process_api/08d1ee15");
	assert_int_equal(stim_probe_self_cgroup(hybrid_self, "cpu", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(stim_probe_self_cgroup(hybrid_self, NULL, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(
		stim_probe_self_cgroup(hybrid_self, "name=systemd", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/");
	assert_null(err);
}

static void test_self_path_v2(void **state)
{
	static const char text[] = "0::/system.slice/runner.service\n";
	cleanup_error stim_error_t err = NULL;
	char buf[128];

	assert_int_equal(stim_probe_self_cgroup(text, NULL, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/system.slice/runner.service");
	/* No v1 line on a pure v2 host. */
	assert_int_equal(stim_probe_self_cgroup(text, "memory", buf, sizeof(buf), &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
}

static void test_self_path_joined_and_odd(void **state)
{
	/* cpu and cpuacct co-mounted (the usual systemd layout); a path with a
	 * colon; no newline at the end. */
	static const char text[] = "4:cpu,cpuacct:/a:b\n"
				   "0::/x/y";
	cleanup_error stim_error_t err = NULL;
	char buf[128];

	assert_int_equal(stim_probe_self_cgroup(text, "cpu", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/a:b");
	assert_int_equal(stim_probe_self_cgroup(text, "cpuacct", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/a:b");
	assert_int_equal(stim_probe_self_cgroup(text, NULL, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/x/y");
	assert_null(err);
}

static void test_self_path_too_long(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char buf[8];

	assert_int_equal(stim_probe_self_cgroup(hybrid_self, "memory", buf, sizeof(buf), &err), -1);
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
}

/* Cgroup mounts in mountinfo (the line parser: test_procfs) */

static void test_find_cgroup_hybrid(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo e = { 0 };

	assert_int_equal(stim_probe_mountinfo_cgroup(hybrid_mountinfo, "memory", &e, &err), 0);
	assert_string_equal(e.mount_point, "/sys/fs/cgroup/memory");
	stim_mountinfo_fini(&e);
	assert_int_equal(stim_probe_mountinfo_cgroup(hybrid_mountinfo, "cpu", &e, &err), 0);
	assert_string_equal(e.mount_point, "/sys/fs/cgroup/cpu");
	stim_mountinfo_fini(&e);
	assert_int_equal(stim_probe_mountinfo_cgroup(hybrid_mountinfo, "cpuset", &e, &err), 0);
	assert_string_equal(e.mount_point, "/sys/fs/cgroup/cpuset");
	stim_mountinfo_fini(&e);
	assert_int_equal(stim_probe_mountinfo_cgroup(hybrid_mountinfo, NULL, &e, &err), 0);
	assert_string_equal(e.mount_point, "/sys/fs/cgroup/unified");
	assert_null(err);
}

static void test_find_cgroup_missing(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo e = { 0 };

	assert_int_equal(stim_probe_mountinfo_cgroup(hybrid_mountinfo, "hugetlb", &e, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
}

static void test_find_cgroup_shadowed(void **state)
{
	/* A cgroup2 mounted over the hybrid tmpfs hides unified/: the later
	 * line is the one a path lookup reaches. */
	static const char text[] = "30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
				   "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
				   "90 30 0:37 / /sys/fs/cgroup rw - cgroup2 none rw\n";
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo e = { 0 };

	assert_int_equal(stim_probe_mountinfo_cgroup(text, NULL, &e, &err), 0);
	assert_string_equal(e.mount_point, "/sys/fs/cgroup");
	assert_null(err);
}

static void test_find_cgroup_skips_bad_lines(void **state)
{
	/* A tmpfs mounted with an empty source shows an empty field, which
	 * the parser refuses: it must not hide the hierarchy after it. */
	static const char text[] = "70 22 0:50 / /mnt/x rw - tmpfs  rw\n"
				   "garbage\n"
				   "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw";
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo e = { 0 };

	assert_int_equal(stim_probe_mountinfo_cgroup(text, NULL, &e, &err), 0);
	assert_string_equal(e.mount_point, "/sys/fs/cgroup/unified");
	assert_null(err);
}

static void test_find_cgroup_prefers_canonical(void **state)
{
	/* A bind mount of the same hierarchy after the canonical one (a
	 * container's view kept for a sidecar) does not win over it. */
	static const char text[] = "40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
				   "91 1 0:37 /kubepods /var/lib/x/cg rw - cgroup2 cgroup2 rw\n"
				   "92 1 0:38 / /sys/fs/cgroupx rw - cgroup2 cgroup2 rw\n";
	static const char only_other[] =
		"91 1 0:37 /kubepods /var/lib/x/cg rw - cgroup2 cgroup2 rw\n";
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo e = { 0 };

	assert_int_equal(stim_probe_mountinfo_cgroup(text, NULL, &e, &err), 0);
	assert_string_equal(e.mount_point, "/sys/fs/cgroup");
	stim_mountinfo_fini(&e);
	assert_int_equal(stim_probe_mountinfo_cgroup(only_other, NULL, &e, &err), 0);
	assert_string_equal(e.mount_point, "/var/lib/x/cg");
	assert_string_equal(e.root, "/kubepods");
	assert_null(err);
}

/* Joining paths */

static void test_join(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char buf[128];

	assert_int_equal(
		stim_probe_cgroup_dir("/sys/fs/cgroup/memory", "/", "/", buf, sizeof(buf), &err),
		0);
	assert_string_equal(buf, "/sys/fs/cgroup/memory");
	assert_int_equal(stim_probe_cgroup_dir("/sys/fs/cgroup/memory", "/", "/process_api/x", buf,
					       sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "/sys/fs/cgroup/memory/process_api/x");
	/* Container: the mount shows /docker/abc, the kernel prints full paths. */
	assert_int_equal(stim_probe_cgroup_dir("/sys/fs/cgroup", "/docker/abc", "/docker/abc/sub",
					       buf, sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "/sys/fs/cgroup/sub");
	assert_int_equal(stim_probe_cgroup_dir("/sys/fs/cgroup", "/docker/abc", "/docker/abc", buf,
					       sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "/sys/fs/cgroup");
	assert_null(err);
}

static void test_join_outside(void **state)
{
	cleanup_error stim_error_t err1 = NULL;
	cleanup_error stim_error_t err2 = NULL;
	cleanup_error stim_error_t err3 = NULL;
	char buf[32];

	assert_int_equal(stim_probe_cgroup_dir("/sys/fs/cgroup", "/docker/abc", "/other", buf,
					       sizeof(buf), &err1),
			 -1);
	assert_int_equal(err1->code, STIM_NOT_FOUND);
	/* "/docker/abcd" only looks like it is below "/docker/abc". */
	assert_int_equal(stim_probe_cgroup_dir("/sys/fs/cgroup", "/docker/abc", "/docker/abcd", buf,
					       sizeof(buf), &err2),
			 -1);
	assert_int_equal(err2->code, STIM_NOT_FOUND);
	assert_int_equal(stim_probe_cgroup_dir("/sys/fs/cgroup", "/", "/a/very/long/path/indeed",
					       buf, sizeof(buf), &err3),
			 -1);
	assert_int_equal(err3->code, STIM_INVALID_ARGUMENT);
}

/* /proc/cgroups and the kernel release */

static void test_proc_cgroups(void **state)
{
	cleanup_error stim_error_t err = NULL;
	int hier = -1;
	bool enabled = false;

	assert_int_equal(stim_probe_proc_cgroups(proc_cgroups, "cpu", &hier, &enabled, &err), 0);
	assert_int_equal(hier, 1);
	assert_true(enabled);
	assert_int_equal(stim_probe_proc_cgroups(proc_cgroups, "hugetlb", &hier, &enabled, &err),
			 0);
	assert_int_equal(hier, 0);
	assert_int_equal(stim_probe_proc_cgroups(proc_cgroups, "memory", &hier, &enabled, &err), 0);
	assert_int_equal(hier, 4);
	assert_false(enabled);
	assert_null(err);
	assert_int_equal(stim_probe_proc_cgroups(proc_cgroups, "rdma", &hier, &enabled, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
}

static void test_kernel_at_least(void **state)
{
	assert_true(stim_probe_kernel_at_least("6.18.44-fc-v769", 5, 14));
	assert_true(stim_probe_kernel_at_least("5.14.0-1-amd64", 5, 14));
	assert_true(stim_probe_kernel_at_least("5.15", 5, 14));
	assert_false(stim_probe_kernel_at_least("5.4.0-150-generic", 5, 14));
	assert_false(stim_probe_kernel_at_least("4.19.0", 5, 2));
	assert_false(stim_probe_kernel_at_least("garbage", 5, 2));
}

/* The statusMessage summary */

static void test_unenforced(void **state)
{
	struct stim_cgroup_info info;
	char buf[64];
	char tiny[5];

	memset(&info, 0, sizeof(info));
	for (int i = 0; i < STIM_CGROUP_NR_RESOURCES; i++)
		info.res[i].usable = true;
	assert_int_equal(stim_cgroup_unenforced(&info, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	info.res[STIM_CGROUP_MEMORY].usable = false;
	info.res[STIM_CGROUP_PIDS].usable = false;
	/* Freeze and kill are not limits. */
	info.res[STIM_CGROUP_KILL].usable = false;
	assert_int_equal(stim_cgroup_unenforced(&info, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "memory, pids");
	assert_int_equal(stim_cgroup_unenforced(&info, tiny, sizeof(tiny)), 2);
	assert_string_equal(tiny, "memo");
}

static void test_names(void **state)
{
	assert_string_equal(stim_cgroup_mode_name(STIM_CGROUP_HYBRID), "hybrid");
	assert_string_equal(stim_probe_state_name(STIM_PROBE_DEGRADED), "degraded");
	assert_string_equal(stim_cgroup_resource_name(STIM_CGROUP_KILL), "kill");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_from_magic),
		cmocka_unit_test(test_mode_nothing_mounted),
		cmocka_unit_test(test_list_has),
		cmocka_unit_test(test_self_path_hybrid),
		cmocka_unit_test(test_self_path_v2),
		cmocka_unit_test(test_self_path_joined_and_odd),
		cmocka_unit_test(test_self_path_too_long),
		cmocka_unit_test(test_find_cgroup_hybrid),
		cmocka_unit_test(test_find_cgroup_missing),
		cmocka_unit_test(test_find_cgroup_shadowed),
		cmocka_unit_test(test_find_cgroup_skips_bad_lines),
		cmocka_unit_test(test_find_cgroup_prefers_canonical),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_join_outside),
		cmocka_unit_test(test_proc_cgroups),
		cmocka_unit_test(test_kernel_at_least),
		cmocka_unit_test(test_unenforced),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
