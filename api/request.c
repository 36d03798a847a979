/* Request accessors and replies for handlers (see request.h). */
#include "api/request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/json.h"
#include "src/util.h"

static const char *param_get(const struct api_param *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0)
			return v[i].value;
	}
	return NULL;
}

const char *api_path(const struct api_req *req, const char *name)
{
	return param_get(req->params, req->nparams, name);
}

const char *api_query(const struct api_req *req, const char *name)
{
	return param_get(req->query, req->nquery, name);
}

const char *api_header(const struct api_req *req, const char *name)
{
	if (req->header_fn == NULL)
		return NULL;
	return req->header_fn(req->conn, name);
}

json_t *api_body_json(const struct api_req *req, stim_error_t *err)
{
	return stim_json_parse_body(req->body, req->body_len, err);
}

int api_query_int(const struct api_req *req, const char *name, int min, int max, int *out,
		  stim_error_t *err)
{
	const char *s = api_query(req, name);
	char *end;
	long v;

	if (s == NULL || s[0] == '\0')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	/* Reason "invalid", as api_query_int64 and Google's APIs answer it. */
	if (*end != '\0' || errno != 0 || v < min || v > max)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for %s: '%s' (expected an integer from %d "
				       "to %d).",
				       name, s, min, max);
	*out = (int)v;
	return 0;
}

/* Drops whatever body (memory or file) a reply had. */
static void reset_body(struct api_response *r)
{
	free(r->body);
	r->body = NULL;
	if (r->use_fd)
		close(r->fd);
	r->use_fd = false;
}

int api_query_int64(const struct api_req *req, const char *name, bool *has, int64_t *out,
		    stim_error_t *err)
{
	const char *s = api_query(req, name);
	char *end;
	long long v;

	*has = false;
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0)
		/* Google's JSON APIs answer a malformed parameter with reason
		 * "invalid" (Cloud Storage: every precondition parameter). */
		return stim_err_reason(
			err, STIM_INVALID_ARGUMENT, "invalid",
			"Invalid value for parameter %s: '%s' (expected an integer).", name, s);
	*has = true;
	*out = v;
	return 0;
}

int api_reply_json(struct api_req *req, unsigned status, json_t *body)
{
	/* A partial response trims what succeeded; errors are whole. */
	if (req->fields != NULL && status < 300) {
		json_t *part = stim_fields_apply(req->fields, body);

		json_decref(body);
		body = part;
	}
	reset_body(&req->resp);
	req->resp.status = status;
	req->resp.body = stim_json_dump(body, &req->resp.len);
	req->resp.content_type = "application/json; charset=UTF-8";
	json_decref(body);
	return 0;
}

int api_reply_text(struct api_req *req, unsigned status, const char *content_type, char *text)
{
	reset_body(&req->resp);
	req->resp.status = status;
	req->resp.body = text;
	req->resp.len = strlen(text);
	req->resp.content_type = content_type;
	return 0;
}

int api_reply_fd(struct api_req *req, unsigned status, const char *content_type, int fd,
		 uint64_t offset, uint64_t len)
{
	reset_body(&req->resp);
	req->resp.status = status;
	req->resp.use_fd = true;
	req->resp.fd = fd;
	req->resp.offset = offset;
	req->resp.len = (size_t)len;
	req->resp.content_type = content_type;
	return 0;
}

void api_reply_header(struct api_req *req, const char *name, const char *value)
{
	struct api_response *r = &req->resp;

	STIM_ASSERT(r->nheaders < API_MAX_HEADERS);
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders].value = xstrdup(value);
	r->nheaders++;
}

void api_response_fini(struct api_response *r)
{
	reset_body(r);
	for (size_t i = 0; i < r->nheaders; i++)
		free(r->headers[i].value);
	r->nheaders = 0;
}

int api_reply_empty(struct api_req *req, unsigned status)
{
	reset_body(&req->resp);
	req->resp.status = status;
	req->resp.body = xstrdup("");
	req->resp.len = 0;
	req->resp.content_type = NULL;
	return 0;
}

char *api_base_url(const struct api_req *req)
{
	const char *host = api_header(req, "Host");

	/* A Host with characters that do not belong in one is not echoed. */
	if (host == NULL || host[0] == '\0' ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyz0123456789.-:[]ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
		    strlen(host))
		host = "localhost";
	return xasprintf("http://%s", host);
}

void api_req_fini(struct api_req *req)
{
	for (size_t i = 0; i < req->nparams; i++)
		free(req->params[i].value);
	req->nparams = 0;
	for (size_t i = 0; i < req->nquery; i++) {
		/* Query names are owned copies, unlike path names. */
		free((char *)req->query[i].name);
		free(req->query[i].value);
	}
	free(req->query);
	req->query = NULL;
	req->nquery = 0;
	stim_fields_free(req->fields);
	req->fields = NULL;
	free(req->principal);
	req->principal = NULL;
	api_response_fini(&req->resp);
}
