/* An instance on the host: its files, its PID 1's configuration, the
 * sandbox it boots in and how it is ended (see instances_internal.h). */
#include "src/instances_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "images/images.h"
#include "sandbox/cgroup.h"
#include "netns/vpc.h"
#include "sandbox/spawn.h"
#include "src/cleanup.h"
#include "src/addresses.h"
#include "src/compute_catalog.h"
#include "src/external_ips.h"
#include "src/firewall_log.h"
#include "src/log.h"
#include "src/metadata_server.h"
#include "src/networks.h"
#include "src/procfs.h"
#include "src/store_addresses.h"
#include "src/store_instances.h"
#include "src/store_networks.h"
#include "src/supervisor.h"
#include "src/util.h"
#include "src/vpc_firewall.h"

/* An instance's own fork bomb stops here, not at the host's limit. */
#define INSTANCE_PIDS_MAX 16384
/* GCE gives shutdown scripts 90 s; a stop waits that long and a bit. */
#define SHUTDOWN_GRACE_S 90

static char *instance_dir(const struct stim_ctx *ctx, int64_t id)
{
	return xasprintf("%s/instances/%lld", ctx->cfg->data_dir, (long long)id);
}

/* The script a metadata key names: the instance's own, else the
 * project's (GCE looks in both, the instance first). */
static const char *script(const struct stim_labels *mine, const struct stim_labels *project,
			  const char *key)
{
	const char *v = stim_labels_get(mine, key);

	return v != NULL ? v : stim_labels_get(project, key);
}

/* A bind over the guest layer's /usr hides its sudo: the host image's
 * /usr is the host's. Where the host has a sudo there (setuid, and so
 * powerless under no_new_privs), the guest layer's is bound over it;
 * where it has none, the instance has none, as it lacks whatever else the
 * host lacks. binds holds img's; their new number. *path keeps the
 * source alive for the caller. */
static size_t guest_sudo_over_binds(const struct stim_ctx *ctx, const struct stim_image_layout *img,
				    struct stim_sandbox_bind *binds, char **path)
{
	size_t n = img->nbinds;

	if (ctx->guest_layer == NULL || n >= STIM_SANDBOX_BINDS_MAX)
		return n;
	for (size_t i = 0; i < img->nbinds; i++) {
		cleanup_free char *theirs = xasprintf("%s/bin/sudo", img->binds[i].source);

		if (strcmp(img->binds[i].target, "usr") != 0 || access(theirs, F_OK) < 0)
			continue;
		*path = xasprintf("%s/usr/bin/sudo", ctx->guest_layer);
		binds[n++] =
			(struct stim_sandbox_bind){ .source = *path, .target = "usr/bin/sudo" };
		break;
	}
	return n;
}

/* stim-init's configuration on a memfd (sandbox/init.h). */
static int init_config(struct stim_ctx *ctx, const struct stim_instance *in, stim_error_t *err)
{
	struct stim_compute_metadata pm = { 0 };
	struct stim_project p;
	cleanup_free char *text = NULL;
	const char *s;
	json_t *j;
	int fd;

	if (stim_compute_project_get(ctx, in->project, &p, &pm, err) < 0)
		return -1;
	stim_project_fini(&p);
	j = json_pack("{s:s, s:i}", "hostname", in->name, "shutdownGraceSeconds", SHUTDOWN_GRACE_S);
	/* On a network, stim-init reads its scripts from the metadata
	 * server when they are to run; the config carries them only for an
	 * instance without one. */
	if (in->nic.network != NULL) {
		json_object_set_new(j, "metadataServer", json_true());
	} else {
		s = script(&in->metadata, &pm.items, "startup-script");
		if (s != NULL)
			json_object_set_new(j, "startupScript", json_string(s));
		s = script(&in->metadata, &pm.items, "shutdown-script");
		if (s != NULL)
			json_object_set_new(j, "shutdownScript", json_string(s));
	}
	stim_compute_metadata_fini(&pm);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	fd = memfd_create("stim-init-config", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return stim_err_sys(err, e, "write the init config");
	}
	return fd;
}

static int mkdir_p2(const char *a, const char *b, stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", a, b);

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", path);
	return 0;
}

char *stim_instance_console_path(const struct stim_ctx *ctx, int64_t id)
{
	return xasprintf("%s/instances/%lld/console", ctx->cfg->data_dir, (long long)id);
}

/* Hands PID 1 (its pidfd, taken) to the supervisor. Unwatched, an
 * instance still runs; it is only noticed late when it ends by itself. */
void stim_instance_watch(struct stim_ctx *ctx, const struct stim_instance *in, int pidfd)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *console = stim_instance_console_path(ctx, in->id);
	struct stim_exit who = { .id = in->id,
				 .project = in->project,
				 .zone = in->zone,
				 .name = in->name,
				 .pid = in->pid,
				 .pid_start = in->pid_start };

	if (ctx->supervisor == NULL) {
		close(pidfd);
		return;
	}
	if (stim_supervisor_watch(ctx->supervisor, &who, pidfd, console, &err) < 0)
		STIM_LOG_W("instance %s: %s", in->name, err->msg);
}

/* The NIC's part of a start: what the instance's row names, resolved to
 * the host's terms (ids, range, MTU). */
static int nic_of(struct stim_ctx *ctx, const struct stim_instance *in, struct stim_vpc_nic *out,
		  stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_network net;
	struct stim_subnetwork sub;

	if (db == NULL || stim_store_network_get(db, in->project, in->nic.network, &net, err) < 0)
		return -1;
	if (stim_store_subnet_get(db, in->project, in->nic.region, in->nic.subnet, &sub, err) < 0) {
		stim_network_fini(&net);
		return -1;
	}
	out->network_id = net.id;
	out->subnet_id = sub.id;
	out->instance_id = in->id;
	out->range = sub.range;
	out->ip = in->nic.ip;
	out->mtu = net.mtu;
	stim_network_fini(&net);
	stim_subnetwork_fini(&sub);
	return 0;
}

void stim_instance_network_services(struct stim_ctx *ctx, const struct stim_instance *in)
{
	cleanup_error stim_error_t err = NULL;

	if (stim_metadata_server_ensure(ctx, in->project, in->nic.network, &err) < 0)
		STIM_LOG_W("network %s: no metadata server: %s", in->nic.network, err->msg);
	stim_error_free(steal_pointer(&err));
	if (stim_firewall_log_ensure(ctx, in->project, in->nic.network, &err) < 0)
		STIM_LOG_W("network %s: no firewall log: %s", in->nic.network, err->msg);
}

/* sandbox's before_exec: the NIC into the new instance's namespace. */
static int attach_nic(void *arg, pid_t pid, stim_error_t *err)
{
	const struct stim_vpc_nic *nic = arg;
	cleanup_free char *path = xasprintf("/proc/%d/ns/net", (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return stim_err_sys(err, errno, "open %s", path);
	return stim_vpc_attach(nic, fd, err);
}

/* A stopped instance's ephemeral external IP goes back to the pool, as on
 * GCE (a static address stays its own). Whether one went. */
static bool release_ephemeral(struct stim_db *db, const struct stim_instance *in)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_instance copy = *in;
	struct stim_address a;

	if (in->nic.external_ip == 0)
		return false;
	if (stim_store_address_at(db, in->nic.external_ip, &a, &err) == 0) {
		stim_address_fini(&a);
		return false;
	}
	copy.nic.external_ip = 0;
	if (err->code != STIM_NOT_FOUND ||
	    stim_store_instance_set_external_ip(db, &copy, &err) < 0) {
		STIM_LOG_W("instance %s: %s", in->name, err->msg);
		return false;
	}
	return true;
}

/* A start of an instance with an access config and no external IP (its
 * ephemeral one went at the stop) takes a new one. */
static int take_ephemeral(struct stim_ctx *ctx, struct stim_instance *in, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	const struct stim_region *region = stim_compute_zone_region(in->zone);

	if (!in->nic.access_config || in->nic.external_ip != 0 || region == NULL)
		return 0;
	db = stim_store_db(ctx->store, err);
	tx = db != NULL ? stim_tx_begin(db, err) : NULL;
	if (tx == NULL ||
	    stim_external_ip_take(db, ctx->cfg, NULL, "natIP", in->project, region->name,
				  &in->nic.external_ip, err) < 0 ||
	    stim_store_instance_set_external_ip(db, in, err) < 0)
		return -1;
	return stim_tx_commit(steal_pointer(&tx), err);
}

void stim_instance_vpc_release(struct stim_ctx *ctx, const struct stim_instance *in)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_db struct stim_db *db = NULL;
	cleanup_free char *user = NULL;
	struct stim_network net;
	bool released;

	if (in->nic.network == NULL)
		return;
	db = stim_store_db(ctx->store, &err);
	released = db != NULL && release_ephemeral(db, in);
	if (db == NULL ||
	    stim_store_instance_on_network(db, in->project, in->nic.network, NULL, NULL, true,
					   &user, &err) < 0 ||
	    stim_store_network_get(db, in->project, in->nic.network, &net, &err) < 0) {
		STIM_LOG_W("instance %s: %s", in->name, err->msg);
		return;
	}
	/* Host work, not under the store. */
	stim_db_release(steal_pointer(&db));
	if (user == NULL) {
		stim_metadata_server_stop(net.id);
		stim_firewall_log_stop(net.id);
	}
	if (user == NULL && stim_vpc_router_remove(net.id, &err) < 0)
		STIM_LOG_W("network %s: %s", net.name, err->msg);
	/* The router stays for the others: the address leaves its NAT. */
	if (user != NULL && released)
		stim_vpc_firewall_refresh(ctx, in->project, in->nic.network);
	stim_network_fini(&net);
}

/* The host work of a start: image, cgroup, init config, console, spawn.
 * On success the instance's pid and start time are set. */
int stim_instance_boot(struct stim_ctx *ctx, struct stim_instance *in,
		       const struct stim_image_progress *progress, stim_error_t *err)
{
	cleanup_free char *dir = instance_dir(ctx, in->id);
	cleanup_free char *disk = xasprintf("%s/disk", dir);
	cleanup_free char *root = xasprintf("%s/root", dir);
	cleanup_free char *console_file = stim_instance_console_path(ctx, in->id);
	cleanup_free char *cg_name = xasprintf("stim-i-%lld", (long long)in->id);
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	cleanup_close int config = -1;
	cleanup_close int console = -1;
	cleanup_close int exe = -1;
	const struct stim_machine_type *mt = stim_compute_machine_type_find(in->machine_type);
	struct stim_image_layout img;
	cleanup_free char *lower = NULL;
	cleanup_free char *guest_sudo = NULL;
	struct stim_sandbox_bind binds[STIM_SANDBOX_BINDS_MAX];
	struct stim_sandbox sb;
	char *argv[] = { "stim-init", NULL };
	char *envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			 "HOME=/root", NULL };
	struct stim_sandbox_config c = { 0 };
	struct stim_vpc_nic nic;

	if (ctx->init_path == NULL)
		return stim_err(err, STIM_FAILED_PRECONDITION,
				"this build has no stim-init beside the daemon: instances cannot "
				"start");
	if (mkdir_p2(ctx->cfg->data_dir, "instances", err) < 0)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", dir);
	if (mkdir_p2(dir, "root", err) < 0)
		return -1;
	if (stim_image_prepare(ctx->cfg->data_dir, in->image, progress, ctx->cfg->userns_base, &img,
			       err) < 0)
		return -1;
	if (ctx->cgroups != NULL && mt != NULL) {
		struct stim_cgroup_limits lim = { .memory_bytes = (uint64_t)mt->memory_mb << 20,
						  .cpu_milli = (uint32_t)mt->cpu_milli,
						  .pids = INSTANCE_PIDS_MAX };

		cg = stim_cgroup_create(ctx->cgroups, cg_name, &lim, err);
		if (cg == NULL)
			return -1;
	}
	config = init_config(ctx, in, err);
	if (config < 0)
		goto fail;
	console = open(console_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	exe = open(ctx->init_path, O_PATH | O_CLOEXEC);
	if (console < 0 || exe < 0) {
		stim_err_sys(err, errno, "open %s", console < 0 ? console_file : ctx->init_path);
		goto fail;
	}
	c.hostname = in->name;
	/* The guest layer tops the image (its sudo over the image's). */
	lower = ctx->guest_layer != NULL ? xasprintf("%s:%s", ctx->guest_layer, img.lower)
					 : xstrdup(img.lower);
	c.lower = lower;
	memcpy(binds, img.binds, img.nbinds * sizeof(binds[0]));
	c.binds = binds;
	c.nbinds = guest_sudo_over_binds(ctx, &img, binds, &guest_sudo);
	c.disk = disk;
	c.root = root;
	c.argv = argv;
	c.envp = envp;
	c.exec_fd = exe;
	c.stdout_fd = console;
	c.pass_fd = config;
	c.cgroup = cg;
	c.userns_base = ctx->cfg->userns_base;
	if (in->nic.network != NULL) {
		/* The network's router and firewall before the NIC, so the
		 * instance is never reachable unfiltered. */
		if (take_ephemeral(ctx, in, err) < 0 ||
		    stim_vpc_firewall_sync(ctx, in->project, in->nic.network, true, err) < 0 ||
		    nic_of(ctx, in, &nic, err) < 0)
			goto fail;
		stim_instance_network_services(ctx, in);
		c.before_exec = attach_nic;
		c.before_exec_arg = &nic;
	}
	if (stim_sandbox_start(&c, &sb, err) < 0)
		goto fail;
	in->pid = sb.pid;
	if (stim_procfs_pid_start_time(sb.pid, &in->pid_start, err) < 0) {
		close(sb.pidfd);
		goto fail;
	}
	in->last_start_time_ms = stim_now_ms();
	free(in->status_message);
	in->status_message = NULL;
	stim_instance_watch(ctx, in, sb.pidfd);
	return 0;
fail:
	if (cg != NULL) {
		cleanup_error stim_error_t cerr = NULL;

		stim_cgroup_kill(cg, &cerr);
		stim_error_free(steal_pointer(&cerr));
		stim_cgroup_destroy(cg, &cerr);
	}
	return -1;
}

/* Ends the instance's processes: SIGTERM to its PID 1 (stim-init runs the
 * shutdown script, then ends the rest), up to the grace period, then the
 * cgroup's kill. The pid is only trusted while its start time matches:
 * after a restart of the host or a reuse of the number it is not ours. */
void stim_instance_halt(struct stim_ctx *ctx, const struct stim_instance *in)
{
	cleanup_free char *cg_name = xasprintf("stim-i-%lld", (long long)in->id);
	cleanup_cgroup struct stim_cgroup *cg =
		ctx->cgroups != NULL ? stim_cgroup_open(ctx->cgroups, cg_name) : NULL;
	cleanup_error stim_error_t err = NULL;
	uint64_t start = 0;
	int pidfd = -1;

	/* This exit is the daemon's own doing: not one to report. */
	stim_supervisor_forget(ctx->supervisor, in->id);
	if (in->pid > 0 && stim_procfs_pid_start_time(in->pid, &start, &err) == 0 &&
	    start == in->pid_start)
		pidfd = (int)syscall(SYS_pidfd_open, in->pid, 0);
	stim_error_free(steal_pointer(&err));
	/* A suspended instance would sleep through its SIGTERM: thaw it. */
	if (cg != NULL && stim_cgroup_freeze(cg, false, &err) < 0)
		stim_error_free(steal_pointer(&err));
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
		if (poll(&p, 1, (SHUTDOWN_GRACE_S + 5) * 1000) <= 0)
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	}
	if (cg != NULL) {
		stim_cgroup_kill(cg, &err);
		stim_error_free(steal_pointer(&err));
	}
	/* Reap it if this daemon started it (after a restart it is not ours:
	 * ECHILD). Only the process the pidfd names: the pid alone may be
	 * another child's by now, and waiting on that one would hang. */
	if (pidfd >= 0) {
		siginfo_t info;

		waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED);
		close(pidfd);
	}
	if (cg != NULL && stim_cgroup_destroy(cg, &err) < 0)
		STIM_LOG_W("instance %s: %s", in->name, err->msg);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* The instance's files go with it (its boot disk is auto-delete). */
void stim_instance_remove_files(struct stim_ctx *ctx, int64_t id)
{
	cleanup_free char *dir = instance_dir(ctx, id);

	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whether the instance's PID 1 is the process it recorded (same pid, same
 * start time), so a reused pid is never taken for it. */
bool stim_instance_alive(const struct stim_instance *in)
{
	cleanup_error stim_error_t err = NULL;
	uint64_t start = 0;

	return in->pid > 0 && stim_procfs_pid_start_time(in->pid, &start, &err) == 0 &&
	       start == in->pid_start;
}
