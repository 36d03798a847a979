/* Per-thread HTTP counters, summed into Prometheus text (see metrics.h). */
#include "api/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/router.h"
#include "src/util.h"

/* The status codes we keep apart; anything else counts as "other". */
static const unsigned statuses[] = { 200, 201, 204, 206, 304, 308, 400, 401, 403, 404,
				     405, 409, 412, 413, 416, 429, 499, 500, 501, 503 };
#define NSTATUS (STIM_ARRAY_SIZE(statuses) + 1)

/* Upper bounds in seconds, from 50 µs (a cached GET) to 10 s. */
static const double buckets[] = { 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
				  0.005,   0.01,   0.025,   0.05,   0.1,   0.25,
				  0.5,	   1,	   2.5,	    5,	    10 };
#define NBUCKET (STIM_ARRAY_SIZE(buckets) + 1)

struct route_counts {
	uint64_t by_status[NSTATUS];
	uint64_t by_bucket[NBUCKET];
	uint64_t sum_ns;
};

struct block {
	struct block *next;
	struct route_counts routes[]; /* nroutes + 1 ("unmatched" last) */
};

struct api_metrics {
	const struct api_router *router;
	size_t nroutes;
	pthread_key_t key;
	pthread_mutex_t lock;
	struct block *blocks; /* kept after their thread exits: counts persist */
	long inflight;
};

struct api_metrics *api_metrics_new(const struct api_router *router)
{
	struct api_metrics *m = xcalloc(1, sizeof(*m));

	m->router = router;
	m->nroutes = api_router_count(router);
	pthread_mutex_init(&m->lock, NULL);
	STIM_ASSERT(pthread_key_create(&m->key, NULL) == 0);
	return m;
}

void api_metrics_free(struct api_metrics *m)
{
	if (m == NULL)
		return;
	while (m->blocks != NULL) {
		struct block *b = m->blocks;

		m->blocks = b->next;
		free(b);
	}
	pthread_key_delete(m->key);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static struct block *my_block(struct api_metrics *m)
{
	struct block *b = pthread_getspecific(m->key);

	if (b != NULL)
		return b;
	b = xcalloc(1, sizeof(*b) + (m->nroutes + 1) * sizeof(struct route_counts));
	pthread_mutex_lock(&m->lock);
	b->next = m->blocks;
	m->blocks = b;
	pthread_mutex_unlock(&m->lock);
	pthread_setspecific(m->key, b);
	return b;
}

void api_metrics_record(struct api_metrics *m, int route_id, unsigned status, uint64_t latency_ns)
{
	struct block *b = my_block(m);
	size_t r = route_id >= 0 && (size_t)route_id < m->nroutes ? (size_t)route_id : m->nroutes;
	struct route_counts *c = &b->routes[r];
	double secs = (double)latency_ns / 1e9;
	size_t s = NSTATUS - 1;
	size_t k = 0;

	for (size_t i = 0; i < STIM_ARRAY_SIZE(statuses); i++) {
		if (statuses[i] == status) {
			s = i;
			break;
		}
	}
	while (k < STIM_ARRAY_SIZE(buckets) && secs > buckets[k])
		k++;
	/* Only this thread writes its block; relaxed atomics keep the scraper's
	 * reads tear-free without ordering costs. */
	__atomic_fetch_add(&c->by_status[s], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->by_bucket[k], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->sum_ns, latency_ns, __ATOMIC_RELAXED);
}

void api_metrics_inflight_add(struct api_metrics *m, int delta)
{
	__atomic_fetch_add(&m->inflight, delta, __ATOMIC_RELAXED);
}

long api_metrics_inflight(struct api_metrics *m)
{
	return __atomic_load_n(&m->inflight, __ATOMIC_RELAXED);
}

/* Appends to a growing buffer (the output is a few KB per route). */
struct buf {
	char *s;
	size_t len;
	size_t cap;
};

static void __attribute__((format(printf, 2, 3))) bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)n;
		b->s = xrealloc(b->s, b->cap);
	}
	b->len += (size_t)n;
}

char *api_metrics_render(struct api_metrics *m)
{
	struct route_counts *sum = xcalloc(m->nroutes + 1, sizeof(*sum));
	struct buf b = { .s = xmalloc(4096), .cap = 4096 };

	pthread_mutex_lock(&m->lock);
	for (struct block *blk = m->blocks; blk != NULL; blk = blk->next) {
		for (size_t r = 0; r <= m->nroutes; r++) {
			struct route_counts *c = &blk->routes[r];

			for (size_t i = 0; i < NSTATUS; i++)
				sum[r].by_status[i] +=
					__atomic_load_n(&c->by_status[i], __ATOMIC_RELAXED);
			for (size_t i = 0; i < NBUCKET; i++)
				sum[r].by_bucket[i] +=
					__atomic_load_n(&c->by_bucket[i], __ATOMIC_RELAXED);
			sum[r].sum_ns += __atomic_load_n(&c->sum_ns, __ATOMIC_RELAXED);
		}
	}
	pthread_mutex_unlock(&m->lock);

	b.s[0] = '\0';
	bprintf(&b, "# HELP stim_http_requests_total HTTP requests by route and status.\n"
		    "# TYPE stim_http_requests_total counter\n");
	for (size_t r = 0; r <= m->nroutes; r++) {
		const char *label = api_router_label(m->router, r);

		for (size_t i = 0; i < NSTATUS; i++) {
			if (sum[r].by_status[i] == 0)
				continue;
			if (i < STIM_ARRAY_SIZE(statuses))
				bprintf(&b,
					"stim_http_requests_total{route=\"%s\",code=\"%u\"} %llu\n",
					label, statuses[i],
					(unsigned long long)sum[r].by_status[i]);
			else
				bprintf(&b,
					"stim_http_requests_total{route=\"%s\",code=\"other\"} "
					"%llu\n",
					label, (unsigned long long)sum[r].by_status[i]);
		}
	}
	bprintf(&b, "# HELP stim_http_request_duration_seconds Time from request to response.\n"
		    "# TYPE stim_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r <= m->nroutes; r++) {
		const char *label = api_router_label(m->router, r);
		unsigned long long cum = 0;

		for (size_t i = 0; i < NBUCKET; i++)
			cum += sum[r].by_bucket[i];
		if (cum == 0)
			continue;
		cum = 0;
		for (size_t i = 0; i < NBUCKET; i++) {
			cum += sum[r].by_bucket[i];
			if (i < STIM_ARRAY_SIZE(buckets))
				bprintf(&b,
					"stim_http_request_duration_seconds_bucket{route=\"%s\","
					"le=\"%g\"} %llu\n",
					label, buckets[i], cum);
			else
				bprintf(&b,
					"stim_http_request_duration_seconds_bucket{route=\"%s\","
					"le=\"+Inf\"} %llu\n",
					label, cum);
		}
		bprintf(&b, "stim_http_request_duration_seconds_sum{route=\"%s\"} %.9f\n", label,
			(double)sum[r].sum_ns / 1e9);
		bprintf(&b, "stim_http_request_duration_seconds_count{route=\"%s\"} %llu\n", label,
			cum);
	}
	bprintf(&b,
		"# HELP stim_http_requests_in_flight Requests being served.\n"
		"# TYPE stim_http_requests_in_flight gauge\n"
		"stim_http_requests_in_flight %ld\n",
		api_metrics_inflight(m));
	free(sum);
	return b.s;
}
