/* The VPC data path's figures (tests/bench/network runs this), each beside
 * a baseline from the same run:
 *   - NIC plumbing per instance (stim_vpc_attach: veth made with its peer
 *     moved in, on the bridge, address, up, default route), p50 and p99
 *     over the instances, beside `ip link add` of a veth pair;
 *   - changes on a network with RULES rules and INSTANCES instances, each
 *     read-free compile, batch build and the kernel's commit, p50 and p99:
 *     the whole firewall made afresh; a rule's ports; a rule's priority
 *     (its jump moves); a rule inserted, and deleted; an instance's tags;
 *     the store's part (the rules read again after one changed) beside
 *     reading them all; beside `nft -f` loading the same ruleset (process
 *     start included);
 *   - TCP throughput between two instances of one subnet with one rule
 *     and with RULES more before it, beside a bare veth pair between two
 *     namespaces (no bridge, no netfilter).
 * Namespaces are stimbench-*-PID and the router stim-net-<id>; all go at
 * the end. Needs root. Usage: bench_network [INSTANCES [RULES]] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netns/link.h"
#include "netns/netns.h"
#include "netns/nft.h"
#include "netns/vpc.h"
#include "src/cleanup.h"
#include "src/firewall_compile.h"
#include "src/json.h"
#include "src/store.h"
#include "src/store_firewalls.h"
#include "src/util.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define PORT	       5201
#define STREAM_BYTES   (1024LL << 20)

static int64_t network;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void percentiles(const char *what, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%-58s p50 %7.2f ms  p99 %7.2f ms  (n=%zu)\n", what, v[n / 2],
	       v[n * 99 / 100 < n ? n * 99 / 100 : n - 1], n);
}

static void die(const char *what, stim_error_t err)
{
	fprintf(stderr, "bench_network: %s: %s\n", what, err != NULL ? err->msg : "");
	exit(1);
}

static char *ns_name(const char *role, int i)
{
	return xasprintf("stimbench-%s%d-%d", role, i, (int)getpid());
}

/* 20 tags over the instances, two each; rules of every shape GCE has. */
static const char *tag(int i)
{
	static char buf[20][8];

	snprintf(buf[i % 20], sizeof(buf[0]), "t%d", i % 20);
	return buf[i % 20];
}

/* Rule i at priority prio with a first port of port. */
static void make_rule(struct stim_firewall *r, int i, int prio, int port)
{
	cleanup_error stim_error_t err = NULL;
	char json[512];
	cleanup_json json_t *body = NULL;

	snprintf(json, sizeof(json),
		 "{\"name\":\"r%d\",\"priority\":%d,\"direction\":\"%s\",\"%s\":[{"
		 "\"IPProtocol\":\"tcp\",\"ports\":[\"%d\",\"%d-%d\"]},{\"IPProtocol\":"
		 "\"udp\",\"ports\":[\"%d\"]}],\"sourceRanges\":[\"10.%d.0.0/16\","
		 "\"192.168.%d.0/24\"]%s%s%s}",
		 i, prio, i % 4 == 3 ? "EGRESS" : "INGRESS", i % 3 == 0 ? "denied" : "allowed",
		 port, 20000 + i, 20010 + i, 3000 + i, i % 200 + 1, i % 250,
		 i % 2 ? ",\"targetTags\":[\"" : "", i % 2 ? tag(i) : "", i % 2 ? "\"]" : "");
	body = stim_json_parse_body(json, strlen(json), &err);
	stim_firewall_fini(r);
	memset(r, 0, sizeof(*r));
	if (body == NULL || stim_firewall_from_json(body, r, &err) < 0)
		die(json, err);
}

/* The network's firewall tables as the bench last applied them. */
static struct stim_nft_state *tables;
static int router_fd = -1;

static int send_batch(void *arg, stim_error_t *err)
{
	return stim_nft_batch_send(arg, err);
}

/* Compile, build from what the tables hold, commit: one change as the
 * daemon applies it. The parts' times are added to parts[3] when not
 * NULL. */
static double apply_ms(struct stim_firewall *rules, size_t n, struct stim_fw_member *m, size_t nm,
		       double *parts)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_fw_ruleset rs;
	struct stim_nft_batch *b;
	cleanup_free struct stim_nft_port *ports = xcalloc(nm, sizeof(*ports));
	double t0;
	double t1;
	double t2;
	double t3;

	for (size_t i = 0; i < nm; i++)
		stim_vpc_port(&m[i], &ports[i]);
	t0 = now_ms();
	if (stim_fw_compile(rules, n, m, nm, &rs, &err) < 0)
		die("compile", err);
	t1 = now_ms();
	b = stim_nft_batch_build(tables, &rs, ports, nm);
	t2 = now_ms();
	if (stim_netns_run(router_fd, send_batch, b, &err) < 0)
		die("apply", err);
	t3 = now_ms();
	stim_nft_batch_free(b);
	stim_fw_ruleset_fini(&rs);
	if (parts != NULL) {
		parts[0] += t1 - t0;
		parts[1] += t2 - t1;
		parts[2] += t3 - t2;
	}
	return t3 - t0;
}

/* What the rule-change runs work on. */
static struct stim_firewall *rules;
static int nrules;
static struct stim_fw_member *m;
static int ninst;

#define RUNS 20

/* RUNS applies, each after step(k) changed something: p50, p99 and the
 * parts' averages. */
static void changes(const char *what, void (*step)(int k), size_t extra)
{
	double parts[3] = { 0 };
	double v[RUNS];

	for (int k = 0; k < RUNS; k++) {
		step(k);
		v[k] = apply_ms(rules, (size_t)nrules + 1 + extra, m, (size_t)ninst, parts);
	}
	percentiles(what, v, RUNS);
	printf("  of which, on average: compile %.2f ms, build %.2f ms, kernel %.2f ms\n",
	       parts[0] / RUNS, parts[1] / RUNS, parts[2] / RUNS);
}

static void step_afresh(int k)
{
	stim_nft_state_reset(tables);
}

/* The middle rule's first port, back and forth. */
static void step_ports(int k)
{
	int i = nrules / 2;

	make_rule(&rules[i], i, 100 + i, k % 2 ? 1000 + i : 1500 + i);
}

/* The middle rule past 300 others and back: its jump moves. */
static void step_priority(int k)
{
	int i = nrules / 2;

	make_rule(&rules[i], i, k % 2 ? 100 + i : 400 + i, 1000 + i);
}

/* A rule made in the middle of the order (after the stream's allow, in
 * the array's spare place), to be deleted by step_delete. */
static void step_insert(int k)
{
	make_rule(&rules[nrules + 1], nrules + 1, 100 + nrules / 2, 7000 + k);
}

static struct stim_strv other_tags;

/* An instance's tags, back and forth: every rule naming one is filled
 * again (about one in twenty). */
static void step_tags(int k)
{
	static const struct stim_strv *was;

	if (was == NULL)
		was = m[5].tags;
	m[5].tags = k % 2 ? was : &other_tags;
}

/* The store's part of a rule change in the daemon: the network's rules
 * read again after one changed, through the firewall sync's memo, beside
 * reading (and parsing) them all. The rules are nrules of make_rule's. */
static void store_read(void)
{
	char dir[] = "/tmp/stimbench-store-XXXXXX";
	cleanup_error stim_error_t err = NULL;
	struct stim_store *store;
	struct stim_db *db;
	struct stim_fw_memo *memo = stim_fw_memo_new();
	double memo_ms[RUNS];
	double all_ms[RUNS];
	cleanup_free char *rm = NULL;

	if (mkdtemp(dir) == NULL || (store = stim_store_open(dir, &err)) == NULL ||
	    (db = stim_store_db(store, &err)) == NULL)
		die("store", err);
	for (int i = 0; i < nrules; i++) {
		free(rules[i].project);
		free(rules[i].network);
		rules[i].project = xstrdup("bench");
		rules[i].network = xstrdup("net");
		rules[i].id = i + 1;
		if (stim_store_firewall_put(db, &rules[i], false, &err) < 0)
			die("put", err);
	}
	for (int k = 0; k <= RUNS; k++) {
		struct stim_firewall *got = NULL;
		size_t n;
		double t0;

		step_ports(k); /* made afresh: no project */
		rules[nrules / 2].project = xstrdup("bench");
		if (stim_store_firewall_put(db, &rules[nrules / 2], true, &err) < 0)
			die("update", err);
		t0 = now_ms();
		if (stim_store_firewall_scan_memo(db, "bench", "net", memo, &got, &n, &err) < 0)
			die("scan", err);
		free(got);
		/* The first read parses everything: not a change's. */
		if (k > 0)
			memo_ms[k - 1] = now_ms() - t0;
	}
	for (int k = 0; k < RUNS; k++) {
		struct stim_firewall *got = NULL;
		size_t n;
		double t0 = now_ms();

		if (stim_store_firewall_scan(db, "bench", "net", "", -1, &got, &n, &err) < 0)
			die("scan", err);
		all_ms[k] = now_ms() - t0;
		for (size_t i = 0; i < n; i++)
			stim_firewall_fini(&got[i]);
		free(got);
	}
	percentiles("  the store's part: rules read, one changed (memo)", memo_ms, RUNS);
	percentiles("  baseline: every rule read and parsed", all_ms, RUNS);
	stim_fw_memo_free(memo);
	stim_db_release(db);
	stim_store_close(store);
	rm = xasprintf("rm -rf %s", dir);
	if (system(rm) != 0)
		die("rm", NULL);
}

struct stream {
	int fd;
	long long bytes;
};

static int make_listener(void *arg, stim_error_t *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int one = 1;
	int *fd = arg;

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(*fd, 4) < 0)
		return stim_err_sys(err, errno, "listen");
	return 0;
}

static int make_sender(void *arg, stim_error_t *err)
{
	int *fd = arg;

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return *fd < 0 ? stim_err_sys(err, errno, "socket") : 0;
}

static void *drain(void *arg)
{
	struct stream *s = arg;
	int c = accept(s->fd, NULL, NULL);
	static char buf[1 << 16];
	ssize_t n;

	while (c >= 0 && (n = read(c, buf, sizeof(buf))) > 0)
		s->bytes += n;
	if (c >= 0)
		close(c);
	return NULL;
}

/* Gbit/s of one TCP stream from namespace `from` to dst:PORT in `to`. */
static double throughput(int from_nsfd, int to_nsfd, uint32_t dst)
{
	cleanup_error stim_error_t err = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(PORT),
				  .sin_addr.s_addr = htonl(dst) };
	struct stream s = { -1, 0 };
	static char buf[1 << 16];
	pthread_t t;
	int fd = -1;
	double t0;
	long long sent = 0;

	if (stim_netns_run(to_nsfd, make_listener, &s.fd, &err) < 0 ||
	    stim_netns_run(from_nsfd, make_sender, &fd, &err) < 0)
		die("sockets", err);
	pthread_create(&t, NULL, drain, &s);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "bench_network: connect: %s\n", strerror(errno));
		exit(1);
	}
	t0 = now_ms();
	while (sent < STREAM_BYTES) {
		ssize_t n = write(fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		sent += n;
	}
	close(fd);
	pthread_join(t, NULL);
	close(s.fd);
	return (double)s.bytes * 8 / ((now_ms() - t0) / 1e3) / 1e9;
}

/* Two namespaces joined by a bare veth pair, 10.99.0.1 and .2. */
static double bare_veth(void)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *a = ns_name("va", 0);
	cleanup_free char *b = ns_name("vb", 0);
	int fa;
	int fb;
	struct nl_sock *sa;
	struct nl_sock *sb;
	double gbps;

	if (stim_netns_create(a, &err) < 0 || stim_netns_create(b, &err) < 0 ||
	    (fa = stim_netns_open(a, &err)) < 0 || (fb = stim_netns_open(b, &err)) < 0)
		die("bare namespaces", err);
	sa = stim_link_socket(fa, &err);
	if (sa == NULL || stim_link_veth_add(sa, "eth0", NULL, "eth0", fb, 1460, &err) < 0 ||
	    stim_link_addr_add(sa, "eth0", IP(10, 99, 0, 1), 24, &err) < 0)
		die("bare veth", err);
	sb = stim_link_socket(fb, &err);
	if (sb == NULL || stim_link_addr_add(sb, "eth0", IP(10, 99, 0, 2), 24, &err) < 0 ||
	    stim_link_up(sb, "eth0", &err) < 0 || stim_link_up(sa, "eth0", &err) < 0)
		die("bare veth", err);
	gbps = throughput(fa, fb, IP(10, 99, 0, 2));
	stim_link_socket_free(sa);
	stim_link_socket_free(sb);
	close(fa);
	close(fb);
	stim_netns_delete(a, &err);
	stim_netns_delete(b, &err);
	return gbps;
}

static double ip_link_add_ms(void)
{
	cleanup_free char *ns = ns_name("ip", 0);
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *add = xasprintf("ip -n %s link add v0 type veth peer name v1", ns);
	cleanup_free char *del = xasprintf("ip -n %s link del v0", ns);
	double v[20];

	if (stim_netns_create(ns, &err) < 0)
		die("ip namespace", err);
	for (int i = 0; i < 20; i++) {
		double t0 = now_ms();

		if (system(add) != 0)
			die("ip link add", NULL);
		v[i] = now_ms() - t0;
		if (system(del) != 0)
			die("ip link del", NULL);
	}
	stim_netns_delete(ns, &err);
	percentiles("baseline: `ip link add` of a veth pair (one process)", v, 20);
	qsort(v, 20, sizeof(*v), cmp_double);
	return v[10];
}

int main(int argc, char **argv)
{
	struct stim_strv *tags;
	int *fds;
	char **names;
	double *v;
	cleanup_error stim_error_t err = NULL;
	char dump[] = "/tmp/stimbench-nft-XXXXXX";
	cleanup_free char *router = NULL;
	cleanup_free char *cmd = NULL;
	double one;
	double many;
	double bare;

	ninst = argc > 1 ? atoi(argv[1]) : 200;
	nrules = argc > 2 ? atoi(argv[2]) : 1000;
	if (geteuid() != 0 || ninst < 6 || nrules < 2) {
		fprintf(stderr, "usage (as root): bench_network [INSTANCES>=6 [RULES>=2]]\n");
		return 2;
	}
	m = xcalloc((size_t)ninst, sizeof(*m));
	tags = xcalloc((size_t)ninst, sizeof(*tags));
	fds = xcalloc((size_t)ninst, sizeof(*fds));
	names = xcalloc((size_t)ninst, sizeof(*names));
	/* The rules, the stream's allow, a spare place for one inserted. */
	rules = xcalloc((size_t)nrules + 2, sizeof(*rules));
	v = xcalloc((size_t)ninst + RUNS, sizeof(*v));
	tables = stim_nft_state_new();
	network = 0x5be0000000LL + getpid();
	router = stim_vpc_router_name(network);
	for (int i = 0; i < ninst; i++) {
		names[i] = ns_name("i", i);
		stim_strv_push(&tags[i], tag(i));
		stim_strv_push(&tags[i], tag(i + 7));
		m[i] = (struct stim_fw_member){ IP(10, 0, 0, 2) + (uint32_t)i, i + 1, &tags[i],
						NULL };
		if (stim_netns_create(names[i], &err) < 0 ||
		    (fds[i] = stim_netns_open(names[i], &err)) < 0)
			die(names[i], err);
	}
	for (int i = 0; i < nrules; i++)
		make_rule(&rules[i], i, 100 + i, 1000 + i);
	stim_strv_push(&other_tags, tag(3));
	stim_strv_push(&other_tags, tag(9));
	/* Last and lowest: what lets the stream through. */
	{
		static const char allow[] = "{\"name\":\"stream\",\"priority\":65000,\"allowed\":[{"
					    "\"IPProtocol\":\"tcp\",\"ports\":[\"5201\"]}]}";
		cleanup_json json_t *body = stim_json_parse_body(allow, strlen(allow), &err);

		if (body == NULL || stim_firewall_from_json(body, &rules[nrules], &err) < 0)
			die("allow rule", err);
	}

	printf("VPC data path: %d instances, %d rules\n", ninst, nrules);
	/* The router, made as the daemon makes it. */
	{
		struct stim_fw_ruleset rs;

		if (stim_fw_compile(&rules[nrules], 1, m, (size_t)ninst, &rs, &err) < 0 ||
		    stim_vpc_firewall_apply(network, &rs, m, (size_t)ninst, true, &err) < 0 ||
		    (router_fd = stim_netns_open(router, &err)) < 0)
			die("router", err);
		stim_fw_ruleset_fini(&rs);
	}
	for (int i = 0; i < ninst; i++) {
		struct stim_vpc_nic nic = { .network_id = network,
					    .subnet_id = 1,
					    .instance_id = i + 1,
					    .range = { IP(10, 0, 0, 0), 16 },
					    .ip = m[i].addr,
					    .mtu = 1460 };
		double t0 = now_ms();

		if (stim_vpc_attach(&nic, fds[i], &err) < 0)
			die("attach", err);
		v[i] = now_ms() - t0;
	}
	percentiles("NIC plumbing per instance (stim_vpc_attach)", v, (size_t)ninst);
	ip_link_add_ms();

	cmd = xasprintf("on a network of %d rules x %d instances (compile, build, commit):", nrules,
			ninst);
	printf("%s\n", cmd);
	changes("  the whole firewall made afresh", step_afresh, 0);
	changes("  a rule's ports changed", step_ports, 0);
	changes("  a rule's priority changed (it moves past 300)", step_priority, 0);
	{
		double ins[RUNS];
		double del[RUNS];

		for (int k = 0; k < RUNS; k++) {
			step_insert(k);
			ins[k] = apply_ms(rules, (size_t)nrules + 2, m, (size_t)ninst, NULL);
			del[k] = apply_ms(rules, (size_t)nrules + 1, m, (size_t)ninst, NULL);
		}
		percentiles("  a rule inserted in the middle", ins, RUNS);
		percentiles("  a rule deleted", del, RUNS);
	}
	changes("  an instance's tags changed", step_tags, 0);
	store_read();
	{
		int fd = mkstemp(dump);
		cleanup_free char *list = NULL;
		cleanup_free char *load = NULL;

		close(fd);
		list = xasprintf("ip netns exec %s nft list ruleset > %s", router, dump);
		load = xasprintf("ip netns exec %s nft -f %s", router, dump);
		if (system(list) != 0)
			die("nft list ruleset", NULL);
		/* Loading it again replaces nothing: the dump begins with
		 * its tables, so a flush first, as an apply would. */
		for (int i = 0; i < 10; i++) {
			cleanup_free char *flush =
				xasprintf("ip netns exec %s nft flush ruleset", router);
			double t0;

			if (system(flush) != 0)
				die("nft flush", NULL);
			t0 = now_ms();
			if (system(load) != 0)
				die("nft -f", NULL);
			v[i] = now_ms() - t0;
		}
		unlink(dump);
		percentiles("baseline: `nft -f` of the same ruleset (one process)", v, 10);
		/* Its tables are not the ones the bench made. */
		stim_nft_state_reset(tables);
	}

	apply_ms(&rules[nrules], 1, m, (size_t)ninst, NULL);
	one = throughput(fds[0], fds[1], m[1].addr);
	apply_ms(rules, (size_t)nrules + 1, m, (size_t)ninst, NULL);
	many = throughput(fds[0], fds[1], m[1].addr);
	bare = bare_veth();
	printf("TCP, one stream of %lld MiB between two instances of a subnet:\n",
	       STREAM_BYTES >> 20);
	printf("  1 rule              %6.2f Gbit/s  (%3.0f%% of the bare veth)\n", one,
	       100 * one / bare);
	printf("  %-5d rules before it %5.2f Gbit/s  (%3.0f%%)\n", nrules, many, 100 * many / bare);
	printf("  baseline: bare veth %6.2f Gbit/s\n", bare);

	for (int i = 0; i < ninst; i++) {
		close(fds[i]);
		stim_netns_delete(names[i], &err);
		free(names[i]);
		stim_strv_fini(&tags[i]);
	}
	if (stim_vpc_router_remove(network, &err) < 0)
		die("router", err);
	for (int i = 0; i <= nrules + 1; i++)
		stim_firewall_fini(&rules[i]);
	free(rules);
	close(router_fd);
	stim_nft_state_free(tables);
	stim_strv_fini(&other_tags);
	free(m);
	free(tags);
	free(fds);
	free(names);
	free(v);
	return 0;
}
