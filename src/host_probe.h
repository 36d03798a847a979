#pragma once
/*
 * Host probes: which kernel features this machine really offers. `stimulator
 * doctor` prints the result, and the daemon runs the same probes once at start
 * to pick its cgroup backend (pure v2, or the hybrid layout of v1 controllers
 * plus the unified hierarchy, reference/host-facts.md section 1) and to say in
 * an instance's statusMessage which limits are not enforced.
 *
 * Every experiment that could change the host (unshare, mount, creating a
 * bridge, installing a seccomp filter) runs in a forked child inside its own
 * new namespaces and dies with them. Cgroup hierarchies are only read. The
 * parsers of /proc text are pure functions so that unit tests need no host.
 */

#include <stdbool.h>
#include <stddef.h>

#include "src/error.h"
#include "src/procfs.h"

enum stim_cgroup_mode {
	STIM_CGROUP_V1,	    /* v1 hierarchies only */
	STIM_CGROUP_HYBRID, /* v1 controllers on tmpfs, cgroup2 at /sys/fs/cgroup/unified */
	STIM_CGROUP_V2,	    /* cgroup2 at /sys/fs/cgroup */
};

enum stim_probe_state {
	STIM_PROBE_OK,
	STIM_PROBE_DEGRADED, /* works in part; the detail says what is lost */
	STIM_PROBE_MISSING,
};

/* What the daemon uses a cgroup for. Freeze and kill are not limits. */
enum stim_cgroup_resource {
	STIM_CGROUP_MEMORY,
	STIM_CGROUP_CPU,
	STIM_CGROUP_PIDS,
	STIM_CGROUP_FREEZE,
	STIM_CGROUP_KILL,
	STIM_CGROUP_NR_RESOURCES,
};

#define STIM_CGROUP_PATH_MAX 512

/* How one resource can be used: through which hierarchy, directory and files. */
struct stim_cgroup_resource_info {
	bool usable;
	bool v2;			/* through a cgroup2 hierarchy, else through v1 */
	char dir[STIM_CGROUP_PATH_MAX]; /* the daemon's own cgroup in that hierarchy */
	const char *files;		/* static: the interface files, e.g. "memory.max" */
	char why[192];			/* when not usable (or only in part): the reason */
};

struct stim_cgroup_info {
	enum stim_cgroup_mode mode;
	char unified_mount[STIM_CGROUP_PATH_MAX]; /* cgroup2 mount point, "" if none */
	char unified_own[STIM_CGROUP_PATH_MAX];	  /* "0::" path from /proc/self/cgroup */
	struct stim_cgroup_resource_info res[STIM_CGROUP_NR_RESOURCES];
};

struct stim_probe_result {
	const char *name; /* static, stable: "namespace.net", "cgroup.memory", ... */
	enum stim_probe_state state;
	bool required; /* missing => the daemon cannot run here */
	char detail[256];
};

#define STIM_HOST_PROBE_MAX 32

struct stim_host_report {
	struct stim_probe_result items[STIM_HOST_PROBE_MAX];
	size_t n;
	bool cgroup_ok; /* false when the cgroup layout could not be read at all */
	struct stim_cgroup_info cgroup;
};

/* Whole-host probe */

/* Runs every probe and fills *out (well under a second). scratch_parent is
 * where the overlayfs probe makes (and removes) its scratch directory; NULL
 * means /tmp. A feature that does not work is an item in the report, not an
 * error; the call fails only when it cannot run at all (fork or pipe
 * exhaustion is an item too). Call before starting threads: the children use
 * only async-signal-safe calls, but fork() in a busy process is still costly. */
int stim_host_probe(struct stim_host_report *out, const char *scratch_parent, stim_error_t *err);

/* True when no required item is missing. */
bool stim_host_report_ok(const struct stim_host_report *report);

const char *stim_probe_state_name(enum stim_probe_state state);
const char *stim_cgroup_mode_name(enum stim_cgroup_mode mode);
const char *stim_cgroup_resource_name(enum stim_cgroup_resource res);

/* Cgroups (read-only) */

/* statfs(/sys/fs/cgroup) and /sys/fs/cgroup/unified. FAILED_PRECONDITION when
 * nothing cgroup-like is mounted there. */
int stim_cgroup_detect(enum stim_cgroup_mode *mode, stim_error_t *err);

/* Finds, for each resource, the hierarchy and own directory that carry it. */
int stim_cgroup_probe(struct stim_cgroup_info *out, stim_error_t *err);

/* Writes the limits (memory, cpu, pids) that cannot be enforced as "memory,
 * cpu" into buf (NUL-terminated, truncated to n), "" when all can be.
 * Returns the number of such limits. */
size_t stim_cgroup_unenforced(const struct stim_cgroup_info *info, char *buf, size_t n);

/* Pure parsers (no host access; unit-tested) */

/* The mode from the filesystem magic of /sys/fs/cgroup and of
 * /sys/fs/cgroup/unified (0 when that does not exist). */
int stim_probe_cgroup_mode(long root_magic, long unified_magic, enum stim_cgroup_mode *mode,
			   stim_error_t *err);

/* True when name is one of the tokens of list, separated by sep or
 * whitespace: "cpu" is in "rw,cpu,cpuacct" and in "cpuset cpu io\n". */
bool stim_probe_list_has(const char *list, const char *name, char sep);

/* The own path from /proc/self/cgroup text: for a v1 controller ("memory",
 * "name=systemd") the line whose controller list holds it, for NULL the v2
 * "0::" line. NOT_FOUND when there is none. */
int stim_probe_self_cgroup(const char *text, const char *controller, char *buf, size_t n,
			   stim_error_t *err);

/* The cgroup mount that carries a v1 controller (fstype "cgroup" with the
 * controller among its super options), or for NULL the cgroup2 mount, in
 * mountinfo text. Mounts under /sys/fs/cgroup win over others; lines that do
 * not parse are passed over. On success *out owns its strings
 * (stim_mountinfo_fini); NOT_FOUND when no mount does. */
int stim_probe_mountinfo_cgroup(const char *text, const char *controller,
				struct stim_mountinfo *out, stim_error_t *err);

/* The directory of own cgroup path `own` in a hierarchy mounted at
 * mountpoint whose mountinfo root is mount_root (not "/" inside containers).
 * NOT_FOUND when own lies outside what the mount shows. */
int stim_probe_cgroup_dir(const char *mountpoint, const char *mount_root, const char *own,
			  char *buf, size_t n, stim_error_t *err);

/* The row of a controller in /proc/cgroups: its v1 hierarchy id (0 for
 * cgroup2 or none) and whether it is enabled. NOT_FOUND when absent. */
int stim_probe_proc_cgroups(const char *text, const char *name, int *hierarchy, bool *enabled,
			    stim_error_t *err);

/* True when a uname release ("6.18.44-fc-v769") is at least major.minor. */
bool stim_probe_kernel_at_least(const char *release, int major, int minor);
