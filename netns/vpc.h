#pragma once
/*
 * A VPC network on the host (DESIGN.md "VPC"): a router network namespace
 * per network, stim-net-<network id>, forwarding between its subnets; a
 * bridge per subnet in it holding the gateway address; per instance NIC a
 * veth from that bridge to ens4 inside the instance, with its address, MTU
 * and default route; and the network's firewall in the router's own
 * nftables (netns/nft.h). Made when an instance on the network boots, gone
 * when none runs there (the database says what exists; this follows it).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netns/nft.h"
#include "src/error.h"
#include "src/firewall_compile.h"
#include "src/ipv4.h"

struct stim_vpc_nic {
	int64_t network_id;
	int64_t subnet_id;
	int64_t instance_id;
	struct stim_cidr range; /* the subnet's */
	uint32_t ip;
	int mtu;
};

/* Routers get a link to the host, with a /30 of range each (the last
 * /20 of the external range; see netns/nft.h for the NAT): set once at
 * start. Unset, routers have none (tests of the plumbing alone). */
void stim_vpc_set_uplinks(const struct stim_cidr *range);

/* The router's namespace name (the caller's). */
char *stim_vpc_router_name(int64_t network_id);

/* An instance's NIC as the router's bridge port (netns/nft.h's ports). */
void stim_vpc_port(const struct stim_fw_member *m, struct stim_nft_port *port);

/* The subnet's bridge made if missing, then the NIC into the instance's
 * network namespace (instance_nsfd). The router must be there: made by
 * stim_vpc_firewall_apply with create. */
int stim_vpc_attach(const struct stim_vpc_nic *nic, int instance_nsfd, stim_error_t *err);

/* The network's firewall (rs over members, see netns/nft.h) replaces the
 * one in its router, in one transaction. A network without a router has
 * nothing to apply to unless create, when the router is made first: an
 * instance's NIC must never come up before its network's firewall. */
int stim_vpc_firewall_apply(int64_t network_id, const struct stim_fw_ruleset *rs,
			    const struct stim_fw_member *members, size_t nmembers, bool create,
			    stim_error_t *err);

/* 169.254.169.254, on every router's loopback. */
#define STIM_VPC_METADATA_ADDR 0xa9fea9feu

/* A socket listening on the metadata address, port 80, inside the
 * network's router (which must be there): the caller's. */
int stim_vpc_metadata_listen(int64_t network_id, stim_error_t *err);

/* Whether the network has a router now (an instance runs on it). */
bool stim_vpc_router_exists(int64_t network_id);

/* The router of a network goes (its bridges and veths with it). */
int stim_vpc_router_remove(int64_t network_id, stim_error_t *err);
