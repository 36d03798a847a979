/* nflog inside a network namespace (see nflog.h). */
#include "netns/nflog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include "netns/netns.h"

struct open_req {
	uint16_t group;
	uint32_t snaplen;
	int fd;
};

/* One NFULNL_MSG_CONFIG for the group, acknowledged. */
static int configure(int fd, uint16_t group, uint16_t attr, const void *data, size_t len,
		     stim_error_t *err)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(group);
	mnl_attr_put(nlh, attr, len, data);
	if (sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return stim_err_sys(err, errno, "nflog config");
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return stim_err_sys(err, errno, "nflog config reply");
	nlh = (struct nlmsghdr *)buf;
	if (mnl_nlmsg_ok(nlh, (int)n) && nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (e->error != 0)
			return stim_err_sys(err, -e->error, "nflog config of group %u", group);
	}
	return 0;
}

static int open_in_ns(void *arg, stim_error_t *err)
{
	struct open_req *r = arg;
	struct nfulnl_msg_config_cmd bind_cmd = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = { .copy_range = htonl(r->snaplen),
					       .copy_mode = NFULNL_COPY_PACKET };
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };

	r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (r->fd < 0)
		return stim_err_sys(err, errno, "netlink netfilter socket");
	if (bind(r->fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		stim_err_sys(err, errno, "netlink bind");
		goto fail;
	}
	if (configure(r->fd, r->group, NFULA_CFG_CMD, &bind_cmd, sizeof(bind_cmd), err) < 0 ||
	    configure(r->fd, r->group, NFULA_CFG_MODE, &mode, sizeof(mode), err) < 0)
		goto fail;
	return 0;
fail:
	close(r->fd);
	r->fd = -1;
	return -1;
}

int stim_nflog_open(int nsfd, uint16_t group, uint32_t snaplen, stim_error_t *err)
{
	struct open_req r = { group, snaplen, -1 };

	if (stim_netns_run(nsfd, open_in_ns, &r, err) < 0)
		return -1;
	return r.fd;
}

struct attrs {
	const struct nlattr *tb[NFULA_MAX + 1];
};

static int keep_attr(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, NFULA_MAX) > 0)
		at->tb[type] = a;
	return MNL_CB_OK;
}

int stim_nflog_read(int fd,
		    void (*fn)(const char *prefix, const unsigned char *payload, size_t len,
			       void *arg),
		    void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t got;

	while ((got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		int n = (int)got;

		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			struct attrs at = { 0 };

			if (h->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) ||
			    mnl_attr_parse(h, sizeof(struct nfgenmsg), keep_attr, &at) < 0 ||
			    at.tb[NFULA_PREFIX] == NULL || at.tb[NFULA_PAYLOAD] == NULL)
				continue;
			fn(mnl_attr_get_str(at.tb[NFULA_PREFIX]),
			   mnl_attr_get_payload(at.tb[NFULA_PAYLOAD]),
			   mnl_attr_get_payload_len(at.tb[NFULA_PAYLOAD]), arg);
		}
	}
	/* ENOBUFS: the kernel dropped some when we fell behind; go on. */
	if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS &&
	    errno != EINTR)
		return -1;
	return 0;
}
