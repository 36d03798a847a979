#pragma once
/*
 * Instance cgroups: limits (memory, CPU, pids), freeze and kill, through
 * one interface over the two layouts the daemon meets
 * (reference/host-facts.md section 1):
 *
 *   - pure cgroup v2 (CI runners): one directory per instance under the
 *     daemon's own cgroup, with memory.max, cpu.max, pids.max,
 *     cgroup.freeze and cgroup.kill. v2's "no internal processes" rule
 *     means the daemon first moves itself into a leaf of its own cgroup
 *     (stim_cgroups_prepare) and then enables the controllers below it.
 *   - the hybrid layout (this dev host): v1 memory, cpu and pids
 *     hierarchies, each with an instance directory under the daemon's own
 *     v1 cgroup there, plus one under the unified hierarchy for freeze
 *     and kill. A process sits in all of them at once.
 *
 * Which hierarchy carries what comes from the host probe
 * (stim_cgroup_probe, shared with `doctor`), so the two backends differ
 * only in file names, and a resource the host cannot give is skipped and
 * named by stim_cgroups_unenforced rather than pretended. Every directory
 * made here is named "stim-..." so `stimulator gc` finds it.
 *
 * Threads: a struct stim_cgroup is used by one thread at a time; the
 * manager is read-only after prepare.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "src/error.h"
#include "src/host_probe.h"

/* What a machine type asks for; 0 leaves a limit off. */
struct stim_cgroup_limits {
	uint64_t memory_bytes;
	uint32_t cpu_milli; /* thousandths of a CPU: 2000 is two vCPUs */
	uint32_t pids;
};

/* The CFS period the CPU limit is written against, in microseconds. */
#define STIM_CGROUP_CPU_PERIOD_US 100000

/* The manager */

struct stim_cgroups;
/* Takes a copy of info (from stim_cgroup_probe, or built by a test). */
struct stim_cgroups *stim_cgroups_new(const struct stim_cgroup_info *info);
void stim_cgroups_free(struct stim_cgroups *m);
/* v2 only, once at start: moves the calling process into its own leaf
 * ("stim-daemon") and enables memory, cpu and pids for the instances
 * beside it. A controller that cannot be enabled is dropped from what the
 * manager enforces (and named by unenforced), not an error. */
int stim_cgroups_prepare(struct stim_cgroups *m, stim_error_t *err);
/* How long freeze, kill and destroy wait for the kernel (default 2 s). */
void stim_cgroups_set_timeout(struct stim_cgroups *m, int ms);
/* The limits this host cannot enforce, "memory, cpu" style; "" if none.
 * Owned by m. */
const char *stim_cgroups_unenforced(const struct stim_cgroups *m);

/* One instance's cgroup */

struct stim_cgroup;
/* Makes the directories for name (which must start with "stim-") and
 * writes the limits. ALREADY_EXISTS when they are there (an instance that
 * was not cleaned up: the caller decides). */
struct stim_cgroup *stim_cgroup_create(struct stim_cgroups *m, const char *name,
				       const struct stim_cgroup_limits *lim, stim_error_t *err);
/* The same directories, for an instance adopted after a restart; nothing
 * is made or written. */
struct stim_cgroup *stim_cgroup_open(struct stim_cgroups *m, const char *name);
void stim_cgroup_free(struct stim_cgroup *cg);
void stim_cleanup_cgroup(struct stim_cgroup **cg);
#define cleanup_cgroup __attribute__((cleanup(stim_cleanup_cgroup)))

/* Rewrites the limits (setMachineType). */
int stim_cgroup_set_limits(struct stim_cgroup *cg, const struct stim_cgroup_limits *lim,
			   stim_error_t *err);
/* Moves pid (a whole process) into every directory of the instance. */
int stim_cgroup_enter(struct stim_cgroup *cg, pid_t pid, stim_error_t *err);
/* Freezes or thaws every process of the instance and waits until the
 * kernel says it is done (DEADLINE_EXCEEDED after the timeout). */
int stim_cgroup_freeze(struct stim_cgroup *cg, bool frozen, stim_error_t *err);
/* SIGKILLs every process of the instance: cgroup.kill, or without it
 * (kernels before 5.14) freeze, kill each listed process, thaw. */
int stim_cgroup_kill(struct stim_cgroup *cg, stim_error_t *err);
/* Removes the directories (after kill: a populated cgroup cannot go). */
int stim_cgroup_destroy(struct stim_cgroup *cg, stim_error_t *err);
/* The cgroup2 directory (for clone3's CLONE_INTO_CGROUP), or NULL. */
const char *stim_cgroup_unified_dir(const struct stim_cgroup *cg);
