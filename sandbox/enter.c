/* A command run inside a running instance (see enter.h). */
#include "sandbox/enter.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp.h>

#include "sandbox/guest_user.h"
#include "sandbox/limits.h"
#include "sandbox/seccomp.h"
#include "sandbox/tty_relay.h"
#include "src/cleanup.h"
#include "src/host_probe.h"
#include "src/procfs.h"
#include "src/util.h"

#define TEXT_MAX (1 << 20)

int stim_enter_cgroup_dirs(const char *proc_cgroup, const char *mountinfo, struct stim_strv *dirs,
			   stim_error_t *err)
{
	for (const char *p = proc_cgroup; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		cleanup_free char *line = xstrndup(p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		char *rest = line;
		char *ctrls;
		char *path;
		cleanup_mountinfo struct stim_mountinfo m = { 0 };
		cleanup_error stim_error_t merr = NULL;
		size_t root_len;

		p = nl != NULL ? nl + 1 : p + strlen(p);
		/* "ID:CONTROLLERS:PATH"; the path may hold ':' itself. */
		if (strsep(&rest, ":") == NULL || (ctrls = strsep(&rest, ":")) == NULL ||
		    (path = rest) == NULL || path[0] != '/')
			continue;
		/* The hierarchy by its first controller ("cpu,cpuacct": cpu;
		 * "name=systemd" as it is); none: cgroup2. */
		if (ctrls[0] != '\0')
			ctrls = strsep(&ctrls, ",");
		if (stim_probe_mountinfo_cgroup(mountinfo, ctrls[0] != '\0' ? ctrls : NULL, &m,
						&merr) < 0) {
			if (merr->code == STIM_NOT_FOUND)
				continue;
			*err = steal_pointer(&merr);
			return -1;
		}
		/* A mount of a subtree shows the paths below its root. */
		root_len = strcmp(m.root, "/") == 0 ? 0 : strlen(m.root);
		if (strncmp(path, m.root, root_len) != 0)
			continue;
		{
			cleanup_free char *dir = xasprintf("%s%s", m.mount_point, path + root_len);

			stim_strv_push(dirs, dir);
		}
	}
	return 0;
}

/* The calling process into every cgroup of pid. */
static int join_cgroups(pid_t pid, stim_error_t *err)
{
	cleanup_free char *path = xasprintf("/proc/%d/cgroup", (int)pid);
	cleanup_free char *cgroups = NULL;
	cleanup_free char *mountinfo = NULL;
	struct stim_strv dirs = { 0 };
	char self[32];
	int ret = -1;

	if (stim_procfs_read(path, TEXT_MAX, &cgroups, err) < 0 ||
	    stim_procfs_read("/proc/self/mountinfo", 16 * TEXT_MAX, &mountinfo, err) < 0 ||
	    stim_enter_cgroup_dirs(cgroups, mountinfo, &dirs, err) < 0)
		goto out;
	snprintf(self, sizeof(self), "%d\n", (int)getpid());
	for (size_t i = 0; i < dirs.n; i++) {
		cleanup_free char *procs = xasprintf("%s/cgroup.procs", dirs.v[i]);
		cleanup_close int fd = open(procs, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, self, strlen(self)) < 0) {
			stim_err_sys(err, errno, "join %s", dirs.v[i]);
			goto out;
		}
	}
	ret = 0;
out:
	stim_strv_fini(&dirs);
	return ret;
}

/* Whether pid has a user namespace other than ours. */
static bool own_userns(pid_t pid)
{
	cleanup_free char *path = xasprintf("/proc/%d/ns/user", (int)pid);
	struct stat a;
	struct stat b;

	return stat("/proc/self/ns/user", &a) == 0 && stat(path, &b) == 0 && a.st_ino != b.st_ino;
}

/* Whether uid is an id of the calling process's user namespace (an
 * instance with one of its own maps 65536; the host's maps them all). */
static bool uid_mapped(uid_t uid)
{
	cleanup_free char *map = NULL;
	cleanup_error stim_error_t err = NULL;

	if (stim_procfs_read("/proc/self/uid_map", 64 * 1024, &map, &err) < 0)
		return false;
	for (const char *p = map; *p != '\0';) {
		unsigned long inside;
		unsigned long outside;
		unsigned long count;

		if (sscanf(p, "%lu %lu %lu", &inside, &outside, &count) == 3 && uid >= inside &&
		    uid - inside < count)
			return true;
		p = strchr(p, '\n') != NULL ? strchr(p, '\n') + 1 : p + strlen(p);
	}
	return false;
}

/* Said in the child, then exit 255: the command never ran. */
static __attribute__((noreturn)) void child_fail(const char *what, int e)
{
	fprintf(stderr, "stimulator ssh: %s: %s\n", what, strerror(e));
	_exit(255);
}

/* The terminal's slave end as the session's controlling terminal and
 * stdio, given to the user as sshd gives it (mode 0620). */
static void take_terminal(int master, const struct stim_guest_account *a)
{
	const char *name = ptsname(master);
	int fd;

	if (name == NULL || setsid() < 0)
		child_fail("new session", errno);
	fd = open(name, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		child_fail(name != NULL ? name : "terminal", errno);
	if (fchown(fd, a->uid, a->gid) < 0 || fchmod(fd, 0620) < 0)
		child_fail("give the terminal to the user", errno);
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		child_fail("terminal as stdio", errno);
	close(fd);
	close(master);
}

static __attribute__((noreturn)) void child(const struct stim_enter *e, int master,
					    const struct stim_seccomp_prog *prog, uint64_t keep,
					    int last_cap)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_guest_account a;
	struct sock_fprog fprog = { .len = prog->len, .filter = prog->filter };
	const char *slash;
	char *login_argv0;
	char *argv[4];
	size_t nextra = 0;
	char **env;
	size_t n = 0;

	/* A profile's uid the instance's user namespace cannot hold (OS
	 * Login's are large): the next free id instead. */
	if (stim_guest_user_ensure("/", e->user, uid_mapped(e->uid) ? e->uid : 0, &a, &err) < 0) {
		fprintf(stderr, "stimulator ssh: the account %s: %s\n", e->user, err->msg);
		_exit(255);
	}
	if (master >= 0)
		take_terminal(master, &a);
	if (chdir(a.home) < 0 && chdir("/") < 0)
		child_fail("chdir", errno);
	if (stim_limits_drop_caps(keep, last_cap) < 0)
		child_fail("drop capabilities", errno);
	if (setgroups(a.ngroups, a.groups) < 0 || setgid(a.gid) < 0 || setuid(a.uid) < 0)
		child_fail("become the user", errno);
	/* After the ids: changing them clears the death signal. Like sshd's
	 * hangup when the connection goes, the session ends with the shim.
	 * Seen from the instance's pid namespace a live parent is 0; a dead
	 * one's child is the instance's init's, 1. */
	if (prctl(PR_SET_PDEATHSIG, SIGHUP, 0, 0, 0) < 0 || getppid() == 1)
		child_fail("parent death signal", errno != 0 ? errno : ESRCH);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail("no_new_privs", errno);

	/* A login's environment, and what the caller passes on. */
	while (e->env != NULL && e->env[nextra] != NULL)
		nextra++;
	env = xcalloc(nextra + 6, sizeof(*env));
	env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	env[n++] = xasprintf("HOME=%s", a.home);
	env[n++] = xasprintf("USER=%s", e->user);
	env[n++] = xasprintf("LOGNAME=%s", e->user);
	env[n++] = xasprintf("SHELL=%s", a.shell);
	for (size_t i = 0; i < nextra; i++)
		env[n++] = e->env[i];
	slash = strrchr(a.shell, '/');
	login_argv0 = xasprintf("-%s", slash != NULL ? slash + 1 : a.shell);
	argv[0] = e->command != NULL ? a.shell : login_argv0;
	argv[1] = e->command != NULL ? "-c" : NULL;
	argv[2] = (char *)e->command;
	argv[3] = NULL;
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	/* Last: from here on the filter refuses what an instance may not do. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
		child_fail("seccomp", errno);
	execve(a.shell, argv, env);
	child_fail(a.shell, errno);
}

/* A terminal of the instance's devpts (the caller is in its mount
 * namespace). */
static int open_master(stim_error_t *err)
{
	int fd = stim_tty_open_master();

	if (fd < 0)
		return stim_err_sys(err, errno, "a terminal in the instance");
	return fd;
}

int stim_enter_join(const struct stim_enter *e, stim_error_t *err)
{
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, e->pid, 0);
	uint64_t start = 0;
	int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC |
		    CLONE_NEWCGROUP;

	/* Open first, then check: from here the pidfd holds this process. */
	if (pidfd < 0 || stim_procfs_pid_start_time(e->pid, &start, err) < 0 ||
	    start != e->pid_start)
		return stim_err(err, STIM_NOT_FOUND, "the instance is not running");
	if (own_userns(e->pid))
		flags |= CLONE_NEWUSER;
	if (join_cgroups(e->pid, err) < 0)
		return -1;
	if (setns(pidfd, flags) < 0)
		return stim_err_sys(err, errno, "enter the instance's namespaces");
	/* In an instance's user namespace our ids are the host's root, which
	 * it does not map: what we made would belong to no one there, and
	 * its root could not chown it. Its own root we become, as nsenter
	 * does. */
	if ((flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return stim_err_sys(err, errno, "become the instance's root");
	/* The session's signals are the command's to take, not ours. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	return 0;
}

int stim_enter_exec(const struct stim_enter *e, int in_fd, int out_fd, int *status,
		    stim_error_t *err)
{
	struct stim_seccomp_prog prog = { 0 };
	int ret = -1;
	int ws;
	pid_t kid;
	cleanup_close int master = -1;

	if (stim_seccomp_build(&prog, err) < 0)
		return -1;
	if (e->tty && (master = open_master(err)) < 0)
		goto out;
	kid = fork();
	if (kid < 0) {
		stim_err_sys(err, errno, "fork");
		goto out;
	}
	if (kid == 0) {
		if ((in_fd >= 0 && dup2(in_fd, 0) < 0) || (out_fd >= 0 && dup2(out_fd, 1) < 0))
			child_fail("stdio", errno);
		child(e, master, &prog, stim_limits_keep_caps(), stim_limits_last_cap());
	}
	if (master >= 0)
		stim_tty_relay(master, 1);
	while (waitpid(kid, &ws, 0) < 0) {
		if (errno != EINTR) {
			stim_err_sys(err, errno, "wait for the session");
			goto out;
		}
	}
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	ret = 0;
out:
	stim_seccomp_prog_fini(&prog);
	return ret;
}

int stim_enter_run(const struct stim_enter *e, int *status, stim_error_t *err)
{
	if (stim_enter_join(e, err) < 0)
		return -1;
	return stim_enter_exec(e, -1, -1, status, err);
}
