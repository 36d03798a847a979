#pragma once
/*
 * VPC networks and subnetworks as Compute Engine's API has them: networks
 * insert, get, list, delete, patch (auto mode makes one subnet per region
 * from GCE's table of ranges; custom mode none), subnetworks insert, get,
 * list, aggregated list, delete, patch and expandIpCidrRange, with GCE's
 * rules: RFC 1035 names, ranges that never overlap inside a network, a
 * network or subnet in use (by a subnet or a firewall rule) refused with
 * resourceInUseByAnotherResource.
 * Networks make global operations, subnetworks regional ones.
 *
 * This is the resource side; the router namespaces and bridges that carry
 * the packets (issue 5) are built on it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/compute_ops.h"
#include "src/compute_projects.h"
#include "src/context.h"
#include "src/error.h"
#include "src/ipv4.h"
#include "src/strv.h"

#define STIM_NETWORK_MTU_DEFAULT 1460

struct stim_network {
	char *project;
	char *name;
	int64_t id;
	char *description;
	bool auto_subnets;
	int mtu;
	char *routing_mode; /* "REGIONAL" or "GLOBAL" */
	int64_t create_time_ms;
	struct stim_strv subnets; /* "REGION/NAME" of each, filled by get and list */
};

struct stim_subnetwork {
	char *project;
	char *region;
	char *name;
	int64_t id;
	char *network;
	char *description;
	struct stim_cidr range;
	bool private_google_access;
	unsigned char fingerprint[STIM_FINGERPRINT_LEN];
	int64_t create_time_ms;
};

/* What networks.insert takes (strings borrowed). auto_subnets: -1 when
 * the body has no autoCreateSubnetworks (a legacy network: refused). */
struct stim_network_spec {
	const char *name;
	const char *description;
	int auto_subnets;
	int mtu;		  /* 0: 1460 */
	const char *routing_mode; /* NULL: REGIONAL */
	bool legacy_range;	  /* IPv4Range given */
};

/* networks.patch: what is set (NULL / 0 / -1: unchanged). */
struct stim_network_patch {
	const char *routing_mode;
	int mtu;
	int auto_subnets; /* only true -> false: a switch to custom mode */
};

struct stim_subnetwork_spec {
	const char *name;
	const char *network; /* a name or a URL ending in networks/NAME */
	const char *ip_cidr_range;
	const char *description;
	bool private_google_access;
};

void stim_network_fini(struct stim_network *n);
void stim_subnetwork_fini(struct stim_subnetwork *s);

int stim_network_insert(struct stim_ctx *ctx, const char *project,
			const struct stim_network_spec *spec, struct stim_compute_op *op,
			stim_error_t *err);
/* The project's auto mode network "default", in the caller's transaction
 * (src/firewalls.h adds its rules). */
int stim_network_put_default(struct stim_db *db, const char *project, stim_error_t *err);
int stim_network_get(struct stim_ctx *ctx, const char *project, const char *name,
		     struct stim_network *out, stim_error_t *err);
/* Networks by name after `after`, at most max; *more when others follow. */
int stim_network_list(struct stim_ctx *ctx, const char *project, const char *after, int max,
		      struct stim_network **out, size_t *n, bool *more, stim_error_t *err);
int stim_network_delete(struct stim_ctx *ctx, const char *project, const char *name,
			struct stim_compute_op *op, stim_error_t *err);
int stim_network_patch(struct stim_ctx *ctx, const char *project, const char *name,
		       const struct stim_network_patch *patch, struct stim_compute_op *op,
		       stim_error_t *err);

int stim_subnetwork_insert(struct stim_ctx *ctx, const char *project, const char *region,
			   const struct stim_subnetwork_spec *spec, struct stim_compute_op *op,
			   stim_error_t *err);
int stim_subnetwork_get(struct stim_ctx *ctx, const char *project, const char *region,
			const char *name, struct stim_subnetwork *out, stim_error_t *err);
/* One region's subnetworks (NULL: every region, by region then name),
 * after `after` ("NAME", or "REGION/NAME" across regions). */
int stim_subnetwork_list(struct stim_ctx *ctx, const char *project, const char *region,
			 const char *after, int max, struct stim_subnetwork **out, size_t *n,
			 bool *more, stim_error_t *err);
int stim_subnetwork_delete(struct stim_ctx *ctx, const char *project, const char *region,
			   const char *name, struct stim_compute_op *op, stim_error_t *err);
/* The range grows to `range` (a shorter prefix holding the old one). */
int stim_subnetwork_expand(struct stim_ctx *ctx, const char *project, const char *region,
			   const char *name, const char *range, struct stim_compute_op *op,
			   stim_error_t *err);
/* patch: description and privateIpGoogleAccess, against the fingerprint
 * (412 conditionNotMet when stale). NULL description: unchanged;
 * private_google_access < 0: unchanged. */
int stim_subnetwork_patch(struct stim_ctx *ctx, const char *project, const char *region,
			  const char *name, const unsigned char *fingerprint,
			  const char *description, int private_google_access,
			  struct stim_compute_op *op, stim_error_t *err);

/* A route GCE makes by itself: one to the internet per network, one to
 * each of its subnets. Computed from the networks, never stored. */
struct stim_route {
	char name[32]; /* "default-route-<16 hex>", stable */
	uint64_t id;
	char *network;
	struct stim_cidr dest;
	bool internet; /* next hop: the default internet gateway; else the network */
	int priority;  /* 1000 to the internet, 0 to a subnet */
	int64_t create_time_ms;
};

void stim_routes_free(struct stim_route *v, size_t n);
/* Every system route of the project, by name. */
int stim_route_list(struct stim_ctx *ctx, const char *project, struct stim_route **out, size_t *n,
		    stim_error_t *err);
