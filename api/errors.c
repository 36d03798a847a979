/* stim_error -> Google's JSON error (see errors.h). */
#include "api/errors.h"

#include <string.h>

#include "src/util.h"

struct code_map {
	unsigned http;
	const char *reason; /* the errors[].reason Google's JSON APIs use */
};

/* google.rpc.Code -> HTTP, from google/rpc/code.proto; reasons as the
 * Google JSON APIs (Compute, Storage, Resource Manager) send them. */
static const struct code_map code_map[] = {
	[STIM_OK] = { 200, "ok" },
	[STIM_CANCELLED] = { 499, "cancelled" },
	[STIM_UNKNOWN] = { 500, "unknown" },
	[STIM_INVALID_ARGUMENT] = { 400, "badRequest" },
	[STIM_DEADLINE_EXCEEDED] = { 504, "deadlineExceeded" },
	[STIM_NOT_FOUND] = { 404, "notFound" },
	[STIM_ALREADY_EXISTS] = { 409, "alreadyExists" },
	[STIM_PERMISSION_DENIED] = { 403, "forbidden" },
	[STIM_RESOURCE_EXHAUSTED] = { 429, "rateLimitExceeded" },
	[STIM_FAILED_PRECONDITION] = { 400, "failedPrecondition" },
	[STIM_ABORTED] = { 409, "aborted" },
	[STIM_OUT_OF_RANGE] = { 400, "outOfRange" },
	[STIM_UNIMPLEMENTED] = { 501, "notImplemented" },
	[STIM_INTERNAL] = { 500, "backendError" },
	[STIM_UNAVAILABLE] = { 503, "backendError" },
	[STIM_DATA_LOSS] = { 500, "dataLoss" },
	[STIM_UNAUTHENTICATED] = { 401, "required" },
};

/* Reasons that carry an HTTP status of their own, whatever the rpc code.
 * A precondition that did not hold is FAILED_PRECONDITION to google.rpc
 * (HTTP 400), but Google's JSON APIs answer it 412 with reason
 * conditionNotMet: Cloud Storage for ifMetagenerationMatch and stale IAM
 * etags, Compute Engine for stale fingerprints. */
static const struct {
	const char *reason;
	unsigned http;
} reason_http[] = {
	{ "conditionNotMet", 412 },
	/* A Range past the end of an object (Cloud Storage). */
	{ "requestedRangeNotSatisfiable", 416 },
	/* An object over the daemon's --max-object-size: Cloud Storage answers
	 * an upload past its own limit 413. */
	{ "uploadTooLarge", 413 },
	/* A quota (Compute Engine's INSTANCES): RESOURCE_EXHAUSTED to
	 * google.rpc, 403 to Compute's JSON API as GCE answers it. */
	{ "quotaExceeded", 403 },
};

static unsigned http_status_of(const struct stim_error *e, const struct code_map *m)
{
	for (size_t i = 0; e->reason != NULL && i < STIM_ARRAY_SIZE(reason_http); i++) {
		if (strcmp(e->reason, reason_http[i].reason) == 0)
			return reason_http[i].http;
	}
	return m->http;
}

static const struct code_map *lookup(enum stim_code code)
{
	if ((unsigned)code >= STIM_ARRAY_SIZE(code_map))
		code = STIM_UNKNOWN;
	return &code_map[code];
}

unsigned api_error_http_status(enum stim_code code)
{
	return lookup(code)->http;
}

json_t *api_error_json(unsigned http_status, const char *status, const char *reason,
		       const char *message)
{
	json_t *detail = json_object();
	json_t *inner = json_object();
	json_t *root = json_object();
	json_t *text = json_string(message);

	/* json_string() refuses invalid UTF-8, which a message quoting a bad
	 * request could carry: say so rather than send an empty message. */
	if (text == NULL)
		text = json_string("(the error message was not valid UTF-8)");
	json_object_set_new(detail, "message", json_incref(text));
	json_object_set_new(detail, "domain", json_string("global"));
	json_object_set_new(detail, "reason", json_string(reason));

	json_object_set_new(inner, "code", json_integer(http_status));
	json_object_set_new(inner, "message", text);
	json_object_set_new(inner, "errors", json_pack("[o]", detail));
	json_object_set_new(inner, "status", json_string(status));
	json_object_set_new(root, "error", inner);
	return root;
}

json_t *api_error_to_json(const struct stim_error *e, unsigned *http_status)
{
	const struct code_map *m = lookup(e->code);
	const char *message = e->msg;

	*http_status = http_status_of(e, m);
	/* An internal failure's text names host paths and SQL: it goes to the
	 * log (the HTTP layer logs it with the request id), not to clients. */
	if (e->code == STIM_INTERNAL || e->code == STIM_UNKNOWN || e->code == STIM_DATA_LOSS)
		message = "Internal error. The daemon log has the details under this request's id.";
	return api_error_json(*http_status, stim_code_name(e->code),
			      e->reason != NULL ? e->reason : m->reason, message);
}
