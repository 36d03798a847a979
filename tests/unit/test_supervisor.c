/* The supervisor and keyed workers with real child processes: an exit is
 * reported with its status, a forgotten one is not, a stop ends the
 * thread; jobs of one key run one at a time in the order handed in. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/supervisor.h"
#include "src/workers.h"

struct seen {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int n;
	struct stim_exit last;
	char name[32];
};

static void on_exit_cb(void *arg, const struct stim_exit *e)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->lock);
	s->n++;
	s->last = *e;
	snprintf(s->name, sizeof(s->name), "%s", e->name);
	s->last.name = s->last.project = s->last.zone = NULL;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* A child that waits for `go` to close, then exits with code (or dies of
 * signal when code < 0). */
static pid_t child(int code, int *go, int *pidfd)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		(void)read(p[0], &c, 1);
		if (code < 0)
			raise(-code);
		_exit(code);
	}
	close(p[0]);
	*go = p[1];
	*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	assert_true(*pidfd >= 0);
	return pid;
}

static void wait_seen(struct seen *s, int n)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&s->lock);
	while (s->n < n && pthread_cond_timedwait(&s->cond, &s->lock, &until) == 0)
		;
	pthread_mutex_unlock(&s->lock);
	assert_int_equal(s->n, n);
}

static void test_reports(void **state)
{
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	stim_error_t err = NULL;
	struct stim_supervisor *sup = stim_supervisor_new(on_exit_cb, &s, &err);
	struct stim_exit who = { .project = "p", .zone = "z", .name = "vm-a", .id = 7 };
	int go;
	int pidfd;

	assert_non_null(sup);
	who.pid = child(3, &go, &pidfd);
	assert_int_equal(stim_supervisor_watch(sup, &who, pidfd, NULL, &err), 0);
	close(go);
	wait_seen(&s, 1);
	assert_int_equal(s.last.id, 7);
	assert_string_equal(s.name, "vm-a");
	assert_true(s.last.known); /* our child: reaped, status read */
	assert_int_equal(s.last.code, 3);
	assert_int_equal(s.last.signal, 0);

	who.id = 8;
	who.name = "vm-b";
	who.pid = child(-SIGKILL, &go, &pidfd);
	assert_int_equal(stim_supervisor_watch(sup, &who, pidfd, NULL, &err), 0);
	close(go);
	wait_seen(&s, 2);
	assert_string_equal(s.name, "vm-b");
	assert_int_equal(s.last.signal, SIGKILL);

	/* Forgotten: the exit is the caller's own doing, never reported. */
	who.id = 9;
	who.pid = child(0, &go, &pidfd);
	assert_int_equal(stim_supervisor_watch(sup, &who, pidfd, NULL, &err), 0);
	stim_supervisor_forget(sup, 9);
	close(go);
	waitpid(who.pid, NULL, 0);
	usleep(100 * 1000);
	assert_int_equal(s.n, 2);
	stim_supervisor_free(sup);
}

struct order {
	pthread_mutex_t lock;
	int inside; /* jobs of the key running now */
	int overlap;
	char log[16];
};

struct step {
	struct order *o;
	char c;
};

static void step(void *arg)
{
	struct step *st = arg;
	struct order *o = st->o;
	size_t n;

	pthread_mutex_lock(&o->lock);
	if (++o->inside > 1)
		o->overlap++;
	pthread_mutex_unlock(&o->lock);
	usleep(20 * 1000);
	pthread_mutex_lock(&o->lock);
	n = strlen(o->log);
	o->log[n] = st->c;
	o->inside--;
	pthread_mutex_unlock(&o->lock);
	free(st);
}

static void test_keyed_workers(void **state)
{
	struct order o = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct stim_workers *w = stim_workers_new();

	for (const char *c = "abcde"; *c != '\0'; c++) {
		struct step *st = calloc(1, sizeof(*st));

		st->o = &o;
		st->c = *c;
		stim_workers_run_keyed(w, 42, step, st);
	}
	stim_workers_drain(w);
	assert_string_equal(o.log, "abcde");
	assert_int_equal(o.overlap, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_keyed_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
