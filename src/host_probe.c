/* Host probes: root, namespaces, overlayfs and seccomp, tried for real in forked children. */
#include "src/host_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/host_probe_internal.h"
#include "src/util.h"

/* A child that has not reported by then is stuck (a hung mount, say). */
#define CHILD_TIMEOUT_MS 3000

/* The report */

struct stim_probe_result *stim_host_probe_add(struct stim_host_report *rep, const char *name,
					      bool required, enum stim_probe_state state,
					      const char *fmt, ...)
{
	struct stim_probe_result *it;
	va_list ap;

	STIM_ASSERT(rep->n < STIM_HOST_PROBE_MAX);
	it = &rep->items[rep->n++];
	it->name = name;
	it->required = required;
	it->state = state;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
	return it;
}

/* A failed required probe is missing; a failed optional one only degrades. */
enum stim_probe_state stim_host_probe_failed(bool required)
{
	return required ? STIM_PROBE_MISSING : STIM_PROBE_DEGRADED;
}

/* Children */

/* Forks a child that runs fn and reports. The child runs only system calls
 * (no malloc, no stdio, no locks: the daemon may have threads) and leaves
 * with _exit, so nothing of the parent is flushed or freed twice. */
int stim_host_probe_run_child(void (*fn)(const void *arg, struct stim_probe_child_report *rep),
			      const void *arg, struct stim_probe_child_report *out,
			      stim_error_t *err)
{
	cleanup_close int rfd = -1;
	cleanup_close int wfd = -1;
	struct stim_probe_child_report rep = { 0 };
	struct pollfd pfd;
	int fds[2];
	int status = 0;
	ssize_t n = 0;
	pid_t pid;
	int ret;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return stim_err_sys(err, errno, "pipe2");
	rfd = fds[0];
	wfd = fds[1];
	pid = fork();
	if (pid < 0)
		return stim_err_sys(err, errno, "fork");
	if (pid == 0) {
		fn(arg, &rep);
		if (write(wfd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
			_exit(2);
		_exit(0);
	}
	close(steal_fd(&wfd));

	pfd.fd = rfd;
	pfd.events = POLLIN;
	do {
		ret = poll(&pfd, 1, CHILD_TIMEOUT_MS);
	} while (ret < 0 && errno == EINTR);
	if (ret > 0) {
		do {
			n = read(rfd, &rep, sizeof(rep));
		} while (n < 0 && errno == EINTR);
	} else {
		/* Our own child, stuck: it goes, with whatever namespaces it made. */
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == 0)
		return stim_err(err, STIM_DEADLINE_EXCEEDED, "probe child timed out after %d ms",
				CHILD_TIMEOUT_MS);
	if (n != (ssize_t)sizeof(rep)) {
		if (WIFSIGNALED(status))
			return stim_err(err, STIM_INTERNAL, "probe child killed by signal %d",
					WTERMSIG(status));
		return stim_err(err, STIM_INTERNAL, "probe child exited %d without a report",
				WEXITSTATUS(status));
	}
	*out = rep;
	return 0;
}

/* Namespaces */

struct ns_desc {
	const char *name;
	int flag;
	bool required;
	const char *what; /* what the daemon loses without it */
};

static const struct ns_desc namespaces[] = {
	{ "namespace.mount", CLONE_NEWNS, true, "" },
	{ "namespace.uts", CLONE_NEWUTS, true, "" },
	{ "namespace.ipc", CLONE_NEWIPC, true, "" },
	{ "namespace.pid", CLONE_NEWPID, true, "" },
	{ "namespace.net", CLONE_NEWNET, true, "" },
	{ "namespace.cgroup", CLONE_NEWCGROUP, false, "instances see the host's cgroup paths" },
	{ "namespace.user", CLONE_NEWUSER, false, "no unprivileged user mapping in instances" },
	{ "namespace.time", CLONE_NEWTIME, false, "instances share the host's monotonic clock" },
};

static void ns_child(const void *arg, struct stim_probe_child_report *rep)
{
	const struct ns_desc *ns = arg;

	/* unshare() alone proves the kernel can make one; for pid and time
	 * only children would enter it, which is all the daemon needs. */
	if (unshare(ns->flag) < 0) {
		rep->errnum = errno;
		return;
	}
	rep->step = 1;
}

static const char *ns_hint(int flag, int errnum)
{
	if (errnum == EINVAL)
		return " (not built into this kernel)";
	if (errnum == ENOSPC && flag == CLONE_NEWUSER)
		return " (user.max_user_namespaces is 0)";
	if (errnum == EPERM)
		return " (refused: not root, or a seccomp filter or container forbids it)";
	return "";
}

static void probe_namespaces(struct stim_host_report *rep)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(namespaces); i++) {
		const struct ns_desc *ns = &namespaces[i];
		struct stim_probe_child_report cr;
		cleanup_error stim_error_t cerr = NULL;

		if (stim_host_probe_run_child(ns_child, ns, &cr, &cerr) < 0) {
			stim_host_probe_add(rep, ns->name, ns->required,
					    stim_host_probe_failed(ns->required), "%s", cerr->msg);
			continue;
		}
		if (cr.errnum == 0) {
			stim_host_probe_add(rep, ns->name, ns->required, STIM_PROBE_OK,
					    "unshare() made one in a child");
			continue;
		}
		stim_host_probe_add(rep, ns->name, ns->required,
				    stim_host_probe_failed(ns->required), "unshare: %s%s%s%s",
				    strerror(cr.errnum), ns_hint(ns->flag, cr.errnum),
				    ns->what[0] != '\0' ? "; " : "", ns->what);
	}
}

/* overlayfs */

enum overlay_step {
	OVL_UNSHARE,
	OVL_PRIVATE,
	OVL_MOUNT,
	OVL_WRITE,
	OVL_UPPER,
	OVL_DONE,
};

static const char *const overlay_steps[] = {
	[OVL_UNSHARE] = "unshare(CLONE_NEWNS)",
	[OVL_PRIVATE] = "make / private",
	[OVL_MOUNT] = "mount overlay",
	[OVL_WRITE] = "write through the overlay",
	[OVL_UPPER] = "find the write in upperdir",
};

struct overlay_args {
	char merged[544];
	char probe[544];    /* merged/probe */
	char in_upper[544]; /* upper/probe */
	char opts[3 * 544 + 64];
};

static void overlay_child(const void *arg, struct stim_probe_child_report *rep)
{
	const struct overlay_args *a = arg;
	int fd;

	rep->step = OVL_UNSHARE;
	if (unshare(CLONE_NEWNS) < 0)
		goto fail;
	/* Without this a shared / would propagate the overlay to the host. */
	rep->step = OVL_PRIVATE;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		goto fail;
	rep->step = OVL_MOUNT;
	if (mount("overlay", a->merged, "overlay", 0, a->opts) < 0)
		goto fail;
	/* A write must land in upperdir: that is how a boot disk keeps changes. */
	rep->step = OVL_WRITE;
	fd = open(a->probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	close(fd);
	rep->step = OVL_UPPER;
	if (access(a->in_upper, F_OK) < 0)
		goto fail;
	/* The namespace dies with us anyway; unmount so the parent's rmdir
	 * never races the teardown. */
	umount2(a->merged, MNT_DETACH);
	rep->step = OVL_DONE;
	return;
fail:
	rep->errnum = errno;
}

static const char *overlay_hint(int step, int errnum)
{
	if (step != OVL_MOUNT)
		return "";
	if (errnum == ENODEV)
		return " (no overlay filesystem in this kernel)";
	/* tmpfs, ext4, xfs and btrfs can be upper layers; overlayfs itself,
	 * NFS and some FUSE filesystems cannot. Try --data-dir elsewhere. */
	if (errnum == EINVAL)
		return " (the filesystem under the scratch dir cannot be an upperdir)";
	return "";
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	/* Keep going on failure: remove as much as possible. */
	remove(path);
	return 0;
}

static void probe_overlayfs(struct stim_host_report *rep, const char *scratch_parent)
{
	static const char *const subdirs[] = { "lower", "upper", "work", "merged" };
	struct overlay_args a;
	struct stim_probe_child_report cr;
	cleanup_error stim_error_t cerr = NULL;
	char scratch[512];
	char sub[sizeof(scratch) + 16];
	int len;

	/* mount(2) takes the options in one page, so keep the paths short. */
	len = snprintf(scratch, sizeof(scratch), "%s/stim-doctor-XXXXXX", scratch_parent);
	if (len < 0 || (size_t)len >= sizeof(scratch)) {
		stim_host_probe_add(rep, "overlayfs", true, STIM_PROBE_MISSING,
				    "scratch dir path too long");
		return;
	}
	if (mkdtemp(scratch) == NULL) {
		stim_host_probe_add(rep, "overlayfs", true, STIM_PROBE_MISSING, "mkdtemp %s: %s",
				    scratch, strerror(errno));
		return;
	}
	for (size_t i = 0; i < STIM_ARRAY_SIZE(subdirs); i++) {
		snprintf(sub, sizeof(sub), "%s/%s", scratch, subdirs[i]);
		if (mkdir(sub, 0700) < 0) {
			stim_host_probe_add(rep, "overlayfs", true, STIM_PROBE_MISSING,
					    "mkdir %s: %s", sub, strerror(errno));
			goto out;
		}
	}
	snprintf(a.merged, sizeof(a.merged), "%s/merged", scratch);
	snprintf(a.probe, sizeof(a.probe), "%s/merged/probe", scratch);
	snprintf(a.in_upper, sizeof(a.in_upper), "%s/upper/probe", scratch);
	snprintf(a.opts, sizeof(a.opts), "lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work",
		 scratch, scratch, scratch);

	if (stim_host_probe_run_child(overlay_child, &a, &cr, &cerr) < 0)
		stim_host_probe_add(rep, "overlayfs", true, STIM_PROBE_MISSING, "%s", cerr->msg);
	else if (cr.step == OVL_DONE)
		stim_host_probe_add(
			rep, "overlayfs", true, STIM_PROBE_OK,
			"mounted and wrote through one over %s in a private mount namespace",
			scratch_parent);
	else
		stim_host_probe_add(rep, "overlayfs", true, STIM_PROBE_MISSING, "%s: %s%s",
				    overlay_steps[cr.step], strerror(cr.errnum),
				    overlay_hint(cr.step, cr.errnum));
out:
	/* FTW_PHYS: never follow a link out of our own scratch tree. */
	nftw(scratch, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* seccomp */

static void seccomp_child(const void *arg, struct stim_probe_child_report *rep)
{
	/* The daemon's filter answers refused calls with an errno; try exactly
	 * that on getppid() here, with a raw BPF program (no libseccomp in the
	 * child, which must not allocate). */
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOTTY & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = STIM_ARRAY_SIZE(insns), .filter = insns };
	long r;

	rep->step = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	rep->step = 1;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		goto fail;
	rep->step = 2;
	r = syscall(SYS_getppid);
	if (r >= 0 || errno != ENOTTY) {
		rep->errnum = r >= 0 ? EINVAL : errno;
		return;
	}
	rep->step = 3;
	return;
fail:
	rep->errnum = errno;
}

static void probe_seccomp(struct stim_host_report *rep)
{
	static const char *const steps[] = { "prctl(PR_SET_NO_NEW_PRIVS)",
					     "seccomp(SECCOMP_SET_MODE_FILTER)",
					     "filtered getppid() was not refused" };
	uint32_t action = SECCOMP_RET_ERRNO;
	struct stim_probe_child_report cr;
	cleanup_error stim_error_t cerr = NULL;
	int mode;

	mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	if (mode < 0) {
		stim_host_probe_add(rep, "seccomp", true, STIM_PROBE_MISSING,
				    "prctl(PR_GET_SECCOMP): %s%s", strerror(errno),
				    errno == EINVAL ? " (kernel built without seccomp)" : "");
		return;
	}
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0) {
		stim_host_probe_add(rep, "seccomp", true, STIM_PROBE_MISSING,
				    "SECCOMP_GET_ACTION_AVAIL(SECCOMP_RET_ERRNO): %s",
				    strerror(errno));
		return;
	}
	if (stim_host_probe_run_child(seccomp_child, NULL, &cr, &cerr) < 0) {
		stim_host_probe_add(rep, "seccomp", true, STIM_PROBE_MISSING, "%s", cerr->msg);
		return;
	}
	if (cr.step < 3) {
		stim_host_probe_add(rep, "seccomp", true, STIM_PROBE_MISSING, "%s: %s",
				    steps[cr.step], strerror(cr.errnum));
		return;
	}
	/* Mode 2 here means doctor itself runs under a filter (a container);
	 * filters stack, so the daemon's still applies, but the outer one may
	 * refuse calls the daemon needs. */
	stim_host_probe_add(rep, "seccomp", true, STIM_PROBE_OK,
			    "a filter in a child refused getppid() with SECCOMP_RET_ERRNO%s",
			    mode == 2 ? " (doctor itself runs under a seccomp filter)" : "");
}

/* Image recipes: what each needs from the host (images/). Neither is
 * required: without them, instances use the host image. */

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path != NULL ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	char *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *full = xasprintf("%s/%s", dir, prog);

		if (access(full, X_OK) == 0)
			return true;
	}
	return false;
}

static void probe_images(struct stim_host_report *rep)
{
	if (access("/bin/busybox", X_OK) == 0)
		stim_host_probe_add(rep, "image.busybox", false, STIM_PROBE_OK,
				    "/bin/busybox (busybox-static)");
	else
		stim_host_probe_add(rep, "image.busybox", false, STIM_PROBE_DEGRADED,
				    "no /bin/busybox: the busybox image cannot be built "
				    "(apt-get install busybox-static)");
	if (on_path("mmdebstrap"))
		stim_host_probe_add(rep, "image.debian-12", false, STIM_PROBE_OK,
				    "mmdebstrap builds it from deb.debian.org on first use");
	else
		stim_host_probe_add(rep, "image.debian-12", false, STIM_PROBE_DEGRADED,
				    "no mmdebstrap: debian-12 cannot be built, and its family "
				    "resolves to the host image (apt-get install mmdebstrap)");
	/* The host image's /usr is the host's, over the guest layer's sudo
	 * (src/guest_layer.h): only a sudo of the host's can be covered. */
	if (access("/usr/bin/sudo", F_OK) == 0)
		stim_host_probe_add(rep, "image.host.sudo", false, STIM_PROBE_OK,
				    "the host's /usr/bin/sudo is covered by the instances' own");
	else
		stim_host_probe_add(rep, "image.host.sudo", false, STIM_PROBE_DEGRADED,
				    "the host has no /usr/bin/sudo, so instances of the host "
				    "image have none (busybox and debian-12 instances do)");
}

/* Entry points */

int stim_host_probe(struct stim_host_report *out, const char *scratch_parent, stim_error_t *err)
{
	cleanup_free struct stim_host_report *rep = xcalloc(1, sizeof(*rep));
	uid_t euid = geteuid();

	if (euid == 0)
		stim_host_probe_add(rep, "root", true, STIM_PROBE_OK, "euid 0");
	else
		stim_host_probe_add(rep, "root", true, STIM_PROBE_MISSING,
				    "euid %u: the daemon needs root (run with sudo)",
				    (unsigned)euid);
	probe_namespaces(rep);
	probe_overlayfs(rep, scratch_parent != NULL ? scratch_parent : "/tmp");
	stim_host_probe_cgroups(rep);
	probe_seccomp(rep);
	stim_host_probe_nftables(rep);
	stim_host_probe_bridge(rep);
	probe_images(rep);
	*out = *rep;
	return 0;
}

bool stim_host_report_ok(const struct stim_host_report *report)
{
	for (size_t i = 0; i < report->n; i++) {
		if (report->items[i].required && report->items[i].state == STIM_PROBE_MISSING)
			return false;
	}
	return true;
}

const char *stim_probe_state_name(enum stim_probe_state state)
{
	switch (state) {
	case STIM_PROBE_OK:
		return "ok";
	case STIM_PROBE_DEGRADED:
		return "degraded";
	case STIM_PROBE_MISSING:
		return "missing";
	}
	return "unknown";
}
