/* Unit test of the instance seccomp filter (sandbox/seccomp.c): installed
 * in a forked child (no root needed with no_new_privs), it refuses the
 * listed syscalls with EPERM and lets ordinary ones through. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp.h>

#include <cmocka.h>

#include "sandbox/seccomp.h"
#include "src/cleanup.h"

/* Exit codes of the child: which check failed. */
enum { CHILD_OK, CHILD_INSTALL, CHILD_ADD_KEY, CHILD_MOUNT, CHILD_PTRACE, CHILD_GETPID };

static int child(const struct stim_seccomp_prog *p)
{
	struct sock_fprog prog = { .len = p->len, .filter = p->filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return CHILD_INSTALL;
	/* add_key needs no privilege at all: only the filter can refuse it. */
	if (syscall(SYS_add_key, "user", "stim", "x", 1, -3 /* KEY_SPEC_USER_KEYRING */) >= 0 ||
	    errno != EPERM)
		return CHILD_ADD_KEY;
	if (syscall(SYS_mount, "none", "/", "tmpfs", 0, NULL) >= 0 || errno != EPERM)
		return CHILD_MOUNT;
	if (syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0) >= 0 || errno != EPERM)
		return CHILD_PTRACE;
	if (syscall(SYS_getpid) != getpid())
		return CHILD_GETPID;
	return CHILD_OK;
}

static void test_filter_refuses(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_seccomp_prog p;
	int status;
	pid_t pid;

	assert_int_equal(stim_seccomp_build(&p, &err), 0);
	assert_true(p.len > 10);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child(&p));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), CHILD_OK);
	stim_seccomp_prog_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
