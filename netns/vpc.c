/* VPC networks on the host (see vpc.h). */
#include "netns/vpc.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns/link.h"
#include "netns/netns.h"
#include "netns/nft.h"
#include "src/cleanup.h"
#include "src/util.h"

/* One router change at a time: two instances booting on a new network
 * must not both make its namespace, nor one remove it under the other. */
static pthread_mutex_t routers = PTHREAD_MUTEX_INITIALIZER;

/* What each router's firewall tables hold (netns/nft.h), so a change
 * sends only what differs. Under `routers`. */
struct applied {
	int64_t network_id;
	struct stim_nft_state *st;
	struct applied *next;
};

static struct applied *applied;

static struct stim_nft_state *state_of(int64_t network_id)
{
	struct applied *a;

	for (a = applied; a != NULL; a = a->next) {
		if (a->network_id == network_id)
			return a->st;
	}
	a = xcalloc(1, sizeof(*a));
	a->network_id = network_id;
	a->st = stim_nft_state_new();
	a->next = applied;
	applied = a;
	return a->st;
}

/* The router is gone, or new: what its tables held means nothing. */
static void state_forget(int64_t network_id)
{
	for (struct applied **p = &applied; *p != NULL; p = &(*p)->next) {
		struct applied *a = *p;

		if (a->network_id == network_id) {
			*p = a->next;
			stim_nft_state_free(a->st);
			free(a);
			return;
		}
	}
}

/* Where routers' links to the host take their /30s (the daemon's
 * external range's last /20); prefix 0: routers get none. */
static struct stim_cidr uplinks;

void stim_vpc_set_uplinks(const struct stim_cidr *range)
{
	uplinks = *range;
}

char *stim_vpc_router_name(int64_t network_id)
{
	return xasprintf("stim-net-%llx", (unsigned long long)network_id);
}

/* Link names are 15 characters at most: a letter and 12 hex digits. */
static void link_name(char prefix, int64_t id, char buf[16])
{
	snprintf(buf, 16, "%c%012llx", prefix, (unsigned long long)id & 0xffffffffffffULL);
}

void stim_vpc_port(const struct stim_fw_member *m, struct stim_nft_port *port)
{
	link_name('v', m->instance_id, port->ifname);
	port->addr = m->addr;
	port->external = m->external;
}

/* The host's end of a router's link (the stim prefix, for gc). */
static void uplink_name(int64_t network_id, char buf[16])
{
	snprintf(buf, 16, "stimu%010llx", (unsigned long long)network_id & 0xffffffffffULL);
}

static int host_ns(void)
{
	return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
}

static bool taken(const uint32_t *v, size_t n, uint32_t a)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == a)
			return true;
	}
	return false;
}

/* The router's link to the host: a veth, stimu<id> on the host with .1 of
 * the first /30 of the uplink range no host address is in, "uplink" in
 * the router with .2 and the router's default route. External IPs are
 * routed to the router over it; the host's .1 is the source the
 * instances see for the host's connections. */
static int uplink(int router_fd, int64_t network_id, stim_error_t *err)
{
	cleanup_close int hfd = host_ns();
	struct nl_sock *host = stim_link_socket(hfd, err);
	struct nl_sock *rt = NULL;
	cleanup_free uint32_t *used = NULL;
	size_t n = 0;
	uint32_t base = 0;
	char name[16];
	int ret = -1;

	if (host == NULL || stim_link_addrs(host, NULL, &used, &n, err) < 0)
		goto out;
	for (uint32_t b = uplinks.addr; b < stim_cidr_last(&uplinks); b += 4) {
		if (!taken(used, n, b + 1)) {
			base = b;
			break;
		}
	}
	if (base == 0) {
		stim_err(err, STIM_RESOURCE_EXHAUSTED, "no /30 left for a router's link");
		goto out;
	}
	uplink_name(network_id, name);
	rt = stim_link_socket(router_fd, err);
	if (rt == NULL ||
	    stim_link_veth_add(host, name, NULL, STIM_NFT_UPLINK, router_fd, 1500, err) < 0 ||
	    stim_link_addr_add(host, name, base + 1, 30, err) < 0 ||
	    stim_link_addr_add(rt, STIM_NFT_UPLINK, base + 2, 30, err) < 0 ||
	    stim_link_up(rt, STIM_NFT_UPLINK, err) < 0 ||
	    stim_link_default_route(rt, base + 1, err) < 0)
		goto out;
	ret = 0;
out:
	stim_link_socket_free(host);
	stim_link_socket_free(rt);
	return ret;
}

/* Each external IP routed from the host to the router of its network (a
 * route to an address another network had before is replaced). */
static int external_routes(int64_t network_id, const struct stim_fw_member *m, size_t n,
			   stim_error_t *err)
{
	cleanup_close int hfd = -1;
	struct nl_sock *host = NULL;
	cleanup_free uint32_t *addr = NULL;
	cleanup_error stim_error_t lerr = NULL;
	size_t naddr = 0;
	char name[16];
	int ret = -1;
	bool any = false;

	for (size_t i = 0; i < n; i++)
		any = any || m[i].external != 0;
	if (uplinks.prefix == 0 || !any)
		return 0;
	uplink_name(network_id, name);
	hfd = host_ns();
	host = stim_link_socket(hfd, err);
	if (host == NULL)
		goto out;
	/* A router made before uplinks were configured has none: nothing
	 * reaches its instances from the host until it is made again. */
	if (stim_link_addrs(host, name, &addr, &naddr, &lerr) < 0) {
		ret = lerr->code == STIM_NOT_FOUND ? 0 : -1;
		if (ret < 0)
			*err = steal_pointer(&lerr);
		goto out;
	}
	for (size_t i = 0; i < n && naddr > 0; i++) {
		if (m[i].external != 0 &&
		    stim_link_route_via(host, m[i].external, 32, addr[0] + 1, err) < 0)
			goto out;
	}
	ret = 0;
out:
	stim_link_socket_free(host);
	return ret;
}

/* The metadata server's address on the router's loopback, so what an
 * instance sends to it through its gateway is the router's own. */
static int metadata_address(int fd, stim_error_t *err)
{
	struct nl_sock *sk = stim_link_socket(fd, err);
	int ret;

	if (sk == NULL)
		return -1;
	ret = stim_link_up(sk, "lo", err);
	if (ret == 0)
		ret = stim_link_addr_add(sk, "lo", STIM_VPC_METADATA_ADDR, 32, err);
	stim_link_socket_free(sk);
	return ret;
}

/* The network's router namespace. One that is not there is made when
 * make is set (forwarding on), else -1 with NOT_FOUND. */
static int router(int64_t network_id, bool make, stim_error_t *err)
{
	cleanup_free char *name = stim_vpc_router_name(network_id);
	cleanup_error stim_error_t cerr = NULL;
	int fd = stim_netns_open(name, &cerr);

	if (fd >= 0)
		return fd;
	if (!make || cerr->code != STIM_NOT_FOUND) {
		*err = steal_pointer(&cerr);
		return -1;
	}
	state_forget(network_id);
	if (stim_netns_create(name, err) < 0)
		return -1;
	fd = stim_netns_open(name, err);
	/* Bridged packets through the inet hooks (br_netfilter), so one
	 * stateful chain sees traffic within a subnet as well as between:
	 * the default in a new namespace, set because the firewall needs it. */
	if (fd >= 0 && (stim_netns_sysctl(fd, "ipv4/ip_forward", "1", err) < 0 ||
			stim_netns_sysctl(fd, "bridge/bridge-nf-call-iptables", "1", err) < 0 ||
			metadata_address(fd, err) < 0 ||
			(uplinks.prefix != 0 && uplink(fd, network_id, err) < 0))) {
		cleanup_error stim_error_t derr = NULL;

		/* Half made is not made: the next boot tries afresh. */
		close(fd);
		stim_netns_delete(name, &derr);
		return -1;
	}
	return fd;
}

static int bridge(struct nl_sock *sk, const struct stim_vpc_nic *nic, const char *name,
		  stim_error_t *err)
{
	cleanup_error stim_error_t lerr = NULL;
	uint32_t gateway = stim_cidr_gateway(&nic->range);

	/* Already there: made by an earlier NIC on the subnet. */
	if (stim_link_up(sk, name, &lerr) == 0)
		return 0;
	if (stim_link_bridge_add(sk, name, nic->mtu, err) < 0)
		return -1;
	return stim_link_addr_add(sk, name, gateway, nic->range.prefix, err);
}

/* ens4 inside the instance: its address, up, the default route. */
static int inside(const struct stim_vpc_nic *nic, int instance_nsfd, stim_error_t *err)
{
	struct nl_sock *sk = stim_link_socket(instance_nsfd, err);
	uint32_t gateway = stim_cidr_gateway(&nic->range);
	int ret;

	if (sk == NULL)
		return -1;
	ret = stim_link_addr_add(sk, "ens4", nic->ip, nic->range.prefix, err);
	if (ret == 0)
		ret = stim_link_up(sk, "ens4", err);
	if (ret == 0)
		ret = stim_link_default_route(sk, gateway, err);
	stim_link_socket_free(sk);
	return ret;
}

int stim_vpc_attach(const struct stim_vpc_nic *nic, int instance_nsfd, stim_error_t *err)
{
	char br[16];
	char veth[16];
	struct nl_sock *sk = NULL;
	int fd;
	int ret = -1;

	link_name('b', nic->subnet_id, br);
	link_name('v', nic->instance_id, veth);
	pthread_mutex_lock(&routers);
	/* Made by the firewall's apply: a NIC never comes up on a router
	 * without its network's firewall. */
	fd = router(nic->network_id, false, err);
	if (fd < 0)
		goto out;
	sk = stim_link_socket(fd, err);
	/* A veth of an earlier boot of this instance dies with its
	 * namespace; one of a boot that failed half-way is removed first. */
	if (sk == NULL || bridge(sk, nic, br, err) < 0 || stim_link_delete(sk, veth, err) < 0 ||
	    stim_link_veth_add(sk, veth, br, "ens4", instance_nsfd, nic->mtu, err) < 0)
		goto out;
	ret = inside(nic, instance_nsfd, err);
out:
	pthread_mutex_unlock(&routers);
	stim_link_socket_free(sk);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int listen_metadata(void *arg, stim_error_t *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(80),
				  .sin_addr.s_addr = htonl(STIM_VPC_METADATA_ADDR) };
	int *fd = arg;
	int one = 1;

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return stim_err_sys(err, errno, "socket");
	setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(*fd, 128) < 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		return stim_err_sys(err, e, "listen on 169.254.169.254:80");
	}
	return 0;
}

int stim_vpc_metadata_listen(int64_t network_id, stim_error_t *err)
{
	int fd;
	int sock = -1;

	pthread_mutex_lock(&routers);
	fd = router(network_id, false, err);
	if (fd >= 0) {
		if (stim_netns_run(fd, listen_metadata, &sock, err) < 0)
			sock = -1;
		close(fd);
	}
	pthread_mutex_unlock(&routers);
	return sock;
}

static int send_batch(void *arg, stim_error_t *err)
{
	return stim_nft_batch_send(arg, err);
}

/* The change from what the tables hold; when the kernel refuses it (the
 * tables are not what was last applied: changed by hand, say), the whole
 * firewall made afresh. */
static int firewall_send(int fd, struct stim_nft_state *st, const struct stim_fw_ruleset *rs,
			 const struct stim_nft_port *ports, size_t n, stim_error_t *err)
{
	bool fresh = !stim_nft_state_valid(st);
	struct stim_nft_batch *b = stim_nft_batch_build(st, rs, ports, n);
	cleanup_error stim_error_t ierr = NULL;
	int ret = stim_netns_run(fd, send_batch, b, fresh ? err : &ierr);

	stim_nft_batch_free(b);
	if (ret == 0 || fresh)
		return ret;
	b = stim_nft_batch_build(st, rs, ports, n);
	ret = stim_netns_run(fd, send_batch, b, err);
	stim_nft_batch_free(b);
	return ret;
}

int stim_vpc_firewall_apply(int64_t network_id, const struct stim_fw_ruleset *rs,
			    const struct stim_fw_member *members, size_t nmembers, bool create,
			    stim_error_t *err)
{
	cleanup_free struct stim_nft_port *ports = NULL;
	cleanup_error stim_error_t oerr = NULL;
	int fd;
	int ret;

	pthread_mutex_lock(&routers);
	fd = router(network_id, create, &oerr);
	/* No router, and none asked for: no instance runs on the network,
	 * there is nothing to build or apply. */
	ret = fd < 0 && (create || oerr->code != STIM_NOT_FOUND) ? -1 : 0;
	if (ret < 0)
		*err = steal_pointer(&oerr);
	if (fd >= 0) {
		ports = xcalloc(nmembers + 1, sizeof(*ports));
		for (size_t i = 0; i < nmembers; i++)
			stim_vpc_port(&members[i], &ports[i]);
		ret = firewall_send(fd, state_of(network_id), rs, ports, nmembers, err);
		if (ret == 0)
			ret = external_routes(network_id, members, nmembers, err);
		close(fd);
	}
	pthread_mutex_unlock(&routers);
	return ret;
}

bool stim_vpc_router_exists(int64_t network_id)
{
	cleanup_free char *name = stim_vpc_router_name(network_id);
	cleanup_error stim_error_t err = NULL;
	int fd = stim_netns_open(name, &err);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int stim_vpc_router_remove(int64_t network_id, stim_error_t *err)
{
	cleanup_free char *name = stim_vpc_router_name(network_id);
	int ret;

	pthread_mutex_lock(&routers);
	state_forget(network_id);
	ret = stim_netns_delete(name, err);
	pthread_mutex_unlock(&routers);
	return ret;
}
