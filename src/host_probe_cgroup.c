/* Cgroup probes: the mode, and which hierarchy carries each resource (read-only). */
#include "src/host_probe.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/host_probe_internal.h"
#include "src/procfs.h"
#include "src/util.h"

#define CGROUP_ROOT    "/sys/fs/cgroup"
#define CGROUP_UNIFIED "/sys/fs/cgroup/unified"
/* The ceiling on what the probes read: /proc/self/mountinfo, the largest,
 * runs to a few hundred kB on a busy container host. */
#define PROC_TEXT_MAX (4 * 1024 * 1024)

static long fs_magic(const char *path)
{
	struct statfs st;

	if (statfs(path, &st) < 0)
		return 0;
	return (long)st.f_type;
}

int stim_cgroup_detect(enum stim_cgroup_mode *mode, stim_error_t *err)
{
	long root = fs_magic(CGROUP_ROOT);

	if (root == 0)
		return stim_err_sys(err, errno, "statfs " CGROUP_ROOT);
	return stim_probe_cgroup_mode(root, fs_magic(CGROUP_UNIFIED), mode, err);
}

/* Everything the resource probes read, gathered once. */
struct cg_ctx {
	char *self;	 /* /proc/self/cgroup */
	char *mountinfo; /* /proc/self/mountinfo */
	bool unified;	 /* a cgroup2 hierarchy is mounted and our place in it known */
	char unified_dir[STIM_CGROUP_PATH_MAX]; /* our own cgroup2 directory */
	char *own_ctrls;			/* its cgroup.controllers, or NULL */
	char *root_ctrls;   /* cgroup.controllers of the cgroup2 root, or NULL */
	char *proc_cgroups; /* /proc/cgroups, or NULL */
	const char *release;
};

static void cg_ctx_fini(struct cg_ctx *c)
{
	free(c->self);
	free(c->mountinfo);
	free(c->own_ctrls);
	free(c->root_ctrls);
	free(c->proc_cgroups);
}

static void set_why(struct stim_cgroup_resource_info *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_why(struct stim_cgroup_resource_info *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

/* Records where r lives; it is usable unless dir is missing or read-only. */
static void use_dir(struct stim_cgroup_resource_info *r, const char *dir, bool v2,
		    const char *files)
{
	struct statvfs st;

	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	r->v2 = v2;
	r->files = files;
	if (statvfs(dir, &st) < 0) {
		set_why(r, "own cgroup %s: %s", dir, strerror(errno));
		return;
	}
	/* Container runtimes mount cgroupfs read-only unless told otherwise. */
	if ((st.f_flag & ST_RDONLY) != 0) {
		set_why(r, "%s is mounted read-only", dir);
		return;
	}
	r->usable = true;
}

/* Says why no hierarchy we can use offers ctrl, from /proc/cgroups. */
static void why_no_controller(struct cg_ctx *c, const struct stim_cgroup_info *info,
			      struct stim_cgroup_resource_info *r, const char *ctrl)
{
	cleanup_error stim_error_t perr = NULL;
	int hier = 0;
	bool enabled = false;

	if (c->proc_cgroups == NULL ||
	    stim_probe_proc_cgroups(c->proc_cgroups, ctrl, &hier, &enabled, &perr) < 0)
		set_why(r, "the kernel has no %s controller", ctrl);
	else if (!enabled)
		set_why(r, "%s is disabled on the kernel command line", ctrl);
	else if (hier != 0)
		/* Bound to a v1 hierarchy we cannot see (hidden or unmounted): it
		 * cannot move to cgroup2 while that hierarchy has children. */
		set_why(r, "%s is bound to v1 hierarchy %d, which is not mounted here", ctrl, hier);
	else if (info->mode == STIM_CGROUP_V2)
		set_why(r, "cgroup2 does not offer %s", ctrl);
	else
		set_why(r, "%s is bound to no v1 hierarchy and not offered by cgroup2", ctrl);
}

/* A limit through a v2 controller: it must be in our own cgroup.controllers,
 * i.e. enabled in our parent's subtree_control, for us to enable it below. */
static void probe_v2_controller(struct cg_ctx *c, struct stim_cgroup_info *info,
				struct stim_cgroup_resource_info *r, const char *ctrl,
				const char *files)
{
	/* When our cgroup is not the root it also holds our own process, and
	 * v2's "no internal processes" rule means the backend must move the
	 * daemon into a leaf before it enables anything: possible, so ok. */
	if (c->own_ctrls != NULL && stim_probe_list_has(c->own_ctrls, ctrl, ' ')) {
		use_dir(r, c->unified_dir, true, files);
		return;
	}
	r->v2 = true;
	r->files = files;
	snprintf(r->dir, sizeof(r->dir), "%s", c->unified_dir);
	if (c->root_ctrls != NULL && stim_probe_list_has(c->root_ctrls, ctrl, ' '))
		/* Enabling it from here would mean writing our ancestors'
		 * subtree_control, outside the subtree the daemon owns. */
		set_why(r,
			"cgroup2 has %s but does not delegate it to %s (run under systemd-run "
			"--scope -p Delegate=yes)",
			ctrl, info->unified_own);
	else
		why_no_controller(c, info, r, ctrl);
}

/* A limit through the v1 hierarchy that has the controller mounted. Returns
 * false when no v1 hierarchy carries it. */
static bool probe_v1_controller(struct cg_ctx *c, struct stim_cgroup_resource_info *r,
				const char *ctrl, const char *files)
{
	cleanup_mountinfo struct stim_mountinfo m = { 0 };
	char own[STIM_CGROUP_PATH_MAX];
	char dir[STIM_CGROUP_PATH_MAX];
	cleanup_error stim_error_t perr = NULL;

	/* Each v1 hierarchy has its own tree, so our place can differ per
	 * controller (memory is not "/" on the dev host, the others are). */
	if (stim_probe_mountinfo_cgroup(c->mountinfo, ctrl, &m, &perr) < 0)
		return false;
	r->v2 = false;
	r->files = files;
	if (stim_probe_self_cgroup(c->self, ctrl, own, sizeof(own), &perr) < 0 ||
	    stim_probe_cgroup_dir(m.mount_point, m.root, own, dir, sizeof(dir), &perr) < 0) {
		set_why(r, "%s", perr->msg);
		return true;
	}
	use_dir(r, dir, false, files);
	return true;
}

/* Whether a cgroup2 core file (cgroup.freeze, cgroup.kill) exists. The real
 * root cgroup has neither, so when ours is the root we look at a child, and
 * with no child we go by the kernel that introduced the file. Creating a
 * child to find out would touch a hierarchy the daemon does not own. */
static bool core_file_exists(struct cg_ctx *c, const struct stim_cgroup_info *info,
			     const char *file, int major, int minor, char *how, size_t hown)
{
	char path[STIM_CGROUP_PATH_MAX + 320];
	cleanup_dir DIR *d = NULL;

	how[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", c->unified_dir, file);
	if (access(path, F_OK) == 0)
		return true;
	if (strcmp(info->unified_own, "/") != 0)
		return false;
	d = opendir(c->unified_dir);
	for (;;) {
		struct dirent *de = d != NULL ? readdir(d) : NULL;

		if (de == NULL)
			break;
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", c->unified_dir, de->d_name, file);
		return access(path, F_OK) == 0;
	}
	snprintf(how, hown, "kernel %s has it since %d.%d", c->release, major, minor);
	return stim_probe_kernel_at_least(c->release, major, minor);
}

static void probe_core_file(struct cg_ctx *c, const struct stim_cgroup_info *info,
			    struct stim_cgroup_resource_info *r, const char *file, int major,
			    int minor)
{
	char how[128];

	if (!core_file_exists(c, info, file, major, minor, how, sizeof(how))) {
		r->v2 = true;
		r->files = file;
		snprintf(r->dir, sizeof(r->dir), "%s", c->unified_dir);
		set_why(r, "no %s in cgroup2 (kernel %s; needs %d.%d)", file, c->release, major,
			minor);
		return;
	}
	use_dir(r, c->unified_dir, true, file);
	if (r->usable && how[0] != '\0')
		set_why(r, "%s", how);
}

/* Reads where we sit in the cgroup2 hierarchy, if one is mounted. */
static void load_unified(struct cg_ctx *c, struct stim_cgroup_info *info)
{
	cleanup_mountinfo struct stim_mountinfo m = { 0 };
	char own[STIM_CGROUP_PATH_MAX];
	char path[STIM_CGROUP_PATH_MAX + 32];
	cleanup_error stim_error_t perr = NULL;
	cleanup_error stim_error_t own_err = NULL;
	cleanup_error stim_error_t root_err = NULL;
	size_t mlen;

	if (info->mode == STIM_CGROUP_V1)
		return;
	if (stim_probe_mountinfo_cgroup(c->mountinfo, NULL, &m, &perr) < 0 ||
	    stim_probe_self_cgroup(c->self, NULL, own, sizeof(own), &perr) < 0 ||
	    stim_probe_cgroup_dir(m.mount_point, m.root, own, c->unified_dir,
				  sizeof(c->unified_dir), &perr) < 0)
		return;
	c->unified = true;
	snprintf(info->unified_mount, sizeof(info->unified_mount), "%s", m.mount_point);
	/* Our place relative to the mount, which is what a container sees. */
	mlen = strlen(m.mount_point);
	snprintf(info->unified_own, sizeof(info->unified_own), "%s",
		 c->unified_dir[mlen] == '\0' ? "/" : c->unified_dir + mlen);
	snprintf(path, sizeof(path), "%s/cgroup.controllers", c->unified_dir);
	if (stim_procfs_read(path, PROC_TEXT_MAX, &c->own_ctrls, &own_err) < 0)
		c->own_ctrls = NULL;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", m.mount_point);
	if (stim_procfs_read(path, PROC_TEXT_MAX, &c->root_ctrls, &root_err) < 0)
		c->root_ctrls = NULL;
}

struct limit_desc {
	enum stim_cgroup_resource res;
	const char *ctrl;
	const char *v1_files;
	const char *v2_files;
};

static const struct limit_desc limits[] = {
	{ STIM_CGROUP_MEMORY, "memory", "memory.limit_in_bytes", "memory.max" },
	{ STIM_CGROUP_CPU, "cpu", "cpu.cfs_quota_us, cpu.cfs_period_us", "cpu.max" },
	{ STIM_CGROUP_PIDS, "pids", "pids.max", "pids.max" },
};

static void probe_freeze(struct cg_ctx *c, struct stim_cgroup_info *info)
{
	struct stim_cgroup_resource_info *r = &info->res[STIM_CGROUP_FREEZE];
	struct stim_cgroup_resource_info v1 = { 0 };

	if (c->unified)
		probe_core_file(c, info, r, "cgroup.freeze", 5, 2);
	if (r->usable || info->mode == STIM_CGROUP_V2)
		return;
	/* The v1 freezer does the same job (freezer.state=FROZEN). */
	if (probe_v1_controller(c, &v1, "freezer", "freezer.state") && (v1.usable || !c->unified))
		*r = v1;
	if (!r->usable && r->why[0] == '\0')
		set_why(r, "no cgroup.freeze and no v1 freezer");
}

int stim_cgroup_probe(struct stim_cgroup_info *out, stim_error_t *err)
{
	struct stim_cgroup_info info;
	struct cg_ctx c = { 0 };
	cleanup_error stim_error_t cg_err = NULL;
	struct utsname uts;
	int ret = -1;

	memset(&info, 0, sizeof(info));
	if (stim_cgroup_detect(&info.mode, err) < 0)
		return -1;
	if (uname(&uts) < 0)
		return stim_err_sys(err, errno, "uname");
	c.release = uts.release;
	if (stim_procfs_read("/proc/self/cgroup", PROC_TEXT_MAX, &c.self, err) < 0 ||
	    stim_procfs_read("/proc/self/mountinfo", PROC_TEXT_MAX, &c.mountinfo, err) < 0)
		goto out;
	load_unified(&c, &info);
	/* Only for better reasons; older kernels without it are fine. */
	if (stim_procfs_read("/proc/cgroups", PROC_TEXT_MAX, &c.proc_cgroups, &cg_err) < 0)
		c.proc_cgroups = NULL;

	for (size_t i = 0; i < STIM_ARRAY_SIZE(limits); i++) {
		struct stim_cgroup_resource_info *r = &info.res[limits[i].res];

		/* Outside pure v2 a controller lives in v1 unless no v1
		 * hierarchy binds it; then it may sit in unified. */
		if (info.mode != STIM_CGROUP_V2 &&
		    probe_v1_controller(&c, r, limits[i].ctrl, limits[i].v1_files))
			continue;
		if (c.unified)
			probe_v2_controller(&c, &info, r, limits[i].ctrl, limits[i].v2_files);
		else
			why_no_controller(&c, &info, r, limits[i].ctrl);
	}
	probe_freeze(&c, &info);
	if (c.unified)
		probe_core_file(&c, &info, &info.res[STIM_CGROUP_KILL], "cgroup.kill", 5, 14);
	else
		set_why(&info.res[STIM_CGROUP_KILL], "no cgroup2 hierarchy, so no cgroup.kill");

	*out = info;
	ret = 0;
out:
	cg_ctx_fini(&c);
	return ret;
}

size_t stim_cgroup_unenforced(const struct stim_cgroup_info *info, char *buf, size_t n)
{
	size_t count = 0;
	size_t len = 0;

	if (n > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < STIM_ARRAY_SIZE(limits); i++) {
		if (info->res[limits[i].res].usable)
			continue;
		if (len < n) {
			int w = snprintf(buf + len, n - len, "%s%s", count > 0 ? ", " : "",
					 limits[i].ctrl);
			if (w > 0)
				len += (size_t)w;
		}
		count++;
	}
	return count;
}

/* Report items */

static void add_resource_item(struct stim_host_report *rep, enum stim_cgroup_resource i)
{
	static const char *const names[] = {
		[STIM_CGROUP_MEMORY] = "cgroup.memory", [STIM_CGROUP_CPU] = "cgroup.cpu",
		[STIM_CGROUP_PIDS] = "cgroup.pids",	[STIM_CGROUP_FREEZE] = "cgroup.freeze",
		[STIM_CGROUP_KILL] = "cgroup.kill",
	};
	const struct stim_cgroup_resource_info *r = &rep->cgroup.res[i];
	bool has_why = r->why[0] != '\0';

	if (r->usable)
		stim_host_probe_add(rep, names[i], false, STIM_PROBE_OK, "%s%s below %s%s%s%s",
				    r->v2 ? "" : "v1 ", r->files, r->dir, has_why ? " (" : "",
				    r->why, has_why ? ")" : "");
	else if (i == STIM_CGROUP_FREEZE)
		stim_host_probe_add(rep, names[i], false, STIM_PROBE_DEGRADED,
				    "instances cannot be suspended (%s)", r->why);
	else if (i == STIM_CGROUP_KILL)
		stim_host_probe_add(rep, names[i], false, STIM_PROBE_DEGRADED,
				    "instance processes are killed one by one (%s)", r->why);
	else
		stim_host_probe_add(rep, names[i], false, STIM_PROBE_DEGRADED,
				    "limits not enforced: %s (%s)", stim_cgroup_resource_name(i),
				    r->why);
}

void stim_host_probe_cgroups(struct stim_host_report *rep)
{
	struct stim_cgroup_info *cg = &rep->cgroup;
	cleanup_error stim_error_t cerr = NULL;

	if (stim_cgroup_probe(cg, &cerr) < 0) {
		/* Every item still appears, so --json readers see a fixed set. */
		rep->cgroup_ok = false;
		memset(cg, 0, sizeof(*cg));
		stim_host_probe_add(rep, "cgroup.mode", false, STIM_PROBE_DEGRADED, "%s",
				    cerr->msg);
		for (int i = 0; i < STIM_CGROUP_NR_RESOURCES; i++)
			set_why(&cg->res[i], "cgroups unreadable");
	} else if (cg->mode == STIM_CGROUP_V2) {
		rep->cgroup_ok = true;
		stim_host_probe_add(rep, "cgroup.mode", false, STIM_PROBE_OK,
				    "v2: cgroup2 at %s, own cgroup %s", cg->unified_mount,
				    cg->unified_own);
	} else if (cg->mode == STIM_CGROUP_HYBRID) {
		rep->cgroup_ok = true;
		stim_host_probe_add(rep, "cgroup.mode", false, STIM_PROBE_OK,
				    "hybrid: v1 controllers, cgroup2 at %s (own cgroup %s)",
				    cg->unified_mount[0] != '\0' ? cg->unified_mount
								 : CGROUP_UNIFIED,
				    cg->unified_own[0] != '\0' ? cg->unified_own : "unknown");
	} else {
		rep->cgroup_ok = true;
		stim_host_probe_add(rep, "cgroup.mode", false, STIM_PROBE_OK,
				    "v1: no cgroup2 hierarchy");
	}
	for (int i = 0; i < STIM_CGROUP_NR_RESOURCES; i++)
		add_resource_item(rep, i);
}

/* Names */

const char *stim_cgroup_mode_name(enum stim_cgroup_mode mode)
{
	switch (mode) {
	case STIM_CGROUP_V1:
		return "v1";
	case STIM_CGROUP_HYBRID:
		return "hybrid";
	case STIM_CGROUP_V2:
		return "v2";
	}
	return "unknown";
}

const char *stim_cgroup_resource_name(enum stim_cgroup_resource res)
{
	static const char *const names[] = {
		[STIM_CGROUP_MEMORY] = "memory", [STIM_CGROUP_CPU] = "cpu",
		[STIM_CGROUP_PIDS] = "pids",	 [STIM_CGROUP_FREEZE] = "freeze",
		[STIM_CGROUP_KILL] = "kill",
	};

	if ((size_t)res >= STIM_ARRAY_SIZE(names))
		return "unknown";
	return names[res];
}
