/* The housekeeping thread (see housekeeping.h). */
#include "src/housekeeping.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "src/cleanup.h"
#include "src/log.h"
#include "src/upload_sessions.h"
#include "src/util.h"

struct stim_housekeeper {
	struct stim_ctx *ctx;
	unsigned interval;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* signalled to stop */
	bool stop;
};

void stim_housekeeping_run(struct stim_ctx *ctx)
{
	cleanup_error stim_error_t err = NULL;
	int n;

	n = stim_sessions_expire(ctx, stim_now_ms() - STIM_SESSION_LIFETIME_MS, &err);
	if (n < 0)
		STIM_LOG_W("housekeeping: upload sessions: %s", err->msg);
	stim_error_free(steal_pointer(&err));
	n = stim_lifecycle_sweep(ctx, stim_now_ms(), &err);
	if (n < 0)
		STIM_LOG_W("housekeeping: lifecycle: %s", err->msg);
	else if (n > 0)
		STIM_LOG_I("housekeeping: lifecycle acted on %d object generations", n);
}

static void *loop(void *arg)
{
	struct stim_housekeeper *h = arg;

	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		struct timespec until;

		pthread_mutex_unlock(&h->lock);
		stim_housekeeping_run(h->ctx);
		pthread_mutex_lock(&h->lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += h->interval;
		while (!h->stop && pthread_cond_timedwait(&h->wake, &h->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

struct stim_housekeeper *stim_housekeeper_start(struct stim_ctx *ctx, unsigned interval_seconds,
						stim_error_t *err)
{
	struct stim_housekeeper *h = xcalloc(1, sizeof(*h));
	pthread_condattr_t attr;
	int e;

	h->ctx = ctx;
	h->interval = interval_seconds;
	pthread_mutex_init(&h->lock, NULL);
	/* A monotonic clock, so a change of the wall clock cannot stall it. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&h->wake, &attr);
	pthread_condattr_destroy(&attr);
	e = pthread_create(&h->thread, NULL, loop, h);
	if (e != 0) {
		pthread_cond_destroy(&h->wake);
		pthread_mutex_destroy(&h->lock);
		free(h);
		stim_err_sys(err, e, "start the housekeeping thread");
		return NULL;
	}
	return h;
}

void stim_housekeeper_stop(struct stim_housekeeper *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->wake);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
