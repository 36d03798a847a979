/* Root test of the VPC plumbing (netns/): a network is a router namespace
 * with a bridge per subnet holding the gateway address; "instances" (here
 * plain named namespaces) get a veth whose inner end is ens4 with an
 * address and a default route. Real packets: two instances on one subnet
 * reach each other, an instance on another subnet is reached through the
 * router, and a second network with the same range is a world apart.
 * Every namespace is stimtest-*-PID and removed at the end. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "netns/link.h"
#include "netns/netns.h"
#include "src/cleanup.h"
#include "src/util.h"

#define MTU 1460

static char names[6][48];
static const char *const roles[] = { "r1", "r2", "a", "b", "c", "d" };
enum { R1, R2, A, B, C, D };

static uint32_t ip(const char *s)
{
	unsigned a, b, c, d;

	assert_int_equal(sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
	return a << 24 | b << 16 | c << 8 | d;
}

static int nsfd(int which)
{
	cleanup_error stim_error_t err = NULL;
	int fd = stim_netns_open(names[which], &err);

	if (fd < 0)
		fail_msg("open %s: %s", names[which], err->msg);
	return fd;
}

/* A subnet's bridge in a router: br<name> with the gateway address. */
static void bridge(int router, const char *name, const char *gateway, int prefix)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_close int fd = nsfd(router);
	struct nl_sock *sk = stim_link_socket(fd, &err);

	if (sk == NULL || stim_link_bridge_add(sk, name, MTU, &err) < 0 ||
	    stim_link_addr_add(sk, name, ip(gateway), prefix, &err) < 0)
		fail_msg("bridge %s: %s", name, err->msg);
	stim_link_socket_free(sk);
}

/* An instance's NIC: a veth from the router's bridge to ens4 inside. */
static void nic(int router, const char *bridge_name, int inst, const char *addr,
		const char *gateway)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_close int rfd = nsfd(router);
	cleanup_close int ifd = nsfd(inst);
	cleanup_free char *host_end = xasprintf("v%s", roles[inst]);
	struct nl_sock *rsk = stim_link_socket(rfd, &err);
	struct nl_sock *isk = NULL;

	if (rsk == NULL ||
	    stim_link_veth_add(rsk, host_end, bridge_name, "ens4", ifd, MTU, &err) < 0)
		fail_msg("veth %s: %s", host_end, err->msg);
	isk = stim_link_socket(ifd, &err);
	if (isk == NULL || stim_link_addr_add(isk, "ens4", ip(addr), 24, &err) < 0 ||
	    stim_link_up(isk, "ens4", &err) < 0 || stim_link_up(isk, "lo", &err) < 0 ||
	    stim_link_default_route(isk, ip(gateway), &err) < 0)
		fail_msg("ens4 in %s: %s", names[inst], err->msg);
	stim_link_socket_free(rsk);
	stim_link_socket_free(isk);
}

/* Whether one ping from inside `from` reaches addr. */
static bool ping(int from, const char *addr)
{
	int fd = nsfd(from);
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (setns(fd, CLONE_NEWNET) < 0)
			_exit(2);
		dup2(null, 1);
		dup2(null, 2);
		execl("/bin/busybox", "ping", "-c", "1", "-W", "1", addr, (char *)NULL);
		_exit(3);
	}
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int setup(void **state)
{
	cleanup_error stim_error_t err = NULL;

	for (size_t i = 0; i < 6; i++) {
		snprintf(names[i], sizeof(names[i]), "stimtest-%s-%d", roles[i], (int)getpid());
		if (stim_netns_create(names[i], &err) < 0) {
			print_error("create %s: %s\n", names[i], err->msg);
			return -1;
		}
	}
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < 6; i++) {
		cleanup_error stim_error_t err = NULL;

		if (stim_netns_delete(names[i], &err) < 0)
			print_error("delete %s: %s\n", names[i], err->msg);
	}
	return 0;
}

static void test_vpc(void **state)
{
	cleanup_error stim_error_t err = NULL;

	/* Network 1: subnets 10.0.0.0/24 and 10.1.0.0/24, forwarding. */
	bridge(R1, "br0", "10.0.0.1", 24);
	bridge(R1, "br1", "10.1.0.1", 24);
	{
		cleanup_close int fd = nsfd(R1);

		assert_int_equal(stim_netns_sysctl(fd, "ipv4/ip_forward", "1", &err), 0);
	}
	nic(R1, "br0", A, "10.0.0.2", "10.0.0.1");
	nic(R1, "br0", B, "10.0.0.3", "10.0.0.1");
	nic(R1, "br1", C, "10.1.0.2", "10.1.0.1");
	/* Network 2 uses network 1's range: its own world. */
	bridge(R2, "br0", "10.0.0.1", 24);
	nic(R2, "br0", D, "10.0.0.3", "10.0.0.1");

	assert_true(ping(A, "10.0.0.1"));  /* the gateway */
	assert_true(ping(A, "10.0.0.3"));  /* same subnet, over the bridge */
	assert_true(ping(C, "10.0.0.2"));  /* another subnet, through the router */
	assert_true(ping(D, "10.0.0.3"));  /* itself, in network 2 */
	assert_false(ping(D, "10.0.0.2")); /* network 1's a is not there */
	assert_false(ping(A, "10.9.9.9")); /* nothing beyond */
}

static void test_names(void **state)
{
	cleanup_error stim_error_t err = NULL;

	assert_int_equal(stim_netns_create(names[R1], &err), -1);
	assert_int_equal(err->code, STIM_ALREADY_EXISTS);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_netns_open("stimtest-missing", &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_netns_create("../etc", &err), -1);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_netns_delete("stimtest-missing", &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vpc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_netns: needs root, skipping\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
