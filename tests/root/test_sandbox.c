/* Root test of the instance sandbox (sandbox/spawn.c) with a busybox root:
 * PID 1 in its own namespaces, the overlay root and the disk that keeps
 * its writes (and only it: the image and the host stay as they were),
 * /proc, /dev, read-only /sys, hostname and /etc/hosts, lo only,
 * capabilities cut, seccomp refusing mount, module loading, swap and new
 * namespaces, nothing of the host visible, a failing step named, and the
 * instance's cgroup entered. */
#include <errno.h>
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox/cgroup.h"
#include "sandbox/spawn.h"
#include "src/cleanup.h"
#include "src/host_probe.h"
#include "src/util.h"
#include "tests/root/busybox_image.h"

/* Runs `sh -c script` as the instance's PID 1; returns its wait status
 * and its output in out. */
static int run(struct busybox_image *f, struct stim_cgroup *cg, const char *script, char *out,
	       size_t size)
{
	cleanup_error stim_error_t err = NULL;
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	char *envp[] = { "PATH=/bin", NULL };
	struct stim_sandbox sb;
	struct stim_sandbox_config c = {
		.hostname = "vm-one",
		.lower = f->lower,
		.disk = f->disk,
		.root = f->root,
		.argv = argv,
		.envp = envp,
		.exec_fd = -1,
		.pass_fd = -1,
		.cgroup = cg,
	};
	int pipefd[2];
	size_t len = 0;
	ssize_t n;
	int status;

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	c.stdout_fd = pipefd[1];
	if (stim_sandbox_start(&c, &sb, &err) < 0)
		fail_msg("start: %s", err->msg);
	close(pipefd[1]);
	while (len + 1 < size && (n = read(pipefd[0], out + len, size - len - 1)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(sb.pid, &status, 0), sb.pid);
	close(sb.pidfd);
	return status;
}

static void expect_output(struct busybox_image *f, const char *script, const char *want)
{
	char out[4096];
	int status = run(f, NULL, script, out, sizeof(out));

	if (strcmp(out, want) != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s\n want '%s'\n got  '%s' (status %d)", script, want, out, status);
}

static void test_namespaces_and_root(void **state)
{
	struct busybox_image *f = *state;

	expect_output(f, "echo $$", "1\n");
	expect_output(f, "hostname; cat /etc/hostname", "vm-one\nvm-one\n");
	expect_output(f, "grep metadata.google.internal /etc/hosts",
		      "169.254.169.254 metadata.google.internal metadata\n");
	/* Only its own process: the shell expands the glob itself, so no
	 * other process of the pipeline races the listing. */
	expect_output(f, "echo /proc/[0-9]*", "/proc/1\n");
	expect_output(f, "ls /sys/class/net; cat /sys/class/net/lo/operstate", "lo\nunknown\n");
	expect_output(f, "ls /dev | tr '\\n' ' '",
		      "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero ");
	expect_output(f, "echo x >/dev/null && head -c 4 /dev/zero | wc -c", "4\n");
	/* The host's root is gone: only the image and the mounts made here. */
	expect_output(f, "ls / | tr '\\n' ' '", "bin dev etc proc sys ");
}

static void test_disk_keeps_writes(void **state)
{
	struct busybox_image *f = *state;
	char path[256];
	char buf[16] = { 0 };
	int fd;

	expect_output(f, "mkdir -p /root && echo kept >/root/file && echo ok", "ok\n");
	snprintf(path, sizeof(path), "%s/upper/root/file", f->disk);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 5);
	close(fd);
	assert_string_equal(buf, "kept\n");
	/* A second boot of the same disk sees it; the image is untouched. */
	expect_output(f, "cat /root/file", "kept\n");
	snprintf(path, sizeof(path), "%s/root", f->lower);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_privileges_cut(void **state)
{
	struct busybox_image *f = *state;

	/* Seccomp mode 2, no_new_privs, and a bounding set without
	 * CAP_SYS_ADMIN (21), CAP_SYS_MODULE (16), CAP_SYS_TIME (25),
	 * CAP_SYS_BOOT (22), CAP_SYS_RAWIO (17) or CAP_MKNOD (27). */
	expect_output(f, "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status | tr -s '\\t' ' '",
		      "NoNewPrivs: 1\nSeccomp: 2\n");
	expect_output(f, "grep CapBnd /proc/self/status | cut -f2", "00000000a00425fb\n");
	/* No mounts (the filter refuses them too: tests/unit/test_seccomp.c). */
	expect_output(f, "mkdir -p /mnt; mount -t tmpfs t /mnt 2>/dev/null || echo refused",
		      "refused\n");
	expect_output(f, "touch /sys/x 2>/dev/null || echo read-only", "read-only\n");
	expect_output(f, "mknod /dev/sda b 8 0 2>/dev/null || echo refused", "refused\n");
	/* Without CAP_SYS_ADMIN, as in a container, even in its own uts ns. */
	expect_output(f, "hostname other 2>/dev/null || echo refused", "refused\n");
	/* Loading a module: init_module is refused before the kernel looks at
	 * the bytes (which would be ENOEXEC, "invalid module format"). */
	expect_output(f, "echo junk >/m.ko; insmod /m.ko 2>&1 | grep -c 'Operation not permitted'",
		      "1\n");
	/* Neither swap, nor a new namespace to escape the filter into. */
	expect_output(f, "swapon /m.ko 2>/dev/null || echo refused", "refused\n");
	expect_output(f, "unshare -m true 2>/dev/null || echo refused", "refused\n");
	/* The kernel's settings are the host's: /proc/sys is read-only, as in
	 * a container, and what shows host memory or keys is hidden. */
	expect_output(f, "(echo 1 >/proc/sys/vm/drop_caches) 2>/dev/null || echo refused",
		      "refused\n");
	expect_output(f, "(echo x >/proc/irq/x) 2>/dev/null || echo refused", "refused\n");
	/* Hidden: the host's keys, timers and firmware tables (those files a
	 * kernel lacks are absent, which hides them as well). */
	expect_output(f,
		      "cat /proc/keys /proc/timer_list | wc -c; ls /sys/firmware | wc -w; "
		      "ls /proc/acpi | wc -w",
		      "0\n0\n0\n");
}

/* Every write lands on the instance's disk: the image below is shared by
 * every instance of it and stays as built, and nothing reaches the host. */
static void test_writes_stay_on_the_disk(void **state)
{
	struct busybox_image *f = *state;
	char path[512];

	expect_output(f, "echo x >/etc/evil && echo x >/bin/evil && rm /bin/cat && echo ok",
		      "ok\n");
	snprintf(path, sizeof(path), "%s/etc/evil", f->lower);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/bin/evil", f->lower);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/bin/cat", f->lower);
	assert_int_equal(access(path, F_OK), 0); /* the delete is a whiteout above */
	snprintf(path, sizeof(path), "%s/upper/etc/evil", f->disk);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(access("/etc/evil", F_OK), -1);
	assert_int_equal(access("/bin/evil", F_OK), -1);
	/* The next boot of the same disk still misses it. */
	expect_output(f, "test -e /bin/cat || echo gone", "gone\n");
}

static void test_failing_step_is_named(void **state)
{
	struct busybox_image *f = *state;
	cleanup_error stim_error_t err = NULL;
	char *argv[] = { "/bin/sh", "-c", "true", NULL };
	char *envp[] = { NULL };
	cleanup_free char *missing = xasprintf("%s/no-such-image", f->tmp);
	struct stim_sandbox sb;
	struct stim_sandbox_config c = {
		.hostname = "vm-two",
		.lower = missing,
		.disk = f->disk,
		.root = f->root,
		.argv = argv,
		.envp = envp,
		.exec_fd = -1,
		.stdout_fd = 2,
		.pass_fd = -1,
	};

	assert_int_equal(stim_sandbox_start(&c, &sb, &err), -1);
	assert_non_null(strstr(err->msg, "mount the overlay root"));
	stim_error_free(steal_pointer(&err));
	/* A program that is not in the image: the exec step. */
	c.lower = f->lower;
	argv[0] = "/bin/nope";
	assert_int_equal(stim_sandbox_start(&c, &sb, &err), -1);
	assert_non_null(strstr(err->msg, "'exec'"));
	assert_non_null(strstr(err->msg, "No such file"));
}

static void test_cgroup_entered(void **state)
{
	struct busybox_image *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_cgroup_info info;
	struct stim_cgroups *m;
	struct stim_cgroup_limits lim = { .pids = 8 };
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	char name[64];
	char out[256];

	if (stim_cgroup_probe(&info, &err) < 0 || !info.res[STIM_CGROUP_PIDS].usable)
		skip();
	m = stim_cgroups_new(&info);
	snprintf(name, sizeof(name), "stim-test-sb-%d", (int)getpid());
	cg = stim_cgroup_create(m, name, &lim, &err);
	assert_non_null(cg);
	/* The cgroup namespace is rooted at the instance's cgroup. */
	run(f, cg, "cat /proc/self/cgroup | grep -c ':/$'", out, sizeof(out));
	assert_true(atoi(out) >= 1);
	assert_int_equal(stim_cgroup_destroy(cg, &err), 0);
	stim_cgroups_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_namespaces_and_root, busybox_image_setup,
						busybox_image_teardown),
		cmocka_unit_test_setup_teardown(test_disk_keeps_writes, busybox_image_setup,
						busybox_image_teardown),
		cmocka_unit_test_setup_teardown(test_privileges_cut, busybox_image_setup,
						busybox_image_teardown),
		cmocka_unit_test_setup_teardown(test_writes_stay_on_the_disk, busybox_image_setup,
						busybox_image_teardown),
		cmocka_unit_test_setup_teardown(test_failing_step_is_named, busybox_image_setup,
						busybox_image_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_entered, busybox_image_setup,
						busybox_image_teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_sandbox: needs root, skipping\n");
		return 77;
	}
	if (access(BUSYBOX, X_OK) < 0) {
		fprintf(stderr, "test_sandbox: no %s (busybox-static), skipping\n", BUSYBOX);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
