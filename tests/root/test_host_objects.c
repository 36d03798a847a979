/* Root test of gc: one host object of each kind under a unique prefix, found and removed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

/* After <netinet/in.h> (pulled in by libnl), which the uapi headers defer to. */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "src/cleanup.h"
#include "src/commands.h"
#include "src/error.h"
#include "src/host_objects.h"
#include "src/host_objects_internal.h"
#include "src/host_probe.h"
#include "src/procfs.h"
#include "src/util.h"

/* Every name below starts with the prefix "stimt<pid>", so the test only ever
 * sees and removes its own objects, even next to a running daemon. */
struct fixture {
	char *prefix;
	char *netns;
	char *netns_path;
	char *veth_a;
	char *veth_b;
	char *table;
	char *data_dir;
	char *mnt;
	char *mnt_inner;
	char *cg2;	 /* in the cgroup2 hierarchy, holds the sleeper's leaf; or NULL */
	char *cg2_inner; /* "inner": no prefix, found because it is inside cg2 */
	char *cg1;	 /* in the v1 memory hierarchy, where there is one; or NULL */
	pid_t sleeper;	 /* a child of ours in one of the cgroups */
};

/* Set-up helpers (plain syscalls and libraries, not the code under test) */

static int write_file(const char *path, const char *text)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -errno;
	return 0;
}

/* The directory of this process's cgroup in the hierarchy that carries
 * controller (NULL: cgroup2), found as doctor finds it. NULL when there is
 * no such hierarchy or our place in it is not reachable. */
static char *own_cgroup_dir(const char *mountinfo, const char *self, const char *controller)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_mountinfo struct stim_mountinfo m = { 0 };
	char own[STIM_CGROUP_PATH_MAX];
	char dir[STIM_CGROUP_PATH_MAX];

	if (stim_probe_mountinfo_cgroup(mountinfo, controller, &m, &err) < 0 ||
	    stim_probe_self_cgroup(self, controller, own, sizeof(own), &err) < 0 ||
	    stim_probe_cgroup_dir(m.mount_point, m.root, own, dir, sizeof(dir), &err) < 0)
		return NULL;
	return xstrdup(dir);
}

/* Finds the cgroup2 hierarchy and, on a hybrid host, the v1 memory one. */
static void own_cgroups(char **v2, char **v1_memory)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *mountinfo = NULL;
	cleanup_free char *self = NULL;

	assert_int_equal(stim_procfs_read("/proc/self/mountinfo", 64 << 20, &mountinfo, &err), 0);
	assert_int_equal(stim_procfs_read("/proc/self/cgroup", 1 << 20, &self, &err), 0);
	*v2 = own_cgroup_dir(mountinfo, self, NULL);
	*v1_memory = own_cgroup_dir(mountinfo, self, "memory");
}

static bool is_mounted(const char *path)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_mountinfo *mi = NULL;
	size_t n = 0;
	bool found = false;

	assert_int_equal(stim_mountinfo_read(&mi, &n, &err), 0);
	for (size_t i = 0; i < n; i++)
		found = found || strcmp(mi[i].mount_point, path) == 0;
	stim_mountinfo_free(mi, n);
	return found;
}

/* A named netns as `ip netns add` makes one: a child unshares its network
 * namespace and we bind-mount its ns file onto /run/netns/<name>. */
static int make_netns(const char *path)
{
	int ready[2];
	int hold[2];
	char c = 0;
	char src[64];
	pid_t pid;
	int fd;
	int ret = 0;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		/* Stay until the parent has bound the namespace. */
		if (read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &c, 1) != 1)
		ret = -ECHILD;
	if (ret == 0 && mkdir(STIM_NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		ret = -errno;
	if (ret == 0) {
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (fd < 0)
			ret = -errno;
		else
			close(fd);
	}
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
	if (ret == 0 && mount(src, path, NULL, MS_BIND, NULL) < 0)
		ret = -errno;
	close(ready[0]);
	close(hold[1]);
	waitpid(pid, NULL, 0);
	return ret;
}

static int make_veth(const char *a, const char *b)
{
	struct nl_sock *sock = nl_socket_alloc();
	int ret;

	if (sock == NULL)
		return -NLE_NOMEM;
	ret = nl_connect(sock, NETLINK_ROUTE);
	/* Both ends stay in our (the root) namespace. */
	if (ret == 0)
		ret = rtnl_link_veth_add(sock, a, b, getpid());
	nl_socket_free(sock);
	return ret;
}

static bool link_exists(const char *name)
{
	struct nl_sock *sock = nl_socket_alloc();
	struct rtnl_link *link = NULL;
	int ret;

	assert_non_null(sock);
	assert_int_equal(nl_connect(sock, NETLINK_ROUTE), 0);
	ret = rtnl_link_get_kernel(sock, 0, name, &link);
	if (link != NULL)
		rtnl_link_put(link);
	nl_socket_free(sock);
	return ret == 0;
}

static int delete_link(const char *name)
{
	struct nl_sock *sock = nl_socket_alloc();
	struct rtnl_link *link = rtnl_link_alloc();
	int ret;

	ret = nl_connect(sock, NETLINK_ROUTE);
	rtnl_link_set_name(link, name);
	if (ret == 0)
		ret = rtnl_link_delete(sock, link);
	rtnl_link_put(link);
	nl_socket_free(sock);
	return ret;
}

/* One nftables request on an inet table: NEWTABLE and DELTABLE in a batch
 * (nf_tables takes changes only so), GETTABLE alone. Returns 0 or -errno. */
static int nft_table_request(uint16_t type, const char *name)
{
	char buf[8192];
	struct mnl_socket *nl;
	struct nftnl_table *t = nftnl_table_alloc();
	struct mnl_nlmsg_batch *batch = NULL;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL);
	uint32_t req_seq;
	uint32_t portid;
	const void *msg;
	size_t msglen;
	ssize_t len;
	int ret = 0;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	if (type == NFT_MSG_GETTABLE) {
		req_seq = seq;
		nlh = nftnl_table_nlmsg_build_hdr(buf, type, NFPROTO_INET, NLM_F_ACK, seq);
		nftnl_table_nlmsg_build_payload(nlh, t);
		msg = nlh;
		msglen = nlh->nlmsg_len;
	} else {
		uint16_t flags = type == NFT_MSG_NEWTABLE ? NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK
							  : NLM_F_ACK;

		batch = mnl_nlmsg_batch_start(buf, sizeof(buf));
		nftnl_batch_begin(mnl_nlmsg_batch_current(batch), seq++);
		mnl_nlmsg_batch_next(batch);
		req_seq = seq;
		nlh = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch), type,
						  NFPROTO_INET, flags, seq++);
		nftnl_table_nlmsg_build_payload(nlh, t);
		mnl_nlmsg_batch_next(batch);
		nftnl_batch_end(mnl_nlmsg_batch_current(batch), seq++);
		mnl_nlmsg_batch_next(batch);
		msg = mnl_nlmsg_batch_head(batch);
		msglen = mnl_nlmsg_batch_size(batch);
	}
	nftnl_table_free(t);

	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, msg, msglen) < 0)
		ret = -errno;
	portid = mnl_socket_get_portid(nl);
	while (ret == 0) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0) {
			ret = -errno;
			break;
		}
		len = mnl_cb_run(buf, (size_t)len, req_seq, portid, NULL, NULL);
		if (len < 0)
			ret = -errno;
		if (len <= 0)
			break;
	}
	if (batch != NULL)
		mnl_nlmsg_batch_stop(batch);
	mnl_socket_close(nl);
	return ret;
}

static int mount_tmpfs(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mount("stimtest", path, "tmpfs", MS_NODEV | MS_NOSUID, "size=64k") < 0)
		return -errno;
	return 0;
}

static pid_t start_sleeper(const char *cgroup)
{
	cleanup_free char *procs = xasprintf("%s/cgroup.procs", cgroup);
	char pidbuf[32];
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	if (write_file(procs, pidbuf) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("cannot move the sleeper into %s", cgroup);
	}
	return pid;
}

/* Fixture */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	cleanup_free char *v2 = NULL;
	cleanup_free char *v1 = NULL;

	if (f == NULL)
		return -1;
	f->prefix = xasprintf("stimt%d", (int)getpid());
	f->netns = xasprintf("%sns", f->prefix);
	f->netns_path = xasprintf("%s/%s", STIM_NETNS_RUN_DIR, f->netns);
	f->veth_a = xasprintf("%sa", f->prefix);
	f->veth_b = xasprintf("%sb", f->prefix);
	f->table = xasprintf("%st", f->prefix);
	/* The data dir's own name carries the prefix too, but a data dir is
	 * never an object itself; what matters is what is mounted below it. */
	f->data_dir = xasprintf("/tmp/%sdata", f->prefix);
	f->mnt = xasprintf("%s/m", f->data_dir);
	f->mnt_inner = xasprintf("%s/m/n", f->data_dir);
	own_cgroups(&v2, &v1);
	if (v2 != NULL) {
		f->cg2 = xasprintf("%s/%scg", v2, f->prefix);
		f->cg2_inner = xasprintf("%s/inner", f->cg2);
	}
	if (v1 != NULL)
		f->cg1 = xasprintf("%s/%scg", v1, f->prefix);
	*state = f;
	return 0;
}

/* Undoes everything by name, whatever the test got to; errors are expected
 * for what the test already removed. */
static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->sleeper > 0) {
		kill(f->sleeper, SIGKILL);
		waitpid(f->sleeper, NULL, 0);
	}
	if (f->cg2 != NULL) {
		rmdir(f->cg2_inner);
		rmdir(f->cg2);
	}
	if (f->cg1 != NULL)
		rmdir(f->cg1);
	umount2(f->mnt_inner, MNT_DETACH);
	umount2(f->mnt, MNT_DETACH);
	rmdir(f->mnt);
	rmdir(f->data_dir);
	umount2(f->netns_path, MNT_DETACH);
	unlink(f->netns_path);
	delete_link(f->veth_a);
	nft_table_request(NFT_MSG_DELTABLE, f->table);
	free(f->prefix);
	free(f->netns);
	free(f->netns_path);
	free(f->veth_a);
	free(f->veth_b);
	free(f->table);
	free(f->data_dir);
	free(f->mnt);
	free(f->mnt_inner);
	free(f->cg2);
	free(f->cg2_inner);
	free(f->cg1);
	free(f);
	return 0;
}

/* Tests */

static ssize_t find_object(const struct stim_host_object *v, size_t n,
			   enum stim_host_object_kind kind, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == kind && strcmp(v[i].name, name) == 0)
			return (ssize_t)i;
	}
	return -1;
}

static int run_gc(struct fixture *f, bool check)
{
	char *argv[] = { "gc", "--prefix", f->prefix, "--data-dir", f->data_dir, "--check", NULL };

	return stim_cmd_gc(check ? 6 : 5, argv);
}

static void test_finds_and_removes_all_kinds(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *table_name = xasprintf("inet %s", f->table);
	struct stim_host_object *v = NULL;
	size_t n = 0;
	size_t want = 0;
	int status = 0;

	/* Make one object of each kind. */
	assert_int_equal(make_netns(f->netns_path), 0);
	assert_int_equal(make_veth(f->veth_a, f->veth_b), 0);
	assert_int_equal(nft_table_request(NFT_MSG_NEWTABLE, f->table), 0);
	assert_int_equal(mkdir(f->data_dir, 0700), 0);
	assert_int_equal(mount_tmpfs(f->mnt), 0);
	assert_int_equal(mount_tmpfs(f->mnt_inner), 0);
	want = 6;
	if (f->cg2 != NULL) {
		assert_int_equal(mkdir(f->cg2, 0755), 0);
		assert_int_equal(mkdir(f->cg2_inner, 0755), 0);
		f->sleeper = start_sleeper(f->cg2_inner);
		want += 2;
	}
	if (f->cg1 != NULL) {
		assert_int_equal(mkdir(f->cg1, 0755), 0);
		want += 1;
	}
	assert_true(f->cg2 != NULL || f->cg1 != NULL);

	assert_int_equal(run_gc(f, true), 1);

	/* Exactly ours, in removal order. */
	{
		cleanup_error stim_error_t err = NULL;

		if (stim_host_objects_list(f->prefix, f->data_dir, &v, &n, &err) < 0)
			fail_msg("list: %s", err->msg);
	}
	for (size_t i = 0; i < n; i++)
		printf("# found %s %s\n", stim_host_object_kind_name(v[i].kind), v[i].name);
	assert_int_equal(n, want);
	assert_true(find_object(v, n, STIM_HOST_OBJECT_NETNS, f->netns) >= 0);
	assert_true(find_object(v, n, STIM_HOST_OBJECT_LINK, f->veth_a) >= 0);
	assert_true(find_object(v, n, STIM_HOST_OBJECT_LINK, f->veth_b) >= 0);
	assert_true(find_object(v, n, STIM_HOST_OBJECT_NFT_TABLE, table_name) >= 0);
	assert_true(find_object(v, n, STIM_HOST_OBJECT_MOUNT, f->mnt_inner) <
		    find_object(v, n, STIM_HOST_OBJECT_MOUNT, f->mnt));
	assert_true(find_object(v, n, STIM_HOST_OBJECT_MOUNT, f->mnt_inner) >= 0);
	if (f->cg2 != NULL) {
		assert_true(find_object(v, n, STIM_HOST_OBJECT_CGROUP, f->cg2_inner) >= 0);
		assert_true(find_object(v, n, STIM_HOST_OBJECT_CGROUP, f->cg2_inner) <
			    find_object(v, n, STIM_HOST_OBJECT_CGROUP, f->cg2));
	}
	if (f->cg1 != NULL)
		assert_true(find_object(v, n, STIM_HOST_OBJECT_CGROUP, f->cg1) >= 0);

	for (size_t i = 0; i < n; i++) {
		cleanup_error stim_error_t err = NULL;

		if (stim_host_object_remove(&v[i], &err) < 0)
			fail_msg("remove %s %s: %s", stim_host_object_kind_name(v[i].kind),
				 v[i].name, err->msg);
	}
	stim_host_objects_free(v, n);
	v = NULL;

	/* The library sees nothing more... */
	{
		cleanup_error stim_error_t err = NULL;

		if (stim_host_objects_list(f->prefix, f->data_dir, &v, &n, &err) < 0)
			fail_msg("list: %s", err->msg);
	}
	stim_host_objects_free(v, n);
	assert_int_equal(n, 0);

	/* ...and neither does anyone else. */
	assert_int_equal(access(f->netns_path, F_OK), -1);
	assert_false(link_exists(f->veth_a));
	assert_false(link_exists(f->veth_b));
	assert_int_equal(nft_table_request(NFT_MSG_GETTABLE, f->table), -ENOENT);
	assert_false(is_mounted(f->mnt));
	assert_false(is_mounted(f->mnt_inner));
	if (f->cg2 != NULL) {
		assert_int_equal(access(f->cg2, F_OK), -1);
		/* cgroup.kill, not a signal by PID, ended the sleeper. */
		assert_int_equal(waitpid(f->sleeper, &status, 0), f->sleeper);
		f->sleeper = 0;
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	if (f->cg1 != NULL)
		assert_int_equal(access(f->cg1, F_OK), -1);

	assert_int_equal(run_gc(f, true), 0);
	assert_int_equal(run_gc(f, false), 0);
}

static void test_v1_cgroup_with_processes_is_left_alone(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;

	if (f->cg1 == NULL)
		skip(); /* a pure cgroup2 host has no v1 hierarchy */
	assert_int_equal(mkdir(f->cg1, 0755), 0);
	f->sleeper = start_sleeper(f->cg1);

	assert_int_equal(stim_host_remove_cgroup(f->cg1, &err), -1);
	assert_int_equal(err->code, STIM_FAILED_PRECONDITION);
	assert_int_equal(kill(f->sleeper, 0), 0);
	assert_int_equal(access(f->cg1, F_OK), 0);
	assert_int_equal(run_gc(f, false), 1);
	assert_int_equal(kill(f->sleeper, 0), 0);
}

static void test_cgroup2_holding_the_caller_is_left_alone(void **state)
{
	struct fixture *f = *state;
	int status = 0;
	pid_t pid;

	if (f->cg2 == NULL)
		skip();
	assert_int_equal(mkdir(f->cg2, 0755), 0);
	/* The caller runs in a child, so that a broken check would kill only
	 * the child (and fail the test) rather than this test process. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		cleanup_free char *procs = xasprintf("%s/cgroup.procs", f->cg2);
		stim_error_t err = NULL;

		if (write_file(procs, "0") < 0)
			_exit(10);
		if (stim_host_remove_cgroup(f->cg2, &err) == 0)
			_exit(11);
		_exit(err->code == STIM_FAILED_PRECONDITION ? 0 : 12);
	}
	f->sleeper = pid;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	f->sleeper = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_finds_and_removes_all_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_cgroup_with_processes_is_left_alone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cgroup2_holding_the_caller_is_left_alone,
						setup, teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_host_objects: needs root, skipping\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
