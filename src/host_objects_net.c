/* The network side of gc: named netns files, root-namespace links, nftables tables. */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

/* After <netinet/in.h> (pulled in by libnl), which the uapi headers defer to. */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "src/cleanup.h"
#include "src/host_objects_internal.h"
#include "src/util.h"

/* Large enough for any nfnetlink dump message: the kernel sizes dump skbs
 * to the reader's buffer, up to 32 KiB (libmnl's MNL_SOCKET_DUMP_SIZE). */
#define NFT_DUMP_BUFSZ 32768
/* One batch holds begin, one DELTABLE and end; replies are ACKs. */
#define NFT_BATCH_BUFSZ 8192
/* `ip netns add` can be run twice on a name; each stacks one more bind
 * mount on the file. More than this and something else is going on. */
#define NETNS_MAX_UMOUNTS 16

void stim_cleanup_nl_sock(struct nl_sock **s)
{
	if (*s != NULL)
		nl_socket_free(*s);
}

void stim_cleanup_nl_cache(struct nl_cache **c)
{
	if (*c != NULL)
		nl_cache_free(*c);
}

void stim_cleanup_rtnl_link(struct rtnl_link **l)
{
	if (*l != NULL)
		rtnl_link_put(*l);
}

void stim_cleanup_mnl_socket(struct mnl_socket **s)
{
	if (*s != NULL)
		mnl_socket_close(*s);
}

void stim_cleanup_nftnl_table(struct nftnl_table **t)
{
	if (*t != NULL)
		nftnl_table_free(*t);
}

const char *stim_nft_family_name(unsigned family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	}
	return "unknown";
}

/* Named network namespaces */

int stim_host_collect_netns(const char *prefix, struct stim_host_object_vec *vec, stim_error_t *err)
{
	cleanup_dir DIR *d = NULL;

	d = opendir(STIM_NETNS_RUN_DIR);
	if (d == NULL && errno == ENOENT)
		return 0; /* no namespace was ever named on this boot */
	if (d == NULL)
		return stim_err_sys(err, errno, "open %s", STIM_NETNS_RUN_DIR);
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (!stim_host_name_matches(de->d_name, prefix))
			continue;
		if (stim_host_object_vec_add(vec, STIM_HOST_OBJECT_NETNS, xstrdup(de->d_name), 0,
					     false, err) < 0)
			return -1;
	}
	if (errno != 0)
		return stim_err_sys(err, errno, "read %s", STIM_NETNS_RUN_DIR);
	return 0;
}

int stim_host_remove_netns(const char *name, stim_error_t *err)
{
	cleanup_free char *path = NULL;
	int i;

	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return stim_err(err, STIM_INVALID_ARGUMENT, "bad netns name '%s'", name);
	path = xasprintf("%s/%s", STIM_NETNS_RUN_DIR, name);

	/* As `ip netns del`: detach the nsfs bind mount, then drop the file.
	 * The namespace itself dies with its last reference (a process in
	 * it, an open fd), which is not ours to take. */
	for (i = 0; i < NETNS_MAX_UMOUNTS; i++) {
		if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			continue;
		if (errno == EINVAL || errno == ENOENT)
			break; /* not (or no longer) a mount point */
		return stim_err_sys(err, errno, "umount %s", path);
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return stim_err_sys(err, errno, "unlink %s", path);
	return 0;
}

/* Links of the root network namespace */

static int route_socket_open(struct nl_sock **out, stim_error_t *err)
{
	cleanup_nl_sock struct nl_sock *sock = NULL;
	int ret;

	sock = nl_socket_alloc();
	if (sock == NULL)
		return stim_err(err, STIM_RESOURCE_EXHAUSTED, "netlink: cannot allocate a socket");
	/* libnl opens it with SOCK_CLOEXEC. */
	ret = nl_connect(sock, NETLINK_ROUTE);
	if (ret < 0)
		return stim_err(err, STIM_INTERNAL, "netlink: connect: %s", nl_geterror(ret));
	*out = steal_pointer(&sock);
	return 0;
}

int stim_host_collect_links(const char *prefix, struct stim_host_object_vec *vec, stim_error_t *err)
{
	cleanup_nl_sock struct nl_sock *sock = NULL;
	cleanup_nl_cache struct nl_cache *cache = NULL;
	struct nl_object *obj;
	int ret;

	if (route_socket_open(&sock, err) < 0)
		return -1;
	ret = rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache);
	if (ret < 0)
		return stim_err(err, STIM_INTERNAL, "netlink: list links: %s", nl_geterror(ret));
	for (obj = nl_cache_get_first(cache); obj != NULL; obj = nl_cache_get_next(obj)) {
		const char *name = rtnl_link_get_name((struct rtnl_link *)obj);

		if (name == NULL || !stim_host_name_matches(name, prefix))
			continue;
		if (stim_host_object_vec_add(vec, STIM_HOST_OBJECT_LINK, xstrdup(name), 0, false,
					     err) < 0)
			return -1;
	}
	return 0;
}

int stim_host_remove_link(const char *name, stim_error_t *err)
{
	cleanup_nl_sock struct nl_sock *sock = NULL;
	cleanup_rtnl_link struct rtnl_link *link = NULL;
	int ret;

	if (name[0] == '\0' || strlen(name) >= IFNAMSIZ)
		return stim_err(err, STIM_INVALID_ARGUMENT, "bad link name '%s'", name);
	if (route_socket_open(&sock, err) < 0)
		return -1;
	link = rtnl_link_alloc();
	if (link == NULL)
		return stim_err(err, STIM_RESOURCE_EXHAUSTED, "netlink: cannot allocate a link");
	/* By name, not index: an index listed earlier may have been reused. */
	rtnl_link_set_name(link, name);
	ret = rtnl_link_delete(sock, link);
	/* Deleting one end of a veth takes its peer, and a namespace's death
	 * takes the ends inside it: the second name is then already gone. */
	if (ret == -NLE_OBJ_NOTFOUND || ret == -NLE_NODEV)
		return 0;
	if (ret < 0)
		return stim_err(err, STIM_INTERNAL, "netlink: delete link %s: %s", name,
				nl_geterror(ret));
	return 0;
}

/* nftables tables of the root network namespace */

static int nft_socket_open(struct mnl_socket **out, uint32_t *portid, stim_error_t *err)
{
	cleanup_mnl_socket struct mnl_socket *nl = NULL;

	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (nl == NULL)
		return stim_err_sys(err, errno, "nftables: open netlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return stim_err_sys(err, errno, "nftables: bind netlink socket");
	*portid = mnl_socket_get_portid(nl);
	*out = steal_pointer(&nl);
	return 0;
}

struct nft_dump {
	const char *prefix;
	struct stim_host_object_vec *vec;
	stim_error_t *err;
	bool failed; /* *err was set by the callback */
};

static int nft_table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_dump *d = data;
	cleanup_nftnl_table struct nftnl_table *t = NULL;
	const char *name;
	unsigned family;

	t = nftnl_table_alloc();
	if (t == NULL) {
		d->failed = true;
		stim_err(d->err, STIM_RESOURCE_EXHAUSTED, "nftables: cannot allocate a table");
		return MNL_CB_ERROR;
	}
	if (nftnl_table_nlmsg_parse(nlh, t) < 0) {
		d->failed = true;
		stim_err_sys(d->err, errno != 0 ? errno : EPROTO, "nftables: parse table");
		return MNL_CB_ERROR;
	}
	name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
	family = nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY);
	if (name == NULL || !stim_host_name_matches(name, d->prefix))
		return MNL_CB_OK;
	if (stim_host_object_vec_add(d->vec, STIM_HOST_OBJECT_NFT_TABLE,
				     xasprintf("%s %s", stim_nft_family_name(family), name), family,
				     false, d->err) < 0) {
		d->failed = true;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int stim_host_collect_nft_tables(const char *prefix, struct stim_host_object_vec *vec,
				 stim_error_t *err)
{
	cleanup_mnl_socket struct mnl_socket *nl = NULL;
	cleanup_free char *buf = NULL;
	struct nft_dump d = { .prefix = prefix, .vec = vec, .err = err, .failed = false };
	struct nlmsghdr *nlh;
	uint32_t portid = 0;
	uint32_t seq = (uint32_t)time(NULL);

	if (nft_socket_open(&nl, &portid, err) < 0)
		return -1;
	buf = xmalloc(NFT_DUMP_BUFSZ);
	/* NFPROTO_UNSPEC dumps the tables of every family at once. */
	nlh = nftnl_table_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return stim_err_sys(err, errno, "nftables: send table dump request");
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, NFT_DUMP_BUFSZ);
		int ret;

		if (len < 0)
			return stim_err_sys(err, errno, "nftables: receive table dump");
		ret = mnl_cb_run(buf, (size_t)len, seq, portid, nft_table_cb, &d);
		if (ret < 0 && d.failed)
			return -1;
		if (ret < 0)
			return stim_err_sys(err, errno, "nftables: list tables");
		if (ret == MNL_CB_STOP)
			break;
	}
	return 0;
}

int stim_host_remove_nft_table(unsigned family, const char *table, stim_error_t *err)
{
	cleanup_mnl_socket struct mnl_socket *nl = NULL;
	cleanup_nftnl_table struct nftnl_table *t = NULL;
	char buf[NFT_BATCH_BUFSZ];
	struct mnl_nlmsg_batch *batch;
	struct nlmsghdr *nlh;
	uint32_t portid = 0;
	uint32_t seq = (uint32_t)time(NULL);
	uint32_t del_seq;
	ssize_t len;
	int ret;

	t = nftnl_table_alloc();
	if (t == NULL)
		return stim_err(err, STIM_RESOURCE_EXHAUSTED, "nftables: cannot allocate a table");
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);

	/* nf_tables takes changes only inside a batch (libnftnl
	 * examples/nft-table-del.c); deleting a table drops its chains, rules
	 * and sets with it, atomically. */
	batch = mnl_nlmsg_batch_start(buf, sizeof(buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(batch), seq++);
	mnl_nlmsg_batch_next(batch);
	del_seq = seq;
	nlh = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch), NFT_MSG_DELTABLE,
					  (uint16_t)family, NLM_F_ACK, seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	mnl_nlmsg_batch_next(batch);
	nftnl_batch_end(mnl_nlmsg_batch_current(batch), seq++);
	mnl_nlmsg_batch_next(batch);

	if (nft_socket_open(&nl, &portid, err) < 0)
		goto fail;
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(batch), mnl_nlmsg_batch_size(batch)) < 0) {
		stim_err_sys(err, errno, "nftables: send");
		goto fail;
	}
	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0) {
			stim_err_sys(err, errno, "nftables: receive");
			goto fail;
		}
		ret = mnl_cb_run(buf, (size_t)len, del_seq, portid, NULL, NULL);
		if (ret < 0 && errno == ENOENT)
			break; /* already gone */
		if (ret < 0) {
			stim_err_sys(err, errno, "nftables: delete");
			goto fail;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
	mnl_nlmsg_batch_stop(batch);
	return 0;

fail:
	mnl_nlmsg_batch_stop(batch);
	return stim_err_wrap(err, "table %s %s", stim_nft_family_name(family), table);
}
