/* Root test of stim-init as an instance's PID 1 in a busybox image: the
 * startup script runs with its output on the serial console, orphans are
 * reaped, and SIGTERM runs the shutdown script, ends every process and
 * exits 0. Skips (77) when stim-init was not built (sanitizer builds). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox/spawn.h"
#include "src/cleanup.h"
#include "src/util.h"
#include "tests/root/busybox_image.h"

static char init_path[PATH_MAX + 16];

/* Reads console text until it holds `want` (or 10 s pass). */
static bool wait_for(int fd, char *buf, size_t size, size_t *len, const char *want)
{
	for (int i = 0; i < 1000 && strstr(buf, want) == NULL; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10) <= 0)
			continue;
		n = read(fd, buf + *len, size - *len - 1);
		if (n <= 0)
			break;
		*len += (size_t)n;
		buf[*len] = '\0';
	}
	return strstr(buf, want) != NULL;
}

static void test_boot_scripts_and_stop(void **state)
{
	struct busybox_image *f = *state;
	cleanup_error stim_error_t err = NULL;
	const char *config =
		"{\"hostname\": \"vm-init\", \"shutdownGraceSeconds\": 5,"
		" \"startupScript\": \"#!/bin/sh\\necho hello from $(hostname)\\n"
		"(sleep 0.1 &)\\nsleep 0.5\\nps -o stat | grep -c '^Z'\\nsleep 1000 &\\n"
		"echo started\\n\","
		" \"shutdownScript\": \"echo bye from $$\\n\"}";
	char *argv[] = { "stim-init", NULL };
	char *envp[] = { "PATH=/bin", NULL };
	int cfg = memfd_create("stim-init-config", MFD_CLOEXEC);
	int exe = open(init_path, O_PATH | O_CLOEXEC);
	int console[2];
	struct stim_sandbox sb;
	struct stim_sandbox_config c = {
		.hostname = "vm-init",
		.lower = f->lower,
		.disk = f->disk,
		.root = f->root,
		.argv = argv,
		.envp = envp,
		.exec_fd = exe,
		.pass_fd = cfg,
	};
	char out[8192] = "";
	size_t len = 0;
	int status;

	assert_true(cfg >= 0 && exe >= 0);
	assert_int_equal(write(cfg, config, strlen(config)), (ssize_t)strlen(config));
	assert_int_equal(lseek(cfg, 0, SEEK_SET), 0);
	assert_int_equal(pipe2(console, O_CLOEXEC), 0);
	c.stdout_fd = console[1];
	if (stim_sandbox_start(&c, &sb, &err) < 0)
		fail_msg("start: %s", err->msg);
	close(console[1]);
	close(cfg);
	close(exe);

	if (!wait_for(console[0], out, sizeof(out), &len, "startup-script exit status 0"))
		fail_msg("console so far:\n%s", out);
	assert_non_null(strstr(out, "stim-init: booting vm-init\n"));
	assert_non_null(
		strstr(out, "google_metadata_script_runner: startup-script: hello from vm-init\n"));
	/* The orphaned sleep was reaped: no zombie in the instance. */
	assert_non_null(strstr(out, "google_metadata_script_runner: startup-script: 0\n"));
	assert_non_null(strstr(out, "startup-script: started\n"));

	/* The daemon's stop: SIGTERM through the pidfd. */
	assert_int_equal(syscall(SYS_pidfd_send_signal, sb.pidfd, SIGTERM, NULL, 0), 0);
	if (!wait_for(console[0], out, sizeof(out), &len, "stim-init: stopped"))
		fail_msg("console so far:\n%s", out);
	assert_non_null(strstr(out, "shutdown-script: bye from "));
	assert_non_null(strstr(out, "shutdown-script exit status 0"));
	assert_int_equal(waitpid(sb.pid, &status, 0), sb.pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(console[0]);
	close(sb.pidfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_scripts_and_stop, busybox_image_setup,
						busybox_image_teardown),
	};
	char self[PATH_MAX];
	ssize_t n;

	if (geteuid() != 0) {
		fprintf(stderr, "test_init: needs root, skipping\n");
		return 77;
	}
	/* build/tests/root_test_init -> build/stim-init */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(init_path, sizeof(init_path), "%s/../stim-init", self);
	if (access(init_path, X_OK) < 0 || access("/bin/busybox", X_OK) < 0) {
		fprintf(stderr, "test_init: no %s or /bin/busybox, skipping\n", init_path);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
