#pragma once
/*
 * The links of a VPC, made with libnl-3 route over an rtnetlink socket that
 * belongs to one network namespace (netns/netns.h opens it there): a
 * subnet's bridge with its gateway address, an instance's veth pair (one
 * end on the bridge in the router, the other moved into the instance in
 * the same request), addresses, a default route, up.
 */

#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

struct nl_sock;

/* An rtnetlink socket in the namespace of nsfd (the caller's: free it
 * with stim_link_socket_free). */
struct nl_sock *stim_link_socket(int nsfd, stim_error_t *err);
void stim_link_socket_free(struct nl_sock *sk);

int stim_link_bridge_add(struct nl_sock *sk, const char *name, int mtu, stim_error_t *err);
/* A veth pair: name stays here (attached to master when not NULL, and
 * up), peer goes into the namespace of peer_nsfd under peer_name. */
int stim_link_veth_add(struct nl_sock *sk, const char *name, const char *master,
		       const char *peer_name, int peer_nsfd, int mtu, stim_error_t *err);
int stim_link_delete(struct nl_sock *sk, const char *name, stim_error_t *err);
int stim_link_up(struct nl_sock *sk, const char *name, stim_error_t *err);
/* addr/prefix (host order) on the link. */
int stim_link_addr_add(struct nl_sock *sk, const char *name, uint32_t addr, int prefix,
		       stim_error_t *err);
/* The default route through gateway (host order). */
int stim_link_default_route(struct nl_sock *sk, uint32_t gateway, stim_error_t *err);
/* dst/prefix through gateway, replacing a route to dst there was. */
int stim_link_route_via(struct nl_sock *sk, uint32_t dst, int prefix, uint32_t gateway,
			stim_error_t *err);
/* The IPv4 addresses of link name (NULL: of every link) in the socket's
 * namespace (*out the caller's). if_nametoindex resolves name in the
 * calling thread's namespace: the socket's must be that one. */
int stim_link_addrs(struct nl_sock *sk, const char *name, uint32_t **out, size_t *n,
		    stim_error_t *err);
