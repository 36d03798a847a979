/* Compute Engine networks and subnetworks (see compute.h and
 * src/networks.h), as gcloud compute networks and networks subnets call
 * them (reference/gcloud/network.md). */
#include "api/compute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/json.h"
#include "src/networks.h"
#include "src/page_token.h"
#include "src/util.h"

#define LIST_MAX 500

static char *project_url(const struct api_req *req)
{
	cleanup_free char *base = api_base_url(req);

	return xasprintf("%s/compute/v1/projects/%s", base, api_path(req, "project"));
}

static json_t *resource(const char *kind, int64_t id, const char *name, int64_t created_ms,
			const char *description)
{
	char ts[STIM_TIME_BUFSZ];
	json_t *j = json_pack("{s:s, s:s, s:s}", "kind", kind, "name", name, "creationTimestamp",
			      stim_time_format(created_ms, ts));

	json_object_set_new(j, "id", json_sprintf("%lld", (long long)id));
	if (description != NULL)
		json_object_set_new(j, "description", json_string(description));
	return j;
}

static json_t *network_json(const struct api_req *req, const struct stim_network *n)
{
	cleanup_free char *purl = project_url(req);
	json_t *j = resource("compute#network", n->id, n->name, n->create_time_ms, n->description);
	json_t *subnets = json_array();

	json_object_set_new(j, "selfLink", json_sprintf("%s/global/networks/%s", purl, n->name));
	json_object_set_new(j, "selfLinkWithId",
			    json_sprintf("%s/global/networks/%lld", purl, (long long)n->id));
	json_object_set_new(j, "autoCreateSubnetworks", json_boolean(n->auto_subnets));
	for (size_t i = 0; i < n->subnets.n; i++) {
		const char *slash = strchr(n->subnets.v[i], '/');

		json_array_append_new(subnets, json_sprintf("%s/regions/%.*s/subnetworks/%s", purl,
							    (int)(slash - n->subnets.v[i]),
							    n->subnets.v[i], slash + 1));
	}
	json_object_set_new(j, "subnetworks", subnets);
	json_object_set_new(j, "routingConfig", json_pack("{s:s}", "routingMode", n->routing_mode));
	json_object_set_new(j, "mtu", json_integer(n->mtu));
	json_object_set_new(j, "networkFirewallPolicyEnforcementOrder",
			    json_string("AFTER_CLASSIC_FIREWALL"));
	return j;
}

static json_t *subnetwork_json(const struct api_req *req, const struct stim_subnetwork *s)
{
	cleanup_free char *purl = project_url(req);
	json_t *j =
		resource("compute#subnetwork", s->id, s->name, s->create_time_ms, s->description);
	char range[STIM_CIDR_BUFSZ];
	char gateway[STIM_IPV4_BUFSZ];

	json_object_set_new(j, "network", json_sprintf("%s/global/networks/%s", purl, s->network));
	json_object_set_new(j, "ipCidrRange", json_string(stim_cidr_format(&s->range, range)));
	json_object_set_new(j, "gatewayAddress",
			    json_string(stim_ipv4_format(stim_cidr_gateway(&s->range), gateway)));
	json_object_set_new(j, "region", json_sprintf("%s/regions/%s", purl, s->region));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/regions/%s/subnetworks/%s", purl, s->region, s->name));
	json_object_set_new(j, "fingerprint", api_compute_fingerprint_json(s->fingerprint));
	json_object_set_new(j, "privateIpGoogleAccess", json_boolean(s->private_google_access));
	json_object_set_new(j, "stackType", json_string("IPV4_ONLY"));
	json_object_set_new(j, "purpose", json_string("PRIVATE"));
	return j;
}

/* The list page arguments every list here takes. */
/* Networks */

static int api_compute_networks_insert(struct api_req *req, stim_error_t *err)
{
	static const char *const fields[] = {
		"kind",
		"name",
		"description",
		"autoCreateSubnetworks",
		"routingConfig",
		"mtu",
		"IPv4Range",
		"networkFirewallPolicyEnforcementOrder",
		"enableUlaInternalIpv6",
		NULL,
	};
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_network_spec spec = { .auto_subnets = -1 };
	struct stim_compute_op op;
	json_t *routing = NULL;
	int64_t mtu = 0;

	if (body == NULL || stim_json_check_fields(body, fields, "", err) < 0 ||
	    stim_json_get_string(body, "name", &spec.name, err) < 0 ||
	    stim_json_get_string(body, "description", &spec.description, err) < 0 ||
	    stim_json_get_bool(body, "autoCreateSubnetworks", &spec.auto_subnets, err) < 0 ||
	    stim_json_get_int64(body, "mtu", &mtu, err) < 0 ||
	    stim_json_get_object(body, "routingConfig", &routing, err) < 0 ||
	    (routing != NULL &&
	     stim_json_get_string(routing, "routingMode", &spec.routing_mode, err) < 0))
		return -1;
	spec.mtu = mtu > 0 && mtu < 100000 ? (int)mtu : mtu != 0 ? -1 : 0;
	spec.legacy_range = json_object_get(body, "IPv4Range") != NULL;
	if (stim_network_insert(req->ctx, api_path(req, "project"), &spec, &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_networks_get(struct api_req *req, stim_error_t *err)
{
	struct stim_network n;
	int ret;

	if (stim_network_get(req->ctx, api_path(req, "project"), api_path(req, "network"), &n,
			     err) < 0)
		return -1;
	ret = api_reply_json(req, 200, network_json(req, &n));
	stim_network_fini(&n);
	return ret;
}

static int api_compute_networks_list(struct api_req *req, stim_error_t *err)
{
	struct stim_network *v = NULL;
	char after[256];
	size_t n = 0;
	bool more = false;
	int max;
	json_t *items;
	json_t *j;

	if (api_compute_page_args(req, after, sizeof(after), &max, err) < 0 ||
	    stim_network_list(req->ctx, api_path(req, "project"), after, max, &v, &n, &more, err) <
		    0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, network_json(req, &v[i]));
	j = api_compute_list_json(req, "compute#networkList", "global/networks", items,
				  more ? v[n - 1].name : NULL);
	for (size_t i = 0; i < n; i++)
		stim_network_fini(&v[i]);
	free(v);
	return api_reply_json(req, 200, j);
}

static int api_compute_networks_delete(struct api_req *req, stim_error_t *err)
{
	struct stim_compute_op op;

	if (stim_network_delete(req->ctx, api_path(req, "project"), api_path(req, "network"), &op,
				err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_networks_patch(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_network_patch patch = { .auto_subnets = -1 };
	struct stim_compute_op op;
	json_t *routing = NULL;
	int64_t mtu = 0;

	if (body == NULL ||
	    stim_json_get_bool(body, "autoCreateSubnetworks", &patch.auto_subnets, err) < 0 ||
	    stim_json_get_int64(body, "mtu", &mtu, err) < 0 ||
	    stim_json_get_object(body, "routingConfig", &routing, err) < 0 ||
	    (routing != NULL &&
	     stim_json_get_string(routing, "routingMode", &patch.routing_mode, err) < 0))
		return -1;
	patch.mtu = mtu > 0 && mtu < 100000 ? (int)mtu : mtu != 0 ? -1 : 0;
	if (stim_network_patch(req->ctx, api_path(req, "project"), api_path(req, "network"), &patch,
			       &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

/* What gcloud's --switch-to-custom-subnet-mode calls. */
static int api_compute_networks_switch(struct api_req *req, stim_error_t *err)
{
	struct stim_network_patch patch = { .auto_subnets = 0 };
	struct stim_compute_op op;

	if (stim_network_patch(req->ctx, api_path(req, "project"), api_path(req, "network"), &patch,
			       &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

/* Subnetworks */

static int api_compute_subnetworks_insert(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_subnetwork_spec spec = { 0 };
	struct stim_compute_op op;
	int pga = 0;

	if (body == NULL || stim_json_get_string(body, "name", &spec.name, err) < 0 ||
	    stim_json_get_string(body, "network", &spec.network, err) < 0 ||
	    stim_json_get_string(body, "ipCidrRange", &spec.ip_cidr_range, err) < 0 ||
	    stim_json_get_string(body, "description", &spec.description, err) < 0 ||
	    stim_json_get_bool(body, "privateIpGoogleAccess", &pga, err) < 0)
		return -1;
	spec.private_google_access = pga == 1;
	if (stim_subnetwork_insert(req->ctx, api_path(req, "project"), api_path(req, "region"),
				   &spec, &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_subnetworks_get(struct api_req *req, stim_error_t *err)
{
	struct stim_subnetwork s;
	int ret;

	if (stim_subnetwork_get(req->ctx, api_path(req, "project"), api_path(req, "region"),
				api_path(req, "subnetwork"), &s, err) < 0)
		return -1;
	ret = api_reply_json(req, 200, subnetwork_json(req, &s));
	stim_subnetwork_fini(&s);
	return ret;
}

static void free_subnets(struct stim_subnetwork *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		stim_subnetwork_fini(&v[i]);
	free(v);
}

/* A page of one region's subnetworks, or every region's (region NULL). */
static int subnet_page(struct api_req *req, const char *region, struct stim_subnetwork **v,
		       size_t *n, bool *more, stim_error_t *err)
{
	char after[256];
	int max;

	if (api_compute_page_args(req, after, sizeof(after), &max, err) < 0)
		return -1;
	return stim_subnetwork_list(req->ctx, api_path(req, "project"), region, after, max, v, n,
				    more, err);
}

static int api_compute_subnetworks_list(struct api_req *req, stim_error_t *err)
{
	const char *region = api_path(req, "region");
	cleanup_free char *path = xasprintf("regions/%s/subnetworks", region);
	struct stim_subnetwork *v = NULL;
	size_t n = 0;
	bool more = false;
	json_t *items;
	json_t *j;

	if (subnet_page(req, region, &v, &n, &more, err) < 0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, subnetwork_json(req, &v[i]));
	j = api_compute_list_json(req, "compute#subnetworkList", path, items,
				  more ? v[n - 1].name : NULL);
	free_subnets(v, n);
	return api_reply_json(req, 200, j);
}

/* Grouped by "regions/R"; a page token is "region/name" of the last. */
static int api_compute_subnetworks_aggregated(struct api_req *req, stim_error_t *err)
{
	struct stim_subnetwork *v = NULL;
	cleanup_free char *last = NULL;
	size_t n = 0;
	bool more = false;
	json_t *scopes;
	json_t *j;

	if (subnet_page(req, NULL, &v, &n, &more, err) < 0)
		return -1;
	scopes = json_object();
	for (size_t i = 0; i < n; i++)
		api_compute_group_add(scopes, v[i].region, "subnetworks",
				      subnetwork_json(req, &v[i]));
	if (more)
		last = xasprintf("%s/%s", v[n - 1].region, v[n - 1].name);
	j = api_compute_list_json(req, "compute#subnetworkAggregatedList", "aggregated/subnetworks",
				  json_array(), last);
	json_object_set_new(j, "items", scopes);
	free_subnets(v, n);
	return api_reply_json(req, 200, j);
}

static int api_compute_subnetworks_delete(struct api_req *req, stim_error_t *err)
{
	struct stim_compute_op op;

	if (stim_subnetwork_delete(req->ctx, api_path(req, "project"), api_path(req, "region"),
				   api_path(req, "subnetwork"), &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_subnetworks_expand(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	const char *range = NULL;
	struct stim_compute_op op;

	if (body == NULL || stim_json_get_string(body, "ipCidrRange", &range, err) < 0 ||
	    stim_subnetwork_expand(req->ctx, api_path(req, "project"), api_path(req, "region"),
				   api_path(req, "subnetwork"), range, &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

static int api_compute_subnetworks_patch(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	unsigned char fp[STIM_FINGERPRINT_LEN];
	const char *description = NULL;
	struct stim_compute_op op;
	bool has_fp = false;
	int pga = -1;

	if (body == NULL ||
	    api_compute_fingerprint_from_json(
		    body, "fingerprint", fp, &has_fp,
		    "Supplied fingerprint does not match current subnetwork fingerprint.",
		    err) < 0 ||
	    stim_json_get_string(body, "description", &description, err) < 0 ||
	    stim_json_get_bool(body, "privateIpGoogleAccess", &pga, err) < 0 ||
	    stim_subnetwork_patch(req->ctx, api_path(req, "project"), api_path(req, "region"),
				  api_path(req, "subnetwork"), has_fp ? fp : NULL, description, pga,
				  &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

/* What gcloud's subnets update --enable-private-ip-google-access calls:
 * no fingerprint, just the flag. */
static int api_compute_subnetworks_set_pga(struct api_req *req, stim_error_t *err)
{
	static const char *const fields[] = { "privateIpGoogleAccess", NULL };
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_subnetwork s;
	struct stim_compute_op op;
	int pga = 0;
	int ret;

	if (body == NULL || stim_json_check_fields(body, fields, "", err) < 0 ||
	    stim_json_get_bool(body, "privateIpGoogleAccess", &pga, err) < 0 ||
	    stim_subnetwork_get(req->ctx, api_path(req, "project"), api_path(req, "region"),
				api_path(req, "subnetwork"), &s, err) < 0)
		return -1;
	ret = stim_subnetwork_patch(req->ctx, api_path(req, "project"), api_path(req, "region"),
				    api_path(req, "subnetwork"), s.fingerprint, NULL, pga, &op,
				    err);
	stim_subnetwork_fini(&s);
	return ret < 0 ? -1 : api_compute_reply_op(req, &op);
}

/* Routes: the system ones, computed from networks and subnetworks. */

static json_t *route_json(const struct api_req *req, const struct stim_route *r)
{
	cleanup_free char *purl = project_url(req);
	json_t *j = resource("compute#route", (int64_t)r->id, r->name, r->create_time_ms, NULL);
	char dest[STIM_CIDR_BUFSZ];

	json_object_set_new(j, "network", json_sprintf("%s/global/networks/%s", purl, r->network));
	json_object_set_new(j, "destRange", json_string(stim_cidr_format(&r->dest, dest)));
	json_object_set_new(j, "priority", json_integer(r->priority));
	if (r->internet) {
		json_object_set_new(j, "description",
				    json_string("Default route to the Internet."));
		json_object_set_new(
			j, "nextHopGateway",
			json_sprintf("%s/global/gateways/default-internet-gateway", purl));
		json_object_set_new(j, "routeType", json_string("STATIC"));
	} else {
		json_object_set_new(
			j, "description",
			json_sprintf("Default local route to the subnetwork %s.", dest));
		json_object_set_new(j, "nextHopNetwork",
				    json_sprintf("%s/global/networks/%s", purl, r->network));
		json_object_set_new(j, "routeType", json_string("SUBNET"));
	}
	json_object_set_new(j, "selfLink", json_sprintf("%s/global/routes/%s", purl, r->name));
	return j;
}

static int api_compute_routes_list(struct api_req *req, stim_error_t *err)
{
	struct stim_route *v = NULL;
	cleanup_free char *next = NULL;
	char after[256];
	size_t n = 0;
	size_t shown = 0;
	int max;
	json_t *items;
	json_t *j;

	if (api_compute_page_args(req, after, sizeof(after), &max, err) < 0 ||
	    stim_route_list(req->ctx, api_path(req, "project"), &v, &n, err) < 0)
		return -1;
	items = json_array();
	/* By name, after the page token's, max of them. */
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, after) <= 0)
			continue;
		if (shown == (size_t)max) {
			next = xstrdup(v[i - 1].name);
			break;
		}
		json_array_append_new(items, route_json(req, &v[i]));
		shown++;
	}
	j = api_compute_list_json(req, "compute#routeList", "global/routes", items, next);
	stim_routes_free(v, n);
	return api_reply_json(req, 200, j);
}

static int api_compute_routes_get(struct api_req *req, stim_error_t *err)
{
	struct stim_route *v = NULL;
	size_t n = 0;
	int ret = -1;

	if (stim_route_list(req->ctx, api_path(req, "project"), &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && ret < 0; i++) {
		if (strcmp(v[i].name, api_path(req, "route")) == 0)
			ret = api_reply_json(req, 200, route_json(req, &v[i]));
	}
	if (ret < 0)
		ret = stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				      "The resource 'projects/%s/global/routes/%s' was not found",
				      api_path(req, "project"), api_path(req, "route"));
	stim_routes_free(v, n);
	return ret;
}

#define NET "/compute/v1/projects/{project}/global/networks"
#define SUB "/compute/v1/projects/{project}/regions/{region}/subnetworks"

const struct api_route api_compute_network_routes[] = {
	{ "POST", NET, api_compute_networks_insert },
	{ "GET", NET, api_compute_networks_list },
	{ "GET", NET "/{network}", api_compute_networks_get },
	{ "DELETE", NET "/{network}", api_compute_networks_delete },
	{ "PATCH", NET "/{network}", api_compute_networks_patch },
	{ "POST", NET "/{network}/switchToCustomMode", api_compute_networks_switch },
	{ "POST", SUB, api_compute_subnetworks_insert },
	{ "GET", SUB, api_compute_subnetworks_list },
	{ "GET", SUB "/{subnetwork}", api_compute_subnetworks_get },
	{ "DELETE", SUB "/{subnetwork}", api_compute_subnetworks_delete },
	{ "PATCH", SUB "/{subnetwork}", api_compute_subnetworks_patch },
	{ "POST", SUB "/{subnetwork}/expandIpCidrRange", api_compute_subnetworks_expand },
	{ "POST", SUB "/{subnetwork}/setPrivateIpGoogleAccess", api_compute_subnetworks_set_pga },
	{ "GET", "/compute/v1/projects/{project}/aggregated/subnetworks",
	  api_compute_subnetworks_aggregated },
	{ "GET", "/compute/v1/projects/{project}/global/routes", api_compute_routes_list },
	{ "GET", "/compute/v1/projects/{project}/global/routes/{route}", api_compute_routes_get },
};
const size_t api_compute_network_routes_count = STIM_ARRAY_SIZE(api_compute_network_routes);
