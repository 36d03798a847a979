/* Compute Engine instances (see instances.h). */
#include "src/instances.h"

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
#include "sandbox/spawn.h"
#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/instances_internal.h"
#include "src/log.h"
#include "src/procfs.h"
#include "src/store_compute_ops.h"
#include "src/store_instances.h"
#include "src/util.h"
#include "src/workers.h"

#define NAME_MAX_LEN 63
/* GCE's limit on an instance's network tags. */
#define TAGS_MAX 64
/* An instance's own fork bomb stops here, not at the host's limit. */
#define INSTANCE_PIDS_MAX 16384
/* GCE gives shutdown scripts 90 s; a stop waits that long and a bit. */
#define SHUTDOWN_GRACE_S 90
#define SERIAL_MAX	 (1 << 20)

void stim_instance_fini(struct stim_instance *in)
{
	free(in->project);
	free(in->zone);
	free(in->name);
	free(in->status);
	free(in->status_message);
	free(in->machine_type);
	free(in->image);
	free(in->source_image);
	free(in->description);
	stim_labels_fini(&in->metadata);
	stim_labels_fini(&in->labels);
	stim_strv_fini(&in->tags);
	memset(in, 0, sizeof(*in));
}

/* GCE's names and network tags: RFC 1035 labels of 1 to 63 characters. */
static bool rfc1035(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= NAME_MAX_LEN && s[0] >= 'a' && s[0] <= 'z' && s[n - 1] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int stim_instance_name_check(const char *name, stim_error_t *err)
{
	if (!rfc1035(name))
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.name': '%s'. Must be a "
				       "match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
				       name);
	return 0;
}

int stim_instance_tags_check(const struct stim_strv *tags, stim_error_t *err)
{
	if (tags->n > TAGS_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.tags.items': at most %d "
				       "tags, %zu given.",
				       TAGS_MAX, tags->n);
	for (size_t i = 0; i < tags->n; i++) {
		if (!rfc1035(tags->v[i]))
			return stim_err_reason(
				err, STIM_INVALID_ARGUMENT, "invalid",
				"Invalid value for field 'resource.tags.items[%zu]': "
				"'%s'. Must be a match of regex "
				"'(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
				i, tags->v[i]);
	}
	return 0;
}

int stim_instance_machine_type_check(const char *given, const char *zone, const char **name,
				     stim_error_t *err)
{
	const char *mt = given != NULL ? stim_path_basename(given) : "";

	if (stim_compute_machine_type_find(mt) == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.machineType': '%s'. "
				       "Machine type with name '%s' does not exist in zone '%s'.",
				       given != NULL ? given : "", mt, zone);
	*name = mt;
	return 0;
}

const char *stim_instance_image_recipe(const char *source_image)
{
	const char *base;

	if (source_image == NULL)
		return "host";
	base = stim_path_basename(source_image);
	if (strcmp(base, "busybox") == 0)
		return "busybox";
	if (strcmp(base, "host") == 0)
		return "host";
	/* debian-12 and its family (gcloud's default) until the debian-12
	 * recipe exists: the host image is the best available. */
	if (strncmp(base, "debian-12", 9) == 0)
		return "host";
	return NULL;
}

static char *instance_dir(const struct stim_ctx *ctx, int64_t id)
{
	return xasprintf("%s/instances/%lld", ctx->cfg->data_dir, (long long)id);
}

static int set_state(struct stim_ctx *ctx, struct stim_instance *in, const char *status,
		     stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	free(in->status);
	in->status = xstrdup(status);
	return db != NULL ? stim_store_instance_set_state(db, in, err) : -1;
}

/* The script a metadata key names: the instance's own, else the
 * project's (GCE looks in both, the instance first). */
static const char *script(const struct stim_labels *mine, const struct stim_labels *project,
			  const char *key)
{
	for (size_t i = 0; i < mine->n; i++) {
		if (strcmp(mine->v[i].key, key) == 0)
			return mine->v[i].value;
	}
	for (size_t i = 0; i < project->n; i++) {
		if (strcmp(project->v[i].key, key) == 0)
			return project->v[i].value;
	}
	return NULL;
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
	s = script(&in->metadata, &pm.items, "startup-script");
	if (s != NULL)
		json_object_set_new(j, "startupScript", json_string(s));
	s = script(&in->metadata, &pm.items, "shutdown-script");
	if (s != NULL)
		json_object_set_new(j, "shutdownScript", json_string(s));
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

/* The host work of a start: image, cgroup, init config, console, spawn.
 * On success the instance's pid and start time are set. */
static int boot(struct stim_ctx *ctx, struct stim_instance *in, stim_error_t *err)
{
	cleanup_free char *dir = instance_dir(ctx, in->id);
	cleanup_free char *disk = xasprintf("%s/disk", dir);
	cleanup_free char *root = xasprintf("%s/root", dir);
	cleanup_free char *console_path = xasprintf("%s/console", dir);
	cleanup_free char *cg_name = xasprintf("stim-i-%lld", (long long)in->id);
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	cleanup_close int config = -1;
	cleanup_close int console = -1;
	cleanup_close int exe = -1;
	const struct stim_machine_type *mt = stim_compute_machine_type_find(in->machine_type);
	struct stim_image_layout img;
	struct stim_sandbox sb;
	char *argv[] = { "stim-init", NULL };
	char *envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			 "HOME=/root", NULL };
	struct stim_sandbox_config c = { 0 };

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
	if (stim_image_prepare(ctx->cfg->data_dir, in->image, &img, err) < 0)
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
	console = open(console_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	exe = open(ctx->init_path, O_PATH | O_CLOEXEC);
	if (console < 0 || exe < 0) {
		stim_err_sys(err, errno, "open %s", console < 0 ? console_path : ctx->init_path);
		goto fail;
	}
	c.hostname = in->name;
	c.lower = img.lower;
	c.binds = img.binds;
	c.nbinds = img.nbinds;
	c.disk = disk;
	c.root = root;
	c.argv = argv;
	c.envp = envp;
	c.exec_fd = exe;
	c.stdout_fd = console;
	c.pass_fd = config;
	c.cgroup = cg;
	if (stim_sandbox_start(&c, &sb, err) < 0)
		goto fail;
	close(sb.pidfd);
	in->pid = sb.pid;
	if (stim_procfs_pid_start_time(sb.pid, &in->pid_start, err) < 0)
		goto fail;
	in->last_start_time_ms = stim_now_ms();
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
static void halt(struct stim_ctx *ctx, const struct stim_instance *in)
{
	cleanup_free char *cg_name = xasprintf("stim-i-%lld", (long long)in->id);
	cleanup_cgroup struct stim_cgroup *cg =
		ctx->cgroups != NULL ? stim_cgroup_open(ctx->cgroups, cg_name) : NULL;
	cleanup_error stim_error_t err = NULL;
	uint64_t start = 0;
	int pidfd = -1;

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
static void remove_files(struct stim_ctx *ctx, int64_t id)
{
	cleanup_free char *dir = instance_dir(ctx, id);

	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void forget(struct stim_ctx *ctx, const struct stim_instance *in)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, &err);

	if (db == NULL || stim_store_instance_remove(db, in->project, in->zone, in->name, &err) < 0)
		STIM_LOG_E("instance %s: %s", in->name, err->msg);
}

struct job {
	struct stim_ctx *ctx;
	char *project;
	char *zone;
	char *name;
	char *op;
	bool fresh; /* an insert: a failed start leaves no instance */
};

static struct job *job_new(struct stim_ctx *ctx, const struct stim_instance *in,
			   const struct stim_compute_op *op)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->ctx = ctx;
	j->project = xstrdup(in->project);
	j->zone = xstrdup(in->zone);
	j->name = xstrdup(in->name);
	j->op = xstrdup(op->name);
	return j;
}

static void job_free(struct job *j)
{
	free(j->project);
	free(j->zone);
	free(j->name);
	free(j->op);
	free(j);
}

static void finish(struct job *j, const struct stim_error *failure)
{
	cleanup_error stim_error_t err = NULL;

	if (stim_compute_op_finish(j->ctx, j->project, j->op, failure, &err) < 0)
		STIM_LOG_E("operation %s: %s", j->op, err->msg);
}

/* The instance a job is about, read afresh (the request's copy is gone). */
static int job_instance(struct job *j, struct stim_instance *in, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(j->ctx->store, err);

	return db != NULL ? stim_store_instance_get(db, j->project, j->zone, j->name, in, err) : -1;
}

/* Everything of an instance goes: processes, cgroup, files, its row. */
static void discard(struct stim_ctx *ctx, const struct stim_instance *in)
{
	halt(ctx, in);
	remove_files(ctx, in->id);
	forget(ctx, in);
}

static void run_job(struct stim_ctx *ctx, void (*fn)(void *), struct job *j)
{
	if (ctx->workers != NULL)
		stim_workers_run(ctx->workers, fn, j);
	else
		fn(j);
}

/* Ends the processes and frees the cgroup; the disk stays (a stop). */
static int stop_instance(struct stim_ctx *ctx, struct stim_instance *in, stim_error_t *err)
{
	halt(ctx, in);
	in->pid = 0;
	in->pid_start = 0;
	return set_state(ctx, in, "TERMINATED", err);
}

/* (PROVISIONING or TERMINATED) -> STAGING -> RUNNING. A failed insert
 * leaves no instance, as on GCE; a failed start leaves it TERMINATED.
 * Either way the operation says why. */
static void start_job(void *arg)
{
	struct job *j = arg;
	cleanup_error stim_error_t err = NULL;
	struct stim_instance in;
	int ret;

	ret = job_instance(j, &in, &err);
	if (ret == 0 && set_state(j->ctx, &in, "STAGING", &err) == 0 &&
	    boot(j->ctx, &in, &err) == 0 && set_state(j->ctx, &in, "RUNNING", &err) == 0) {
		STIM_LOG_I("instance %s/%s running as pid %d", j->zone, j->name, in.pid);
		finish(j, NULL);
	} else {
		STIM_LOG_W("instance %s/%s did not start: %s", j->zone, j->name, err->msg);
		if (ret == 0 && j->fresh) {
			discard(j->ctx, &in);
		} else if (ret == 0) {
			cleanup_error stim_error_t serr = NULL;

			stop_instance(j->ctx, &in, &serr);
		}
		finish(j, err);
	}
	if (ret == 0)
		stim_instance_fini(&in);
	job_free(j);
}

static void stop_job(void *arg)
{
	struct job *j = arg;
	cleanup_error stim_error_t err = NULL;
	struct stim_instance in;

	if (job_instance(j, &in, &err) == 0) {
		if (stop_instance(j->ctx, &in, &err) == 0)
			STIM_LOG_I("instance %s/%s stopped", j->zone, j->name);
		stim_instance_fini(&in);
	}
	finish(j, err);
	job_free(j);
}

/* A hard reset: the processes are killed and PID 1 boots again on the
 * same disk; the instance stays RUNNING, as on GCE. */
static void reset_job(void *arg)
{
	struct job *j = arg;
	cleanup_error stim_error_t err = NULL;
	struct stim_instance in;

	if (job_instance(j, &in, &err) == 0) {
		halt(j->ctx, &in);
		if (boot(j->ctx, &in, &err) < 0 || set_state(j->ctx, &in, "RUNNING", &err) < 0) {
			cleanup_error stim_error_t serr = NULL;

			stop_instance(j->ctx, &in, &serr);
		}
		stim_instance_fini(&in);
	}
	finish(j, err);
	job_free(j);
}

/* Suspend and resume: the cgroup's freezer. A host that cannot freeze
 * says so and the instance keeps running. */
static void freeze_job(struct job *j, bool frozen)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *cg_name = NULL;
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	struct stim_instance in;

	if (job_instance(j, &in, &err) == 0) {
		cg_name = xasprintf("stim-i-%lld", (long long)in.id);
		cg = j->ctx->cgroups != NULL ? stim_cgroup_open(j->ctx->cgroups, cg_name) : NULL;
		if (cg == NULL)
			stim_err(&err, STIM_FAILED_PRECONDITION,
				 "this host has no cgroups to suspend instances with");
		if (err == NULL && stim_cgroup_freeze(cg, frozen, &err) == 0) {
			set_state(j->ctx, &in, frozen ? "SUSPENDED" : "RUNNING", &err);
		} else {
			cleanup_error stim_error_t serr = NULL;

			set_state(j->ctx, &in, frozen ? "RUNNING" : "SUSPENDED", &serr);
		}
		stim_instance_fini(&in);
	}
	finish(j, err);
	job_free(j);
}

static void suspend_job(void *arg)
{
	freeze_job(arg, true);
}

static void resume_job(void *arg)
{
	freeze_job(arg, false);
}

static void delete_job(void *arg)
{
	struct job *j = arg;
	cleanup_error stim_error_t err = NULL;
	struct stim_instance in;
	int ret;

	ret = job_instance(j, &in, &err);
	if (ret == 0) {
		discard(j->ctx, &in);
		stim_instance_fini(&in);
		finish(j, NULL);
	} else {
		finish(j, err);
	}
	job_free(j);
}

int stim_instance_begin(struct stim_ctx *ctx, const char *project, const char *zone,
			const char *name, struct stim_db **db, struct stim_tx **tx,
			struct stim_instance *in, stim_error_t *err)
{
	if (stim_compute_project_check(ctx, project, err) < 0 ||
	    stim_compute_zone_check(project, zone, err) < 0)
		return -1;
	*db = stim_store_db(ctx->store, err);
	*tx = *db != NULL ? stim_tx_begin(*db, err) : NULL;
	if (*tx == NULL || stim_store_instance_get(*db, project, zone, name, in, err) < 0)
		return -1;
	return 0;
}

int stim_instance_record_op(struct stim_db *db, const struct stim_instance *in, const char *type,
			    bool done, struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_free char *target =
		xasprintf("projects/%s/zones/%s/instances/%s", in->project, in->zone, in->name);
	char id[24];
	struct stim_compute_op_spec spec = {
		.project = in->project,
		.scope_type = STIM_OP_ZONE,
		.scope = in->zone,
		.type = type,
		.target = target,
		.target_id = id,
		.done = done,
	};

	snprintf(id, sizeof(id), "%lld", (long long)in->id);
	return stim_compute_op_record(db, &spec, op, err);
}

/* GCE's INSTANCES quota: so many instances of a project in one region
 * (--instance-quota). Counted in the insert's transaction, so two inserts
 * racing for the last place cannot both have it. */
static int quota_check(struct stim_ctx *ctx, struct stim_db *db, const struct stim_instance *in,
		       stim_error_t *err)
{
	const struct stim_region *region = stim_compute_zone_region(in->zone);
	int64_t count = 0;

	if (region == NULL ||
	    stim_store_instance_count_region(db, in->project, region->name, &count, err) < 0)
		return region == NULL ? 0 : -1;
	if (count >= (int64_t)ctx->cfg->instance_quota)
		return stim_err_reason(err, STIM_RESOURCE_EXHAUSTED, "quotaExceeded",
				       "Quota 'INSTANCES' exceeded.  Limit: %u.0 in region %s.",
				       ctx->cfg->instance_quota, region->name);
	return 0;
}

int stim_instance_insert(struct stim_ctx *ctx, const char *project, const char *zone,
			 const struct stim_instance_spec *spec, struct stim_compute_op *op,
			 stim_error_t *err)
{
	const char *mt = NULL;
	const char *recipe = stim_instance_image_recipe(spec->source_image);
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_instance in = { 0 };
	unsigned char raw[8];
	int ret = -1;

	if (spec->name == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field 'resource.name' not specified");
	if (stim_instance_name_check(spec->name, err) < 0 ||
	    stim_compute_zone_check(project, zone, err) < 0 ||
	    stim_compute_metadata_check(&spec->metadata, err) < 0 ||
	    stim_instance_tags_check(&spec->tags, err) < 0)
		return -1;
	for (size_t i = 0; i < spec->labels.n; i++) {
		if (stim_label_key_check(spec->labels.v[i].key, err) < 0 ||
		    stim_label_value_check(spec->labels.v[i].key, spec->labels.v[i].value, err) < 0)
			return -1;
	}
	if (stim_instance_machine_type_check(spec->machine_type, zone, &mt, err) < 0)
		return -1;
	if (recipe == NULL)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The resource '%s' was not found (images here: busybox, "
				       "host, and debian-12 resolving to host)",
				       spec->source_image);
	in.project = xstrdup(project);
	in.zone = xstrdup(zone);
	in.name = xstrdup(spec->name);
	stim_random_bytes(raw, sizeof(raw));
	memcpy(&in.id, raw, sizeof(in.id));
	in.id &= INT64_MAX;
	in.status = xstrdup("PROVISIONING");
	in.machine_type = xstrdup(mt);
	in.image = xstrdup(recipe);
	in.source_image = spec->source_image != NULL ? xstrdup(spec->source_image) : NULL;
	in.description = spec->description != NULL ? xstrdup(spec->description) : NULL;
	stim_random_bytes(in.metadata_fingerprint, sizeof(in.metadata_fingerprint));
	for (size_t i = 0; i < spec->metadata.n; i++)
		stim_labels_set(&in.metadata, spec->metadata.v[i].key, spec->metadata.v[i].value);
	for (size_t i = 0; i < spec->labels.n; i++)
		stim_labels_set(&in.labels, spec->labels.v[i].key, spec->labels.v[i].value);
	for (size_t i = 0; i < spec->tags.n; i++)
		stim_strv_add_sorted(&in.tags, spec->tags.v[i]);
	stim_random_bytes(in.label_fingerprint, sizeof(in.label_fingerprint));
	stim_random_bytes(in.tags_fingerprint, sizeof(in.tags_fingerprint));
	in.create_time_ms = stim_now_ms();
	if (stim_compute_project_check(ctx, project, err) < 0)
		goto out;
	db = stim_store_db(ctx->store, err);
	tx = db != NULL ? stim_tx_begin(db, err) : NULL;
	if (tx == NULL || quota_check(ctx, db, &in, err) < 0 ||
	    stim_store_instance_insert(db, &in, err) < 0 ||
	    stim_instance_record_op(db, &in, "insert", false, op, err) < 0)
		goto out;
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_compute_op_fini(op);
		goto out;
	}
	stim_db_release(steal_pointer(&db));
	{
		struct job *j = job_new(ctx, &in, op);

		j->fresh = true;
		run_job(ctx, start_job, j);
	}
	ret = 0;
out:
	stim_instance_fini(&in);
	return ret;
}

int stim_instance_delete(struct stim_ctx *ctx, const char *project, const char *zone,
			 const char *name, struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_instance in;
	int ret = -1;

	if (stim_instance_begin(ctx, project, zone, name, &db, &tx, &in, err) < 0)
		return -1;
	/* A start or stop in flight owns the instance until it ends. */
	if (strcmp(in.status, "RUNNING") != 0 && strcmp(in.status, "TERMINATED") != 0 &&
	    strcmp(in.status, "SUSPENDED") != 0) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "resourceNotReady",
				"The resource 'projects/%s/zones/%s/instances/%s' is not ready",
				project, zone, name);
		goto out;
	}
	free(in.status);
	in.status = xstrdup("STOPPING");
	if (stim_store_instance_set_state(db, &in, err) < 0 ||
	    stim_instance_record_op(db, &in, "delete", false, op, err) < 0)
		goto out;
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_compute_op_fini(op);
		goto out;
	}
	stim_db_release(steal_pointer(&db));
	run_job(ctx, delete_job, job_new(ctx, &in, op));
	ret = 0;
out:
	stim_instance_fini(&in);
	return ret;
}

int stim_instance_get(struct stim_ctx *ctx, const char *project, const char *zone, const char *name,
		      struct stim_instance *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (stim_compute_project_check(ctx, project, err) < 0 ||
	    stim_compute_zone_check(project, zone, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	return db != NULL ? stim_store_instance_get(db, project, zone, name, out, err) : -1;
}

int stim_instance_list(struct stim_ctx *ctx, const char *project, const char *zone,
		       const char *after, int max, struct stim_instance **out, size_t *n,
		       bool *more, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_free char *after_zone = NULL;
	const char *after_name = "";

	if (stim_compute_project_check(ctx, project, err) < 0 ||
	    (zone != NULL && stim_compute_zone_check(project, zone, err) < 0))
		return -1;
	/* A zonal page token is a name; an aggregated one "zone/name". */
	if (zone != NULL) {
		after_zone = xstrdup(zone);
		after_name = after;
	} else {
		const char *slash = strchr(after, '/');

		after_zone = slash != NULL ? xstrndup(after, (size_t)(slash - after)) : xstrdup("");
		after_name = slash != NULL ? slash + 1 : "";
	}
	db = stim_store_db(ctx->store, err);
	if (db == NULL || stim_store_instance_scan(db, project, zone, after_zone, after_name,
						   max + 1, out, n, err) < 0)
		return -1;
	*more = *n > (size_t)max;
	if (*more)
		stim_instance_fini(&(*out)[--*n]);
	return 0;
}

int stim_instance_serial(struct stim_ctx *ctx, const char *project, const char *zone,
			 const char *name, int64_t start, size_t max, char **out, int64_t *next,
			 stim_error_t *err)
{
	struct stim_instance in;
	cleanup_free char *path = NULL;
	cleanup_close int fd = -1;
	struct stat st;
	ssize_t n;

	if (stim_instance_get(ctx, project, zone, name, &in, err) < 0)
		return -1;
	path = xasprintf("%s/instances/%lld/console", ctx->cfg->data_dir, (long long)in.id);
	stim_instance_fini(&in);
	if (max > SERIAL_MAX)
		max = SERIAL_MAX;
	*out = xmalloc(max + 1);
	(*out)[0] = '\0';
	*next = start;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return 0; /* nothing written yet */
	/* Past the end: GCE answers from the end, and so does this. */
	if (start < 0 || start > st.st_size)
		start = st.st_size;
	n = pread(fd, *out, max, start);
	if (n < 0) {
		free(*out);
		*out = NULL;
		return stim_err_sys(err, errno, "read %s", path);
	}
	(*out)[n] = '\0';
	*next = start + n;
	return 0;
}

/* What each verb acts on: the status it needs, the status in which it is
 * already done (a DONE operation, no work), the status while it runs. */
static const struct verb {
	const char *type;
	const char *from;
	const char *done_in;
	const char *during;
	void (*job)(void *arg);
} verbs[] = {
	[STIM_INSTANCE_STOP] = { "stop", "RUNNING", "TERMINATED", "STOPPING", stop_job },
	[STIM_INSTANCE_START] = { "start", "TERMINATED", "RUNNING", "STAGING", start_job },
	[STIM_INSTANCE_RESET] = { "reset", "RUNNING", NULL, "RUNNING", reset_job },
	[STIM_INSTANCE_SUSPEND] = { "suspend", "RUNNING", "SUSPENDED", "SUSPENDING", suspend_job },
	[STIM_INSTANCE_RESUME] = { "resume", "SUSPENDED", "RUNNING", "SUSPENDED", resume_job },
};

int stim_instance_act(struct stim_ctx *ctx, const char *project, const char *zone, const char *name,
		      enum stim_instance_verb verb, struct stim_compute_op *op, stim_error_t *err)
{
	const struct verb *v = &verbs[verb];
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_instance in;
	bool already;
	int ret = -1;

	if (stim_instance_begin(ctx, project, zone, name, &db, &tx, &in, err) < 0)
		return -1;
	already = v->done_in != NULL && strcmp(in.status, v->done_in) == 0;
	if (!already && strcmp(in.status, v->from) != 0) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "resourceNotReady",
				"The resource 'projects/%s/zones/%s/instances/%s' is not ready "
				"(it is %s)",
				project, zone, name, in.status);
		goto out;
	}
	if (!already) {
		free(in.status);
		in.status = xstrdup(v->during);
		if (stim_store_instance_set_state(db, &in, err) < 0)
			goto out;
	}
	if (stim_instance_record_op(db, &in, v->type, already, op, err) < 0)
		goto out;
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_compute_op_fini(op);
		goto out;
	}
	stim_db_release(steal_pointer(&db));
	if (!already)
		run_job(ctx, v->job, job_new(ctx, &in, op));
	ret = 0;
out:
	stim_instance_fini(&in);
	return ret;
}

/* Whether the instance's PID 1 is the process it recorded (same pid, same
 * start time), so a reused pid is never taken for it. */
static bool alive(const struct stim_instance *in)
{
	cleanup_error stim_error_t err = NULL;
	uint64_t start = 0;

	return in->pid > 0 && stim_procfs_pid_start_time(in->pid, &start, &err) == 0 &&
	       start == in->pid_start;
}

int stim_instances_adopt(struct stim_ctx *ctx, stim_error_t *err)
{
	struct stim_instance *v = NULL;
	size_t n = 0;
	int adopted = 0;
	int ended;

	{
		cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

		if (db == NULL || stim_store_instance_all(db, &v, &n, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct stim_instance *in = &v[i];
		bool running =
			strcmp(in->status, "RUNNING") == 0 || strcmp(in->status, "SUSPENDED") == 0;
		bool up = alive(in);
		cleanup_error stim_error_t serr = NULL;

		if (running && up) {
			STIM_LOG_I("instance %s/%s adopted: pid %d", in->zone, in->name, in->pid);
			adopted++;
			continue;
		}
		if (strcmp(in->status, "TERMINATED") == 0)
			continue;
		/* Caught mid-change (its worker died with the daemon), or its
		 * processes ended while nobody watched: what is left of it
		 * goes, the disk stays, and it is TERMINATED. */
		halt(ctx, in);
		in->pid = 0;
		in->pid_start = 0;
		free(in->status_message);
		in->status_message =
			up || !running ? NULL
				       : xstrdup("Its processes ended while the daemon was not "
						 "running.");
		if (set_state(ctx, in, "TERMINATED", &serr) < 0)
			STIM_LOG_W("instance %s: %s", in->name, serr->msg);
		STIM_LOG_W("instance %s/%s could not be adopted: now TERMINATED", in->zone,
			   in->name);
	}
	for (size_t i = 0; i < n; i++)
		stim_instance_fini(&v[i]);
	free(v);
	{
		cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

		ended = db != NULL ? stim_store_compute_ops_interrupt(
					     db, "Interrupted by a restart of the daemon.",
					     stim_now_ms(), err)
				   : -1;
	}
	if (ended < 0)
		return -1;
	if (ended > 0)
		STIM_LOG_W("%d operations were interrupted by the restart", ended);
	return adopted;
}
