/* Root test of stim-init as an instance's PID 1 in a busybox image: the
 * startup script runs with its output on the serial console, orphans are
 * reaped, and SIGTERM runs the shutdown script, ends every process and
 * exits 0. Then the image recipes (images/images.c) booted the same way:
 * busybox, and host with the host's programs read-only. Skips (77) when
 * stim-init was not built (sanitizer builds). */
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

#include "images/images.h"
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

/* A running instance: stim-init as PID 1, its console on a pipe. */
struct boot {
	struct stim_sandbox sb;
	int console;
	char out[16384];
	size_t len;
};

static void boot(struct boot *b, struct busybox_image *f, const char *lower,
		 const struct stim_sandbox_bind *binds, size_t nbinds, const char *config)
{
	cleanup_error stim_error_t err = NULL;
	char *argv[] = { "stim-init", NULL };
	char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", NULL };
	int cfg = memfd_create("stim-init-config", MFD_CLOEXEC);
	int exe = open(init_path, O_PATH | O_CLOEXEC);
	int console[2];
	struct stim_sandbox_config c = {
		.hostname = "vm-init",
		.lower = lower,
		.binds = binds,
		.nbinds = nbinds,
		.disk = f->disk,
		.root = f->root,
		.argv = argv,
		.envp = envp,
		.exec_fd = exe,
		.pass_fd = cfg,
	};

	memset(b, 0, sizeof(*b));
	assert_true(cfg >= 0 && exe >= 0);
	assert_int_equal(write(cfg, config, strlen(config)), (ssize_t)strlen(config));
	assert_int_equal(lseek(cfg, 0, SEEK_SET), 0);
	assert_int_equal(pipe2(console, O_CLOEXEC), 0);
	c.stdout_fd = console[1];
	if (stim_sandbox_start(&c, &b->sb, &err) < 0)
		fail_msg("start: %s", err->msg);
	close(console[1]);
	close(cfg);
	close(exe);
	b->console = console[0];
}

static void expect_console(struct boot *b, const char *want)
{
	if (!wait_for(b->console, b->out, sizeof(b->out), &b->len, want))
		fail_msg("no '%s' on the console:\n%s", want, b->out);
}

/* The daemon's stop: SIGTERM through the pidfd; init exits 0. */
static void stop(struct boot *b)
{
	int status;

	assert_int_equal(syscall(SYS_pidfd_send_signal, b->sb.pidfd, SIGTERM, NULL, 0), 0);
	expect_console(b, "stim-init: stopped");
	assert_int_equal(waitpid(b->sb.pid, &status, 0), b->sb.pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(b->console);
	close(b->sb.pidfd);
}

static void test_boot_scripts_and_stop(void **state)
{
	struct busybox_image *f = *state;
	struct boot b;

	boot(&b, f, f->lower, NULL, 0,
	     "{\"hostname\": \"vm-init\", \"shutdownGraceSeconds\": 5,"
	     " \"startupScript\": \"#!/bin/sh\\necho hello from $(hostname)\\n"
	     "(sleep 0.1 &)\\nsleep 0.5\\nps -o stat | grep -c '^Z'\\nsleep 1000 &\\n"
	     "echo started\\n\","
	     " \"shutdownScript\": \"echo bye from $$\\n\"}");
	expect_console(&b, "startup-script exit status 0");
	assert_non_null(strstr(b.out, "stim-init: booting vm-init\n"));
	assert_non_null(strstr(
		b.out, "google_metadata_script_runner: startup-script: hello from vm-init\n"));
	/* The orphaned sleep was reaped: no zombie in the instance. */
	assert_non_null(strstr(b.out, "google_metadata_script_runner: startup-script: 0\n"));
	assert_non_null(strstr(b.out, "startup-script: started\n"));
	stop(&b);
	assert_non_null(strstr(b.out, "shutdown-script: bye from "));
	assert_non_null(strstr(b.out, "shutdown-script exit status 0"));
}

/* The busybox recipe (images/images.c), built in the fixture's directory
 * as under DATA/images, then reused. */
static void test_busybox_recipe(void **state)
{
	struct busybox_image *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_image_layout img;
	struct boot b;

	assert_int_equal(stim_image_prepare(f->tmp, "busybox", NULL, 0, &img, &err), 0);
	assert_int_equal(stim_image_prepare(f->tmp, "busybox", NULL, 0, &img, &err), 0);
	assert_int_equal(img.nbinds, 0);
	boot(&b, f, img.lower, NULL, 0,
	     "{\"startupScript\": \"head -1 /etc/passwd; /usr/bin/awk 'BEGIN { print 40 + 2 }'; "
	     "ls -ld /tmp | cut -c1-10\"}");
	expect_console(&b, "startup-script exit status 0");
	assert_non_null(strstr(b.out, "startup-script: root:x:0:0:root:/root:/bin/sh\n"));
	assert_non_null(strstr(b.out, "startup-script: 42\n"));
	assert_non_null(strstr(b.out, "startup-script: drwxrwxrwt\n"));
	stop(&b);
	assert_int_equal(stim_image_prepare(f->tmp, "debian-99", NULL, 0, &img, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
}

/* The host recipe: the host's programs, read-only, and nothing else of it. */
static void test_host_recipe(void **state)
{
	struct busybox_image *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_image_layout img;
	struct boot b;

	assert_int_equal(stim_image_prepare(f->tmp, "host", NULL, 0, &img, &err), 0);
	assert_true(img.nbinds >= 1);
	assert_string_equal(img.binds[0].source, "/usr");
	boot(&b, f, img.lower, img.binds, img.nbinds,
	     "{\"startupScript\": \"#!/bin/bash\\necho bash ${BASH_VERSINFO[0]}\\n"
	     "awk 'BEGIN { print \\\"awk ok\\\" }'\\n"
	     "touch /usr/x 2>/dev/null || echo usr is read-only\\n"
	     "test -e /var/lib/stimulator || echo no daemon data\\n"
	     "test -e /root/.bashrc || echo a root of its own\\n"
	     "echo written >/etc/motd && cat /etc/motd\\n\"}");
	expect_console(&b, "startup-script exit status 0");
	assert_non_null(strstr(b.out, "startup-script: bash 5\n"));
	assert_non_null(strstr(b.out, "startup-script: awk ok\n"));
	assert_non_null(strstr(b.out, "startup-script: usr is read-only\n"));
	assert_non_null(strstr(b.out, "startup-script: no daemon data\n"));
	assert_non_null(strstr(b.out, "startup-script: a root of its own\n"));
	assert_non_null(strstr(b.out, "startup-script: written\n"));
	stop(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_scripts_and_stop, busybox_image_setup,
						busybox_image_teardown),
		cmocka_unit_test_setup_teardown(test_busybox_recipe, busybox_image_setup,
						busybox_image_teardown),
		cmocka_unit_test_setup_teardown(test_host_recipe, busybox_image_setup,
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
