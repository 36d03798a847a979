/* The daemon's own endpoints for its tools (see shim.h). */
#include "api/shim.h"

#include "src/cleanup.h"
#include "src/ssh_target.h"
#include "src/util.h"

static int api_shim_ssh_target(struct api_req *req, stim_error_t *err)
{
	const char *host = api_query(req, "host");
	struct stim_ssh_target t;
	json_t *j;

	if (host == NULL || *host == '\0')
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required parameter 'host' is missing");
	if (stim_ssh_target_find(req->ctx, host, api_query(req, "alias"), &t, err) < 0)
		return -1;
	/* Ids and the start time as strings, as Google renders 64-bit ones. */
	j = json_pack("{s:s, s:s, s:s, s:o, s:s, s:i, s:o, s:s, s:b}", "project", t.in.project,
		      "zone", t.in.zone, "name", t.in.name, "id",
		      json_sprintf("%lld", (long long)t.in.id), "status", t.in.status, "pid",
		      t.in.pid, "pidStartTime",
		      json_sprintf("%llu", (unsigned long long)t.in.pid_start), "sshKeys",
		      t.keys != NULL ? t.keys : "", "osLogin", t.os_login);
	if (t.os_login_uids != NULL)
		json_object_set(j, "osLoginUids", t.os_login_uids);
	stim_ssh_target_fini(&t);
	return api_reply_json(req, 200, j);
}

const struct api_route api_shim_routes[] = {
	{ "GET", "/stimulator/v1/sshTarget", api_shim_ssh_target },
};
const size_t api_shim_routes_count = STIM_ARRAY_SIZE(api_shim_routes);
