/* The pidfd watcher (see supervisor.h). */
#include "src/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/console.h"
#include "src/log.h"
#include "src/util.h"

/* epoll's tag for the stop eventfd; instance ids are never negative. */
#define STOP_TAG UINT64_MAX
/* The console may grow this far past its cap between two looks. */
#define CONSOLE_SLACK	 (UINT64_C(1) << 20)
#define CONSOLE_EVERY_MS 1000

struct watch {
	struct stim_exit who; /* strings owned */
	int pidfd;
	char *console;
};

struct stim_supervisor {
	pthread_mutex_t lock; /* v, n */
	struct watch *v;
	size_t n;
	int epfd;
	int stopfd;
	bool started;
	pthread_t thread;
	stim_exit_fn fn;
	void *arg;
};

static void watch_fini(struct watch *w)
{
	free((char *)w->who.project);
	free((char *)w->who.zone);
	free((char *)w->who.name);
	free(w->console);
	if (w->pidfd >= 0)
		close(w->pidfd);
}

/* Takes v[i] out of the table (and out of epoll) into *out. Locked. */
static void take(struct stim_supervisor *s, size_t i, struct watch *out)
{
	*out = s->v[i];
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, out->pidfd, NULL);
	s->v[i] = s->v[--s->n];
}

static ssize_t find(const struct stim_supervisor *s, int64_t id)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].who.id == id)
			return (ssize_t)i;
	}
	return -1;
}

/* How the process ended, when it was this daemon's child (reaped here).
 * An adopted PID 1 is another's child: its status is not ours to read. */
static void reap(struct watch *w)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	if (waitid(P_PIDFD, (id_t)w->pidfd, &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
		return;
	w->who.known = true;
	if (info.si_code == CLD_EXITED)
		w->who.code = info.si_status;
	else
		w->who.signal = info.si_status;
}

static void ended(struct stim_supervisor *s, int64_t id)
{
	struct watch w;
	ssize_t i;

	pthread_mutex_lock(&s->lock);
	i = find(s, id);
	if (i < 0) {
		/* Forgotten between the event and now: the daemon ends it. */
		pthread_mutex_unlock(&s->lock);
		return;
	}
	take(s, (size_t)i, &w);
	pthread_mutex_unlock(&s->lock);
	reap(&w);
	s->fn(s->arg, &w.who);
	watch_fini(&w);
}

static void cap_consoles(struct stim_supervisor *s)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++) {
		cleanup_error stim_error_t err = NULL;
		cleanup_close int fd = -1;

		if (s->v[i].console == NULL)
			continue;
		fd = open(s->v[i].console, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && stim_console_cap(fd, STIM_CONSOLE_KEEP, CONSOLE_SLACK, &err) < 0) {
			/* A file system without holes: say so once, keep it all. */
			STIM_LOG_W("instance %s: console not capped: %s", s->v[i].who.name,
				   err->msg);
			free(s->v[i].console);
			s->v[i].console = NULL;
		}
	}
	pthread_mutex_unlock(&s->lock);
}

static void *run(void *arg)
{
	struct stim_supervisor *s = arg;
	uint64_t next_cap = stim_monotonic_ns() / 1000000 + CONSOLE_EVERY_MS;

	for (;;) {
		struct epoll_event ev[32];
		uint64_t now = stim_monotonic_ns() / 1000000;
		int timeout = now >= next_cap ? 0 : (int)(next_cap - now);
		int n = epoll_wait(s->epfd, ev, (int)STIM_ARRAY_SIZE(ev), timeout);

		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == STOP_TAG)
				return NULL;
			ended(s, (int64_t)ev[i].data.u64);
		}
		if (stim_monotonic_ns() / 1000000 >= next_cap) {
			cap_consoles(s);
			next_cap = stim_monotonic_ns() / 1000000 + CONSOLE_EVERY_MS;
		}
	}
}

struct stim_supervisor *stim_supervisor_new(stim_exit_fn fn, void *arg, stim_error_t *err)
{
	struct stim_supervisor *s = xcalloc(1, sizeof(*s));
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = STOP_TAG };
	int e;

	pthread_mutex_init(&s->lock, NULL);
	s->fn = fn;
	s->arg = arg;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->stopfd = eventfd(0, EFD_CLOEXEC);
	if (s->epfd < 0 || s->stopfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->stopfd, &ev) < 0) {
		stim_err_sys(err, errno, "set up the instance supervisor");
		stim_supervisor_free(s);
		return NULL;
	}
	e = pthread_create(&s->thread, NULL, run, s);
	if (e != 0) {
		stim_err_sys(err, e, "start the instance supervisor");
		stim_supervisor_free(s);
		return NULL;
	}
	s->started = true;
	return s;
}

int stim_supervisor_watch(struct stim_supervisor *s, const struct stim_exit *who, int pidfd,
			  const char *console, stim_error_t *err)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)who->id };
	struct watch w = { .who = *who, .pidfd = pidfd };

	stim_supervisor_forget(s, who->id);
	w.who.project = xstrdup(who->project);
	w.who.zone = xstrdup(who->zone);
	w.who.name = xstrdup(who->name);
	w.console = console != NULL ? xstrdup(console) : NULL;
	pthread_mutex_lock(&s->lock);
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, pidfd, &ev) < 0) {
		int e = errno;

		pthread_mutex_unlock(&s->lock);
		watch_fini(&w);
		return stim_err_sys(err, e, "watch instance %s", who->name);
	}
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = w;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void stim_supervisor_forget(struct stim_supervisor *s, int64_t id)
{
	struct watch w;
	ssize_t i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	i = find(s, id);
	if (i >= 0)
		take(s, (size_t)i, &w);
	pthread_mutex_unlock(&s->lock);
	if (i >= 0)
		watch_fini(&w);
}

void stim_supervisor_stop(struct stim_supervisor *s)
{
	uint64_t one = 1;

	if (s == NULL || !s->started)
		return;
	if (write(s->stopfd, &one, sizeof(one)) != sizeof(one))
		STIM_LOG_E("supervisor: cannot signal the stop: %s", strerror(errno));
	pthread_join(s->thread, NULL);
	s->started = false;
}

void stim_supervisor_free(struct stim_supervisor *s)
{
	if (s == NULL)
		return;
	stim_supervisor_stop(s);
	for (size_t i = 0; i < s->n; i++)
		watch_fini(&s->v[i]);
	free(s->v);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->stopfd >= 0)
		close(s->stopfd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
