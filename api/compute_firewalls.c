/* Compute Engine firewall rules (see compute.h and src/firewalls.h), as
 * gcloud compute firewall-rules calls them (reference/gcloud/network.md). */
#include "api/compute.h"

#include <stdio.h>
#include <stdlib.h>

#include "src/cleanup.h"
#include "src/firewalls.h"
#include "src/page_token.h"
#include "src/util.h"

#define LIST_MAX 500

static json_t *firewall_json(const struct api_req *req, const struct stim_firewall *fw)
{
	cleanup_free char *base = api_base_url(req);
	cleanup_free char *purl = xasprintf("%s/compute/v1/projects/%s", base, fw->project);
	json_t *j = stim_firewall_rule_json(fw);
	char ts[STIM_TIME_BUFSZ];

	json_object_set_new(j, "kind", json_string("compute#firewall"));
	json_object_set_new(j, "id", json_sprintf("%lld", (long long)fw->id));
	json_object_set_new(j, "creationTimestamp",
			    json_string(stim_time_format(fw->create_time_ms, ts)));
	json_object_set_new(j, "network", json_sprintf("%s/global/networks/%s", purl, fw->network));
	json_object_set_new(j, "selfLink", json_sprintf("%s/global/firewalls/%s", purl, fw->name));
	return j;
}

static int api_compute_firewalls_insert(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_compute_op op;

	if (body == NULL ||
	    stim_firewall_insert(req->ctx, api_path(req, "project"), body, &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_firewalls_get(struct api_req *req, stim_error_t *err)
{
	struct stim_firewall fw;
	int ret;

	if (stim_firewall_get(req->ctx, api_path(req, "project"), api_path(req, "firewall"), &fw,
			      err) < 0)
		return -1;
	ret = api_reply_json(req, 200, firewall_json(req, &fw));
	stim_firewall_fini(&fw);
	return ret;
}

static int api_compute_firewalls_list(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_firewall *v = NULL;
	char after[256];
	size_t n = 0;
	bool more = false;
	int max = 0;
	json_t *items;
	json_t *j;

	if (api_query_int(req, "maxResults", 0, LIST_MAX, &max, err) < 0 ||
	    stim_page_token_decode(api_query(req, "pageToken"), "invalid", after, sizeof(after),
				   err) < 0 ||
	    stim_firewall_list(req->ctx, api_path(req, "project"), after, max > 0 ? max : LIST_MAX,
			       &v, &n, &more, err) < 0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, firewall_json(req, &v[i]));
	j = json_pack("{s:s}", "kind", "compute#firewallList");
	json_object_set_new(j, "id",
			    json_sprintf("projects/%s/global/firewalls", api_path(req, "project")));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/compute/v1/projects/%s/global/firewalls", base,
					 api_path(req, "project")));
	if (n > 0)
		json_object_set_new(j, "items", items);
	else
		json_decref(items);
	if (more) {
		cleanup_free char *token = stim_page_token_encode(v[n - 1].name);

		json_object_set_new(j, "nextPageToken", json_string(token));
	}
	for (size_t i = 0; i < n; i++)
		stim_firewall_fini(&v[i]);
	free(v);
	return api_reply_json(req, 200, j);
}

static int api_compute_firewalls_delete(struct api_req *req, stim_error_t *err)
{
	struct stim_compute_op op;

	if (stim_firewall_delete(req->ctx, api_path(req, "project"), api_path(req, "firewall"), &op,
				 err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_firewalls_patch(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_compute_op op;

	if (body == NULL || stim_firewall_patch(req->ctx, api_path(req, "project"),
						api_path(req, "firewall"), body, &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

#define FW "/compute/v1/projects/{project}/global/firewalls"

const struct api_route api_compute_firewall_routes[] = {
	{ "POST", FW, api_compute_firewalls_insert },
	{ "GET", FW, api_compute_firewalls_list },
	{ "GET", FW "/{firewall}", api_compute_firewalls_get },
	{ "DELETE", FW "/{firewall}", api_compute_firewalls_delete },
	{ "PATCH", FW "/{firewall}", api_compute_firewalls_patch },
};
const size_t api_compute_firewall_routes_count = STIM_ARRAY_SIZE(api_compute_firewall_routes);
