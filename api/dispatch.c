/* Route, stream or buffer the body, handle, render errors, log (see dispatch.h). */
#include "api/dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "api/authorize.h"
#include "api/errors.h"
#include "api/router.h"
#include "src/cleanup.h"
#include "src/json.h"
#include "src/log.h"
#include "src/util.h"

struct api_call {
	struct api_dispatcher *d;
	struct api_call_info info;
	struct api_req req; /* req.resp holds the answer once there is one */
	char *path;	    /* decoded from the URI up to '?' (owned) */
	const struct api_route *route;
	int route_id;
	char allow[64];
	stim_error_t err; /* a failure during the body, answered at the end */
	bool answered;	  /* req.resp is final: no handler will run */
	bool streaming;	  /* route->stream began: release() is owed */
	char *body;	  /* buffered routes */
	size_t len;
	size_t cap;
	bool too_large;
};

/* Fills resp (whose body must be empty) with an error. */
static void reply_error_json(struct api_response *resp, json_t *err, unsigned status)
{
	resp->status = status;
	resp->body = stim_json_dump(err, &resp->len);
	resp->content_type = "application/json; charset=UTF-8";
	json_decref(err);
}

void api_reply_too_large(struct api_response *resp, size_t limit)
{
	cleanup_free char *msg =
		xasprintf("Request payload size exceeds the limit: %zu bytes.", limit);

	reply_error_json(resp, api_error_json(413, "INVALID_ARGUMENT", "badRequest", msg), 413);
}

static void reply_routing_error(struct api_response *resp, enum api_match_result r,
				const char *method, const char *path, const char *allow)
{
	cleanup_free char *msg = NULL;

	switch (r) {
	case API_MATCH_NO_METHOD:
		msg = xasprintf("Method %s is not allowed on %s. Allowed: %s.", method, path,
				allow);
		reply_error_json(
			resp, api_error_json(405, "UNIMPLEMENTED", "methodNotAllowed", msg), 405);
		break;
	case API_MATCH_BAD_PATH:
		msg = xasprintf("Invalid request path %s: a broken percent-escape.", path);
		reply_error_json(resp, api_error_json(400, "INVALID_ARGUMENT", "badRequest", msg),
				 400);
		break;
	default:
		msg = xasprintf("The requested URL %s was not found on this server.", path);
		reply_error_json(resp, api_error_json(404, "NOT_FOUND", "notFound", msg), 404);
		break;
	}
}

/* Turns err into the answer; the one place a request's error is logged
 * (STYLE.md rule 4). Takes err. */
static void answer_error(struct api_call *c, stim_error_t err)
{
	unsigned status;
	json_t *j = api_error_to_json(err, &status);

	/* Whatever a failing handler had replied gives way to the error. */
	api_response_fini(&c->req.resp);
	if (status >= 500)
		STIM_LOG_E("%s %s: %u %s: %s", c->info.method, c->path, status,
			   stim_code_name(err->code), err->msg);
	else
		STIM_LOG_I("%s %s: %u %s: %s", c->info.method, c->path, status,
			   stim_code_name(err->code), err->msg);
	reply_error_json(&c->req.resp, j, status);
	stim_error_free(err);
	c->answered = true;
}

/* The Node client (@google-cloud/storage) takes STORAGE_EMULATOR_HOST as the
 * base of its JSON calls without /storage/v1, while its uploads and other
 * clients add the prefix: the bare form is routed as the prefixed one. */
static char *canonical_path(const char *uri, size_t len)
{
	if ((len == 2 || (len > 2 && uri[2] == '/')) && strncmp(uri, "/b", 2) == 0)
		return xasprintf("/storage/v1%.*s", (int)len, uri);
	return xstrndup(uri, len);
}

struct api_call *api_call_begin(struct api_dispatcher *d, const struct api_call_info *info)
{
	struct api_call *c = xcalloc(1, sizeof(*c));
	const char *q = strchr(info->uri, '?');
	stim_error_t err = NULL;
	const char *fields;
	enum api_match_result r;
	struct api_match m;

	c->d = d;
	c->info = *info;
	c->route_id = -1;
	c->path =
		canonical_path(info->uri, q != NULL ? (size_t)(q - info->uri) : strlen(info->uri));
	r = api_router_match(d->router, info->method, c->path, &m);
	if (r != API_MATCH_OK) {
		snprintf(c->allow, sizeof(c->allow), "%s", m.allow);
		reply_routing_error(&c->req.resp, r, info->method, c->path, m.allow);
		STIM_LOG_D("%s %s: %u (no route)", info->method, c->path, c->req.resp.status);
		c->answered = true;
		return c;
	}
	c->route = m.route;
	c->route_id = m.id;
	c->req.ctx = d->ctx;
	c->req.dispatcher = d;
	c->req.method = info->method;
	c->req.path = c->path;
	c->req.id = info->id;
	memcpy(c->req.params, m.params, sizeof(m.params));
	c->req.nparams = m.nparams;
	c->req.header_fn = info->header_fn;
	c->req.conn = info->conn;
	c->req.metrics = d->metrics;

	if (api_query_parse(q != NULL ? q + 1 : "", &c->req.query, &c->req.nquery, &err) < 0) {
		answer_error(c, err);
		return c;
	}
	if (d->ctx != NULL && d->ctx->cfg != NULL && d->ctx->cfg->auth == STIM_AUTH_ENFORCE &&
	    api_authorize(&c->req, api_router_label(d->router, (size_t)m.id), &err) < 0) {
		answer_error(c, err);
		return c;
	}
	fields = api_query(&c->req, "fields");
	if (fields != NULL && fields[0] != '\0' &&
	    (c->req.fields = stim_fields_parse(fields, &err)) == NULL) {
		answer_error(c, err);
		return c;
	}
	if (c->route->stream != NULL) {
		if (c->route->stream->begin(&c->req, &c->req.stream, &err) < 0) {
			answer_error(c, err);
			return c;
		}
		c->streaming = true;
		return c;
	}
	/* Refuse an announced oversize body before reading it (and before
	 * the client is told "100 Continue"). */
	if (info->content_length != UINT64_MAX && info->content_length > API_MAX_BODY) {
		api_reply_too_large(&c->req.resp, API_MAX_BODY);
		c->answered = true;
	}
	return c;
}

bool api_call_answered(const struct api_call *c)
{
	return c->answered;
}

void api_call_data(struct api_call *c, const char *buf, size_t len)
{
	if (c->answered || c->err != NULL || len == 0)
		return;
	if (c->streaming) {
		c->route->stream->data(c->req.stream, buf, len, &c->err);
		return;
	}
	/* Chunked bodies have no Content-Length: count as they come and drop
	 * the rest once over the limit, answering at the end. */
	if (c->too_large || c->len + len > API_MAX_BODY) {
		c->too_large = true;
		free(c->body);
		c->body = NULL;
		return;
	}
	if (c->len + len > c->cap) {
		c->cap = (c->len + len) * 2;
		if (c->cap > API_MAX_BODY)
			c->cap = API_MAX_BODY;
		c->body = xrealloc(c->body, c->cap);
	}
	memcpy(c->body + c->len, buf, len);
	c->len += len;
}

struct api_response *api_call_finish(struct api_call *c)
{
	stim_error_t err = NULL;

	if (c->answered)
		return &c->req.resp;
	if (c->too_large) {
		api_reply_too_large(&c->req.resp, API_MAX_BODY);
		c->answered = true;
		return &c->req.resp;
	}
	if (c->err != NULL) {
		answer_error(c, steal_pointer(&c->err));
		return &c->req.resp;
	}
	c->req.body = c->body != NULL ? c->body : "";
	c->req.body_len = c->len;
	if (c->route->handler(&c->req, &err) < 0 && err == NULL)
		stim_err(&err, STIM_INTERNAL, "the handler failed without saying why");
	if (err != NULL) {
		answer_error(c, err);
	} else if (c->req.resp.body == NULL && !c->req.resp.use_fd) {
		/* A handler that neither replied nor failed is a bug; never send
		 * an empty 500. */
		STIM_LOG_E("%s %s: handler returned no response", c->info.method, c->path);
		reply_error_json(&c->req.resp,
				 api_error_json(500, "INTERNAL", "backendError",
						"Internal error: the handler gave no response."),
				 500);
	}
	c->answered = true;
	return &c->req.resp;
}

const char *api_call_allow(const struct api_call *c)
{
	return c->allow;
}

int api_call_route_id(const struct api_call *c)
{
	return c->route_id;
}

void api_call_free(struct api_call *c)
{
	if (c == NULL)
		return;
	if (c->streaming)
		c->route->stream->release(c->req.stream);
	api_req_fini(&c->req);
	stim_error_free(c->err);
	free(c->body);
	free(c->path);
	free(c);
}

int api_dispatch(struct api_dispatcher *d, const char *method, const char *uri, const char *body,
		 size_t body_len, const char *id, const char *(*header_fn)(void *, const char *),
		 void *conn, struct api_response *resp, char *allow, size_t allow_size)
{
	struct api_call_info info = {
		.method = method,
		.uri = uri,
		.id = id,
		.header_fn = header_fn,
		.conn = conn,
		.content_length = body_len,
	};
	struct api_call *c = api_call_begin(d, &info);
	struct api_response *r;
	int route_id;

	api_call_data(c, body, body_len);
	r = api_call_finish(c);
	*resp = *r; /* body, file and headers are now the caller's */
	memset(r, 0, sizeof(*r));
	snprintf(allow, allow_size, "%s", api_call_allow(c));
	route_id = api_call_route_id(c);
	api_call_free(c);
	return route_id;
}
