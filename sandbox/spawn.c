/* clone3 and the child's named steps (see spawn.h). */
#include "sandbox/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include "sandbox/limits.h"
#include "sandbox/seccomp.h"
#include "src/cleanup.h"
#include "src/procfs.h"
#include "src/util.h"

enum step {
	STEP_WAIT,
	STEP_CGROUP_NS,
	STEP_PRIVATE,
	STEP_OVERLAY,
	STEP_BINDS,
	STEP_PROC,
	STEP_NET_SYSCTLS,
	STEP_PROC_MASK,
	STEP_DEV,
	STEP_DEVPTS,
	STEP_SHM,
	STEP_SYS,
	STEP_HOSTNAME,
	STEP_PIVOT_ROOT,
	STEP_LOOPBACK,
	STEP_STDIO,
	STEP_USERNS,
	STEP_CAPS,
	STEP_NO_NEW_PRIVS,
	STEP_SECCOMP,
	STEP_EXEC,
	STEP_NR
};

static const char *const step_names[STEP_NR] = {
	[STEP_WAIT] = "wait for the parent",
	[STEP_CGROUP_NS] = "cgroup namespace",
	[STEP_PRIVATE] = "make mounts private",
	[STEP_OVERLAY] = "mount the overlay root",
	[STEP_BINDS] = "bind the image's read-only directories",
	[STEP_PROC] = "mount /proc",
	[STEP_NET_SYSCTLS] = "open low ports and ping to the unprivileged root",
	[STEP_PROC_MASK] = "mask the host's files in /proc and /sys",
	[STEP_DEV] = "populate /dev",
	[STEP_DEVPTS] = "mount /dev/pts",
	[STEP_SHM] = "mount /dev/shm",
	[STEP_SYS] = "mount /sys read-only",
	[STEP_HOSTNAME] = "set the hostname",
	[STEP_PIVOT_ROOT] = "pivot_root",
	[STEP_LOOPBACK] = "bring lo up",
	[STEP_STDIO] = "set up stdio",
	[STEP_USERNS] = "enter the user namespace",
	[STEP_CAPS] = "drop capabilities",
	[STEP_NO_NEW_PRIVS] = "no_new_privs",
	[STEP_SECCOMP] = "install the seccomp filter",
	[STEP_EXEC] = "exec",
};

const char *stim_sandbox_step_name(int step)
{
	return step >= 0 && step < STEP_NR ? step_names[step] : "unknown step";
}

/* Device nodes bound from the host's /dev (ptmx comes from devpts). */
static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
#define NDEV (sizeof(dev_nodes) / sizeof(dev_nodes[0]))

static const struct {
	const char *target;
	const char *name;
} dev_links[] = {
	{ "/proc/self/fd", "fd" },	 { "/proc/self/fd/0", "stdin" },
	{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
	{ "pts/ptmx", "ptmx" },
};
#define NLINKS (sizeof(dev_links) / sizeof(dev_links[0]))

/* What a fresh /proc and /sys show of the host and would let root change
 * or read (the instance's root is the host's root: no user namespace).
 * As a container runtime does: read-only where it tunes the host's kernel
 * (/proc/sys holds global sysctls such as vm.drop_caches beside the few
 * that are the instance's own), hidden where it shows host memory, keys
 * or firmware. Paths below the new root; those this kernel lacks are
 * skipped. */
static const char *const proc_readonly[] = { "proc/sys", "proc/sysrq-trigger", "proc/bus",
					     "proc/fs", "proc/irq" };
#define NREADONLY (sizeof(proc_readonly) / sizeof(proc_readonly[0]))
static const char *const masked[] = {
	"proc/kcore",	      "proc/keys",	  "proc/timer_list", "proc/sched_debug",
	"proc/latency_stats", "proc/timer_stats", "proc/acpi",	     "proc/scsi",
	"proc/asound",	      "sys/firmware",
};
#define NMASKED (sizeof(masked) / sizeof(masked[0]))

/* Everything the child needs, made by the parent: the child only reads. */
struct plan {
	const struct stim_sandbox_config *c;
	char overlay_opts[3 * PATH_MAX];
	char proc[PATH_MAX];
	char dev[PATH_MAX];
	char dev_node[NDEV][PATH_MAX];
	char dev_src[NDEV][32];
	char dev_link[NLINKS][PATH_MAX];
	char pts[PATH_MAX];
	char shm[PATH_MAX];
	char sys[PATH_MAX];
	char port_sysctl[PATH_MAX]; /* with a user namespace: see net_sysctls() */
	char ping_sysctl[PATH_MAX];
	char readonly[NREADONLY][PATH_MAX];
	char masked[NMASKED][PATH_MAX];
	char bind_target[STIM_SANDBOX_BINDS_MAX][PATH_MAX];
	struct sock_fprog prog;
	uint64_t keep_caps;
	int last_cap;
	/* Descriptors above 9, so the stdio dup2()s cannot clobber them. */
	int sync_fd;
	int stdout_fd;
	int pass_fd;
	int exec_fd;
};

struct report {
	int step;
	int err;
};

/* Child side: syscalls only, no allocation, no locks (STYLE.md 8). */

static __attribute__((noreturn)) void fail(const struct plan *p, int step)
{
	struct report r = { .step = step, .err = errno };

	if (write(p->sync_fd, &r, sizeof(r)) < 0) {
		/* Nobody to tell: the parent sees the exit status. */
	}
	_exit(127);
}

#define STEP(p, step, expr)                                                                        \
	do {                                                                                       \
		if ((expr) < 0)                                                                    \
			fail(p, step);                                                             \
	} while (0)

static int mkdir_ok(const char *path, mode_t mode)
{
	return mkdir(path, mode) < 0 && errno != EEXIST ? -1 : 0;
}

static int populate_dev(const struct plan *p)
{
	if (mkdir_ok(p->dev, 0755) < 0 ||
	    mount("tmpfs", p->dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=64k") < 0)
		return -1;
	for (size_t i = 0; i < NDEV; i++) {
		int fd = open(p->dev_node[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0666);

		if (fd < 0)
			return -1;
		close(fd);
		if (mount(p->dev_src[i], p->dev_node[i], NULL, MS_BIND, NULL) < 0)
			return -1;
	}
	for (size_t i = 0; i < NLINKS; i++) {
		if (symlink(dev_links[i].target, p->dev_link[i]) < 0)
			return -1;
	}
	return 0;
}

static int write_all(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* With a user namespace, the instance's root has no privilege over its
 * network namespace (the host's user namespace owns it): a web server on
 * port 80 or a ping would be refused. Two sysctls of its own network
 * namespace give them back, as rootless container runtimes do. */
static int net_sysctls(const struct plan *p)
{
	if (p->c->userns_base == 0)
		return 0;
	if (write_all(p->port_sysctl, "0") < 0)
		return -1;
	return write_all(p->ping_sysctl, "0 2147483647");
}

/* The last privileged act: a user namespace whose root is the host's
 * unprivileged uids userns_base and up. The parent writes its id maps
 * (asked with "u", done when it answers "m"), then this process becomes
 * that root. Every mount is made by now, as the host's root, and stays
 * out of the namespace's reach. */
static int enter_userns(const struct plan *p)
{
	char m;

	if (p->c->userns_base == 0)
		return 0;
	if (unshare(CLONE_NEWUSER) < 0 || write(p->sync_fd, "u", 1) != 1 ||
	    read(p->sync_fd, &m, 1) != 1 || m != 'm')
		return -1;
	if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0)
		return -1;
	return setresuid(0, 0, 0);
}

/* A path bound onto itself, then remounted read-only (see below). */
static int readonly_in_place(const char *path)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : -1;
	return mount(NULL, path, NULL,
		     MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* A file hidden under /dev/null, a directory under an empty read-only
 * tmpfs. */
static int mask(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode))
		return mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			     "size=0");
	return mount("/dev/null", path, NULL, MS_BIND, NULL);
}

static int mask_host(const struct plan *p)
{
	for (size_t i = 0; i < NREADONLY; i++) {
		if (readonly_in_place(p->readonly[i]) < 0)
			return -1;
	}
	for (size_t i = 0; i < NMASKED; i++) {
		if (mask(p->masked[i]) < 0)
			return -1;
	}
	return 0;
}

/* Each bind is made, then remounted read-only: MS_RDONLY is ignored on
 * the first bind mount call (mount(2), "Creating a bind mount"). */
static int bind_readonly(const struct plan *p)
{
	for (size_t i = 0; i < p->c->nbinds; i++) {
		const char *dst = p->bind_target[i];

		if (mkdir_ok(dst, 0755) < 0 ||
		    mount(p->c->binds[i].source, dst, NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
			  NULL) < 0)
			return -1;
	}
	return 0;
}

static int pivot(const struct plan *p)
{
	/* pivot_root(".", ".") stacks the old root on the new one; detaching
	 * it leaves only the new root (pivot_root(2), "NOTES"). */
	if (chdir(p->c->root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -1;
	return 0;
}

static int loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = -1;

	if (fd < 0)
		return -1;
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

static int stdio(const struct plan *p)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(p->stdout_fd, 1) < 0 ||
	    dup2(p->stdout_fd, 2) < 0 || (p->pass_fd >= 0 && dup2(p->pass_fd, 3) < 0))
		return -1;
	/* Nothing else of the daemon's reaches the instance; the sync socket
	 * stays open until exec, to report a failing exec. */
	return syscall(SYS_close_range, p->pass_fd >= 0 ? 4 : 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 ? -1
											       : 0;
}

static int exec_init(const struct plan *p)
{
	if (p->exec_fd >= 0)
		return (int)syscall(SYS_execveat, p->exec_fd, "", p->c->argv, p->c->envp,
				    AT_EMPTY_PATH);
	return execve(p->c->argv[0], p->c->argv, p->c->envp);
}

static __attribute__((noreturn)) void child(const struct plan *p)
{
	const struct stim_sandbox_config *c = p->c;
	char go;

	STEP(p, STEP_PRIVATE, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	STEP(p, STEP_OVERLAY, mount("overlay", c->root, "overlay", 0, p->overlay_opts));
	STEP(p, STEP_BINDS, bind_readonly(p));
	STEP(p, STEP_PROC, mkdir_ok(p->proc, 0555));
	STEP(p, STEP_PROC, mount("proc", p->proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	STEP(p, STEP_DEV, populate_dev(p));
	STEP(p, STEP_DEVPTS, mkdir_ok(p->pts, 0755));
	STEP(p, STEP_DEVPTS,
	     mount("devpts", p->pts, "devpts", MS_NOSUID | MS_NOEXEC,
		   "newinstance,ptmxmode=0666,mode=0620"));
	STEP(p, STEP_SHM, mkdir_ok(p->shm, 01777));
	STEP(p, STEP_SHM,
	     mount("tmpfs", p->shm, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k"));
	STEP(p, STEP_SYS, mkdir_ok(p->sys, 0555));
	STEP(p, STEP_SYS,
	     mount("sysfs", p->sys, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	STEP(p, STEP_NET_SYSCTLS, net_sysctls(p));
	STEP(p, STEP_PROC_MASK, mask_host(p));
	STEP(p, STEP_HOSTNAME, sethostname(c->hostname, strlen(c->hostname)));
	/* The mounts above went on while the parent moved this process into
	 * the instance's cgroup (attaching to v1's memory controller takes
	 * milliseconds). Only once it has is the cgroup namespace unshared, so
	 * that cgroup is the namespace's root. */
	STEP(p, STEP_WAIT, read(p->sync_fd, &go, 1) == 1 ? 0 : -1);
	STEP(p, STEP_CGROUP_NS, unshare(CLONE_NEWCGROUP));
	STEP(p, STEP_PIVOT_ROOT, pivot(p));
	STEP(p, STEP_LOOPBACK, loopback_up());
	STEP(p, STEP_STDIO, stdio(p));
	STEP(p, STEP_USERNS, enter_userns(p));
	STEP(p, STEP_CAPS, stim_limits_drop_caps(p->keep_caps, p->last_cap));
	STEP(p, STEP_NO_NEW_PRIVS, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	STEP(p, STEP_SECCOMP, prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p->prog, 0, 0));
	exec_init(p);
	fail(p, STEP_EXEC);
}

/* Parent side */

static int join(char *buf, size_t n, const char *a, const char *b, stim_error_t *err)
{
	if ((size_t)snprintf(buf, n, "%s/%s", a, b) >= n)
		return stim_err(err, STIM_INVALID_ARGUMENT, "path too long: %s/%s", a, b);
	return 0;
}

static int write_text(const char *dir, const char *name, const char *text, stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	cleanup_close int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return stim_err_sys(err, errno, "write %s", path);
	return 0;
}

/* The disk's upper/ and work/, and the files GCE's guest writes at boot:
 * /etc/hostname and /etc/hosts (with the metadata server's name). They go
 * straight into the upper layer, which is allowed while it is unmounted. */
static int prepare_disk(const struct stim_sandbox_config *c, char *upper, char *work,
			stim_error_t *err)
{
	cleanup_free char *etc = NULL;
	cleanup_free char *hosts = NULL;
	cleanup_free char *name = xasprintf("%s\n", c->hostname);

	if (join(upper, PATH_MAX, c->disk, "upper", err) < 0 ||
	    join(work, PATH_MAX, c->disk, "work", err) < 0)
		return -1;
	if (mkdir(c->disk, 0700) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", c->disk);
	if ((mkdir(upper, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(work, 0700) < 0 && errno != EEXIST))
		return stim_err_sys(err, errno, "mkdir %s/{upper,work}", c->disk);
	etc = xasprintf("%s/etc", upper);
	if (mkdir(etc, 0755) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", etc);
	hosts = xasprintf("127.0.0.1 localhost\n"
			  "::1 localhost ip6-localhost ip6-loopback\n"
			  "127.0.1.1 %s\n"
			  "169.254.169.254 metadata.google.internal metadata\n",
			  c->hostname);
	if (write_text(etc, "hostname", name, err) < 0 || write_text(etc, "hosts", hosts, err) < 0)
		return -1;
	/* The namespace's root owns its disk's top and what was written here. */
	if (c->userns_base != 0) {
		static const char *const mine[] = { "", "/etc", "/etc/hostname", "/etc/hosts" };

		for (size_t i = 0; i < STIM_ARRAY_SIZE(mine); i++) {
			cleanup_free char *path = xasprintf("%s%s", upper, mine[i]);

			if (lchown(path, c->userns_base, c->userns_base) < 0)
				return stim_err_sys(err, errno, "chown %s", path);
		}
	}
	return 0;
}

/* A copy of fd numbered 10 or above (close-on-exec), or -1 for -1. */
static int high_fd(int fd, stim_error_t *err)
{
	int n;

	if (fd < 0)
		return -1;
	n = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	if (n < 0)
		stim_err_sys(err, errno, "dup descriptor %d", fd);
	return n;
}

static void plan_fini(struct plan *p)
{
	int fds[] = { p->stdout_fd, p->pass_fd, p->exec_fd };

	for (size_t i = 0; i < STIM_ARRAY_SIZE(fds); i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	free(p);
}

/* The filter and the last capability are the same for every instance:
 * worked out once (libseccomp's compile is most of a plan's cost). */
static struct {
	pthread_once_t once;
	struct stim_seccomp_prog prog;
	char why[256]; /* empty when the filter was built */
	int last_cap;
} shared = { .once = PTHREAD_ONCE_INIT };

static void make_shared(void)
{
	cleanup_error stim_error_t err = NULL;

	if (stim_seccomp_build(&shared.prog, &err) < 0)
		snprintf(shared.why, sizeof(shared.why), "%s", err->msg);
	shared.last_cap = stim_limits_last_cap();
}

static struct plan *make_plan(const struct stim_sandbox_config *c, stim_error_t *err)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	char upper[PATH_MAX];
	char work[PATH_MAX];

	p->c = c;
	p->stdout_fd = p->pass_fd = p->exec_fd = p->sync_fd = -1;
	if (prepare_disk(c, upper, work, err) < 0)
		goto fail;
	if ((size_t)snprintf(p->overlay_opts, sizeof(p->overlay_opts),
			     "lowerdir=%s,upperdir=%s,workdir=%s", c->lower, upper,
			     work) >= sizeof(p->overlay_opts)) {
		stim_err(err, STIM_INVALID_ARGUMENT, "overlay options too long");
		goto fail;
	}
	if (join(p->proc, PATH_MAX, c->root, "proc", err) < 0 ||
	    join(p->dev, PATH_MAX, c->root, "dev", err) < 0 ||
	    join(p->pts, PATH_MAX, p->dev, "pts", err) < 0 ||
	    join(p->shm, PATH_MAX, p->dev, "shm", err) < 0 ||
	    join(p->sys, PATH_MAX, c->root, "sys", err) < 0)
		goto fail;
	for (size_t i = 0; i < NDEV; i++) {
		snprintf(p->dev_src[i], sizeof(p->dev_src[i]), "/dev/%s", dev_nodes[i]);
		if (join(p->dev_node[i], PATH_MAX, p->dev, dev_nodes[i], err) < 0)
			goto fail;
	}
	for (size_t i = 0; i < NLINKS; i++) {
		if (join(p->dev_link[i], PATH_MAX, p->dev, dev_links[i].name, err) < 0)
			goto fail;
	}
	if (join(p->port_sysctl, PATH_MAX, p->proc, "sys/net/ipv4/ip_unprivileged_port_start",
		 err) < 0 ||
	    join(p->ping_sysctl, PATH_MAX, p->proc, "sys/net/ipv4/ping_group_range", err) < 0)
		goto fail;
	for (size_t i = 0; i < NREADONLY; i++) {
		if (join(p->readonly[i], PATH_MAX, c->root, proc_readonly[i], err) < 0)
			goto fail;
	}
	for (size_t i = 0; i < NMASKED; i++) {
		if (join(p->masked[i], PATH_MAX, c->root, masked[i], err) < 0)
			goto fail;
	}
	if (c->nbinds > STIM_SANDBOX_BINDS_MAX) {
		stim_err(err, STIM_INVALID_ARGUMENT, "at most %d binds", STIM_SANDBOX_BINDS_MAX);
		goto fail;
	}
	for (size_t i = 0; i < c->nbinds; i++) {
		if (join(p->bind_target[i], PATH_MAX, c->root, c->binds[i].target, err) < 0)
			goto fail;
	}
	pthread_once(&shared.once, make_shared);
	if (shared.why[0] != '\0') {
		stim_err(err, STIM_INTERNAL, "%s", shared.why);
		goto fail;
	}
	p->prog.filter = shared.prog.filter;
	p->prog.len = shared.prog.len;
	p->keep_caps = stim_limits_keep_caps();
	p->last_cap = shared.last_cap;
	p->stdout_fd = high_fd(c->stdout_fd, err);
	if (p->stdout_fd < 0)
		goto fail;
	if (c->pass_fd >= 0 && (p->pass_fd = high_fd(c->pass_fd, err)) < 0)
		goto fail;
	if (c->exec_fd >= 0 && (p->exec_fd = high_fd(c->exec_fd, err)) < 0)
		goto fail;
	return p;
fail:
	plan_fini(p);
	return NULL;
}

/* The child's user namespace maps its ids 0 to 65535 onto the host's
 * base and up. */
static int write_id_maps(pid_t pid, uint32_t base)
{
	char path[64];
	char map[64];
	int fd;
	int ok = 0;

	snprintf(map, sizeof(map), "0 %u %u\n", base, STIM_SANDBOX_USERNS_SIZE);
	for (int i = 0; i < 2 && ok == 0; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid,
			 i == 0 ? "uid_map" : "gid_map");
		fd = open(path, O_WRONLY | O_CLOEXEC);
		ok = fd >= 0 && write(fd, map, strlen(map)) == (ssize_t)strlen(map) ? 0 : -1;
		if (fd >= 0)
			close(fd);
	}
	return ok;
}

static void reap(pid_t pid, int pidfd)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pidfd);
}

int stim_sandbox_start(const struct stim_sandbox_config *c, struct stim_sandbox *out,
		       stim_error_t *err)
{
	struct plan *p = make_plan(c, err);
	struct clone_args args = { 0 };
	struct report r;
	int sv[2];
	int pidfd = -1;
	pid_t pid;
	ssize_t n;

	if (p == NULL)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		plan_fini(p);
		return stim_err_sys(err, errno, "socketpair");
	}
	p->sync_fd = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
	close(sv[1]);
	args.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
		     CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	pid = p->sync_fd < 0 ? -1 : (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		close(sv[0]);
		child(p);
	}
	if (p->sync_fd >= 0)
		close(p->sync_fd);
	if (pid < 0) {
		int e = errno;

		close(sv[0]);
		plan_fini(p);
		return stim_err_sys(err, e, "clone3 an instance");
	}
	plan_fini(p);
	if ((c->cgroup != NULL && stim_cgroup_enter(c->cgroup, pid, err) < 0) ||
	    (c->before_exec != NULL && c->before_exec(c->before_exec_arg, pid, err) < 0)) {
		close(sv[0]);
		reap(pid, pidfd);
		return -1;
	}
	n = write(sv[0], "g", 1) == 1 ? read(sv[0], &r, sizeof(r)) : -1;
	if (n == 1 && c->userns_base != 0)
		n = write_id_maps(pid, c->userns_base) == 0 && write(sv[0], "m", 1) == 1
			    ? read(sv[0], &r, sizeof(r))
			    : -1;
	close(sv[0]);
	if (n == (ssize_t)sizeof(r)) {
		reap(pid, pidfd);
		return stim_err_sys(err, r.err, "sandbox step '%s'",
				    stim_sandbox_step_name(r.step));
	}
	if (n != 0) {
		reap(pid, pidfd);
		return stim_err(err, STIM_INTERNAL, "lost touch with a starting instance");
	}
	/* EOF: the close-on-exec sync socket closed with a successful exec. */
	out->pid = pid;
	out->pidfd = pidfd;
	return 0;
}
