#pragma once
/*
 * What the instance files share; not an API. src/instances.c takes the
 * calls and records each change with its operation; src/instances_jobs.c
 * does the host work that follows on a worker, through
 * src/instances_host.c; src/instances_update.c has the set* methods.
 */

#include <stdbool.h>
#include <stdint.h>

#include "images/images.h"
#include "src/instances.h"
#include "src/store.h"

/* The start of every change: the project and zone checked, a transaction
 * opened on *db (*tx; the caller's cleanup_db/cleanup_tx variables end
 * them) and the instance read in it. */
int stim_instance_begin(struct stim_ctx *ctx, const char *project, const char *zone,
			const char *name, struct stim_db **db, struct stim_tx **tx,
			struct stim_instance *in, stim_error_t *err);
/* The operation of a change to `in`, in the caller's transaction: RUNNING
 * for a worker to finish, or DONE at once when done. */
int stim_instance_record_op(struct stim_db *db, const struct stim_instance *in, const char *type,
			    bool done, struct stim_compute_op *op, stim_error_t *err);

/* The NIC of an instance being inserted (src/instances_nic.c), in the
 * insert's transaction: its network and subnetwork, its address (spec's
 * networkIP, else the subnet's first free one) and, with an access
 * config, its external IP from the pool (cfg's external range). */
int stim_instance_nic_plan(struct stim_db *db, const struct stim_config *cfg, const char *project,
			   const char *zone, const struct stim_instance_spec *spec,
			   struct stim_nic *out, stim_error_t *err);

/* Jobs (src/instances_jobs.c): the host work after a recorded change,
 * which then finishes op. An insert's failed start leaves no instance. */
enum stim_instance_job_kind {
	STIM_JOB_INSERT,
	STIM_JOB_START,
	STIM_JOB_STOP,
	STIM_JOB_RESET,
	STIM_JOB_SUSPEND,
	STIM_JOB_RESUME,
	STIM_JOB_DELETE,
};

void stim_instance_job(struct stim_ctx *ctx, const struct stim_instance *in,
		       const struct stim_compute_op *op, enum stim_instance_job_kind kind);

/* The host side (src/instances_host.c). */

/* DATA/instances/<id>/console, the serial port. */
char *stim_instance_console_path(const struct stim_ctx *ctx, int64_t id);
/* Image (built first if it is not, telling progress, which may be NULL),
 * cgroup, init config, console, sandbox: PID 1 runs, in->pid and
 * pid_start say which process it is, and the supervisor watches it. */
int stim_instance_boot(struct stim_ctx *ctx, struct stim_instance *in,
		       const struct stim_image_progress *progress, stim_error_t *err);
/* Ends every process of the instance (SIGTERM to PID 1 and its grace
 * period, then the cgroup's kill) and removes its cgroup. */
void stim_instance_halt(struct stim_ctx *ctx, const struct stim_instance *in);
/* After a stop or delete: the network's router goes when no instance
 * runs on it any more. */
void stim_instance_vpc_release(struct stim_ctx *ctx, const struct stim_instance *in);
/* Its network's metadata server and firewall log, running (a failure
 * is logged: the instance runs without them). */
void stim_instance_network_services(struct stim_ctx *ctx, const struct stim_instance *in);
/* The instance's directory, boot disk included. */
void stim_instance_remove_files(struct stim_ctx *ctx, int64_t id);
/* Hands PID 1's pidfd (taken) to the supervisor. */
void stim_instance_watch(struct stim_ctx *ctx, const struct stim_instance *in, int pidfd);
/* Whether in->pid is still the instance's PID 1 (same start time). */
bool stim_instance_alive(const struct stim_instance *in);
