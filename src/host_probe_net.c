/* Host probes for networking: nf_tables over netlink, and bridges with br_netfilter. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "src/cleanup.h"
#include "src/host_probe.h"
#include "src/host_probe_internal.h"
#include "src/util.h"

#define BRIDGE_NF_SYSCTL "/proc/sys/net/bridge/bridge-nf-call-iptables"

/* nftables */

static void mnl_socket_closep(struct mnl_socket **s)
{
	if (*s != NULL)
		mnl_socket_close(*s);
}
#define cleanup_mnl_socket __attribute__((cleanup(mnl_socket_closep)))

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	uint32_t *genid = data;
	struct nftnl_gen *gen = nftnl_gen_alloc();

	if (gen == NULL)
		return MNL_CB_ERROR;
	if (nftnl_gen_nlmsg_parse(nlh, gen) == 0)
		*genid = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return MNL_CB_OK;
}

/* NFT_MSG_GETGEN is the cheapest question nf_tables answers: it reads the
 * ruleset generation and changes nothing, so it may go to the host's netns. */
static int nft_getgen(uint32_t *genid, stim_error_t *err)
{
	cleanup_mnl_socket struct mnl_socket *nl = NULL;
	char buf[8192] __attribute__((aligned(4)));
	struct timeval tv = { .tv_sec = 1 };
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL);
	ssize_t n;
	int ret;

	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (nl == NULL)
		return stim_err_sys(err, errno, "open NETLINK_NETFILTER socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return stim_err_sys(err, errno, "bind NETLINK_NETFILTER socket");
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return stim_err_sys(err, errno, "SO_RCVTIMEO");
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return stim_err_sys(err, errno, "send NFT_MSG_GETGEN");
	*genid = UINT32_MAX;
	/* The NEWGEN answer, then the ACK that NLM_F_ACK asked for. */
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return stim_err_sys(err, errno, "receive NFT_MSG_GETGEN answer");
		ret = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), gen_cb, genid);
		if (ret < 0)
			return stim_err_sys(err, errno, "NFT_MSG_GETGEN");
	} while (ret > 0 && *genid == UINT32_MAX);
	if (*genid == UINT32_MAX)
		return stim_err(err, STIM_INTERNAL, "NFT_MSG_GETGEN: no generation in the answer");
	return 0;
}

void stim_host_probe_nftables(struct stim_host_report *rep)
{
	cleanup_error stim_error_t nerr = NULL;
	uint32_t genid;

	/* EPERM here usually means no CAP_NET_ADMIN (not root, or a
	 * container that drops it): the same wall the daemon would hit. */
	if (nft_getgen(&genid, &nerr) < 0)
		stim_host_probe_add(rep, "nftables", true, STIM_PROBE_MISSING, "%s%s", nerr->msg,
				    nerr->errnum == EOPNOTSUPP || nerr->errnum == EPROTONOSUPPORT
					    ? " (kernel without nf_tables)"
					    : "");
	else
		stim_host_probe_add(rep, "nftables", true, STIM_PROBE_OK,
				    "NFT_MSG_GETGEN over netlink: ruleset generation %u", genid);
}

/* Bridges and br_netfilter */

enum bridge_step {
	BR_UNSHARE,
	BR_SOCKET,
	BR_SEND,
	BR_RECV,
	BR_NEWLINK,
	BR_SYSCTL_OPEN, /* from here on the bridge exists */
	BR_SYSCTL_READ,
	BR_DONE,
};

static const char *const bridge_steps[] = {
	[BR_UNSHARE] = "unshare(CLONE_NEWNET)",
	[BR_SOCKET] = "rtnetlink socket",
	[BR_SEND] = "send RTM_NEWLINK",
	[BR_RECV] = "receive RTM_NEWLINK ack",
	[BR_NEWLINK] = "RTM_NEWLINK bridge",
	[BR_SYSCTL_OPEN] = "open " BRIDGE_NF_SYSCTL,
	[BR_SYSCTL_READ] = "read " BRIDGE_NF_SYSCTL,
};

static void bridge_child(const void *arg, struct stim_probe_child_report *rep)
{
	const struct nlmsghdr *req = arg;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 1 };
	char buf[4096] __attribute__((aligned(4)));
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	const struct nlmsgerr *e;
	ssize_t n;
	int fd;

	rep->step = BR_UNSHARE;
	if (unshare(CLONE_NEWNET) < 0)
		goto fail;
	/* The socket belongs to the netns it is opened in: the new one. */
	rep->step = BR_SOCKET;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	rep->step = BR_SEND;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		goto fail;
	rep->step = BR_RECV;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		goto fail;
	/* With NLM_F_ACK the one answer is an NLMSG_ERROR: 0 or -errno. */
	rep->step = BR_NEWLINK;
	if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_ERROR) {
		errno = EPROTO;
		goto fail;
	}
	e = NLMSG_DATA(h);
	if (e->error != 0) {
		errno = -e->error;
		goto fail;
	}
	/* /proc/sys/net shows the netns of whoever opens the file, so this
	 * reads the default a fresh namespace (a router) gets. */
	rep->step = BR_SYSCTL_OPEN;
	fd = open(BRIDGE_NF_SYSCTL, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	rep->step = BR_SYSCTL_READ;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		errno = n == 0 ? ENODATA : errno;
		goto fail;
	}
	/* Per netns on current kernels; a fresh namespace starts at 1, which is
	 * what lets one inet chain see bridged (same-subnet) packets. */
	rep->value = buf[0] - '0';
	rep->step = BR_DONE;
	return;
fail:
	rep->errnum = errno;
}

/* Builds RTM_NEWLINK for a bridge with libnl in the parent; the child only
 * sends the bytes (STYLE.md rule 8: build apart from send). */
static int build_bridge_request(struct nl_msg **out, stim_error_t *err)
{
	struct rtnl_link *link = rtnl_link_bridge_alloc();
	struct nl_msg *msg = NULL;
	struct nlmsghdr *hdr;
	int ret;

	if (link == NULL)
		return stim_err(err, STIM_INTERNAL, "rtnl_link_bridge_alloc failed");
	/* The stim prefix (DESIGN.md host hygiene), though the link only ever
	 * exists in the child's namespace and dies with it. */
	rtnl_link_set_name(link, "stimdoctor0");
	ret = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg);
	rtnl_link_put(link);
	if (ret < 0)
		return stim_err(err, STIM_INTERNAL, "build RTM_NEWLINK: %s", nl_geterror(ret));
	/* nl_send_auto() would fill these in; the child sends raw bytes, so
	 * ask for the ACK that carries the kernel's answer ourselves. */
	hdr = nlmsg_hdr(msg);
	hdr->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	hdr->nlmsg_seq = 1;
	*out = msg;
	return 0;
}

void stim_host_probe_bridge(struct stim_host_report *rep)
{
	static const char *const lost = "same-subnet firewall rules not enforced";
	struct nl_msg *msg = NULL;
	struct stim_probe_child_report cr;
	cleanup_error stim_error_t cerr = NULL;
	int ret;

	ret = build_bridge_request(&msg, &cerr);
	if (ret == 0) {
		ret = stim_host_probe_run_child(bridge_child, nlmsg_hdr(msg), &cr, &cerr);
		nlmsg_free(msg);
	}
	if (ret < 0) {
		stim_host_probe_add(rep, "bridge", true, STIM_PROBE_MISSING, "%s", cerr->msg);
		stim_host_probe_add(rep, "br_netfilter", false, STIM_PROBE_DEGRADED,
				    "%s (untested: %s)", lost, cerr->msg);
		return;
	}
	if (cr.step < BR_SYSCTL_OPEN) {
		stim_host_probe_add(rep, "bridge", true, STIM_PROBE_MISSING, "%s: %s",
				    bridge_steps[cr.step], strerror(cr.errnum));
		stim_host_probe_add(rep, "br_netfilter", false, STIM_PROBE_DEGRADED,
				    "%s (untested: no bridge)", lost);
		return;
	}
	stim_host_probe_add(rep, "bridge", true, STIM_PROBE_OK,
			    "created one in a new net namespace");
	/* Degraded, not missing: routed traffic is still filtered, and with
	 * a modular kernel `modprobe br_netfilter` brings it back. */
	if (cr.step < BR_DONE)
		stim_host_probe_add(rep, "br_netfilter", false, STIM_PROBE_DEGRADED,
				    "%s (%s: %s%s)", lost, bridge_steps[cr.step],
				    strerror(cr.errnum),
				    cr.errnum == ENOENT ? "; br_netfilter not loaded" : "");
	else if (cr.value != 1)
		stim_host_probe_add(rep, "br_netfilter", false, STIM_PROBE_DEGRADED,
				    "%s (bridge-nf-call-iptables is %d in a new net namespace)",
				    lost, cr.value);
	else
		stim_host_probe_add(rep, "br_netfilter", false, STIM_PROBE_OK,
				    "bridge-nf-call-iptables is 1 in a new net namespace");
}
