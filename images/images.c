/* Image recipes: busybox and host, and how every recipe is built and
 * found (see images.h; debian-12 is images/debian.c). */
#include "images/images.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "images/recipes.h"
#include "sandbox/spawn.h"
#include "src/cleanup.h"
#include "src/procfs.h"
#include "src/util.h"

extern char **environ;

#define BUSYBOX	    "/bin/busybox"
#define APPLETS_MAX (1 << 16)
#define PASSWD                                                                                     \
	"root:x:0:0:root:/root:/bin/sh\n"                                                          \
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
#define GROUP "root:x:0:\nnogroup:x:65534:\n"

int stim_image_write_file(const char *dir, const char *name, const char *text, mode_t mode,
			  stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	cleanup_close int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return stim_err_sys(err, errno, "write %s", path);
	return 0;
}

static int make_dirs(const char *root, const char *const *dirs, stim_error_t *err)
{
	for (size_t i = 0; dirs[i] != NULL; i += 2) {
		cleanup_free char *path = xasprintf("%s/%s", root, dirs[i]);
		mode_t mode = (mode_t)strtol(dirs[i + 1], NULL, 8);

		if (mkdir(path, mode) < 0 && errno != EEXIST)
			return stim_err_sys(err, errno, "mkdir %s", path);
		/* mkdir applies the umask; /tmp needs its sticky 1777. */
		if (chmod(path, mode) < 0)
			return stim_err_sys(err, errno, "chmod %s", path);
	}
	return 0;
}

/* The directories every image has, with their modes. */
static const char *const base_dirs[] = {
	"etc",	"755", "root", "700", "home",	 "755",	 "tmp",	    "1777",
	"run",	"755", "var",  "755", "var/tmp", "1777", "var/log", "755",
	"proc", "555", "dev",  "755", "sys",	 "555",	 NULL,
};

static int base_etc(const char *root, stim_error_t *err)
{
	cleanup_free char *etc = xasprintf("%s/etc", root);

	if (make_dirs(root, base_dirs, err) < 0 ||
	    stim_image_write_file(etc, "passwd", PASSWD, 0644, err) < 0 ||
	    stim_image_write_file(etc, "group", GROUP, 0644, err) < 0 ||
	    stim_image_write_file(etc, "resolv.conf", STIM_IMAGE_RESOLV_CONF, 0644, err) < 0)
		return -1;
	return 0;
}

/* busybox */

/* `busybox --list-full`: "bin/ash\nusr/bin/awk\n...", the caller's. */
static char *busybox_applets(stim_error_t *err)
{
	char *argv[] = { BUSYBOX, "--list-full", NULL };
	posix_spawn_file_actions_t fa;
	cleanup_free char *text = NULL;
	size_t len = 0;
	int p[2];
	pid_t pid;
	int status;
	int rc;

	if (pipe2(p, O_CLOEXEC) < 0) {
		stim_err_sys(err, errno, "pipe");
		return NULL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	rc = posix_spawn(&pid, BUSYBOX, &fa, NULL, argv, NULL);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		stim_err_sys(err, rc, "run %s --list-full", BUSYBOX);
		return NULL;
	}
	text = xmalloc(APPLETS_MAX);
	for (;;) {
		ssize_t n = read(p[0], text + len, APPLETS_MAX - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		stim_err(err, STIM_INTERNAL, "%s --list-full failed", BUSYBOX);
		return NULL;
	}
	return steal_pointer(&text);
}

/* mkdir -p for the directory part of rel ("usr/bin/awk" -> usr, usr/bin). */
static int parent_dirs(const char *root, const char *rel, stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", root, rel);
	size_t skip = strlen(root) + 1;

	for (char *c = path + skip; *c != '\0'; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return stim_err_sys(err, errno, "mkdir %s", path);
		*c = '/';
	}
	return 0;
}

/* "usr/bin/awk" -> a link to ../../bin/busybox. */
static int applet_link(const char *root, const char *applet, stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", root, applet);
	char target[128] = "";

	if (strcmp(applet, "bin/busybox") == 0)
		return 0;
	for (const char *c = applet; *c != '\0'; c++) {
		if (*c == '/' && strlen(target) + 3 < sizeof(target))
			strcat(target, "../");
	}
	strcat(target, "bin/busybox");
	if (parent_dirs(root, applet, err) < 0)
		return -1;
	if (symlink(target, path) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "symlink %s", path);
	return 0;
}

static int copy_file(const char *from, const char *to, mode_t mode, stim_error_t *err)
{
	cleanup_close int in = open(from, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	char buf[65536];
	ssize_t n;

	if (in < 0 || out < 0)
		return stim_err_sys(err, errno, "copy %s to %s", from, to);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n)
			return stim_err_sys(err, errno, "write %s", to);
	}
	if (n < 0)
		return stim_err_sys(err, errno, "read %s", from);
	return 0;
}

static int build_busybox(const char *root, const struct stim_image_progress *p, stim_error_t *err)
{
	cleanup_free char *applets = NULL;
	cleanup_free char *bin = xasprintf("%s/bin", root);
	cleanup_free char *exe = xasprintf("%s/bin/busybox", root);
	char *save = NULL;

	if (access(BUSYBOX, X_OK) < 0)
		return stim_err(err, STIM_FAILED_PRECONDITION,
				"the busybox image needs %s (Debian package busybox-static)",
				BUSYBOX);
	if (base_etc(root, err) < 0)
		return -1;
	if (mkdir(bin, 0755) < 0)
		return stim_err_sys(err, errno, "mkdir %s", bin);
	if (copy_file(BUSYBOX, exe, 0755, err) < 0)
		return -1;
	applets = busybox_applets(err);
	if (applets == NULL)
		return -1;
	for (char *a = strtok_r(applets, "\n", &save); a != NULL; a = strtok_r(NULL, "\n", &save)) {
		if (a[0] == '/')
			a++;
		if (applet_link(root, a, err) < 0)
			return -1;
	}
	return 0;
}

/* host */

/* The host's top-level program directories: a link on merged-/usr
 * systems (copied as a link), a directory otherwise (bound read-only). */
static const char *const host_tops[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
/* Parts of the host's /etc that programs need and that hold nothing of
 * the host's own identity: Debian's alternatives links and the CAs. */
static const char *const host_etc_binds[] = { "etc/alternatives", "etc/ssl" };
static const char *const host_etc_copies[] = { "etc/ld.so.cache", "etc/nsswitch.conf",
					       "etc/os-release" };

static void add_bind(struct stim_image_layout *out, const char *source, const char *target)
{
	size_t i = out->nbinds++;

	snprintf(out->bind_source[i], sizeof(out->bind_source[i]), "%s", source);
	snprintf(out->bind_target[i], sizeof(out->bind_target[i]), "%s", target);
}

/* The binds of the host image, decided again at each use (the host can
 * change under a built image; the skeleton cannot). */
static void host_binds(const char *root, struct stim_image_layout *out)
{
	add_bind(out, "/usr", "usr");
	for (size_t i = 0; i < STIM_ARRAY_SIZE(host_tops); i++) {
		cleanup_free char *host = xasprintf("/%s", host_tops[i]);
		struct stat st;

		if (lstat(host, &st) == 0 && S_ISDIR(st.st_mode))
			add_bind(out, host, host_tops[i]);
	}
	for (size_t i = 0; i < STIM_ARRAY_SIZE(host_etc_binds); i++) {
		cleanup_free char *host = xasprintf("/%s", host_etc_binds[i]);
		cleanup_free char *mine = xasprintf("%s/%s", root, host_etc_binds[i]);

		if (access(host, F_OK) == 0 && access(mine, F_OK) == 0)
			add_bind(out, host, host_etc_binds[i]);
	}
}

static int build_host(const char *root, const struct stim_image_progress *p, stim_error_t *err)
{
	cleanup_free char *usr = xasprintf("%s/usr", root);

	if (base_etc(root, err) < 0)
		return -1;
	if (mkdir(usr, 0755) < 0)
		return stim_err_sys(err, errno, "mkdir %s", usr);
	for (size_t i = 0; i < STIM_ARRAY_SIZE(host_tops); i++) {
		cleanup_free char *host = xasprintf("/%s", host_tops[i]);
		cleanup_free char *mine = xasprintf("%s/%s", root, host_tops[i]);
		char link[PATH_MAX];
		ssize_t n = readlink(host, link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			if (symlink(link, mine) < 0)
				return stim_err_sys(err, errno, "symlink %s", mine);
		} else if (access(host, F_OK) == 0 && mkdir(mine, 0755) < 0) {
			return stim_err_sys(err, errno, "mkdir %s", mine);
		}
	}
	for (size_t i = 0; i < STIM_ARRAY_SIZE(host_etc_binds); i++) {
		cleanup_free char *host = xasprintf("/%s", host_etc_binds[i]);
		cleanup_free char *mine = xasprintf("%s/%s", root, host_etc_binds[i]);

		if (access(host, F_OK) == 0 && mkdir(mine, 0755) < 0)
			return stim_err_sys(err, errno, "mkdir %s", mine);
	}
	for (size_t i = 0; i < STIM_ARRAY_SIZE(host_etc_copies); i++) {
		cleanup_free char *host = xasprintf("/%s", host_etc_copies[i]);
		cleanup_free char *mine = xasprintf("%s/%s", root, host_etc_copies[i]);

		if (access(host, R_OK) == 0 && copy_file(host, mine, 0644, err) < 0)
			return -1;
	}
	return 0;
}

/* The registry */

static const struct recipe {
	const char *name;
	int (*build)(const char *root, const struct stim_image_progress *p, stim_error_t *err);
	void (*binds)(const char *root, struct stim_image_layout *out);
} recipes[] = {
	{ "busybox", build_busybox, NULL },
	{ "debian-12", stim_image_build_debian, NULL },
	{ "host", build_host, host_binds },
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static const struct recipe *recipe_find(const char *name)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(recipes); i++) {
		if (strcmp(recipes[i].name, name) == 0)
			return &recipes[i];
	}
	return NULL;
}

bool stim_image_built(const char *data_dir, const char *name)
{
	cleanup_free char *rootfs = xasprintf("%s/images/%s/rootfs", data_dir, name);

	return access(rootfs, F_OK) == 0;
}

/* The uid and gid shift of the copy being made (nftw passes no argument
 * to its callback; one shift per thread at a time). */
static __thread uint32_t shift_by;

static int shift_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (st->st_uid >= STIM_SANDBOX_USERNS_SIZE || st->st_gid >= STIM_SANDBOX_USERNS_SIZE) {
		errno = EOVERFLOW;
		return -1;
	}
	if (lchown(path, st->st_uid + shift_by, st->st_gid + shift_by) < 0)
		return -1;
	/* chown clears setuid and setgid, root's too: put them back. */
	if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) != 0 &&
	    chmod(path, st->st_mode & 07777) < 0)
		return -1;
	return 0;
}

/* A copy of the built image owned by the uids a user namespace maps
 * (sandbox/spawn.h): cp -a, then every owner shifted. */
static int build_shifted(const char *from, const char *root, uint32_t shift, stim_error_t *err)
{
	char *argv[] = { "cp", "-a", "--reflink=auto", "--", (char *)from, (char *)root, NULL };
	pid_t pid;
	int status;
	int e;

	/* cp makes root itself. */
	if (rmdir(root) < 0)
		return stim_err_sys(err, errno, "rmdir %s", root);
	e = posix_spawnp(&pid, "cp", NULL, NULL, argv, environ);
	if (e != 0)
		return stim_err_sys(err, e, "run cp");
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return stim_err(err, STIM_INTERNAL, "copying %s for a user namespace failed", from);
	shift_by = shift;
	if (nftw(root, shift_entry, 64, FTW_PHYS) != 0)
		return stim_err_sys(err, errno, "shift the owners of %s", root);
	return 0;
}

/* Builds r into rootfs (dir/rootfs, or with shift a shifted copy of it):
 * aside, then renamed, so a crash never leaves a half image in use. One
 * build at a time per image (a lock file beside it): a second caller
 * waits and finds the first one's. */
static int build(const struct recipe *r, const char *images, const char *dir, const char *rootfs,
		 const struct stim_image_progress *p, uint32_t shift, stim_error_t *err)
{
	cleanup_free char *lock_path = xasprintf("%s/lock", dir);
	cleanup_free char *tmp = xasprintf("%s.tmp", rootfs);
	cleanup_free char *from = xasprintf("%s/rootfs", dir);
	cleanup_close int lock = -1;

	if ((mkdir(images, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return stim_err_sys(err, errno, "mkdir %s", dir);
	lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return stim_err_sys(err, errno, "lock %s", lock_path);
	if (access(rootfs, F_OK) == 0)
		return 0; /* built while this one waited */
	/* What a build that crashed left. */
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(tmp, 0755) < 0)
		return stim_err_sys(err, errno, "mkdir %s", tmp);
	if ((shift != 0 ? build_shifted(from, tmp, shift, err) : r->build(tmp, p, err)) < 0) {
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		return -1;
	}
	if (rename(tmp, rootfs) < 0) {
		int e = errno;

		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		return stim_err_sys(err, e, "rename %s", tmp);
	}
	return 0;
}

int stim_image_prepare(const char *data_dir, const char *name,
		       const struct stim_image_progress *progress, uint32_t shift,
		       struct stim_image_layout *out, stim_error_t *err)
{
	const struct recipe *r = recipe_find(name);
	cleanup_free char *images = xasprintf("%s/images", data_dir);
	cleanup_free char *dir = xasprintf("%s/%s", images, name);
	cleanup_free char *rootfs = xasprintf("%s/rootfs", dir);
	cleanup_free char *lower =
		shift != 0 ? xasprintf("%s/rootfs-%u", dir, shift) : xstrdup(rootfs);

	if (r == NULL)
		return stim_err(err, STIM_NOT_FOUND, "no image recipe named '%s'", name);
	memset(out, 0, sizeof(*out));
	if ((size_t)snprintf(out->lower, sizeof(out->lower), "%s", lower) >= sizeof(out->lower))
		return stim_err(err, STIM_INVALID_ARGUMENT, "data directory path too long");
	if (access(rootfs, F_OK) != 0 && build(r, images, dir, rootfs, progress, 0, err) < 0)
		return -1;
	if (shift != 0 && access(lower, F_OK) != 0 &&
	    build(r, images, dir, lower, NULL, shift, err) < 0)
		return -1;
	if (r->binds != NULL)
		r->binds(out->lower, out);
	for (size_t i = 0; i < out->nbinds; i++) {
		out->binds[i].source = out->bind_source[i];
		out->binds[i].target = out->bind_target[i];
	}
	return 0;
}
