/* An instance's NIC at insert: which network and subnetwork it joins and
 * which address it takes (see instances_internal.h), with GCE's rules:
 * no interface means the default network; a subnetwork must be in the
 * instance's region; a custom mode network needs its subnetwork named;
 * networkIP must be free, in the subnet and not one of GCE's reserved. */
#include "src/instances_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/config.h"
#include "src/external_ips.h"
#include "src/ipv4.h"
#include "src/networks.h"
#include "src/store_instances.h"
#include "src/store_networks.h"
#include "src/util.h"

#define FIELD "resource.networkInterfaces[0]"

/* The region a subnetwork URL names ("regions/R/subnetworks/S"), or NULL. */
static char *url_region(const char *url)
{
	const char *p = strstr(url, "regions/");
	size_t n;

	if (p == NULL)
		return NULL;
	p += strlen("regions/");
	n = strcspn(p, "/");
	return n > 0 ? xstrndup(p, n) : NULL;
}

static int pick_subnet(struct stim_db *db, const char *project, const char *region,
		       const struct stim_instance_spec *spec, struct stim_subnetwork *out,
		       stim_error_t *err)
{
	const char *network = spec->network != NULL ? stim_path_basename(spec->network) : "default";
	struct stim_network net;
	int ret = -1;

	if (spec->subnetwork != NULL) {
		cleanup_free char *given = url_region(spec->subnetwork);

		if (given != NULL && strcmp(given, region) != 0)
			return stim_err_reason(
				err, STIM_INVALID_ARGUMENT, "invalid",
				"Invalid value for field '" FIELD ".subnetwork': "
				"'%s'. The subnetwork must be in the instance's region "
				"'%s'.",
				spec->subnetwork, region);
		if (stim_store_subnet_get(db, project, region, stim_path_basename(spec->subnetwork),
					  out, err) < 0)
			return -1;
		if (spec->network != NULL && strcmp(out->network, network) != 0) {
			stim_subnetwork_fini(out);
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
					       "Invalid value for field '" FIELD ".subnetwork': "
					       "'%s'. It belongs to network '%s', not '%s'.",
					       spec->subnetwork, out->network, network);
		}
		return 0;
	}
	if (stim_store_network_get(db, project, network, &net, err) < 0)
		return -1;
	/* An auto mode network has its subnet in every region; a custom mode
	 * one needs it named, as GCE asks. */
	if (!net.auto_subnets) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				"Invalid value for field '" FIELD ".subnetwork': ''. Subnetwork "
				"should be specified for custom subnetmode network");
		goto out;
	}
	ret = stim_store_subnet_get(db, project, region, net.name, out, err);
out:
	stim_network_fini(&net);
	return ret;
}

int stim_instance_nic_plan(struct stim_db *db, const struct stim_config *cfg, const char *project,
			   const char *zone, const struct stim_instance_spec *spec,
			   struct stim_nic *out, stim_error_t *err)
{
	const struct stim_region *region = stim_compute_zone_region(zone);
	struct stim_subnetwork s;
	cleanup_free uint32_t *used = NULL;
	char text[STIM_CIDR_BUFSZ];
	size_t n = 0;
	uint32_t ip = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (region == NULL)
		return stim_err(err, STIM_NOT_FOUND, "no region for zone %s", zone);
	if (pick_subnet(db, project, region->name, spec, &s, err) < 0)
		return -1;
	if (stim_store_instance_ips(db, project, s.network, &used, &n, err) < 0)
		goto out;
	if (spec->network_ip != NULL) {
		if (stim_ipv4_parse(spec->network_ip, &ip) < 0 ||
		    !stim_cidr_contains(&s.range, ip) || stim_cidr_reserved(&s.range, ip)) {
			stim_err_reason(
				err, STIM_INVALID_ARGUMENT, "invalid",
				"Invalid value for field '" FIELD ".networkIP': '%s'. "
				"Requested internal IP is outside the subnetwork's range %s "
				"or reserved.",
				spec->network_ip, stim_cidr_format(&s.range, text));
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			if (used[i] == ip) {
				stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
						"Invalid value for field '" FIELD ".networkIP': "
						"'%s'. IP address is already being used by another "
						"resource.",
						spec->network_ip);
				goto out;
			}
		}
	} else if (stim_cidr_first_free(&s.range, used, n, &ip) < 0) {
		stim_err_reason(err, STIM_FAILED_PRECONDITION, "ipSpaceExhausted",
				"IP space of 'projects/%s/regions/%s/subnetworks/%s' is exhausted.",
				project, s.region, s.name);
		goto out;
	}
	out->access_config = spec->access_config;
	if (spec->access_config &&
	    stim_external_ip_take(db, cfg, spec->nat_ip, FIELD ".accessConfigs[0].natIP", project,
				  region->name, &out->external_ip, err) < 0)
		goto out;
	out->network = xstrdup(s.network);
	out->region = xstrdup(s.region);
	out->subnet = xstrdup(s.name);
	out->ip = ip;
	ret = 0;
out:
	stim_subnetwork_fini(&s);
	return ret;
}
