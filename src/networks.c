/* VPC networks and subnetworks (see networks.h). Every change is one
 * transaction with its DONE operation: nothing on the host yet. */
#include "src/networks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/store_firewalls.h"
#include "src/store_instances.h"
#include "src/store_networks.h"
#include "src/util.h"

#define MTU_MIN 1300
#define MTU_MAX 8896
/* GCE's subnet sizes: /8 at most, /29 at least. */
#define PREFIX_MIN 8
#define PREFIX_MAX 29
/* Where an auto mode network's subnets live; custom subnets added to
 * one stay out of it, and auto subnets grow no larger than /16 in it. */
#define AUTO_SPACE	"10.128.0.0/9"
#define AUTO_PREFIX_MIN 16
#define SCAN_ALL	100000

void stim_network_fini(struct stim_network *n)
{
	free(n->project);
	free(n->name);
	free(n->description);
	free(n->routing_mode);
	stim_strv_fini(&n->subnets);
	memset(n, 0, sizeof(*n));
}

void stim_subnetwork_fini(struct stim_subnetwork *s)
{
	free(s->project);
	free(s->region);
	free(s->name);
	free(s->network);
	free(s->description);
	memset(s, 0, sizeof(*s));
}

static void free_subnets(struct stim_subnetwork *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		stim_subnetwork_fini(&v[i]);
	free(v);
}

static int64_t new_id(void)
{
	return (int64_t)(stim_random_u64() & INT64_MAX);
}

/* A DONE operation on a network (global) or subnetwork (regional). */
static int record(struct stim_db *db, const char *project, const char *region, const char *type,
		  const char *name, int64_t id, struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_free char *target =
		region != NULL
			? xasprintf("projects/%s/regions/%s/subnetworks/%s", project, region, name)
			: xasprintf("projects/%s/global/networks/%s", project, name);
	char ids[24];
	struct stim_compute_op_spec spec = {
		.project = project,
		.scope_type = region != NULL ? STIM_OP_REGION : STIM_OP_GLOBAL,
		.scope = region != NULL ? region : "",
		.type = type,
		.target = target,
		.target_id = ids,
		.done = true,
	};

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	return stim_compute_op_record(db, &spec, op, err);
}

static int commit(struct stim_tx **tx, struct stim_compute_op *op, stim_error_t *err)
{
	if (stim_tx_commit(steal_pointer(tx), err) < 0) {
		stim_compute_op_fini(op);
		return -1;
	}
	return 0;
}

/* The project checked and a transaction opened. */
static int begin(struct stim_ctx *ctx, const char *project, struct stim_db **db,
		 struct stim_tx **tx, stim_error_t *err)
{
	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	*db = stim_store_db(ctx->store, err);
	*tx = *db != NULL ? stim_tx_begin(*db, err) : NULL;
	return *tx != NULL ? 0 : -1;
}

static int region_check(const char *project, const char *region, stim_error_t *err)
{
	if (stim_compute_region_find(region) == NULL)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The resource 'projects/%s/regions/%s' was not found",
				       project, region);
	return 0;
}

static int in_use(const char *what, const char *user, stim_error_t *err)
{
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "resourceInUseByAnotherResource",
			       "The %s is already being used by '%s'", what, user);
}

/* Every subnetwork of a network. */
static int subnets_of(struct stim_db *db, const char *project, const char *network,
		      struct stim_subnetwork **v, size_t *n, stim_error_t *err)
{
	return stim_store_subnet_scan(db, project, NULL, network, "", "", SCAN_ALL, v, n, err);
}

static int fill_subnets(struct stim_db *db, struct stim_network *net, stim_error_t *err)
{
	struct stim_subnetwork *v = NULL;
	size_t n = 0;

	if (subnets_of(db, net->project, net->name, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *key = xasprintf("%s/%s", v[i].region, v[i].name);

		stim_strv_push(&net->subnets, key);
	}
	free_subnets(v, n);
	return 0;
}

/* A network or subnetwork is in use while an instance has a NIC on it. */
static int instance_check(struct stim_db *db, const char *what, const char *project,
			  const char *network, const char *region, const char *subnet,
			  stim_error_t *err)
{
	cleanup_free char *user = NULL;

	if (stim_store_instance_on_network(db, project, network, region, subnet, false, &user,
					   err) < 0)
		return -1;
	return user != NULL ? in_use(what, user, err) : 0;
}

/* A network is in use while a firewall rule names it. */
static int firewall_check(struct stim_db *db, const char *project, const char *network,
			  stim_error_t *err)
{
	struct stim_firewall *v = NULL;
	size_t n = 0;
	int ret = 0;

	if (stim_store_firewall_scan(db, project, network, "", 1, &v, &n, err) < 0)
		return -1;
	if (n > 0) {
		cleanup_free char *what = xasprintf(
			"network resource 'projects/%s/global/networks/%s'", project, network);
		cleanup_free char *user =
			xasprintf("projects/%s/global/firewalls/%s", project, v[0].name);

		ret = in_use(what, user, err);
		stim_firewall_fini(&v[0]);
	}
	free(v);
	return ret;
}

/* An auto mode network's own subnet: named as the network, one per
 * region (custom subnets added to it have other names). */
static bool auto_subnet(const struct stim_network *net, const struct stim_subnetwork *s)
{
	return net->auto_subnets && strcmp(s->name, net->name) == 0;
}

/* Networks */

static int mtu_check(int mtu, stim_error_t *err)
{
	if (mtu < MTU_MIN || mtu > MTU_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.mtu': '%d'. Must be "
				       "between %d and %d.",
				       mtu, MTU_MIN, MTU_MAX);
	return 0;
}

static int routing_check(const char *mode, stim_error_t *err)
{
	if (strcmp(mode, "REGIONAL") != 0 && strcmp(mode, "GLOBAL") != 0)
		return stim_err_reason(
			err, STIM_INVALID_ARGUMENT, "invalid",
			"Invalid value for field 'resource.routingConfig.routingMode': "
			"'%s'. Must be REGIONAL or GLOBAL.",
			mode);
	return 0;
}

/* The subnets of a new auto mode network, one per region. */
static int add_auto_subnets(struct stim_db *db, const struct stim_network *net, stim_error_t *err)
{
	size_t nregions;
	const struct stim_region *regions = stim_compute_regions(&nregions);

	for (size_t i = 0; i < nregions; i++) {
		struct stim_subnetwork s = {
			.project = net->project,
			.region = (char *)regions[i].name,
			.name = net->name,
			.id = new_id(),
			.network = net->name,
			.create_time_ms = net->create_time_ms,
		};

		if (stim_cidr_parse(regions[i].auto_cidr, "autoCidr", &s.range, err) < 0)
			return -1;
		stim_random_bytes(s.fingerprint, sizeof(s.fingerprint));
		if (stim_store_subnet_insert(db, &s, err) < 0)
			return -1;
	}
	return 0;
}

int stim_network_insert(struct stim_ctx *ctx, const char *project,
			const struct stim_network_spec *spec, struct stim_compute_op *op,
			stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_network net = {
		.project = (char *)project,
		.name = (char *)spec->name,
		.id = new_id(),
		.description = (char *)spec->description,
		.auto_subnets = spec->auto_subnets == 1,
		.mtu = spec->mtu != 0 ? spec->mtu : STIM_NETWORK_MTU_DEFAULT,
		.routing_mode =
			(char *)(spec->routing_mode != NULL ? spec->routing_mode : "REGIONAL"),
		.create_time_ms = stim_now_ms(),
	};

	if (spec->name == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field 'resource.name' not specified");
	if (stim_compute_name_check(spec->name, err) < 0 || mtu_check(net.mtu, err) < 0 ||
	    routing_check(net.routing_mode, err) < 0)
		return -1;
	/* GCE makes no legacy networks any more. */
	if (spec->auto_subnets < 0 || spec->legacy_range)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Legacy networks are not supported: create a VPC network, "
				       "with autoCreateSubnetworks true (auto mode) or false "
				       "(custom mode), and no IPv4Range.");
	if (begin(ctx, project, &db, &tx, err) < 0 ||
	    stim_store_network_insert(db, &net, err) < 0 ||
	    (net.auto_subnets && add_auto_subnets(db, &net, err) < 0) ||
	    record(db, project, NULL, "insert", net.name, net.id, op, err) < 0)
		return -1;
	return commit(&tx, op, err);
}

int stim_network_put_default(struct stim_db *db, const char *project, stim_error_t *err)
{
	struct stim_network net = {
		.project = (char *)project,
		.name = "default",
		.id = new_id(),
		.description = "Default network for the project",
		.auto_subnets = true,
		.mtu = STIM_NETWORK_MTU_DEFAULT,
		.routing_mode = "REGIONAL",
		.create_time_ms = stim_now_ms(),
	};

	if (stim_store_network_insert(db, &net, err) < 0)
		return -1;
	return add_auto_subnets(db, &net, err);
}

int stim_network_get(struct stim_ctx *ctx, const char *project, const char *name,
		     struct stim_network *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	if (db == NULL || stim_store_network_get(db, project, name, out, err) < 0)
		return -1;
	if (fill_subnets(db, out, err) < 0) {
		stim_network_fini(out);
		return -1;
	}
	return 0;
}

int stim_network_list(struct stim_ctx *ctx, const char *project, const char *after, int max,
		      struct stim_network **out, size_t *n, bool *more, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	if (db == NULL || stim_store_network_scan(db, project, after, max + 1, out, n, err) < 0)
		return -1;
	*more = *n > (size_t)max;
	if (*more)
		stim_network_fini(&(*out)[--*n]);
	for (size_t i = 0; i < *n; i++) {
		if (fill_subnets(db, &(*out)[i], err) < 0) {
			for (size_t j = 0; j < *n; j++)
				stim_network_fini(&(*out)[j]);
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

int stim_network_delete(struct stim_ctx *ctx, const char *project, const char *name,
			struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_subnetwork *v = NULL;
	struct stim_network net;
	size_t n = 0;
	int ret = -1;

	if (begin(ctx, project, &db, &tx, err) < 0 ||
	    stim_store_network_get(db, project, name, &net, err) < 0)
		return -1;
	if (subnets_of(db, project, name, &v, &n, err) < 0 ||
	    firewall_check(db, project, name, err) < 0)
		goto out;
	{
		cleanup_free char *what = xasprintf(
			"network resource 'projects/%s/global/networks/%s'", project, name);

		if (instance_check(db, what, project, name, NULL, NULL, err) < 0)
			goto out;
	}
	/* An auto network's own subnets go with it; any other is in use. */
	for (size_t i = 0; i < n; i++) {
		if (!auto_subnet(&net, &v[i])) {
			cleanup_free char *what = xasprintf(
				"network resource 'projects/%s/global/networks/%s'", project, name);
			cleanup_free char *user = xasprintf("projects/%s/regions/%s/subnetworks/%s",
							    project, v[i].region, v[i].name);

			in_use(what, user, err);
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (stim_store_subnet_remove(db, project, v[i].region, v[i].name, err) < 0)
			goto out;
	}
	if (stim_store_network_remove(db, project, name, err) < 0 ||
	    record(db, project, NULL, "delete", name, net.id, op, err) < 0)
		goto out;
	ret = commit(&tx, op, err);
out:
	free_subnets(v, n);
	stim_network_fini(&net);
	return ret;
}

int stim_network_patch(struct stim_ctx *ctx, const char *project, const char *name,
		       const struct stim_network_patch *patch, struct stim_compute_op *op,
		       stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_network net;
	int ret = -1;

	if ((patch->mtu != 0 && mtu_check(patch->mtu, err) < 0) ||
	    (patch->routing_mode != NULL && routing_check(patch->routing_mode, err) < 0))
		return -1;
	if (begin(ctx, project, &db, &tx, err) < 0 ||
	    stim_store_network_get(db, project, name, &net, err) < 0)
		return -1;
	/* Auto mode can become custom mode (its subnets stay, now ordinary
	 * ones), never the other way. */
	if (patch->auto_subnets == 1 && !net.auto_subnets) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				"Invalid value for field 'resource.autoCreateSubnetworks': 'true'. "
				"A custom mode network cannot be switched to auto mode.");
		goto out;
	}
	if (patch->auto_subnets == 0)
		net.auto_subnets = false;
	if (patch->mtu != 0)
		net.mtu = patch->mtu;
	if (patch->routing_mode != NULL) {
		free(net.routing_mode);
		net.routing_mode = xstrdup(patch->routing_mode);
	}
	if (stim_store_network_update(db, &net, err) < 0 ||
	    record(db, project, NULL, "patch", name, net.id, op, err) < 0)
		goto out;
	ret = commit(&tx, op, err);
out:
	stim_network_fini(&net);
	return ret;
}

/* Subnetworks */

/* What GCE never takes as a subnet: this network, loopback, link-local
 * (the metadata server's 169.254.169.254 lives there), multicast and the
 * reserved top. */
static bool forbidden(const struct stim_cidr *c)
{
	static const struct stim_cidr never[] = {
		{ 0x00000000, 8 },  /* 0.0.0.0/8 */
		{ 0x7f000000, 8 },  /* 127.0.0.0/8 */
		{ 0xa9fe0000, 16 }, /* 169.254.0.0/16 */
		{ 0xe0000000, 4 },  /* 224.0.0.0/4 */
		{ 0xf0000000, 4 },  /* 240.0.0.0/4 */
	};

	for (size_t i = 0; i < STIM_ARRAY_SIZE(never); i++) {
		if (stim_cidr_overlaps(&never[i], c))
			return true;
	}
	return false;
}

static int range_check(const char *text, struct stim_cidr *out, stim_error_t *err)
{
	if (stim_cidr_parse(text, "resource.ipCidrRange", out, err) < 0)
		return -1;
	if (out->prefix < PREFIX_MIN || out->prefix > PREFIX_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid IPCidrRange: %s. A subnetwork's range must be "
				       "between /%d and /%d.",
				       text, PREFIX_MIN, PREFIX_MAX);
	if (forbidden(out))
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid IPCidrRange: %s is a reserved range that a "
				       "subnetwork cannot use.",
				       text);
	return 0;
}

/* range against the network's other subnets (self: the one that grows,
 * or NULL), and an auto network's space. */
static int overlap_check(struct stim_db *db, const struct stim_network *net,
			 const struct stim_cidr *range, const struct stim_subnetwork *self,
			 bool auto_owned, stim_error_t *err)
{
	struct stim_subnetwork *v = NULL;
	struct stim_cidr space;
	char text[STIM_CIDR_BUFSZ];
	size_t n = 0;
	int ret = 0;

	stim_cidr_format(range, text);
	if (net->auto_subnets && stim_cidr_parse(AUTO_SPACE, "auto", &space, err) == 0 &&
	    (auto_owned ? !stim_cidr_within(&space, range) : stim_cidr_overlaps(&space, range)))
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid IPCidrRange: %s conflicts with the auto mode range "
				       "%s of network '%s'.",
				       text, AUTO_SPACE, net->name);
	if (subnets_of(db, net->project, net->name, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (self != NULL && strcmp(v[i].region, self->region) == 0 &&
		    strcmp(v[i].name, self->name) == 0)
			continue;
		if (stim_cidr_overlaps(&v[i].range, range))
			ret = stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
					      "Invalid IPCidrRange: %s conflicts with existing "
					      "subnetwork '%s' in region '%s'.",
					      text, v[i].name, v[i].region);
	}
	free_subnets(v, n);
	return ret;
}

int stim_subnetwork_insert(struct stim_ctx *ctx, const char *project, const char *region,
			   const struct stim_subnetwork_spec *spec, struct stim_compute_op *op,
			   stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_network net;
	struct stim_subnetwork s = {
		.project = (char *)project,
		.region = (char *)region,
		.name = (char *)spec->name,
		.id = new_id(),
		.description = (char *)spec->description,
		.private_google_access = spec->private_google_access,
		.create_time_ms = stim_now_ms(),
	};
	int ret = -1;

	if (spec->name == NULL || spec->network == NULL || spec->ip_cidr_range == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field '%s' not specified",
				       spec->name == NULL      ? "resource.name"
				       : spec->network == NULL ? "resource.network"
							       : "resource.ipCidrRange");
	if (stim_compute_name_check(spec->name, err) < 0 ||
	    region_check(project, region, err) < 0 ||
	    range_check(spec->ip_cidr_range, &s.range, err) < 0)
		return -1;
	s.network = (char *)stim_path_basename(spec->network);
	stim_random_bytes(s.fingerprint, sizeof(s.fingerprint));
	if (begin(ctx, project, &db, &tx, err) < 0 ||
	    stim_store_network_get(db, project, s.network, &net, err) < 0)
		return -1;
	if (overlap_check(db, &net, &s.range, NULL, false, err) < 0 ||
	    stim_store_subnet_insert(db, &s, err) < 0 ||
	    record(db, project, region, "insert", s.name, s.id, op, err) < 0)
		goto out;
	ret = commit(&tx, op, err);
out:
	stim_network_fini(&net);
	return ret;
}

int stim_subnetwork_get(struct stim_ctx *ctx, const char *project, const char *region,
			const char *name, struct stim_subnetwork *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (stim_compute_project_check(ctx, project, err) < 0 ||
	    region_check(project, region, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	return db != NULL ? stim_store_subnet_get(db, project, region, name, out, err) : -1;
}

int stim_subnetwork_list(struct stim_ctx *ctx, const char *project, const char *region,
			 const char *after, int max, struct stim_subnetwork **out, size_t *n,
			 bool *more, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_free char *after_region = NULL;
	const char *after_name = after;

	if (stim_compute_project_check(ctx, project, err) < 0 ||
	    (region != NULL && region_check(project, region, err) < 0))
		return -1;
	if (region != NULL) {
		after_region = xstrdup(region);
	} else {
		const char *slash = strchr(after, '/');

		after_region =
			slash != NULL ? xstrndup(after, (size_t)(slash - after)) : xstrdup("");
		after_name = slash != NULL ? slash + 1 : "";
	}
	db = stim_store_db(ctx->store, err);
	if (db == NULL || stim_store_subnet_scan(db, project, region, NULL, after_region,
						 after_name, max + 1, out, n, err) < 0)
		return -1;
	*more = *n > (size_t)max;
	if (*more)
		stim_subnetwork_fini(&(*out)[--*n]);
	return 0;
}

/* A subnetwork and its network, read in a transaction of their own. */
static int begin_subnet(struct stim_ctx *ctx, const char *project, const char *region,
			const char *name, struct stim_db **db, struct stim_tx **tx,
			struct stim_subnetwork *s, struct stim_network *net, stim_error_t *err)
{
	if (region_check(project, region, err) < 0 || begin(ctx, project, db, tx, err) < 0 ||
	    stim_store_subnet_get(*db, project, region, name, s, err) < 0)
		return -1;
	if (stim_store_network_get(*db, project, s->network, net, err) < 0) {
		stim_subnetwork_fini(s);
		return -1;
	}
	return 0;
}

int stim_subnetwork_delete(struct stim_ctx *ctx, const char *project, const char *region,
			   const char *name, struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_subnetwork s;
	struct stim_network net;
	int ret = -1;

	if (begin_subnet(ctx, project, region, name, &db, &tx, &s, &net, err) < 0)
		return -1;
	{
		cleanup_free char *what =
			xasprintf("subnetwork resource 'projects/%s/regions/%s/subnetworks/%s'",
				  project, region, name);

		if (instance_check(db, what, project, s.network, region, name, err) < 0)
			goto out;
	}
	if (auto_subnet(&net, &s)) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "resourceInUseByAnotherResource",
				"The subnetwork resource 'projects/%s/regions/%s/subnetworks/%s' "
				"belongs to auto mode network '%s' and goes only with it (or after "
				"the network is switched to custom mode).",
				project, region, name, net.name);
		goto out;
	}
	if (stim_store_subnet_remove(db, project, region, name, err) < 0 ||
	    record(db, project, region, "delete", name, s.id, op, err) < 0)
		goto out;
	ret = commit(&tx, op, err);
out:
	stim_subnetwork_fini(&s);
	stim_network_fini(&net);
	return ret;
}

int stim_subnetwork_expand(struct stim_ctx *ctx, const char *project, const char *region,
			   const char *name, const char *range, struct stim_compute_op *op,
			   stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_subnetwork s;
	struct stim_network net;
	struct stim_cidr wider;
	bool own;
	int ret = -1;

	if (range == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field 'ipCidrRange' not specified");
	if (range_check(range, &wider, err) < 0 ||
	    begin_subnet(ctx, project, region, name, &db, &tx, &s, &net, err) < 0)
		return -1;
	own = auto_subnet(&net, &s);
	if (wider.prefix >= s.range.prefix || !stim_cidr_within(&wider, &s.range) ||
	    (own && wider.prefix < AUTO_PREFIX_MIN)) {
		char old[STIM_CIDR_BUFSZ];

		stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				"Invalid IPCidrRange: %s. The new range must hold the current one "
				"(%s) with a shorter prefix%s.",
				range, stim_cidr_format(&s.range, old),
				own ? ", and an auto mode subnetwork grows to /16 at most" : "");
		goto out;
	}
	s.range = wider;
	stim_random_bytes(s.fingerprint, sizeof(s.fingerprint));
	if (overlap_check(db, &net, &wider, &s, own, err) < 0 ||
	    stim_store_subnet_update(db, &s, err) < 0 ||
	    record(db, project, region, "expandIpCidrRange", name, s.id, op, err) < 0)
		goto out;
	ret = commit(&tx, op, err);
out:
	stim_subnetwork_fini(&s);
	stim_network_fini(&net);
	return ret;
}

int stim_subnetwork_patch(struct stim_ctx *ctx, const char *project, const char *region,
			  const char *name, const unsigned char *fingerprint,
			  const char *description, int private_google_access,
			  struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_subnetwork s;
	struct stim_network net;
	int ret = -1;

	if (begin_subnet(ctx, project, region, name, &db, &tx, &s, &net, err) < 0)
		return -1;
	if (fingerprint == NULL || memcmp(fingerprint, s.fingerprint, STIM_FINGERPRINT_LEN) != 0) {
		stim_err_reason(err, STIM_FAILED_PRECONDITION, "conditionNotMet",
				"Supplied fingerprint does not match current subnetwork "
				"fingerprint.");
		goto out;
	}
	if (description != NULL) {
		free(s.description);
		s.description = xstrdup(description);
	}
	if (private_google_access >= 0)
		s.private_google_access = private_google_access != 0;
	stim_random_bytes(s.fingerprint, sizeof(s.fingerprint));
	if (stim_store_subnet_update(db, &s, err) < 0 ||
	    record(db, project, region, "patch", name, s.id, op, err) < 0)
		goto out;
	ret = commit(&tx, op, err);
out:
	stim_subnetwork_fini(&s);
	stim_network_fini(&net);
	return ret;
}

/* Routes */

void stim_routes_free(struct stim_route *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].network);
	free(v);
}

/* FNV-1a: a route's name and id stay the same from list to list. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void add_route(struct stim_route **v, size_t *n, const struct stim_network *net,
		      const struct stim_cidr *dest, bool internet)
{
	char range[STIM_CIDR_BUFSZ];
	cleanup_free char *key =
		xasprintf("%lld/%s", (long long)net->id, stim_cidr_format(dest, range));
	struct stim_route *r;
	uint64_t h = fnv1a(key);

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	r = &(*v)[(*n)++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "default-route-%016llx", (unsigned long long)h);
	r->id = h & INT64_MAX;
	r->network = xstrdup(net->name);
	r->dest = *dest;
	r->internet = internet;
	r->priority = internet ? 1000 : 0;
	r->create_time_ms = net->create_time_ms;
}

static int route_cmp(const void *a, const void *b)
{
	return strcmp(((const struct stim_route *)a)->name, ((const struct stim_route *)b)->name);
}

int stim_route_list(struct stim_ctx *ctx, const char *project, struct stim_route **out, size_t *n,
		    stim_error_t *err)
{
	static const struct stim_cidr anywhere = { 0, 0 };
	cleanup_db struct stim_db *db = NULL;
	struct stim_network *nets = NULL;
	size_t nnets = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	if (db == NULL ||
	    stim_store_network_scan(db, project, "", SCAN_ALL, &nets, &nnets, err) < 0)
		return -1;
	for (size_t i = 0; i < nnets; i++) {
		struct stim_subnetwork *subs = NULL;
		size_t nsubs = 0;

		add_route(out, n, &nets[i], &anywhere, true);
		if (subnets_of(db, project, nets[i].name, &subs, &nsubs, err) < 0) {
			ret = -1;
			break;
		}
		for (size_t k = 0; k < nsubs; k++)
			add_route(out, n, &nets[i], &subs[k].range, false);
		free_subnets(subs, nsubs);
	}
	for (size_t i = 0; i < nnets; i++)
		stim_network_fini(&nets[i]);
	free(nets);
	if (ret < 0) {
		stim_routes_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	qsort(*out, *n, sizeof(**out), route_cmp);
	return 0;
}
