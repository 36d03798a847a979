/* Route, handle, render errors, log (see dispatch.h). */
#include "api/dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "api/errors.h"
#include "api/router.h"
#include "src/cleanup.h"
#include "src/json.h"
#include "src/log.h"
#include "src/util.h"

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

int api_dispatch(struct api_dispatcher *d, const char *method, const char *uri, const char *body,
		 size_t body_len, const char *id, const char *(*header_fn)(void *, const char *),
		 void *conn, struct api_response *resp, char *allow, size_t allow_size)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *path = NULL;
	struct api_match m;
	struct api_req req;
	const char *q = strchr(uri, '?');
	enum api_match_result r;

	memset(resp, 0, sizeof(*resp));
	allow[0] = '\0';
	path = q != NULL ? xstrndup(uri, (size_t)(q - uri)) : xstrdup(uri);
	r = api_router_match(d->router, method, path, &m);
	if (r != API_MATCH_OK) {
		if (r == API_MATCH_NO_METHOD)
			snprintf(allow, allow_size, "%s", m.allow);
		reply_routing_error(resp, r, method, path, m.allow);
		STIM_LOG_D("%s %s: %u (no route)", method, path, resp->status);
		return -1;
	}

	memset(&req, 0, sizeof(req));
	req.ctx = d->ctx;
	req.method = method;
	req.path = path;
	req.id = id;
	memcpy(req.params, m.params, sizeof(m.params));
	req.nparams = m.nparams;
	m.nparams = 0; /* moved into req */
	req.body = body;
	req.body_len = body_len;
	req.header_fn = header_fn;
	req.conn = conn;
	req.metrics = d->metrics;

	if (api_query_parse(q != NULL ? q + 1 : "", &req.query, &req.nquery, &err) == 0)
		m.route->handler(&req, &err);
	if (err != NULL) {
		unsigned status;
		json_t *j = api_error_to_json(err, &status);

		/* The one place a request's error is logged (STYLE.md rule 4). */
		if (status >= 500)
			STIM_LOG_E("%s %s: %u %s: %s", method, path, status,
				   stim_code_name(err->code), err->msg);
		else
			STIM_LOG_I("%s %s: %u %s: %s", method, path, status,
				   stim_code_name(err->code), err->msg);
		free(req.resp.body);
		req.resp.body = NULL;
		reply_error_json(&req.resp, j, status);
	} else if (req.resp.body == NULL) {
		/* A handler that neither replied nor failed is a bug; never send
		 * an empty 500. */
		STIM_LOG_E("%s %s: handler returned no response", method, path);
		reply_error_json(&req.resp,
				 api_error_json(500, "INTERNAL", "backendError",
						"Internal error: the handler gave no response."),
				 500);
	}
	*resp = req.resp;
	req.resp.body = NULL;
	api_req_fini(&req);
	return m.id;
}
