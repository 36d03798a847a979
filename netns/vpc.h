#pragma once
/*
 * A VPC network on the host (DESIGN.md "VPC"): a router network namespace
 * per network, stim-net-<network id>, forwarding between its subnets; a
 * bridge per subnet in it holding the gateway address; per instance NIC a
 * veth from that bridge to ens4 inside the instance, with its address, MTU
 * and default route. Made when an instance on the network boots, gone
 * when none runs there (the database says what exists; this follows it).
 */

#include <stdint.h>

#include "src/error.h"
#include "src/ipv4.h"

struct stim_vpc_nic {
	int64_t network_id;
	int64_t subnet_id;
	int64_t instance_id;
	struct stim_cidr range; /* the subnet's */
	uint32_t ip;
	int mtu;
};

/* The router's namespace name (the caller's). */
char *stim_vpc_router_name(int64_t network_id);

/* Router and bridge made if missing, then the NIC into the instance's
 * network namespace (instance_nsfd). */
int stim_vpc_attach(const struct stim_vpc_nic *nic, int instance_nsfd, stim_error_t *err);

/* The router of a network goes (its bridges and veths with it). */
int stim_vpc_router_remove(int64_t network_id, stim_error_t *err);
