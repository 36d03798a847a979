/* Background jobs on threads of their own (see workers.h). */
#include "src/workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "src/util.h"

/* A keyed job waits for every earlier job of its key: tickets in the
 * order jobs were handed in. */
struct ticket {
	int64_t key;
	uint64_t seq;
};

struct stim_workers {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	pthread_cond_t turn; /* a keyed job ended */
	int running;
	struct ticket *tickets; /* keyed jobs not yet ended */
	size_t ntickets;
	uint64_t seq;
};

struct job {
	struct stim_workers *w;
	void (*fn)(void *arg);
	void *arg;
	bool keyed;
	struct ticket ticket;
};

struct stim_workers *stim_workers_new(void)
{
	struct stim_workers *w = xcalloc(1, sizeof(*w));

	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->idle, NULL);
	pthread_cond_init(&w->turn, NULL);
	return w;
}

/* Whether a job of the same key handed in before j has not ended. Locked. */
static bool waits(const struct stim_workers *w, const struct job *j)
{
	for (size_t i = 0; i < w->ntickets; i++) {
		if (w->tickets[i].key == j->ticket.key && w->tickets[i].seq < j->ticket.seq)
			return true;
	}
	return false;
}

static void *run(void *arg)
{
	struct job *j = arg;
	struct stim_workers *w = j->w;

	if (j->keyed) {
		pthread_mutex_lock(&w->lock);
		while (waits(w, j))
			pthread_cond_wait(&w->turn, &w->lock);
		pthread_mutex_unlock(&w->lock);
	}
	j->fn(j->arg);
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; j->keyed && i < w->ntickets; i++) {
		if (w->tickets[i].seq == j->ticket.seq) {
			w->tickets[i] = w->tickets[--w->ntickets];
			pthread_cond_broadcast(&w->turn);
			break;
		}
	}
	if (--w->running == 0)
		pthread_cond_broadcast(&w->idle);
	pthread_mutex_unlock(&w->lock);
	free(j);
	return NULL;
}

static void submit(struct stim_workers *w, struct job *j)
{
	pthread_attr_t attr;
	pthread_t t;

	j->w = w;
	pthread_mutex_lock(&w->lock);
	w->running++;
	if (j->keyed) {
		j->ticket.seq = ++w->seq;
		w->tickets = xrealloc(w->tickets, (w->ntickets + 1) * sizeof(*w->tickets));
		w->tickets[w->ntickets++] = j->ticket;
	}
	pthread_mutex_unlock(&w->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, run, j) != 0)
		run(j);
	pthread_attr_destroy(&attr);
}

void stim_workers_run(struct stim_workers *w, void (*fn)(void *arg), void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->fn = fn;
	j->arg = arg;
	submit(w, j);
}

void stim_workers_run_keyed(struct stim_workers *w, int64_t key, void (*fn)(void *arg), void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->fn = fn;
	j->arg = arg;
	j->keyed = true;
	j->ticket.key = key;
	submit(w, j);
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
	pthread_cond_destroy(&w->turn);
	pthread_mutex_destroy(&w->lock);
	free(w->tickets);
	free(w);
}
