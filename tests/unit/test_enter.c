/* The cgroup directories a process sits in, from its /proc/PID/cgroup
 * and the mount table: what the ssh shim joins before it enters an
 * instance (sandbox/enter.h), on this host's hybrid layout and on pure
 * cgroup v2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sandbox/enter.h"
#include "src/cleanup.h"

static const char hybrid_mounts[] =
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"35 30 0:32 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"36 30 0:33 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"37 30 0:34 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static void test_hybrid(void **state)
{
	static const char proc[] = "9:name=systemd:/\n"
				   "8:pids:/stim/stim-i-42\n"
				   "4:memory:/stim/stim-i-42\n"
				   "3:cpu,cpuacct:/stim/stim-i-42\n"
				   "2:blkio:/\n" /* not mounted here: passed over */
				   "0::/stim/stim-i-42\n";
	cleanup_error stim_error_t err = NULL;
	struct stim_strv dirs = { 0 };

	assert_int_equal(stim_enter_cgroup_dirs(proc, hybrid_mounts, &dirs, &err), 0);
	assert_int_equal(dirs.n, 5);
	assert_string_equal(dirs.v[0], "/sys/fs/cgroup/systemd/");
	assert_string_equal(dirs.v[1], "/sys/fs/cgroup/pids/stim/stim-i-42");
	assert_string_equal(dirs.v[2], "/sys/fs/cgroup/memory/stim/stim-i-42");
	assert_string_equal(dirs.v[3], "/sys/fs/cgroup/cpu/stim/stim-i-42");
	assert_string_equal(dirs.v[4], "/sys/fs/cgroup/unified/stim/stim-i-42");
	stim_strv_fini(&dirs);
}

/* Pure v2, the cgroup mount a subtree (as inside a container): paths
 * are below its root. A path with ':' in it stays whole. */
static void test_v2_subtree(void **state)
{
	static const char mounts[] =
		"40 22 0:26 /ci/runner /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n";
	static const char proc[] = "0::/ci/runner/stim/stim-i:7\n";
	static const char outside[] = "0::/elsewhere\n";
	cleanup_error stim_error_t err = NULL;
	struct stim_strv dirs = { 0 };

	assert_int_equal(stim_enter_cgroup_dirs(proc, mounts, &dirs, &err), 0);
	assert_int_equal(dirs.n, 1);
	assert_string_equal(dirs.v[0], "/sys/fs/cgroup/stim/stim-i:7");
	stim_strv_fini(&dirs);
	/* A cgroup the mount does not show is passed over. */
	assert_int_equal(stim_enter_cgroup_dirs(outside, mounts, &dirs, &err), 0);
	assert_int_equal(dirs.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hybrid),
		cmocka_unit_test(test_v2_subtree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
