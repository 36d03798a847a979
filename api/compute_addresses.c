/* Compute Engine static addresses (see compute.h and src/addresses.h), as
 * gcloud compute addresses calls them: insert, get, list per region or
 * aggregated (gcloud's list), delete. */
#include "api/compute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/addresses.h"
#include "src/cleanup.h"
#include "src/ipv4.h"
#include "src/util.h"

static json_t *address_json(const struct api_req *req, const struct stim_address *a)
{
	cleanup_free char *base = api_base_url(req);
	cleanup_free char *purl = xasprintf("%s/compute/v1/projects/%s", base, a->project);
	char ip[STIM_IPV4_BUFSZ];
	char ts[STIM_TIME_BUFSZ];
	json_t *j = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind",
			      "compute#address", "id", json_sprintf("%lld", (long long)a->id),
			      "creationTimestamp", stim_time_format(a->create_time_ms, ts), "name",
			      a->name, "address", stim_ipv4_format(a->address, ip), "status",
			      a->user != NULL ? "IN_USE" : "RESERVED", "networkTier", "PREMIUM",
			      "addressType", "EXTERNAL", "ipVersion", "IPV4");

	if (a->description != NULL)
		json_object_set_new(j, "description", json_string(a->description));
	json_object_set_new(j, "region", json_sprintf("%s/regions/%s", purl, a->region));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/regions/%s/addresses/%s", purl, a->region, a->name));
	if (a->user != NULL)
		json_object_set_new(
			j, "users",
			json_pack("[o]", json_sprintf("%s/compute/v1/%s", base, a->user)));
	return j;
}

static void free_all(struct stim_address *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		stim_address_fini(&v[i]);
	free(v);
}

static int api_compute_addresses_insert(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_compute_op op;

	if (body == NULL || stim_address_insert(req->ctx, api_path(req, "project"),
						api_path(req, "region"), body, &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_addresses_get(struct api_req *req, stim_error_t *err)
{
	struct stim_address a;
	int ret;

	if (stim_address_get(req->ctx, api_path(req, "project"), api_path(req, "region"),
			     api_path(req, "address"), &a, err) < 0)
		return -1;
	ret = api_reply_json(req, 200, address_json(req, &a));
	stim_address_fini(&a);
	return ret;
}

/* A page of one region's addresses (region not NULL; the token is a
 * name), or of every region's (the token is "region/name"). */
static int page(struct api_req *req, const char *region, struct stim_address **v, size_t *n,
		bool *more, stim_error_t *err)
{
	char after[256];
	char *slash;
	int max;

	if (api_compute_page_args(req, after, sizeof(after), &max, err) < 0)
		return -1;
	if (region != NULL)
		return stim_address_list(req->ctx, api_path(req, "project"), region, region, after,
					 max, v, n, more, err);
	slash = strchr(after, '/');
	if (slash != NULL)
		*slash++ = '\0';
	return stim_address_list(req->ctx, api_path(req, "project"), NULL, after,
				 slash != NULL ? slash : "", max, v, n, more, err);
}

static int api_compute_addresses_list(struct api_req *req, stim_error_t *err)
{
	const char *region = api_path(req, "region");
	cleanup_free char *path = xasprintf("regions/%s/addresses", region);
	struct stim_address *v = NULL;
	size_t n = 0;
	bool more = false;
	json_t *items = NULL;
	json_t *j;

	if (page(req, region, &v, &n, &more, err) < 0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, address_json(req, &v[i]));
	j = api_compute_list_json(req, "compute#addressList", path, items,
				  more ? v[n - 1].name : NULL);
	free_all(v, n);
	return api_reply_json(req, 200, j);
}

/* Grouped by "regions/R", as gcloud's list reads them. */
static int api_compute_addresses_aggregated(struct api_req *req, stim_error_t *err)
{
	struct stim_address *v = NULL;
	cleanup_free char *last = NULL;
	size_t n = 0;
	bool more = false;
	json_t *scopes;
	json_t *j;

	if (page(req, NULL, &v, &n, &more, err) < 0)
		return -1;
	scopes = json_object();
	for (size_t i = 0; i < n; i++)
		api_compute_group_add(scopes, v[i].region, "addresses", address_json(req, &v[i]));
	if (more)
		last = xasprintf("%s/%s", v[n - 1].region, v[n - 1].name);
	j = api_compute_list_json(req, "compute#addressAggregatedList", "aggregated/addresses",
				  json_array(), last);
	json_object_set_new(j, "items", scopes);
	free_all(v, n);
	return api_reply_json(req, 200, j);
}

static int api_compute_addresses_delete(struct api_req *req, stim_error_t *err)
{
	struct stim_compute_op op;

	if (stim_address_delete(req->ctx, api_path(req, "project"), api_path(req, "region"),
				api_path(req, "address"), &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

#define ADDR "/compute/v1/projects/{project}/regions/{region}/addresses"

const struct api_route api_compute_address_routes[] = {
	{ "POST", ADDR, api_compute_addresses_insert },
	{ "GET", ADDR, api_compute_addresses_list },
	{ "GET", ADDR "/{address}", api_compute_addresses_get },
	{ "DELETE", ADDR "/{address}", api_compute_addresses_delete },
	{ "GET", "/compute/v1/projects/{project}/aggregated/addresses",
	  api_compute_addresses_aggregated },
};
const size_t api_compute_address_routes_count = STIM_ARRAY_SIZE(api_compute_address_routes);
