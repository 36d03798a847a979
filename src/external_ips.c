/* The host-wide pool of external IPs (see external_ips.h). */
#include "src/external_ips.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/ipv4.h"
#include "src/store_addresses.h"
#include "src/store_instances.h"
#include "src/util.h"

/* A chosen address: GCE's refusals, or a static address the instance
 * may take. */
static int check_wanted(struct stim_db *db, uint32_t ip, const char *want, const char *project,
			const char *region, stim_error_t *err)
{
	struct stim_address a;
	cleanup_error stim_error_t aerr = NULL;
	bool used;
	bool mine;

	if (stim_store_instance_has_external_ip(db, ip, &used, err) < 0)
		return -1;
	if (used)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "IP address '%s' is already being used by another "
				       "resource.",
				       want);
	if (stim_store_address_at(db, ip, &a, &aerr) < 0) {
		if (aerr->code == STIM_NOT_FOUND)
			return 0; /* nobody's */
		*err = steal_pointer(&aerr);
		return -1;
	}
	mine = region != NULL && strcmp(a.project, project) == 0 && strcmp(a.region, region) == 0;
	stim_address_fini(&a);
	if (!mine)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "IP address '%s' is already reserved by another "
				       "resource.",
				       want);
	return 0;
}

int stim_external_ip_take(struct stim_db *db, const struct stim_config *cfg, const char *want,
			  const char *field, const char *project, const char *region, uint32_t *out,
			  stim_error_t *err)
{
	struct stim_cidr links = stim_config_uplink_range(cfg);
	cleanup_free uint32_t *taken = NULL;
	size_t n = 0;
	uint32_t ip;

	if (want != NULL) {
		if (stim_ipv4_parse(want, &ip) < 0 ||
		    !stim_cidr_contains(&cfg->external_range, ip) || ip >= links.addr ||
		    stim_cidr_reserved(&cfg->external_range, ip))
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
					       "Invalid value for field '%s': '%s'. The address is "
					       "not one this emulator hands out.",
					       field, want);
		if (check_wanted(db, ip, want, project, region, err) < 0)
			return -1;
		*out = ip;
		return 0;
	}
	if (stim_store_external_ips_taken(db, &taken, &n, err) < 0)
		return -1;
	if (stim_cidr_first_free(&cfg->external_range, taken, n, &ip) < 0 || ip >= links.addr)
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "ipSpaceExhausted",
				       "The external IP range is exhausted.");
	*out = ip;
	return 0;
}
