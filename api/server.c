/* libmicrohttpd glue: request state, body limits, dispatch (see server.h). */
#include "api/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/metrics.h"
#include "src/cleanup.h"
#include "src/log.h"
#include "src/util.h"

/* Per-connection memory for headers and bookkeeping. MHD zeroes the pool
 * on every request, so a bigger pool costs on every call (a 128 KiB pool
 * was 10% of a GET's time); 32 KiB holds any header gcloud sends, JWT
 * bearer tokens included. Bodies are buffered outside it. */
#define CONNECTION_POOL (32 * 1024)

struct api_server {
	struct MHD_Daemon *mhd;
	struct api_dispatcher *d;
	uint16_t port;
	uint32_t boot; /* random, so request ids differ across restarts */
	uint64_t counter;
};

/* One request's state, from the request line to completion. */
struct http_req {
	struct api_server *srv;
	char *uri;	    /* raw: path and query, percent-encoded */
	const char *method; /* MHD's, valid until completion */
	char id[24];
	uint64_t start_ns;
	struct api_call *call; /* from the headers on */
	int route_id;
	unsigned status;
};

/* MHD calls this first for every request, with the raw URI (before its own
 * unescaping, which would turn %2F into a path separator). What it returns
 * becomes the request's state. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct api_server *s = cls;
	struct http_req *h = xcalloc(1, sizeof(*h));
	uint64_t n = __atomic_add_fetch(&s->counter, 1, __ATOMIC_RELAXED);

	h->srv = s;
	h->uri = xstrdup(uri);
	h->start_ns = stim_monotonic_ns();
	h->route_id = -1;
	snprintf(h->id, sizeof(h->id), "%08" PRIx32 "%08" PRIx64, s->boot, n);
	api_metrics_inflight_add(s->d->metrics, 1);
	return h;
}

/* uri for the log: with the value of an access_token parameter (tokeninfo)
 * cut out, since a token in a log is a credential anyone reading it holds.
 * The caller's. */
static char *loggable_uri(const char *uri)
{
	static const char name[] = "access_token=";
	const char *q = strchr(uri, '?');
	const char *p = q != NULL ? strstr(q, name) : NULL;

	if (p == NULL || (p[-1] != '?' && p[-1] != '&'))
		return xstrdup(uri);
	p += strlen(name);
	return xasprintf("%.*s...%s", (int)(p - uri), uri, p + strcspn(p, "&"));
}

/* Runs for every request that on_uri saw, however it ended: a client gone
 * mid-upload lands here too, and api_call_free releases its stream. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct api_server *s = cls;
	struct http_req *h = *con_cls;
	uint64_t took;

	if (h == NULL)
		return;
	took = stim_monotonic_ns() - h->start_ns;
	/* A client that went away before the answer counts as 499, as nginx does. */
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && h->status == 0)
		h->status = 499;
	stim_log_set_context(h->id);
	api_call_free(h->call);
	api_metrics_record(s->d->metrics, h->route_id, h->status, took);
	api_metrics_inflight_add(s->d->metrics, -1);
	if (STIM_LOG_DEBUG >= stim_log_level) {
		cleanup_free char *uri = loggable_uri(h->uri);

		STIM_LOG_D("%s %s -> %u in %.3f ms", h->method ? h->method : "-", uri, h->status,
			   (double)took / 1e6);
	}
	stim_log_set_context(NULL);
	free(h->uri);
	free(h);
	*con_cls = NULL;
}

static const char *header_of(void *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct http_req *h,
				     struct api_response *resp, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (resp->use_fd) {
		r = MHD_create_response_from_fd_at_offset64(resp->len, resp->fd, resp->offset);
		if (r == NULL)
			return MHD_NO;
		resp->use_fd = false; /* MHD closes it */
	} else {
		r = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
		if (r == NULL)
			return MHD_NO;
		resp->body = NULL; /* MHD frees it */
	}
	for (size_t i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
	if (resp->content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	MHD_add_response_header(r, "X-Request-Id", h->id);
	if (allow != NULL && allow[0] != '\0')
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	h->status = resp->status;
	ret = MHD_queue_response(conn, resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static uint64_t content_length(struct MHD_Connection *conn)
{
	const char *cl =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (cl == NULL)
		return UINT64_MAX;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno != 0 || *end != '\0')
		return UINT64_MAX;
	return n;
}

/* MHD calls this once when the headers are in (*upload_size == 0), then for
 * each piece of the body, then once more with *upload_size == 0 at the end. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct api_server *s = cls;
	struct http_req *h = *con_cls;
	enum MHD_Result ret = MHD_YES;

	STIM_ASSERT(h != NULL); /* on_uri always runs first */
	stim_log_set_context(h->id);
	if (h->call == NULL) {
		struct api_call_info info = {
			.method = method,
			.uri = h->uri,
			.id = h->id,
			.header_fn = header_of,
			.conn = conn,
			.content_length = content_length(conn),
		};

		h->method = method;
		h->call = api_call_begin(s->d, &info);
		h->route_id = api_call_route_id(h->call);
		/* Answer errors known from the headers before reading the body
		 * (and before MHD sends "100 Continue"). */
		if (api_call_answered(h->call))
			ret = send_response(conn, h, api_call_finish(h->call),
					    api_call_allow(h->call));
	} else if (*upload_size > 0) {
		api_call_data(h->call, upload, *upload_size);
		*upload_size = 0;
	} else {
		ret = send_response(conn, h, api_call_finish(h->call), api_call_allow(h->call));
	}
	stim_log_set_context(NULL);
	return ret;
}

static void __attribute__((format(printf, 2, 0))) on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	STIM_LOG_W("libmicrohttpd: %s", line);
}

static int resolve(const char *host, uint16_t port, struct sockaddr_storage *ss, bool *v6,
		   stim_error_t *err)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*v6 = false;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*v6 = true;
		return 0;
	}
	return stim_err(err, STIM_INVALID_ARGUMENT,
			"--listen: '%s' is not a numeric IPv4 or IPv6 address", host);
}

struct api_server *api_server_start(struct api_dispatcher *d, const char *host, uint16_t port,
				    unsigned threads, stim_error_t *err)
{
	struct api_server *s;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned flags =
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	bool v6 = false;

	if (resolve(host, port, &ss, &v6, err) < 0)
		return NULL;
	if (v6)
		flags |= MHD_USE_IPv6;
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 0 ? (unsigned)n : 1;
	}
	s = xcalloc(1, sizeof(*s));
	s->d = d;
	s->boot = (uint32_t)stim_random_u64();
	/* The logger goes first, or MHD reports option errors to stderr itself. */
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
				  on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_URI_LOG_CALLBACK,
				  on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_POOL,
				  MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
	if (s->mhd == NULL) {
		/* MHD does not say why; the usual reason is a taken port. */
		free(s);
		stim_err(err, STIM_UNAVAILABLE,
			 "cannot listen on %s:%u (address in use, or not an address of this "
			 "host)",
			 host, port);
		return NULL;
	}
	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info != NULL ? info->port : port;
	STIM_LOG_I("listening on %s:%u with %u worker threads", host, s->port, threads);
	return s;
}

uint16_t api_server_port(const struct api_server *s)
{
	return s->port;
}

void api_server_stop(struct api_server *s, unsigned grace_ms)
{
	MHD_socket fd;
	uint64_t deadline;

	if (s == NULL)
		return;
	/* Close the listening socket first so no new connection arrives. */
	fd = MHD_quiesce_daemon(s->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	deadline = stim_monotonic_ns() + (uint64_t)grace_ms * 1000000u;
	while (api_metrics_inflight(s->d->metrics) > 0 && stim_monotonic_ns() < deadline) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (api_metrics_inflight(s->d->metrics) > 0)
		STIM_LOG_W("stopping with %ld requests still in flight",
			   api_metrics_inflight(s->d->metrics));
	MHD_stop_daemon(s->mhd);
	free(s);
}
