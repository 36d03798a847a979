/* What runs on a worker once a change to an instance is recorded: the
 * host work of starts, stops, resets, suspends and deletes, the handling
 * of an instance that ended by itself, and the adoption of running ones
 * at start (see instances_internal.h). The jobs of one instance run one
 * at a time, in the order they were asked for. */
#include "src/instances_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/cgroup.h"
#include "sandbox/init.h"
#include "src/cleanup.h"
#include "src/log.h"
#include "src/store_compute_ops.h"
#include "src/store_instances.h"
#include "src/supervisor.h"
#include "src/util.h"
#include "src/vpc_firewall.h"
#include "src/workers.h"

static int set_state(struct stim_ctx *ctx, struct stim_instance *in, const char *status,
		     stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	free(in->status);
	in->status = xstrdup(status);
	return db != NULL ? stim_store_instance_set_state(db, in, err) : -1;
}

static void forget(struct stim_ctx *ctx, const struct stim_instance *in)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, &err);

	if (db == NULL ||
	    stim_store_instance_remove(db, in->project, in->zone, in->name, &err) < 0) {
		STIM_LOG_E("instance %s: %s", in->name, err->msg);
		return;
	}
	/* Its address leaves the network's firewall (tags, accounts). */
	stim_db_release(steal_pointer(&db));
	stim_vpc_firewall_refresh(ctx, in->project, in->nic.network);
}

struct job {
	struct stim_ctx *ctx;
	char *project;
	char *zone;
	char *name;
	char *op;	       /* NULL: a job with no operation (an exit's) */
	int64_t id;	       /* jobs of one instance run one at a time, in order */
	bool fresh;	       /* an insert: a failed start leaves no instance */
	struct stim_exit exit; /* what an exit job handles (strings not kept) */
};

static struct job *job_new(struct stim_ctx *ctx, const struct stim_instance *in,
			   const struct stim_compute_op *op)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->ctx = ctx;
	j->project = xstrdup(in->project);
	j->zone = xstrdup(in->zone);
	j->name = xstrdup(in->name);
	j->op = op != NULL ? xstrdup(op->name) : NULL;
	j->id = in->id;
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
	stim_instance_halt(ctx, in);
	stim_instance_remove_files(ctx, in->id);
	forget(ctx, in);
	stim_instance_vpc_release(ctx, in);
}

static void run_job(struct stim_ctx *ctx, void (*fn)(void *), struct job *j)
{
	if (ctx->workers != NULL)
		stim_workers_run_keyed(ctx->workers, j->id, fn, j);
	else
		fn(j);
}

/* Why an instance ended by itself, for its statusMessage: nothing for a
 * guest's poweroff (exit 0), as GCE says nothing then. */
static char *exit_message(const struct stim_exit *e, const struct stim_error *failure)
{
	if (failure != NULL)
		return xasprintf("Its guest asked for a reboot, which failed: %s", failure->msg);
	if (!e->known)
		return NULL; /* adopted: another's child, its status unknown */
	if (e->signal != 0)
		return xasprintf("Its init was killed by signal %d.", e->signal);
	if (e->code != 0)
		return xasprintf("Its init exited with status %d.", e->code);
	return NULL;
}

/* Ends the processes and frees the cgroup; the disk stays (a stop). */
static int stop_instance(struct stim_ctx *ctx, struct stim_instance *in, stim_error_t *err)
{
	int ret;

	stim_instance_halt(ctx, in);
	in->pid = 0;
	in->pid_start = 0;
	ret = set_state(ctx, in, "TERMINATED", err);
	stim_instance_vpc_release(ctx, in);
	return ret;
}

/* An image built for a start (debian-12's first use takes a while): its
 * progress is the operation's, as GCE's insert reports it. */
static void build_progress(void *arg, int percent, const char *what)
{
	struct job *j = arg;
	cleanup_error stim_error_t err = NULL;

	STIM_LOG_I("instance %s/%s: building its image: %s (%d%%)", j->zone, j->name, what,
		   percent);
	if (stim_compute_op_progress(j->ctx, j->project, j->op, percent, &err) < 0)
		STIM_LOG_W("operation %s: %s", j->op, err->msg);
}

/* (PROVISIONING or TERMINATED) -> STAGING -> RUNNING. A failed insert
 * leaves no instance, as on GCE; a failed start leaves it TERMINATED.
 * Either way the operation says why. */
static void start_job(void *arg)
{
	struct job *j = arg;
	cleanup_error stim_error_t err = NULL;
	const struct stim_image_progress progress = { build_progress, j };
	struct stim_instance in;
	int ret;

	ret = job_instance(j, &in, &err);
	if (ret == 0 && set_state(j->ctx, &in, "STAGING", &err) == 0 &&
	    stim_instance_boot(j->ctx, &in, &progress, &err) == 0 &&
	    set_state(j->ctx, &in, "RUNNING", &err) == 0) {
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
		stim_instance_halt(j->ctx, &in);
		if (stim_instance_boot(j->ctx, &in, NULL, &err) < 0 ||
		    set_state(j->ctx, &in, "RUNNING", &err) < 0) {
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

/* PID 1 ended by itself (the supervisor saw it). When the instance is
 * still the one that PID 1 ran (a stop, reset or delete since would have
 * changed that: this job runs after theirs), a guest's reboot boots it
 * again, RUNNING as on GCE; anything else leaves it TERMINATED, saying
 * why unless the guest powered off. */
static void exited_job(void *arg)
{
	struct job *j = arg;
	const struct stim_exit *e = &j->exit;
	cleanup_error stim_error_t err = NULL;
	struct stim_instance in;

	if (job_instance(j, &in, &err) < 0) {
		job_free(j);
		return;
	}
	if ((strcmp(in.status, "RUNNING") == 0 || strcmp(in.status, "SUSPENDED") == 0) &&
	    in.pid == e->pid && in.pid_start == e->pid_start) {
		bool reboot = e->known && e->signal == 0 && e->code == STIM_INIT_EXIT_REBOOT;

		stim_instance_halt(j->ctx, &in);
		if (reboot && stim_instance_boot(j->ctx, &in, NULL, &err) == 0) {
			if (set_state(j->ctx, &in, "RUNNING", &err) < 0)
				STIM_LOG_E("instance %s: %s", j->name, err->msg);
			STIM_LOG_I("instance %s/%s rebooted by its guest: pid %d", j->zone, j->name,
				   in.pid);
		} else {
			free(in.status_message);
			in.status_message = exit_message(e, err);
			in.pid = 0;
			in.pid_start = 0;
			stim_error_free(steal_pointer(&err));
			if (set_state(j->ctx, &in, "TERMINATED", &err) < 0)
				STIM_LOG_E("instance %s: %s", j->name, err->msg);
			stim_instance_vpc_release(j->ctx, &in);
			STIM_LOG_I("instance %s/%s ended by itself: TERMINATED", j->zone, j->name);
		}
	}
	stim_instance_fini(&in);
	job_free(j);
}

void stim_instances_on_exit(void *arg, const struct stim_exit *e)
{
	struct stim_ctx *ctx = arg;
	struct stim_instance key = { .project = (char *)e->project,
				     .zone = (char *)e->zone,
				     .name = (char *)e->name,
				     .id = e->id };
	struct job *j = job_new(ctx, &key, NULL);

	j->exit = *e;
	j->exit.project = j->exit.zone = j->exit.name = NULL;
	run_job(ctx, exited_job, j);
}

/* An adopted instance's network gets its firewall from the store as it
 * is now (rules may have changed while no daemon ran), its metadata
 * server and its firewall log, once per network. */
static void adopt_network(struct stim_ctx *ctx, const struct stim_instance *in,
			  struct stim_strv *done)
{
	cleanup_free char *key = NULL;

	if (in->nic.network == NULL)
		return;
	key = xasprintf("%s/%s", in->project, in->nic.network);
	if (stim_strv_contains(done, key))
		return;
	stim_strv_push(done, key);
	stim_vpc_firewall_refresh(ctx, in->project, in->nic.network);
	stim_instance_network_services(ctx, in);
}

int stim_instances_adopt(struct stim_ctx *ctx, stim_error_t *err)
{
	struct stim_instance *v = NULL;
	struct stim_strv networks = { 0 };
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
		bool up = stim_instance_alive(in);
		cleanup_error stim_error_t serr = NULL;

		if (running && up) {
			int pidfd = (int)syscall(SYS_pidfd_open, in->pid, 0);

			/* Checked again once the pidfd holds it: the pid cannot
			 * be another's from here on. */
			if (pidfd >= 0 && stim_instance_alive(in)) {
				stim_instance_watch(ctx, in, pidfd);
				STIM_LOG_I("instance %s/%s adopted: pid %d", in->zone, in->name,
					   in->pid);
				adopt_network(ctx, in, &networks);
				adopted++;
				continue;
			}
			if (pidfd >= 0)
				close(pidfd);
			up = false;
		}
		if (strcmp(in->status, "TERMINATED") == 0)
			continue;
		/* Caught mid-change (its worker died with the daemon), or its
		 * processes ended while nobody watched: what is left of it
		 * goes, the disk stays, and it is TERMINATED. */
		stim_instance_halt(ctx, in);
		in->pid = 0;
		in->pid_start = 0;
		free(in->status_message);
		in->status_message =
			up || !running ? NULL
				       : xstrdup("Its processes ended while the daemon was not "
						 "running.");
		if (set_state(ctx, in, "TERMINATED", &serr) < 0)
			STIM_LOG_W("instance %s: %s", in->name, serr->msg);
		stim_instance_vpc_release(ctx, in);
		STIM_LOG_W("instance %s/%s could not be adopted: now TERMINATED", in->zone,
			   in->name);
	}
	for (size_t i = 0; i < n; i++)
		stim_instance_fini(&v[i]);
	free(v);
	stim_strv_fini(&networks);
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

void stim_instance_job(struct stim_ctx *ctx, const struct stim_instance *in,
		       const struct stim_compute_op *op, enum stim_instance_job_kind kind)
{
	static void (*const fns[])(void *arg) = {
		[STIM_JOB_INSERT] = start_job,	  [STIM_JOB_START] = start_job,
		[STIM_JOB_STOP] = stop_job,	  [STIM_JOB_RESET] = reset_job,
		[STIM_JOB_SUSPEND] = suspend_job, [STIM_JOB_RESUME] = resume_job,
		[STIM_JOB_DELETE] = delete_job,
	};
	struct job *j = job_new(ctx, in, op);

	j->fresh = kind == STIM_JOB_INSERT;
	run_job(ctx, fns[kind], j);
}
