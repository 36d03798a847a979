/* Unit tests of the cgroup v2 backend's file writes (sandbox/cgroup.c)
 * against a temporary directory laid out like cgroupfs: limits, entering,
 * freeze and its wait on cgroup.events, kill, the daemon's own leaf, and
 * what is reported as not enforced. The hybrid backend runs for real in
 * tests/root/test_cgroup.c. */
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox/cgroup.h"
#include "src/cleanup.h"
#include "src/procfs.h"
#include "src/util.h"

struct fixture {
	char tmp[64];
	struct stim_cgroup_info info;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* A v2 host whose own cgroup is tmp, every resource delegated. */
static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->tmp, sizeof(f->tmp), "/tmp/stim-unit-cgroup-XXXXXX");
	if (mkdtemp(f->tmp) == NULL)
		return -1;
	f->info.mode = STIM_CGROUP_V2;
	for (int r = 0; r < STIM_CGROUP_NR_RESOURCES; r++) {
		f->info.res[r].usable = true;
		f->info.res[r].v2 = true;
		snprintf(f->info.res[r].dir, sizeof(f->info.res[r].dir), "%s", f->tmp);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static char *slurp(const char *dir, const char *file)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_error stim_error_t err = NULL;
	char *text = NULL;

	if (stim_procfs_read(path, 4096, &text, &err) < 0)
		fail_msg("%s: %s", path, err->msg);
	return text;
}

static void put(const char *dir, const char *file, const char *text)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	FILE *fp = fopen(path, "we");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void expect_file(const char *dir, const char *file, const char *want)
{
	cleanup_free char *got = slurp(dir, file);

	if (strcmp(got, want) != 0)
		fail_msg("%s/%s: want '%s', got '%s'", dir, file, want, got);
}

static void test_v2_limits_and_lifecycle(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_cgroups *m = stim_cgroups_new(&f->info);
	struct stim_cgroup_limits lim = { .memory_bytes = 4ull << 30,
					  .cpu_milli = 2000,
					  .pids = 512 };
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	cleanup_free char *dir = xasprintf("%s/stim-i-1", f->tmp);

	assert_string_equal(stim_cgroups_unenforced(m), "");
	stim_cgroups_set_timeout(m, 50);
	cg = stim_cgroup_create(m, "stim-i-1", &lim, &err);
	assert_non_null(cg);
	/* One directory for everything on v2. */
	assert_string_equal(stim_cgroup_unified_dir(cg), dir);
	expect_file(dir, "memory.max", "4294967296");
	expect_file(dir, "memory.swap.max", "0");
	expect_file(dir, "cpu.max", "200000 100000");
	expect_file(dir, "pids.max", "512");

	/* A shared-core machine type (e2-micro: 0.25 vCPU), then no limits. */
	lim = (struct stim_cgroup_limits){ .memory_bytes = 1 << 30, .cpu_milli = 250 };
	assert_int_equal(stim_cgroup_set_limits(cg, &lim, &err), 0);
	expect_file(dir, "cpu.max", "25000 100000");
	expect_file(dir, "pids.max", "max");
	lim = (struct stim_cgroup_limits){ 0 };
	assert_int_equal(stim_cgroup_set_limits(cg, &lim, &err), 0);
	expect_file(dir, "memory.max", "max");
	expect_file(dir, "cpu.max", "max 100000");

	assert_int_equal(stim_cgroup_enter(cg, 4242, &err), 0);
	expect_file(dir, "cgroup.procs", "4242");

	/* Freeze writes cgroup.freeze and waits for the kernel's word in
	 * cgroup.events (written here by hand). */
	put(dir, "cgroup.events", "populated 1\nfrozen 1\n");
	assert_int_equal(stim_cgroup_freeze(cg, true, &err), 0);
	expect_file(dir, "cgroup.freeze", "1");
	/* A thaw the "kernel" never confirms times out. */
	assert_int_equal(stim_cgroup_freeze(cg, false, &err), -1);
	assert_int_equal(err->code, STIM_DEADLINE_EXCEEDED);
	stim_error_free(steal_pointer(&err));
	put(dir, "cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(stim_cgroup_freeze(cg, false, &err), 0);

	assert_int_equal(stim_cgroup_kill(cg, &err), 0);
	expect_file(dir, "cgroup.kill", "1");

	/* Made twice: the caller hears of it. */
	assert_null(stim_cgroup_create(m, "stim-i-1", &lim, &err));
	assert_int_equal(err->code, STIM_ALREADY_EXISTS);
	stim_error_free(steal_pointer(&err));
	assert_null(stim_cgroup_create(m, "not-ours", &lim, &err));
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	stim_error_free(steal_pointer(&err));

	/* cgroupfs drops the interface files with the directory. */
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(stim_cgroup_destroy(cg, &err), 0);
	assert_int_equal(access(dir, F_OK), -1);
	stim_cgroups_free(m);
}

static void test_v2_prepare_moves_the_daemon_to_a_leaf(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_cgroups *m = stim_cgroups_new(&f->info);
	cleanup_free char *leaf = xasprintf("%s/stim-daemon", f->tmp);
	char pid[24];

	assert_int_equal(stim_cgroups_prepare(m, &err), 0);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	expect_file(leaf, "cgroup.procs", pid);
	/* Each controller is enabled with its own write; the last stays. */
	expect_file(f->tmp, "cgroup.subtree_control", "+pids");
	assert_string_equal(stim_cgroups_unenforced(m), "");
	stim_cgroups_free(m);
}

static void test_unenforced_limits_are_named_and_skipped(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_cgroup_limits lim = { .memory_bytes = 1 << 20, .cpu_milli = 500, .pids = 8 };
	struct stim_cgroups *m;
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	cleanup_free char *dir = xasprintf("%s/stim-i-2", f->tmp);
	cleanup_free char *memory_max = xasprintf("%s/memory.max", dir);

	f->info.res[STIM_CGROUP_MEMORY].usable = false;
	f->info.res[STIM_CGROUP_CPU].usable = false;
	m = stim_cgroups_new(&f->info);
	assert_string_equal(stim_cgroups_unenforced(m), "memory, cpu");
	cg = stim_cgroup_create(m, "stim-i-2", &lim, &err);
	assert_non_null(cg);
	expect_file(dir, "pids.max", "8");
	assert_int_equal(access(memory_max, F_OK), -1);
	stim_cgroups_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2_limits_and_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_prepare_moves_the_daemon_to_a_leaf, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unenforced_limits_are_named_and_skipped, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
