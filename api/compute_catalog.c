/* Compute Engine zones, regions and machine types (see compute.h). */
#include "api/compute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/request.h"
#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/page_token.h"
#include "src/util.h"

/* What GCE shows for resources as old as the service. */
#define CATALOG_TIMESTAMP "1969-12-31T16:00:00.000-08:00"
/* Compute lists page at 500 at most (gcloud asks for exactly that). */
#define COMPUTE_LIST_MAX 500

static int not_found(stim_error_t *err, const char *what)
{
	return stim_err_reason(err, STIM_NOT_FOUND, "notFound", "The resource '%s' was not found",
			       what);
}

/* "http://HOST:PORT/compute/v1/projects/P" */
static char *project_url(const struct api_req *req)
{
	cleanup_free char *base = api_base_url(req);

	return xasprintf("%s/compute/v1/projects/%s", base, api_path(req, "project"));
}

/* The members every catalog resource has. */
static json_t *resource(const char *kind, const char *id, const char *name)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "id", id, "creationTimestamp",
			 CATALOG_TIMESTAMP, "name", name);
}

static json_t *zone_json(const char *purl, const struct stim_region *r, const char *suffix)
{
	cleanup_free char *name = xasprintf("%s-%s", r->name, suffix);
	json_t *j = resource("compute#zone", "2000", name);

	json_object_set_new(j, "description", json_string(name));
	json_object_set_new(j, "status", json_string("UP"));
	json_object_set_new(j, "region", json_sprintf("%s/regions/%s", purl, r->name));
	json_object_set_new(j, "selfLink", json_sprintf("%s/zones/%s", purl, name));
	json_object_set_new(j, "availableCpuPlatforms",
			    json_pack("[s,s]", "Intel Cascade Lake", "AMD Milan"));
	json_object_set_new(j, "supportsPzs", json_false());
	return j;
}

static json_t *region_json(const char *purl, const struct stim_region *r)
{
	json_t *j = resource("compute#region", "1000", r->name);
	json_t *zones = json_array();

	for (const char *const *z = r->zones; *z != NULL; z++)
		json_array_append_new(zones, json_sprintf("%s/zones/%s-%s", purl, r->name, *z));
	json_object_set_new(j, "description", json_string(r->name));
	json_object_set_new(j, "status", json_string("UP"));
	json_object_set_new(j, "zones", zones);
	/* GCE's default quotas; usage comes with instances. */
	json_object_set_new(j, "quotas",
			    json_pack("[{s:s, s:f, s:f}, {s:s, s:f, s:f}, {s:s, s:f, s:f}, "
				      "{s:s, s:f, s:f}]",
				      "metric", "CPUS", "limit", 24.0, "usage", 0.0, "metric",
				      "DISKS_TOTAL_GB", "limit", 4096.0, "usage", 0.0, "metric",
				      "STATIC_ADDRESSES", "limit", 8.0, "usage", 0.0, "metric",
				      "IN_USE_ADDRESSES", "limit", 8.0, "usage", 0.0));
	json_object_set_new(j, "selfLink", json_sprintf("%s/regions/%s", purl, r->name));
	json_object_set_new(j, "supportsPzs", json_false());
	return j;
}

static json_t *machine_type_json(const char *purl, const char *zone,
				 const struct stim_machine_type *t)
{
	char id[24];
	json_t *j;

	snprintf(id, sizeof(id), "%llu", (unsigned long long)t->id);
	j = resource("compute#machineType", id, t->name);
	json_object_set_new(j, "description", json_string(t->description));
	json_object_set_new(j, "guestCpus", json_integer(t->guest_cpus));
	json_object_set_new(j, "memoryMb", json_integer(t->memory_mb));
	json_object_set_new(j, "imageSpaceGb", json_integer(0));
	json_object_set_new(j, "maximumPersistentDisks", json_integer(128));
	json_object_set_new(j, "maximumPersistentDisksSizeGb", json_string("263168"));
	/* A machine type's zone is a name, not a URL (unlike an instance's). */
	json_object_set_new(j, "zone", json_string(zone));
	json_object_set_new(j, "isSharedCpu", json_boolean(t->shared_cpu));
	json_object_set_new(j, "architecture", json_string("X86_64"));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/zones/%s/machineTypes/%s", purl, zone, t->name));
	return j;
}

/* One page of a list: the names after the token, up to maxResults. */
struct page {
	char after[128];
	int max;
	int n;
	char last[128];
};

/* A list's first checks: the project, then maxResults and pageToken. */
static int list_begin(struct api_req *req, struct page *pg, stim_error_t *err)
{
	memset(pg, 0, sizeof(*pg));
	if (api_compute_project_check(req, err) < 0 ||
	    api_query_int(req, "maxResults", 0, COMPUTE_LIST_MAX, &pg->max, err) < 0 ||
	    stim_page_token_decode(api_query(req, "pageToken"), "invalid", pg->after,
				   sizeof(pg->after), err) < 0)
		return -1;
	if (pg->max == 0)
		pg->max = COMPUTE_LIST_MAX;
	return 0;
}

/* Whether name goes on this page; false once it is full (a next page). */
static bool page_take(struct page *pg, const char *name, bool *more)
{
	if (pg->after[0] != '\0' && strcmp(name, pg->after) <= 0)
		return false;
	if (pg->n == pg->max) {
		*more = true;
		return false;
	}
	pg->n++;
	snprintf(pg->last, sizeof(pg->last), "%s", name);
	return true;
}

static int reply_list(struct api_req *req, const char *kind, const char *what, json_t *items,
		      const struct page *pg, bool more)
{
	cleanup_free char *purl = project_url(req);
	json_t *j = json_pack("{s:s, s:s++}", "kind", kind, "id", "projects/",
			      api_path(req, "project"), what);

	json_object_set_new(j, "selfLink", json_sprintf("%s%s", purl, what));
	if (json_array_size(items) > 0)
		json_object_set_new(j, "items", items);
	else
		json_decref(items);
	if (more) {
		cleanup_free char *token = stim_page_token_encode(pg->last);

		json_object_set_new(j, "nextPageToken", json_string(token));
	}
	return api_reply_json(req, 200, j);
}

static int api_compute_zones_list(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *purl = project_url(req);
	const struct stim_region *r;
	json_t *items;
	struct page pg;
	bool more = false;
	size_t n;

	if (list_begin(req, &pg, err) < 0)
		return -1;
	r = stim_compute_regions(&n);
	items = json_array();
	/* Regions are in name order, and so are their zones within each. */
	for (size_t i = 0; i < n; i++) {
		for (const char *const *z = r[i].zones; *z != NULL; z++) {
			cleanup_free char *name = xasprintf("%s-%s", r[i].name, *z);

			if (page_take(&pg, name, &more))
				json_array_append_new(items, zone_json(purl, &r[i], *z));
		}
	}
	return reply_list(req, "compute#zoneList", "/zones", items, &pg, more);
}

static int api_compute_zones_get(struct api_req *req, stim_error_t *err)
{
	const char *zone = api_path(req, "zone");
	cleanup_free char *purl = NULL;

	if (api_compute_project_check(req, err) < 0 ||
	    stim_compute_zone_check(api_path(req, "project"), zone, err) < 0)
		return -1;
	purl = project_url(req);
	return api_reply_json(
		req, 200, zone_json(purl, stim_compute_zone_region(zone), strrchr(zone, '-') + 1));
}

static int api_compute_regions_list(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *purl = project_url(req);
	const struct stim_region *r;
	json_t *items;
	struct page pg;
	bool more = false;
	size_t n;

	if (list_begin(req, &pg, err) < 0)
		return -1;
	r = stim_compute_regions(&n);
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		if (page_take(&pg, r[i].name, &more))
			json_array_append_new(items, region_json(purl, &r[i]));
	}
	return reply_list(req, "compute#regionList", "/regions", items, &pg, more);
}

static int api_compute_regions_get(struct api_req *req, stim_error_t *err)
{
	const struct stim_region *r;
	cleanup_free char *purl = NULL;
	cleanup_free char *what = NULL;

	if (api_compute_project_check(req, err) < 0)
		return -1;
	r = stim_compute_region_find(api_path(req, "region"));
	if (r == NULL) {
		what = xasprintf("projects/%s/regions/%s", api_path(req, "project"),
				 api_path(req, "region"));
		return not_found(err, what);
	}
	purl = project_url(req);
	return api_reply_json(req, 200, region_json(purl, r));
}

static int api_compute_machine_types_list(struct api_req *req, stim_error_t *err)
{
	const char *zone = api_path(req, "zone");
	cleanup_free char *purl = project_url(req);
	cleanup_free char *what = NULL;
	const struct stim_machine_type *t;
	json_t *items;
	struct page pg;
	bool more = false;
	size_t n;

	if (list_begin(req, &pg, err) < 0 ||
	    stim_compute_zone_check(api_path(req, "project"), api_path(req, "zone"), err) < 0)
		return -1;
	t = stim_compute_machine_types(&n);
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		if (page_take(&pg, t[i].name, &more))
			json_array_append_new(items, machine_type_json(purl, zone, &t[i]));
	}
	what = xasprintf("/zones/%s/machineTypes", zone);
	return reply_list(req, "compute#machineTypeList", what, items, &pg, more);
}

static int api_compute_machine_types_get(struct api_req *req, stim_error_t *err)
{
	const struct stim_machine_type *t;
	cleanup_free char *purl = NULL;
	cleanup_free char *what = NULL;

	if (api_compute_project_check(req, err) < 0 ||
	    stim_compute_zone_check(api_path(req, "project"), api_path(req, "zone"), err) < 0)
		return -1;
	t = stim_compute_machine_type_find(api_path(req, "machineType"));
	if (t == NULL) {
		what = xasprintf("projects/%s/zones/%s/machineTypes/%s", api_path(req, "project"),
				 api_path(req, "zone"), api_path(req, "machineType"));
		return not_found(err, what);
	}
	purl = project_url(req);
	return api_reply_json(req, 200, machine_type_json(purl, api_path(req, "zone"), t));
}

/* Every zone's machine types under "zones/<zone>". Not paged: the whole
 * catalog is one answer, which gcloud's 500 per page never reaches per
 * zone, and GCE pages aggregated lists by scope anyway. */
static int api_compute_machine_types_aggregated(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *purl = project_url(req);
	const struct stim_region *r;
	const struct stim_machine_type *t;
	json_t *scopes = json_object();
	size_t nr;
	size_t nt;

	if (api_compute_project_check(req, err) < 0) {
		json_decref(scopes);
		return -1;
	}
	r = stim_compute_regions(&nr);
	t = stim_compute_machine_types(&nt);
	for (size_t i = 0; i < nr; i++) {
		for (const char *const *z = r[i].zones; *z != NULL; z++) {
			cleanup_free char *zone = xasprintf("%s-%s", r[i].name, *z);
			cleanup_free char *scope = xasprintf("zones/%s", zone);
			json_t *list = json_array();

			for (size_t k = 0; k < nt; k++)
				json_array_append_new(list, machine_type_json(purl, zone, &t[k]));
			json_object_set_new(scopes, scope,
					    json_pack("{s:o}", "machineTypes", list));
		}
	}
	return api_reply_json(
		req, 200,
		json_pack("{s:s, s:s++, s:o, s:s+}", "kind", "compute#machineTypeAggregatedList",
			  "id", "projects/", api_path(req, "project"), "/aggregated/machineTypes",
			  "items", scopes, "selfLink", purl, "/aggregated/machineTypes"));
}

const struct api_route api_compute_catalog_routes[] = {
	{ "GET", "/compute/v1/projects/{project}/zones", api_compute_zones_list },
	{ "GET", "/compute/v1/projects/{project}/zones/{zone}", api_compute_zones_get },
	{ "GET", "/compute/v1/projects/{project}/regions", api_compute_regions_list },
	{ "GET", "/compute/v1/projects/{project}/regions/{region}", api_compute_regions_get },
	{ "GET", "/compute/v1/projects/{project}/zones/{zone}/machineTypes",
	  api_compute_machine_types_list },
	{ "GET", "/compute/v1/projects/{project}/zones/{zone}/machineTypes/{machineType}",
	  api_compute_machine_types_get },
	{ "GET", "/compute/v1/projects/{project}/aggregated/machineTypes",
	  api_compute_machine_types_aggregated },
};
const size_t api_compute_catalog_routes_count = STIM_ARRAY_SIZE(api_compute_catalog_routes);
