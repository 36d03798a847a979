/* Root test of instance cgroups (sandbox/cgroup.c) on this host's real
 * layout, whichever it is (hybrid here, pure v2 on other runners): limits
 * that bite (memory OOM-kills, pids refuses forks), freeze that stops a
 * counter and thaw that restarts it, kill, and directories that go. Every
 * cgroup is a stim-test-* child of the test's own, removed at the end. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox/cgroup.h"
#include "src/cleanup.h"
#include "src/host_probe.h"
#include "src/util.h"

struct fixture {
	struct stim_cgroups *m;
	struct stim_cgroup_info info;
	char name[64];
};

static int setup(void **state)
{
	static int seq;
	struct fixture *f = xcalloc(1, sizeof(*f));
	cleanup_error stim_error_t err = NULL;

	if (stim_cgroup_probe(&f->info, &err) < 0) {
		print_error("probe: %s\n", err->msg);
		return -1;
	}
	f->m = stim_cgroups_new(&f->info);
	snprintf(f->name, sizeof(f->name), "stim-test-cg-%d-%d", (int)getpid(), seq++);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stim_cgroups_free(f->m);
	free(f);
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Forks a child that waits for a byte on a pipe (sent once it is in the
 * cgroup), then runs body. */
static pid_t spawn_entered(struct stim_cgroup *cg, void (*body)(void *), void *arg)
{
	cleanup_error stim_error_t err = NULL;
	int go[2];
	pid_t pid;
	char c = 'g';

	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(100);
		body(arg);
		_exit(0);
	}
	close(go[0]);
	assert_int_equal(stim_cgroup_enter(cg, pid, &err), 0);
	assert_int_equal(write(go[1], &c, 1), 1);
	close(go[1]);
	return pid;
}

static void count_forever(void *arg)
{
	volatile uint64_t *counter = arg;

	for (;;)
		(*counter)++;
}

static void test_freeze_thaw_kill(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_cgroup_limits lim = { .memory_bytes = 64 << 20, .cpu_milli = 500, .pids = 16 };
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	volatile uint64_t *counter;
	uint64_t a;
	uint64_t b;
	int status;
	pid_t pid;

	if (!f->info.res[STIM_CGROUP_FREEZE].usable || !f->info.res[STIM_CGROUP_KILL].usable)
		skip();
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(counter != MAP_FAILED);
	cg = stim_cgroup_create(f->m, f->name, &lim, &err);
	if (cg == NULL)
		fail_msg("create: %s", err->msg);
	pid = spawn_entered(cg, count_forever, (void *)counter);
	sleep_ms(50);
	assert_true(*counter > 0);

	assert_int_equal(stim_cgroup_freeze(cg, true, &err), 0);
	a = *counter;
	sleep_ms(100);
	b = *counter;
	assert_true(a == b);
	assert_int_equal(stim_cgroup_freeze(cg, false, &err), 0);
	sleep_ms(50);
	assert_true(*counter > b);

	assert_int_equal(stim_cgroup_kill(cg, &err), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(stim_cgroup_destroy(cg, &err), 0);
	munmap((void *)counter, 4096);
}

static void allocate_too_much(void *arg)
{
	size_t n = 256 << 20;
	char *p = malloc(n);

	/* Touched, so the pages are really charged to the cgroup. */
	for (size_t i = 0; p != NULL && i < n; i += 4096)
		p[i] = 1;
	_exit(0);
}

static void test_memory_limit_kills(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_cgroup_limits lim = { .memory_bytes = 32 << 20 };
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	int status;
	pid_t pid;

	if (!f->info.res[STIM_CGROUP_MEMORY].usable)
		skip();
	cg = stim_cgroup_create(f->m, f->name, &lim, &err);
	if (cg == NULL)
		fail_msg("create: %s", err->msg);
	pid = spawn_entered(cg, allocate_too_much, NULL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* The OOM killer's SIGKILL, not a clean exit. */
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(stim_cgroup_destroy(cg, &err), 0);
}

static void fork_many(void *arg)
{
	int made = 0;

	for (int i = 0; i < 10; i++) {
		pid_t p = fork();

		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p > 0)
			made++;
	}
	_exit(made);
}

static void test_pids_limit_refuses_forks(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_cgroup_limits lim = { .pids = 4 };
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	int status;
	pid_t pid;

	if (!f->info.res[STIM_CGROUP_PIDS].usable || !f->info.res[STIM_CGROUP_KILL].usable)
		skip();
	cg = stim_cgroup_create(f->m, f->name, &lim, &err);
	if (cg == NULL)
		fail_msg("create: %s", err->msg);
	pid = spawn_entered(cg, fork_many, NULL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* The child itself is one of the four. */
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	/* Its orphans are still in the cgroup: kill reaches them too. */
	assert_int_equal(stim_cgroup_kill(cg, &err), 0);
	assert_int_equal(stim_cgroup_destroy(cg, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_freeze_thaw_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_limit_kills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pids_limit_refuses_forks, setup, teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_cgroup: needs root, skipping\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
