/* Background jobs on threads of their own (see workers.h). */
#include "src/workers.h"

#include <pthread.h>
#include <stdlib.h>

#include "src/util.h"

struct stim_workers {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	int running;
};

struct job {
	struct stim_workers *w;
	void (*fn)(void *arg);
	void *arg;
};

struct stim_workers *stim_workers_new(void)
{
	struct stim_workers *w = xcalloc(1, sizeof(*w));

	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->idle, NULL);
	return w;
}

static void *run(void *arg)
{
	struct job *j = arg;
	struct stim_workers *w = j->w;

	j->fn(j->arg);
	free(j);
	pthread_mutex_lock(&w->lock);
	if (--w->running == 0)
		pthread_cond_broadcast(&w->idle);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

void stim_workers_run(struct stim_workers *w, void (*fn)(void *arg), void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));
	pthread_attr_t attr;
	pthread_t t;

	j->w = w;
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	w->running++;
	pthread_mutex_unlock(&w->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, run, j) != 0)
		run(j);
	pthread_attr_destroy(&attr);
}

void stim_workers_drain(struct stim_workers *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	while (w->running > 0)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
	pthread_cond_destroy(&w->idle);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
