/* Root test of the firewall on real packets: a network (netns/vpc.h) with
 * two subnets and three "instances" (named namespaces with their NICs),
 * its rules compiled and sent as one nftables transaction. For every pair
 * of instances and port, whether a TCP connection opens must be what GCE's
 * model says, for a ruleset and after each of a run of changes sent as
 * changes; a spoofed source never reaches anyone; a new ruleset replaces
 * the old at once. Listeners are sockets in listen state: the
 * kernel completes the handshake with nobody accepting, so a connection
 * opens exactly when the SYN and its reply pass. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "netns/netns.h"
#include "netns/vpc.h"
#include "src/cleanup.h"
#include "src/firewall_compile.h"
#include "src/util.h"
#include "tests/unit/fw_rules.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define WAIT_MS	       300 /* a dropped SYN: no answer within this */
#define NINST	       3

static const int ports[] = { 22, 80, 81 };

struct inst {
	char ns[48];
	int nsfd;
	uint32_t addr;
	int64_t subnet;
	struct stim_strv tags;
	int listeners[3];
	int udp;
};

static struct inst inst[NINST];
static int64_t network;
static struct stim_fw_member members[NINST];

/* A socket made inside the instance's namespace (it stays there). */
struct sock_req {
	int type;
	int port;
	int fd;
};

static int make_socket(void *arg, stim_error_t *err)
{
	struct sock_req *r = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)r->port) };
	int one = 1;

	r->fd = socket(AF_INET, r->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd < 0)
		return stim_err_sys(err, errno, "socket");
	setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (r->type == SOCK_STREAM && listen(r->fd, 128) < 0))
		return stim_err_sys(err, errno, "bind or listen");
	return 0;
}

static int sock_in(struct inst *in, int type, int port)
{
	cleanup_error stim_error_t err = NULL;
	struct sock_req r = { type, port, -1 };

	if (stim_netns_run(in->nsfd, make_socket, &r, &err) < 0)
		fail_msg("%s: %s", in->ns, err->msg);
	return r.fd;
}

/* A connection attempt from inside an instance. */
struct probe {
	int type;
	uint32_t src; /* 0: the instance's own; else sent from it anyway */
	uint32_t dst;
	int port;
	bool open;
};

static int run_probe(void *arg, stim_error_t *err)
{
	struct probe *p = arg;
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)p->port),
				  .sin_addr.s_addr = htonl(p->dst) };
	cleanup_close int fd = socket(AF_INET, p->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	int one = 1;

	if (p->src != 0) {
		struct sockaddr_in from = { .sin_family = AF_INET,
					    .sin_addr.s_addr = htonl(p->src) };

		/* A source the instance does not own, as a spoofer would. */
		if (setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) < 0 ||
		    bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0)
			return stim_err_sys(err, errno, "spoofed bind");
	}
	if (p->type == SOCK_DGRAM)
		return sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) == 1
			       ? 0
			       : stim_err_sys(err, errno, "sendto");
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 && errno != EINPROGRESS)
		return stim_err_sys(err, errno, "connect");
	p->open = poll(&pfd, 1, WAIT_MS) == 1 &&
		  getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0;
	return 0;
}

static bool tcp_opens(int from, uint32_t dst, int port)
{
	cleanup_error stim_error_t err = NULL;
	struct probe p = { .type = SOCK_STREAM, .dst = dst, .port = port };

	if (stim_netns_run(inst[from].nsfd, run_probe, &p, &err) < 0)
		fail_msg("probe: %s", err->msg);
	return p.open;
}

/* Whether a datagram sent from inst[from] (as src when not 0) reaches
 * inst[to]'s UDP port 5000, and from which address. */
static bool udp_reaches(int from, uint32_t src, int to, uint32_t *seen)
{
	cleanup_error stim_error_t err = NULL;
	struct probe p = { .type = SOCK_DGRAM, .src = src, .dst = inst[to].addr, .port = 5000 };
	struct pollfd pfd = { .fd = inst[to].udp, .events = POLLIN };
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char c;

	if (stim_netns_run(inst[from].nsfd, run_probe, &p, &err) < 0)
		fail_msg("probe: %s", err->msg);
	if (poll(&pfd, 1, WAIT_MS) != 1 ||
	    recvfrom(inst[to].udp, &c, 1, 0, (struct sockaddr *)&sa, &len) != 1)
		return false;
	*seen = ntohl(sa.sin_addr.s_addr);
	return true;
}

/* Compiles and applies; *rs stays for the model's answers. */
static void apply(const struct fw_rules *s, struct stim_fw_ruleset *rs)
{
	cleanup_error stim_error_t err = NULL;

	if (stim_fw_compile(s->v, s->n, members, NINST, rs, &err) < 0 ||
	    stim_vpc_firewall_apply(network, rs, members, NINST, true, &err) < 0)
		fail_msg("apply: %s", err->msg);
}

/* Instances 0 and 1 on subnet 1 (10.0.0.0/24), 2 on subnet 2. */
static struct stim_vpc_nic nic_of(int i)
{
	return (struct stim_vpc_nic){
		.network_id = network,
		.subnet_id = i < 2 ? 1 : 2,
		.instance_id = i + 1,
		.range = { i < 2 ? IP(10, 0, 0, 0) : IP(10, 1, 0, 0), 24 },
		.ip = i < 2 ? IP(10, 0, 0, 2 + i) : IP(10, 1, 0, 2),
		.mtu = 1460,
	};
}

static int setup(void **state)
{
	static const char *const tags[NINST] = { "admin", "web", "web" };
	cleanup_error stim_error_t err = NULL;

	network = 0x5717000000LL + getpid();
	for (int i = 0; i < NINST; i++) {
		struct inst *in = &inst[i];
		struct stim_vpc_nic nic = nic_of(i);

		snprintf(in->ns, sizeof(in->ns), "stimtest-fw%d-%d", i, (int)getpid());
		in->addr = nic.ip;
		stim_strv_push(&in->tags, tags[i]);
		members[i] = (struct stim_fw_member){ in->addr, nic.instance_id, &in->tags, NULL };
		if (stim_netns_create(in->ns, &err) < 0 ||
		    (in->nsfd = stim_netns_open(in->ns, &err)) < 0) {
			print_error("%s: %s\n", in->ns, err->msg);
			return -1;
		}
	}
	/* The firewall first (implied deny), then the NICs, as a boot does. */
	{
		struct fw_rules none = { 0 };
		struct stim_fw_ruleset rs;

		apply(&none, &rs);
		stim_fw_ruleset_fini(&rs);
	}
	for (int i = 0; i < NINST; i++) {
		struct inst *in = &inst[i];
		struct stim_vpc_nic nic = nic_of(i);

		if (stim_vpc_attach(&nic, in->nsfd, &err) < 0) {
			print_error("attach %s: %s\n", in->ns, err->msg);
			return -1;
		}
		for (int k = 0; k < 3; k++)
			in->listeners[k] = sock_in(in, SOCK_STREAM, ports[k]);
		in->udp = sock_in(in, SOCK_DGRAM, 5000);
	}
	return 0;
}

static int teardown(void **state)
{
	cleanup_error stim_error_t err = NULL;

	for (int i = 0; i < NINST; i++) {
		for (int k = 0; k < 3; k++)
			close(inst[i].listeners[k]);
		close(inst[i].udp);
		close(inst[i].nsfd);
		stim_strv_fini(&inst[i].tags);
		if (stim_netns_delete(inst[i].ns, &err) < 0)
			print_error("%s: %s\n", inst[i].ns, err->msg);
	}
	if (stim_vpc_router_remove(network, &err) < 0)
		print_error("router: %s\n", err->msg);
	return 0;
}

/* Every pair, on the first nports ports: the kernel's verdict is the
 * model's; each outcome counted. */
static void agree(const struct stim_fw_ruleset *rs, int nports, int *opened, int *blocked)
{
	for (int from = 0; from < NINST; from++) {
		for (int to = 0; to < NINST; to++) {
			for (int k = 0; to != from && k < nports; k++) {
				struct stim_fw_packet p = { .proto = 6,
							    .port = ports[k],
							    .src.addr = inst[from].addr,
							    .dst.addr = inst[to].addr };
				bool want = stim_fw_ruleset_allows(rs, &p, NULL);
				bool got = tcp_opens(from, inst[to].addr, ports[k]);

				if (got != want)
					fail_msg("%d -> %d port %d: kernel %s, model %s", from, to,
						 ports[k], got ? "open" : "blocked",
						 want ? "open" : "blocked");
				*(got ? opened : blocked) += 1;
			}
		}
	}
}

/* Every pair and port: the kernel's verdict is the model's. */
static void test_agrees_with_model(void **state)
{
	struct fw_rules s = { 0 };
	struct stim_fw_ruleset rs;
	int opened = 0;
	int blocked = 0;

	fw_rules_add(
		&s, "{\"name\":\"web\",\"targetTags\":[\"web\"],\"sourceRanges\":[\"10.0.0.0/16\"],"
		    "\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"80\"]}]}");
	fw_rules_add(
		&s,
		"{\"name\":\"no-web-from-s2\",\"priority\":900,\"sourceRanges\":[\"10.1.0.0/24\"],"
		"\"denied\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"80\"]}]}");
	fw_rules_add(
		&s,
		"{\"name\":\"admin-ssh\",\"sourceTags\":[\"admin\"],\"allowed\":[{\"IPProtocol\":"
		"\"tcp\",\"ports\":[\"22\"]}]}");
	fw_rules_add(
		&s,
		"{\"name\":\"any-81\",\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"81\"]}]}");
	fw_rules_add(
		&s, "{\"name\":\"web-no-81-out\",\"direction\":\"EGRESS\",\"targetTags\":[\"web\"],"
		    "\"denied\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"81\"]}]}");
	/* Nine sources: past what a line expands, so a named set. */
	fw_rules_add(&s, "{\"name\":\"wide-22\",\"priority\":2000,\"sourceRanges\":["
			 "\"10.0.0.3\",\"10.0.0.9\",\"10.0.0.11\",\"10.0.0.13\",\"10.0.0.15\","
			 "\"10.0.0.17\",\"10.0.0.19\",\"10.0.0.21\",\"10.1.0.2\"],\"allowed\":[{"
			 "\"IPProtocol\":\"tcp\",\"ports\":[\"22\"]}]}");
	fw_rules_add(&s, "{\"name\":\"equal-deny\",\"sourceRanges\":[\"10.0.0.3\"],\"denied\":[{"
			 "\"IPProtocol\":\"tcp\",\"ports\":[\"22\"]}]}");
	apply(&s, &rs);
	agree(&rs, 3, &opened, &blocked);
	/* Both outcomes were seen, so the comparison meant something. */
	assert_true(opened >= 4);
	assert_true(blocked >= 4);
	stim_fw_ruleset_fini(&rs);
	fw_rules_fini(&s);
}

/* The handle of the router's table inet stim: a new one each time the
 * tables are made afresh. */
static long table_handle(void)
{
	cleanup_free char *router = stim_vpc_router_name(network);
	cleanup_free char *cmd = xasprintf("ip netns exec %s nft -a list table inet stim", router);
	FILE *f = popen(cmd, "r");
	char line[256];
	long handle = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "table inet stim {", 17) == 0 &&
		    strstr(line, "# handle ") != NULL)
			handle = strtol(strstr(line, "# handle ") + 9, NULL, 10);
	}
	pclose(f);
	return handle;
}

/* One change after another, each sent as a change to what the tables
 * hold (the table is never made afresh): the kernel still decides as
 * the model does after every one. */
static void test_changes_agree_with_model(void **state)
{
	static const char *const steps[][3] = {
		/* a rule, then a second after it in the order */
		{ "{\"name\":\"ssh\",\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"22\"]}]}" },
		{ "{\"name\":\"ssh\",\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"22\"]}]}",
		  "{\"name\":\"web\",\"targetTags\":[\"web\"],\"priority\":2000,\"allowed\":[{"
		  "\"IPProtocol\":\"tcp\",\"ports\":[\"80\"]}]}" },
		/* a deny inserted before both */
		{ "{\"name\":\"ssh\",\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"22\"]}]}",
		  "{\"name\":\"web\",\"targetTags\":[\"web\"],\"priority\":2000,\"allowed\":[{"
		  "\"IPProtocol\":\"tcp\",\"ports\":[\"80\"]}]}",
		  "{\"name\":\"no-s2\",\"priority\":500,\"sourceRanges\":[\"10.1.0.0/24\"],"
		  "\"denied\":[{\"IPProtocol\":\"all\"}]}" },
		/* the deny moved below the allows, its ranges changed */
		{ "{\"name\":\"ssh\",\"allowed\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"22\"]}]}",
		  "{\"name\":\"web\",\"targetTags\":[\"web\"],\"priority\":2000,\"allowed\":[{"
		  "\"IPProtocol\":\"tcp\",\"ports\":[\"80\"]}]}",
		  "{\"name\":\"no-s2\",\"priority\":3000,\"sourceRanges\":[\"10.0.0.0/8\"],"
		  "\"denied\":[{\"IPProtocol\":\"all\"}]}" },
		/* ssh gone, web's ports changed, an egress deny by tag */
		{ "{\"name\":\"web\",\"targetTags\":[\"web\"],\"priority\":2000,\"allowed\":[{"
		  "\"IPProtocol\":\"tcp\",\"ports\":[\"22\",\"80\"]}]}",
		  "{\"name\":\"no-s2\",\"priority\":3000,\"sourceRanges\":[\"10.0.0.0/8\"],"
		  "\"denied\":[{\"IPProtocol\":\"all\"}]}",
		  "{\"name\":\"out\",\"direction\":\"EGRESS\",\"targetTags\":[\"admin\"],"
		  "\"denied\":[{\"IPProtocol\":\"tcp\",\"ports\":[\"80\"]}]}" },
	};
	size_t nsteps = sizeof(steps) / sizeof(steps[0]);
	struct stim_fw_ruleset rs;
	struct fw_rules s = { 0 };
	int opened = 0;
	int blocked = 0;
	long handle;

	apply(&s, &rs);
	stim_fw_ruleset_fini(&rs);
	handle = table_handle();
	assert_true(handle > 0);
	for (size_t i = 0; i <= nsteps; i++) {
		fw_rules_fini(&s);
		for (int k = 0; k < 3 && i < nsteps && steps[i][k] != NULL; k++)
			fw_rules_add(&s, steps[i][k]);
		/* Last: the rules of the step before, instance 1's tags
		 * changed from web to admin (the sets that hold them). */
		if (i == nsteps) {
			for (int k = 0; k < 3 && steps[i - 1][k] != NULL; k++)
				fw_rules_add(&s, steps[i - 1][k]);
			stim_strv_fini(&inst[1].tags);
			stim_strv_push(&inst[1].tags, "admin");
		}
		apply(&s, &rs);
		agree(&rs, 2, &opened, &blocked);
		stim_fw_ruleset_fini(&rs);
	}
	assert_int_equal(table_handle(), handle);
	assert_true(opened >= 4);
	assert_true(blocked >= 4);

	/* The tables emptied by hand: the next change, refused as a
	 * change, makes them afresh. */
	{
		cleanup_free char *router = stim_vpc_router_name(network);
		cleanup_free char *flush = xasprintf("ip netns exec %s nft flush ruleset", router);

		assert_int_equal(system(flush), 0);
		fw_rules_add(&s, "{\"name\":\"late\",\"priority\":100,\"sourceRanges\":["
				 "\"10.1.0.2\"],\"denied\":[{\"IPProtocol\":\"tcp\"}]}");
		apply(&s, &rs);
		agree(&rs, 2, &opened, &blocked);
		stim_fw_ruleset_fini(&rs);
		assert_true(table_handle() > handle);
	}
	stim_strv_fini(&inst[1].tags);
	stim_strv_push(&inst[1].tags, "web");
	fw_rules_fini(&s);
}

static void test_spoofing_and_replace(void **state)
{
	struct fw_rules s = { 0 };
	struct stim_fw_ruleset rs;
	uint32_t seen = 0;

	fw_rules_add(&s, "{\"name\":\"all\",\"sourceRanges\":[\"10.0.0.0/8\"],\"allowed\":[{"
			 "\"IPProtocol\":\"all\"}]}");
	apply(&s, &rs);
	stim_fw_ruleset_fini(&rs);
	assert_true(udp_reaches(0, 0, 1, &seen));
	assert_int_equal(seen, inst[0].addr);
	/* inst 0 posing as inst 2, or as an address nobody has. */
	assert_false(udp_reaches(0, inst[2].addr, 1, &seen));
	assert_false(udp_reaches(0, IP(10, 0, 0, 99), 1, &seen));
	assert_true(tcp_opens(2, inst[0].addr, 22));

	/* An empty ruleset replaces it: the implied deny again. */
	fw_rules_fini(&s);
	apply(&s, &rs);
	stim_fw_ruleset_fini(&rs);
	assert_false(tcp_opens(2, inst[0].addr, 22));
	assert_false(udp_reaches(0, 0, 1, &seen));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_with_model),
		cmocka_unit_test(test_changes_agree_with_model),
		cmocka_unit_test(test_spoofing_and_replace),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_firewall: needs root, skipping\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
