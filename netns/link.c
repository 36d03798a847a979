/* VPC links over rtnetlink with libnl-3 route (see link.h). */
#include "netns/link.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "netns/netns.h"
#include "src/util.h"

static int nl_fail(int ret, const char *what, const char *name, stim_error_t *err)
{
	return stim_err(err, STIM_INTERNAL, "%s %s: %s", what, name, nl_geterror(ret));
}

struct opened {
	struct nl_sock *sk;
};

static int open_here(void *arg, stim_error_t *err)
{
	struct opened *o = arg;
	int ret;

	o->sk = nl_socket_alloc();
	if (o->sk == NULL)
		return stim_err(err, STIM_INTERNAL, "nl_socket_alloc failed");
	ret = nl_connect(o->sk, NETLINK_ROUTE);
	if (ret < 0) {
		nl_socket_free(o->sk);
		o->sk = NULL;
		return nl_fail(ret, "connect", "rtnetlink", err);
	}
	return 0;
}

struct nl_sock *stim_link_socket(int nsfd, stim_error_t *err)
{
	struct opened o = { 0 };

	return stim_netns_run(nsfd, open_here, &o, err) == 0 ? o.sk : NULL;
}

void stim_link_socket_free(struct nl_sock *sk)
{
	if (sk != NULL)
		nl_socket_free(sk);
}

/* The kernel's view of a link by name (the caller puts it). */
static int lookup(struct nl_sock *sk, const char *name, struct rtnl_link **out, stim_error_t *err)
{
	int ret = rtnl_link_get_kernel(sk, 0, name, out);

	return ret < 0 ? nl_fail(ret, "find link", name, err) : 0;
}

int stim_link_bridge_add(struct nl_sock *sk, const char *name, int mtu, stim_error_t *err)
{
	struct rtnl_link *link = rtnl_link_bridge_alloc();
	int ret;

	if (link == NULL)
		return stim_err(err, STIM_INTERNAL, "rtnl_link_bridge_alloc failed");
	rtnl_link_set_name(link, name);
	rtnl_link_set_mtu(link, (unsigned)mtu);
	ret = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (ret < 0)
		return nl_fail(ret, "create bridge", name, err);
	return stim_link_up(sk, name, err);
}

int stim_link_veth_add(struct nl_sock *sk, const char *name, const char *master,
		       const char *peer_name, int peer_nsfd, int mtu, stim_error_t *err)
{
	struct rtnl_link *link = rtnl_link_veth_alloc();
	struct rtnl_link *peer;
	struct rtnl_link *bridge = NULL;
	int ret;

	if (link == NULL)
		return stim_err(err, STIM_INTERNAL, "rtnl_link_veth_alloc failed");
	if (master != NULL && lookup(sk, master, &bridge, err) < 0) {
		rtnl_link_put(link);
		return -1;
	}
	rtnl_link_set_name(link, name);
	rtnl_link_set_mtu(link, (unsigned)mtu);
	if (bridge != NULL) {
		rtnl_link_set_master(link, rtnl_link_get_ifindex(bridge));
		rtnl_link_put(bridge);
	}
	rtnl_link_set_flags(link, IFF_UP);
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_mtu(peer, (unsigned)mtu);
	/* The peer is made straight in the instance's namespace. */
	rtnl_link_set_ns_fd(peer, peer_nsfd);
	rtnl_link_put(peer);
	ret = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (ret < 0)
		return nl_fail(ret, "create veth", name, err);
	return 0;
}

int stim_link_delete(struct nl_sock *sk, const char *name, stim_error_t *err)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int ret;

	if (link == NULL)
		return stim_err(err, STIM_INTERNAL, "rtnl_link_alloc failed");
	rtnl_link_set_name(link, name);
	ret = rtnl_link_delete(sk, link);
	rtnl_link_put(link);
	if (ret < 0 && ret != -NLE_OBJ_NOTFOUND && ret != -NLE_NODEV)
		return nl_fail(ret, "delete link", name, err);
	return 0;
}

int stim_link_up(struct nl_sock *sk, const char *name, stim_error_t *err)
{
	struct rtnl_link *link = NULL;
	struct rtnl_link *change;
	int ret;

	if (lookup(sk, name, &link, err) < 0)
		return -1;
	change = rtnl_link_alloc();
	rtnl_link_set_flags(change, IFF_UP);
	ret = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(link);
	return ret < 0 ? nl_fail(ret, "bring up", name, err) : 0;
}

static struct nl_addr *ipv4(uint32_t addr, int prefix)
{
	uint32_t be = htonl(addr);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof(be));

	if (a != NULL)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

int stim_link_addr_add(struct nl_sock *sk, const char *name, uint32_t addr, int prefix,
		       stim_error_t *err)
{
	struct rtnl_link *link = NULL;
	struct rtnl_addr *a;
	struct nl_addr *local;
	int ret;

	if (lookup(sk, name, &link, err) < 0)
		return -1;
	a = rtnl_addr_alloc();
	local = ipv4(addr, prefix);
	rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(link));
	rtnl_addr_set_local(a, local);
	ret = rtnl_addr_add(sk, a, 0);
	nl_addr_put(local);
	rtnl_addr_put(a);
	rtnl_link_put(link);
	return ret < 0 ? nl_fail(ret, "add an address to", name, err) : 0;
}

int stim_link_route_via(struct nl_sock *sk, uint32_t dst_addr, int prefix, uint32_t gateway,
			stim_error_t *err)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = ipv4(dst_addr, prefix);
	struct nl_addr *gw = ipv4(gateway, 32);
	int ret;

	rtnl_route_set_family(route, AF_INET);
	rtnl_route_set_dst(route, dst);
	rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(route, nh);
	ret = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_REPLACE);
	nl_addr_put(dst);
	nl_addr_put(gw);
	rtnl_route_put(route);
	return ret < 0 ? nl_fail(ret, "add a route", "", err) : 0;
}

int stim_link_default_route(struct nl_sock *sk, uint32_t gateway, stim_error_t *err)
{
	return stim_link_route_via(sk, 0, 0, gateway, err);
}

struct addr_walk {
	int ifindex; /* 0: every link */
	uint32_t *v;
	size_t n;
};

static void collect(struct nl_object *obj, void *arg)
{
	struct addr_walk *w = arg;
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct nl_addr *local = rtnl_addr_get_local(a);
	uint32_t be;

	if (rtnl_addr_get_family(a) != AF_INET || local == NULL ||
	    (w->ifindex != 0 && rtnl_addr_get_ifindex(a) != w->ifindex))
		return;
	memcpy(&be, nl_addr_get_binary_addr(local), sizeof(be));
	w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
	w->v[w->n++] = ntohl(be);
}

int stim_link_addrs(struct nl_sock *sk, const char *name, uint32_t **out, size_t *n,
		    stim_error_t *err)
{
	struct nl_cache *cache = NULL;
	struct addr_walk w = { 0 };
	int ret;

	*out = NULL;
	*n = 0;
	if (name != NULL) {
		w.ifindex = (int)if_nametoindex(name);
		if (w.ifindex == 0)
			return stim_err(err, STIM_NOT_FOUND, "no link %s", name);
	}
	ret = rtnl_addr_alloc_cache(sk, &cache);
	if (ret < 0)
		return nl_fail(ret, "list addresses", "", err);
	nl_cache_foreach(cache, collect, &w);
	nl_cache_free(cache);
	*out = w.v;
	*n = w.n;
	return 0;
}
