/* Named network namespaces and work inside them (see netns.h). */
#include "netns/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/host_objects.h"
#include "src/util.h"

#define RUN_DIR "/run/netns"

static int name_check(const char *name, stim_error_t *err)
{
	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || strlen(name) > 64)
		return stim_err(err, STIM_INVALID_ARGUMENT, "bad netns name '%s'", name);
	return 0;
}

struct job {
	int nsfd; /* -1: a new namespace */
	int (*fn)(void *arg, stim_error_t *err);
	void *arg;
	int ret;
	stim_error_t err;
};

static void *run(void *arg)
{
	struct job *j = arg;

	if (j->nsfd >= 0 ? setns(j->nsfd, CLONE_NEWNET) < 0 : unshare(CLONE_NEWNET) < 0) {
		j->ret = stim_err_sys(&j->err, errno, "enter a network namespace");
		return NULL;
	}
	j->ret = j->fn(j->arg, &j->err);
	return NULL;
}

static int on_thread(int nsfd, int (*fn)(void *arg, stim_error_t *err), void *arg,
		     stim_error_t *err)
{
	struct job j = { .nsfd = nsfd, .fn = fn, .arg = arg };
	pthread_t t;
	int e = pthread_create(&t, NULL, run, &j);

	if (e != 0)
		return stim_err_sys(err, e, "start a network namespace thread");
	pthread_join(t, NULL);
	if (j.ret < 0)
		*err = j.err;
	return j.ret;
}

int stim_netns_run(int nsfd, int (*fn)(void *arg, stim_error_t *err), void *arg, stim_error_t *err)
{
	return on_thread(nsfd, fn, arg, err);
}

/* On a thread in the new namespace: bind its nsfs file onto path. */
static int bind_self(void *arg, stim_error_t *err)
{
	const char *path = arg;

	if (mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		return stim_err_sys(err, errno, "bind the namespace onto %s", path);
	return 0;
}

int stim_netns_create(const char *name, stim_error_t *err)
{
	cleanup_free char *path = NULL;
	int fd;

	if (name_check(name, err) < 0)
		return -1;
	if (mkdir(RUN_DIR, 0755) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", RUN_DIR);
	path = xasprintf("%s/%s", RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0 && errno == EEXIST)
		return stim_err(err, STIM_ALREADY_EXISTS, "network namespace %s exists", name);
	if (fd < 0)
		return stim_err_sys(err, errno, "create %s", path);
	close(fd);
	if (on_thread(-1, bind_self, path, err) < 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

int stim_netns_open(const char *name, stim_error_t *err)
{
	cleanup_free char *path = NULL;
	int fd;

	if (name_check(name, err) < 0)
		return -1;
	path = xasprintf("%s/%s", RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return stim_err(err, STIM_NOT_FOUND, "no network namespace %s", name);
	if (fd < 0)
		return stim_err_sys(err, errno, "open %s", path);
	return fd;
}

int stim_netns_delete(const char *name, stim_error_t *err)
{
	return stim_host_remove_netns(name, err);
}

struct sysctl {
	const char *path;
	const char *value;
};

static int write_sysctl(void *arg, stim_error_t *err)
{
	const struct sysctl *s = arg;
	cleanup_free char *path = xasprintf("/proc/sys/net/%s", s->path);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(s->value);

	/* /proc/sys/net shows the namespace of the thread that opens it. */
	if (fd < 0 || write(fd, s->value, len) != (ssize_t)len)
		return stim_err_sys(err, errno, "write %s", path);
	return 0;
}

int stim_netns_sysctl(int nsfd, const char *path, const char *value, stim_error_t *err)
{
	struct sysctl s = { path, value };

	return on_thread(nsfd, write_sysctl, &s, err);
}
