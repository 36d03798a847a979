/* Root tests: runs every host probe for real and checks what must hold on any Linux host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <net/if.h>
#include <signal.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/host_probe.h"
#include "src/host_probe_internal.h"
#include "src/util.h"

static const struct stim_probe_result *find_item(const struct stim_host_report *rep,
						 const char *name)
{
	for (size_t i = 0; i < rep->n; i++) {
		if (strcmp(rep->items[i].name, name) == 0)
			return &rep->items[i];
	}
	fail_msg("no item %s in the report", name);
	return NULL;
}

static void assert_ok(const struct stim_host_report *rep, const char *name)
{
	const struct stim_probe_result *it = find_item(rep, name);

	if (it->state != STIM_PROBE_OK)
		fail_msg("%s: %s: %s", name, stim_probe_state_name(it->state), it->detail);
}

/* Counts the lines of /proc/self/mountinfo that mention needle. */
static int count_mounts(const char *needle)
{
	cleanup_file FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, needle) != NULL)
			n++;
	}
	return n;
}

static void test_probe_whole_host(void **state)
{
	cleanup_free struct stim_host_report *rep = xcalloc(1, sizeof(*rep));
	cleanup_error stim_error_t err = NULL;
	char scratch[] = "/tmp/stim-test-probe-XXXXXX";
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	int overlays;

	assert_non_null(mkdtemp(scratch));
	overlays = count_mounts(" - overlay ");
	assert_int_equal(stim_host_probe(rep, scratch, &err), 0);
	assert_null(err);

	/* Things every root-run Linux host the daemon supports can do. */
	assert_ok(rep, "root");
	assert_ok(rep, "namespace.mount");
	assert_ok(rep, "namespace.uts");
	assert_ok(rep, "namespace.ipc");
	assert_ok(rep, "namespace.pid");
	assert_ok(rep, "namespace.net");
	assert_ok(rep, "seccomp");
	assert_true(rep->cgroup_ok);
	assert_ok(rep, "cgroup.mode");
	/* Every item is named once and says something. */
	for (size_t i = 0; i < rep->n; i++) {
		assert_true(rep->items[i].detail[0] != '\0');
		for (size_t j = i + 1; j < rep->n; j++)
			assert_string_not_equal(rep->items[i].name, rep->items[j].name);
	}
	find_item(rep, "overlayfs");
	find_item(rep, "nftables");
	find_item(rep, "bridge");
	find_item(rep, "br_netfilter");
	for (int i = 0; i < STIM_CGROUP_NR_RESOURCES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "cgroup.%s", stim_cgroup_resource_name(i));
		find_item(rep, name);
	}

	/* Nothing left behind: scratch dir empty, no overlay mount, and the
	 * bridge lived only in the child's namespace. */
	d = opendir(scratch);
	assert_non_null(d);
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			fail_msg("left behind: %s/%s", scratch, de->d_name);
	}
	assert_int_equal(rmdir(scratch), 0);
	assert_int_equal(count_mounts(" - overlay "), overlays);
	assert_int_equal(if_nametoindex("stimdoctor0"), 0);
}

static void test_cgroup_consistent(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_cgroup_info info;
	enum stim_cgroup_mode mode;
	char summary[64];
	size_t n = 0;

	assert_int_equal(stim_cgroup_detect(&mode, &err), 0);
	assert_int_equal(stim_cgroup_probe(&info, &err), 0);
	assert_null(err);
	/* Hybrid here, v2 on CI runners: either way the two calls agree. */
	assert_int_equal(info.mode, mode);
	if (mode != STIM_CGROUP_V1)
		assert_true(info.unified_mount[0] == '/');
	if (mode == STIM_CGROUP_V2)
		assert_string_equal(info.unified_mount, "/sys/fs/cgroup");
	for (int i = 0; i < STIM_CGROUP_NR_RESOURCES; i++) {
		const struct stim_cgroup_resource_info *r = &info.res[i];

		if (r->usable) {
			assert_non_null(r->files);
			assert_int_equal(access(r->dir, F_OK), 0);
		} else {
			assert_true(r->why[0] != '\0');
		}
		if (i <= STIM_CGROUP_PIDS && !r->usable)
			n++;
	}
	assert_int_equal(stim_cgroup_unenforced(&info, summary, sizeof(summary)), n);
}

static void report_value(const void *arg, struct stim_probe_child_report *rep)
{
	rep->step = 7;
	rep->value = 42;
}

static void die_quietly(const void *arg, struct stim_probe_child_report *rep)
{
	raise(SIGKILL);
}

static void hang(const void *arg, struct stim_probe_child_report *rep)
{
	for (;;)
		pause();
}

static void test_run_child(void **state)
{
	struct stim_probe_child_report cr = { 0 };
	cleanup_error stim_error_t err1 = NULL;
	cleanup_error stim_error_t err2 = NULL;
	cleanup_error stim_error_t err3 = NULL;

	assert_int_equal(stim_host_probe_run_child(report_value, NULL, &cr, &err1), 0);
	assert_int_equal(cr.step, 7);
	assert_int_equal(cr.value, 42);
	assert_int_equal(cr.errnum, 0);

	assert_int_equal(stim_host_probe_run_child(die_quietly, NULL, &cr, &err2), -1);
	assert_non_null(strstr(err2->msg, "signal 9"));

	/* A stuck child is killed (and reaped) after the timeout. */
	assert_int_equal(stim_host_probe_run_child(hang, NULL, &cr, &err3), -1);
	assert_int_equal(err3->code, STIM_DEADLINE_EXCEEDED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_whole_host),
		cmocka_unit_test(test_cgroup_consistent),
		cmocka_unit_test(test_run_child),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_host_probe: needs root, skipping\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
