#pragma once
/*
 * The HTTP server: libmicrohttpd with a thread pool (one epoll loop per
 * worker, sized to the cores) on one address, feeding api_dispatch().
 *
 * Stopping is graceful: the listening socket closes first (no new
 * connections), requests in flight finish, then the workers stop.
 */

#include <stdint.h>

#include "api/dispatch.h"
#include "src/error.h"

struct api_server;

/* Starts serving at once. The dispatcher must outlive the server. */
struct api_server *api_server_start(struct api_dispatcher *d, const char *host, uint16_t port,
				    unsigned threads, stim_error_t *err);
/* The bound port (useful when 0 was asked for). */
uint16_t api_server_port(const struct api_server *s);
/* Stops accepting, waits up to grace_ms for requests in flight, stops. */
void api_server_stop(struct api_server *s, unsigned grace_ms);
