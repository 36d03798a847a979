#pragma once
/*
 * HTTP metrics in Prometheus text format: requests by route and status, and
 * a latency histogram per route. Each worker thread counts into its own
 * block (no shared cache lines on the hot path); a scrape sums the blocks.
 */

#include <stddef.h>
#include <stdint.h>

struct api_router;
struct api_metrics;

/* `router` gives the route labels and count; it must outlive the metrics. */
struct api_metrics *api_metrics_new(const struct api_router *router);
void api_metrics_free(struct api_metrics *m);

/* Counts one finished request. route_id < 0 means "unmatched". Any thread. */
void api_metrics_record(struct api_metrics *m, int route_id, unsigned status, uint64_t latency_ns);
/* Gauge of requests being served. */
void api_metrics_inflight_add(struct api_metrics *m, int delta);
long api_metrics_inflight(struct api_metrics *m);

/* The exposition text; the caller's (free()). */
char *api_metrics_render(struct api_metrics *m);
