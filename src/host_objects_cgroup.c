/* The cgroup side of gc: cgroups of ours in every mounted hierarchy, v1 and cgroup2. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/host_objects_internal.h"
#include "src/util.h"

/* After cgroup.kill the kernel delivers SIGKILL at once, but exiting takes a
 * moment (a process in D state finishes its I/O first). */
#define KILL_WAIT_MS  2000
#define RMDIR_WAIT_MS 1000
#define POLL_MS	      10

/* Finding */

struct cgroup_walk {
	const char *prefix;
	bool cgroup2;
	struct stim_host_object_vec *vec;
	stim_error_t *err;
};

static bool is_cgroup_fs(const struct stim_mountinfo *m)
{
	return strcmp(m->fstype, "cgroup") == 0 || strcmp(m->fstype, "cgroup2") == 0;
}

/* A hierarchy may be mounted more than once (bind mounts, a container's
 * view); walk it once, through a mount of its root where there is one. */
static bool is_primary_mount(const struct stim_mountinfo *mi, size_t n, size_t i)
{
	bool i_root = strcmp(mi[i].root, "/") == 0;

	for (size_t j = 0; j < n; j++) {
		bool j_root;

		if (j == i || !is_cgroup_fs(&mi[j]) || mi[j].major != mi[i].major ||
		    mi[j].minor != mi[i].minor)
			continue;
		j_root = strcmp(mi[j].root, "/") == 0;
		if ((j_root && !i_root) || (j_root == i_root && j < i))
			return false;
	}
	return true;
}

static bool entry_is_dir(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return S_ISDIR(st.st_mode);
}

/* Walks the directory fd (taken) at path, depth levels below the mount.
 * inside: path is a cgroup of ours, so every cgroup below it is too (the
 * daemon's leaves need not carry the prefix, and rmdir of a cgroup fails
 * while it has children). */
static int walk(struct cgroup_walk *w, int fd, const char *path, int depth, bool inside)
{
	cleanup_dir DIR *d = NULL;

	d = fdopendir(fd);
	if (d == NULL) {
		int saved = errno;

		close(fd);
		return stim_err_sys(w->err, saved, "open %s", path);
	}
	for (;;) {
		struct dirent *de;
		bool ours;
		int limit;
		cleanup_free char *child = NULL;

		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    !entry_is_dir(d, de))
			continue;
		ours = inside || stim_host_cgroup_name_matches(de->d_name, w->prefix);
		limit = ours ? STIM_CGROUP_MAX_DEPTH : STIM_CGROUP_SEARCH_DEPTH;
		child = xasprintf("%s/%s", path, de->d_name);
		if (depth + 1 < limit) {
			int cfd = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			/* A cgroup may go away while we look: skip it. */
			if (cfd < 0 && errno != ENOENT)
				return stim_err_sys(w->err, errno, "open %s", child);
			if (cfd >= 0 && walk(w, cfd, child, depth + 1, ours) < 0)
				return -1;
		}
		if (ours &&
		    stim_host_object_vec_add(w->vec, STIM_HOST_OBJECT_CGROUP, steal_pointer(&child),
					     0, w->cgroup2, w->err) < 0)
			return -1;
	}
	if (errno != 0)
		return stim_err_sys(w->err, errno, "read %s", path);
	return 0;
}

int stim_host_collect_cgroups(const struct stim_mountinfo *mi, size_t n, const char *prefix,
			      struct stim_host_object_vec *vec, stim_error_t *err)
{
	for (size_t i = 0; i < n; i++) {
		struct cgroup_walk w = {
			.prefix = prefix,
			.cgroup2 = strcmp(mi[i].fstype, "cgroup2") == 0,
			.vec = vec,
			.err = err,
		};
		struct stat st;
		int fd;

		if (!is_cgroup_fs(&mi[i]) || !is_primary_mount(mi, n, i))
			continue;
		fd = open(mi[i].mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return stim_err_sys(err, errno, "open %s", mi[i].mount_point);
		/* A mount hidden under a later one shows the later one's files
		 * at its path: walk only what the path really reaches. */
		if (fstat(fd, &st) < 0 || major(st.st_dev) != mi[i].major ||
		    minor(st.st_dev) != mi[i].minor) {
			close(fd);
			continue;
		}
		if (walk(&w, fd, mi[i].mount_point, 0, false) < 0)
			return -1;
	}
	return 0;
}

/* Removing */

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* Reads a small cgroup file (cgroup.events, the head of cgroup.procs). */
static ssize_t read_small(int dirfd, const char *file, char *buf, size_t size)
{
	cleanup_close int fd = -1;
	ssize_t len;

	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, size - 1);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	return len;
}

static bool has_processes(int fd)
{
	char buf[64];

	/* Any pid at all; an unreadable file counts as busy, the safe side. */
	return read_small(fd, "cgroup.procs", buf, sizeof(buf)) != 0;
}

static bool has_children(int fd)
{
	cleanup_dir DIR *d = NULL;
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return false;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return false;
	}
	for (;;) {
		struct dirent *de = readdir(d);

		if (de == NULL)
			return false;
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    entry_is_dir(d, de))
			return true;
	}
}

/* Whether pid is in the cgroup at fd or below it. cgroup.kill takes the
 * whole subtree, and gc must not kill itself (nor the daemon calling the
 * library), wherever its cgroup is named. */
static bool subtree_holds_pid(int fd, pid_t pid, int depth)
{
	cleanup_file FILE *procs = NULL;
	cleanup_dir DIR *d = NULL;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	int pfd;
	int dfd;

	pfd = openat(fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return true; /* cannot tell: assume the worst */
	procs = fdopen(pfd, "r");
	if (procs == NULL) {
		close(pfd);
		return true;
	}
	while (getline(&line, &cap, procs) > 0) {
		if (strtol(line, NULL, 10) == (long)pid)
			return true;
	}
	if (depth + 1 >= STIM_CGROUP_MAX_DEPTH)
		return false;
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return true;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return true;
	}
	for (;;) {
		struct dirent *de = readdir(d);
		cleanup_close int cfd = -1;

		if (de == NULL)
			return false;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    !entry_is_dir(d, de))
			continue;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		if (subtree_holds_pid(cfd, pid, depth + 1))
			return true;
	}
}

/* rmdir, retried while the kernel still counts exiting tasks. */
static int rmdir_wait(const char *path, long wait_ms, stim_error_t *err)
{
	for (long waited = 0;; waited += POLL_MS) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || waited >= wait_ms)
			return stim_err_sys(err, errno, "rmdir %s", path);
		sleep_ms(POLL_MS);
	}
}

static int kill_and_wait(int fd, const char *path, stim_error_t *err)
{
	cleanup_close int kfd = -1;
	char events[512];

	kfd = openat(fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);
	if (kfd < 0)
		return stim_err_sys(err, errno, "open %s/cgroup.kill", path);
	if (write(kfd, "1", 1) != 1)
		return stim_err_sys(err, errno, "write %s/cgroup.kill", path);
	/* cgroup.events says "populated 0" once no process is left in the
	 * subtree; only then does rmdir succeed. */
	for (long waited = 0; waited < KILL_WAIT_MS; waited += POLL_MS) {
		if (read_small(fd, "cgroup.events", events, sizeof(events)) < 0)
			return stim_err_sys(err, errno, "read %s/cgroup.events", path);
		if (strstr(events, "populated 0") != NULL)
			return 0;
		sleep_ms(POLL_MS);
	}
	return stim_err(err, STIM_DEADLINE_EXCEEDED,
			"%s: processes still there %d ms after cgroup.kill", path, KILL_WAIT_MS);
}

int stim_host_remove_cgroup(const char *path, stim_error_t *err)
{
	cleanup_close int fd = -1;

	if (path[0] != '/')
		return stim_err(err, STIM_INVALID_ARGUMENT, "cgroup path '%s' is not absolute",
				path);
	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY)
		return stim_err_sys(err, errno, "rmdir %s", path);

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return stim_err_sys(err, errno, "open %s", path);
	if (!has_processes(fd)) {
		/* Children are listed and removed before their parent; one
		 * still here is one whose removal failed. */
		if (has_children(fd))
			return stim_err(err, STIM_FAILED_PRECONDITION,
					"%s: child cgroups remain (see the errors before)", path);
		return rmdir_wait(path, RMDIR_WAIT_MS, err);
	}
	/* Processes only ever go through cgroup.kill, never by PID: a pid read
	 * from cgroup.procs may be reused by an unrelated process before the
	 * signal lands, while cgroup.kill acts on the cgroup's members alone. */
	if (faccessat(fd, "cgroup.kill", F_OK, 0) < 0)
		return stim_err(err, STIM_FAILED_PRECONDITION,
				"%s: still has processes, and a v1 hierarchy has no cgroup.kill; "
				"stop them (or remove their cgroup2 cgroup) first",
				path);
	if (subtree_holds_pid(fd, getpid(), 0))
		return stim_err(err, STIM_FAILED_PRECONDITION,
				"%s: holds this process; run gc from outside it", path);
	if (kill_and_wait(fd, path, err) < 0)
		return -1;
	return rmdir_wait(path, RMDIR_WAIT_MS, err);
}
