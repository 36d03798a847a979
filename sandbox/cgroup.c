/* Instance cgroups over v2 or the hybrid layout (see cgroup.h). */
#include "sandbox/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/procfs.h"
#include "src/util.h"

#define CGROUP_NAME_MAX 200
#define WAIT_MS		2000
#define DAEMON_LEAF	"stim-daemon"
#define PROCS_TEXT_MAX	(1 << 20)
#define EVENTS_TEXT_MAX 4096

struct stim_cgroups {
	struct stim_cgroup_info info;
	bool enforce[STIM_CGROUP_NR_RESOURCES];
	char unenforced[128];
	int wait_ms;
};

/* An instance's directories: one per hierarchy, shared by the resources
 * that hierarchy carries (freeze and kill share the unified one). */
struct stim_cgroup {
	struct stim_cgroups *m;
	size_t ndirs;
	char *dirs[STIM_CGROUP_NR_RESOURCES];
	int dir_of[STIM_CGROUP_NR_RESOURCES]; /* index in dirs, -1: not enforced */
};

static const enum stim_cgroup_resource limit_res[] = { STIM_CGROUP_MEMORY, STIM_CGROUP_CPU,
						       STIM_CGROUP_PIDS };

static void describe_unenforced(struct stim_cgroups *m)
{
	m->unenforced[0] = '\0';
	for (size_t i = 0; i < STIM_ARRAY_SIZE(limit_res); i++) {
		size_t len = strlen(m->unenforced);

		if (m->enforce[limit_res[i]])
			continue;
		snprintf(m->unenforced + len, sizeof(m->unenforced) - len, "%s%s",
			 len > 0 ? ", " : "", stim_cgroup_resource_name(limit_res[i]));
	}
}

struct stim_cgroups *stim_cgroups_new(const struct stim_cgroup_info *info)
{
	struct stim_cgroups *m = xcalloc(1, sizeof(*m));

	m->info = *info;
	m->wait_ms = WAIT_MS;
	for (int r = 0; r < STIM_CGROUP_NR_RESOURCES; r++)
		m->enforce[r] = info->res[r].usable;
	describe_unenforced(m);
	return m;
}

void stim_cgroups_free(struct stim_cgroups *m)
{
	free(m);
}

void stim_cgroups_set_timeout(struct stim_cgroups *m, int ms)
{
	m->wait_ms = ms;
}

const char *stim_cgroups_unenforced(const struct stim_cgroups *m)
{
	return m->unenforced;
}

/* Writes value to dir/file. O_CREAT only matters for tests, whose
 * "cgroupfs" is a plain directory: cgroupfs itself refuses new files, so
 * a misspelt name still fails there. */
static int write_file(const char *dir, const char *file, const char *value, stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(value);

	if (fd < 0)
		return stim_err_sys(err, errno, "open %s", path);
	if (write(fd, value, len) != (ssize_t)len)
		return stim_err_sys(err, errno, "write '%s' to %s", value, path);
	return 0;
}

static int read_file(const char *dir, const char *file, size_t max, char **out, stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);

	return stim_procfs_read(path, max, out, err);
}

int stim_cgroups_prepare(struct stim_cgroups *m, stim_error_t *err)
{
	const char *own = NULL;
	cleanup_free char *leaf = NULL;
	char pid[24];

	for (size_t i = 0; i < STIM_ARRAY_SIZE(limit_res); i++) {
		const struct stim_cgroup_resource_info *r = &m->info.res[limit_res[i]];

		if (m->enforce[limit_res[i]] && r->v2)
			own = r->dir;
	}
	if (own == NULL)
		return 0; /* nothing to enable: hybrid, or no v2 limit at all */
	/* "No internal processes": controllers can be enabled for children
	 * only once our own cgroup holds no process, so the daemon moves to
	 * a leaf of its own (nsjail's cgroup2.cc does the same). */
	leaf = xasprintf("%s/%s", own, DAEMON_LEAF);
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", leaf);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write_file(leaf, "cgroup.procs", pid, err) < 0)
		return -1;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(limit_res); i++) {
		struct stim_cgroup_resource_info *r = &m->info.res[limit_res[i]];
		cleanup_error stim_error_t werr = NULL;
		char ctl[32];

		if (!m->enforce[limit_res[i]] || !r->v2)
			continue;
		snprintf(ctl, sizeof(ctl), "+%s", stim_cgroup_resource_name(limit_res[i]));
		if (write_file(own, "cgroup.subtree_control", ctl, &werr) < 0) {
			/* Another process in our cgroup (we move only ourselves)
			 * or no delegation: say so, enforce the rest. */
			m->enforce[limit_res[i]] = false;
			snprintf(r->why, sizeof(r->why), "%s", werr->msg);
		}
	}
	describe_unenforced(m);
	return 0;
}

static bool valid_name(const char *name)
{
	return strncmp(name, "stim-", 5) == 0 && strlen(name) <= CGROUP_NAME_MAX &&
	       strchr(name, '/') == NULL;
}

/* Fills cg's directories (one per hierarchy) for name. */
static struct stim_cgroup *layout(struct stim_cgroups *m, const char *name)
{
	struct stim_cgroup *cg = xcalloc(1, sizeof(*cg));

	cg->m = m;
	for (int r = 0; r < STIM_CGROUP_NR_RESOURCES; r++) {
		cleanup_free char *dir = NULL;

		cg->dir_of[r] = -1;
		if (!m->enforce[r])
			continue;
		dir = xasprintf("%s/%s", m->info.res[r].dir, name);
		for (size_t i = 0; i < cg->ndirs; i++) {
			if (strcmp(cg->dirs[i], dir) == 0)
				cg->dir_of[r] = (int)i;
		}
		if (cg->dir_of[r] < 0) {
			cg->dir_of[r] = (int)cg->ndirs;
			cg->dirs[cg->ndirs++] = steal_pointer(&dir);
		}
	}
	return cg;
}

static const char *dir_for(const struct stim_cgroup *cg, enum stim_cgroup_resource r)
{
	return cg->dir_of[r] >= 0 ? cg->dirs[cg->dir_of[r]] : NULL;
}

struct stim_cgroup *stim_cgroup_open(struct stim_cgroups *m, const char *name)
{
	return valid_name(name) ? layout(m, name) : NULL;
}

void stim_cgroup_free(struct stim_cgroup *cg)
{
	if (cg == NULL)
		return;
	for (size_t i = 0; i < cg->ndirs; i++)
		free(cg->dirs[i]);
	free(cg);
}

void stim_cleanup_cgroup(struct stim_cgroup **cg)
{
	stim_cgroup_free(*cg);
}

struct stim_cgroup *stim_cgroup_create(struct stim_cgroups *m, const char *name,
				       const struct stim_cgroup_limits *lim, stim_error_t *err)
{
	cleanup_cgroup struct stim_cgroup *cg = NULL;
	size_t made = 0;

	if (!valid_name(name)) {
		stim_err(err, STIM_INVALID_ARGUMENT, "cgroup name '%s' must start with stim-",
			 name);
		return NULL;
	}
	cg = layout(m, name);
	for (; made < cg->ndirs; made++) {
		if (mkdir(cg->dirs[made], 0755) < 0) {
			if (errno == EEXIST)
				stim_err(err, STIM_ALREADY_EXISTS, "cgroup %s already exists",
					 cg->dirs[made]);
			else
				stim_err_sys(err, errno, "mkdir %s", cg->dirs[made]);
			goto fail;
		}
	}
	if (stim_cgroup_set_limits(cg, lim, err) < 0)
		goto fail;
	return steal_pointer(&cg);
fail:
	/* Only what this call made goes. */
	while (made > 0)
		rmdir(cg->dirs[--made]);
	return NULL;
}

static int set_memory(const struct stim_cgroup *cg, uint64_t bytes, stim_error_t *err)
{
	const char *dir = dir_for(cg, STIM_CGROUP_MEMORY);
	char v[24];

	if (dir == NULL)
		return 0;
	if (cg->m->info.res[STIM_CGROUP_MEMORY].v2) {
		cleanup_error stim_error_t swap_err = NULL;

		snprintf(v, sizeof(v), bytes > 0 ? "%" PRIu64 : "max", bytes);
		if (write_file(dir, "memory.max", v, err) < 0)
			return -1;
		/* A VM has no swap: without this the limit only moves pages
		 * out. Absent when the kernel has no swap accounting. */
		write_file(dir, "memory.swap.max", "0", &swap_err);
		return 0;
	}
	snprintf(v, sizeof(v), bytes > 0 ? "%" PRIu64 : "-1", bytes);
	return write_file(dir, "memory.limit_in_bytes", v, err);
}

static int set_cpu(const struct stim_cgroup *cg, uint32_t milli, stim_error_t *err)
{
	const char *dir = dir_for(cg, STIM_CGROUP_CPU);
	uint64_t quota = (uint64_t)milli * STIM_CGROUP_CPU_PERIOD_US / 1000;
	char v[48];

	if (dir == NULL)
		return 0;
	if (cg->m->info.res[STIM_CGROUP_CPU].v2) {
		if (milli > 0)
			snprintf(v, sizeof(v), "%" PRIu64 " %d", quota, STIM_CGROUP_CPU_PERIOD_US);
		else
			snprintf(v, sizeof(v), "max %d", STIM_CGROUP_CPU_PERIOD_US);
		return write_file(dir, "cpu.max", v, err);
	}
	snprintf(v, sizeof(v), "%d", STIM_CGROUP_CPU_PERIOD_US);
	if (write_file(dir, "cpu.cfs_period_us", v, err) < 0)
		return -1;
	snprintf(v, sizeof(v), milli > 0 ? "%" PRIu64 : "-1", quota);
	return write_file(dir, "cpu.cfs_quota_us", v, err);
}

static int set_pids(const struct stim_cgroup *cg, uint32_t pids, stim_error_t *err)
{
	const char *dir = dir_for(cg, STIM_CGROUP_PIDS);
	char v[16];

	if (dir == NULL)
		return 0;
	snprintf(v, sizeof(v), pids > 0 ? "%" PRIu32 : "max", pids);
	return write_file(dir, "pids.max", v, err);
}

int stim_cgroup_set_limits(struct stim_cgroup *cg, const struct stim_cgroup_limits *lim,
			   stim_error_t *err)
{
	if (set_memory(cg, lim->memory_bytes, err) < 0 || set_cpu(cg, lim->cpu_milli, err) < 0 ||
	    set_pids(cg, lim->pids, err) < 0)
		return -1;
	return 0;
}

int stim_cgroup_enter(struct stim_cgroup *cg, pid_t pid, stim_error_t *err)
{
	char v[24];

	snprintf(v, sizeof(v), "%d", (int)pid);
	for (size_t i = 0; i < cg->ndirs; i++) {
		if (write_file(cg->dirs[i], "cgroup.procs", v, err) < 0)
			return -1;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool has_line(const char *text, const char *want)
{
	size_t n = strlen(want);

	for (const char *l = text; *l != '\0';) {
		const char *end = strchrnul(l, '\n');

		if ((size_t)(end - l) == n && strncmp(l, want, n) == 0)
			return true;
		if (*end == '\0')
			break;
		l = end + 1;
	}
	return false;
}

/* Waits until dir/file holds want (a line of it, for cgroup.events). The
 * kernel flags cgroup.events with POLLPRI on change; v1's freezer.state
 * has no such notice, so the wait also wakes every 10 ms to look. */
static int wait_for(const char *dir, const char *file, const char *want, int wait_ms,
		    stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	int64_t deadline = now_ms() + wait_ms;

	for (;;) {
		cleanup_free char *text = NULL;
		struct pollfd p = { .events = POLLPRI };

		if (stim_procfs_read(path, EVENTS_TEXT_MAX, &text, err) < 0)
			return -1;
		if (has_line(text, want))
			return 0;
		if (now_ms() >= deadline)
			return stim_err(err, STIM_DEADLINE_EXCEEDED,
					"%s did not show '%s' within %d ms", path, want, wait_ms);
		p.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (p.fd >= 0) {
			char buf[256];

			/* poll() reports a change only after a first read. */
			while (read(p.fd, buf, sizeof(buf)) > 0)
				;
			poll(&p, 1, 10);
			close(p.fd);
		}
	}
}

int stim_cgroup_freeze(struct stim_cgroup *cg, bool frozen, stim_error_t *err)
{
	const char *dir = dir_for(cg, STIM_CGROUP_FREEZE);

	if (dir == NULL)
		return stim_err(err, STIM_FAILED_PRECONDITION,
				"this host cannot freeze processes: %s",
				cg->m->info.res[STIM_CGROUP_FREEZE].why);
	if (cg->m->info.res[STIM_CGROUP_FREEZE].v2) {
		if (write_file(dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
			return -1;
		return wait_for(dir, "cgroup.events", frozen ? "frozen 1" : "frozen 0",
				cg->m->wait_ms, err);
	}
	if (write_file(dir, "freezer.state", frozen ? "FROZEN" : "THAWED", err) < 0)
		return -1;
	return wait_for(dir, "freezer.state", frozen ? "FROZEN" : "THAWED", cg->m->wait_ms, err);
}

/* SIGKILLs each process listed in dir/cgroup.procs; 0 when none was left. */
static int kill_listed(const char *dir, int *left, stim_error_t *err)
{
	cleanup_free char *text = NULL;
	char *save = NULL;

	*left = 0;
	if (read_file(dir, "cgroup.procs", PROCS_TEXT_MAX, &text, err) < 0)
		return -1;
	for (char *t = strtok_r(text, "\n", &save); t != NULL; t = strtok_r(NULL, "\n", &save)) {
		/* Every process listed there is one of the instance's: the
		 * directory is ours, and only the instance was put in it. */
		if (kill((pid_t)atoi(t), SIGKILL) == 0)
			(*left)++;
	}
	return 0;
}

int stim_cgroup_kill(struct stim_cgroup *cg, stim_error_t *err)
{
	const char *dir = dir_for(cg, STIM_CGROUP_KILL);
	int64_t deadline = now_ms() + cg->m->wait_ms;
	bool frozen = false;
	int ret = -1;

	if (dir != NULL)
		return write_file(dir, "cgroup.kill", "1", err);
	if (cg->ndirs == 0)
		return stim_err(err, STIM_FAILED_PRECONDITION,
				"this host gives the instance no cgroup to kill it through");
	/* No cgroup.kill: freeze first, so nothing forks between the reading
	 * of the list and the kills; SIGKILL reaches frozen processes. */
	if (dir_for(cg, STIM_CGROUP_FREEZE) != NULL) {
		cleanup_error stim_error_t ferr = NULL;

		frozen = stim_cgroup_freeze(cg, true, &ferr) == 0;
	}
	for (;;) {
		int left;

		if (kill_listed(cg->dirs[0], &left, err) < 0)
			break;
		if (left == 0) {
			ret = 0;
			break;
		}
		if (now_ms() >= deadline) {
			stim_err(err, STIM_DEADLINE_EXCEEDED, "processes of %s survive SIGKILL",
				 cg->dirs[0]);
			break;
		}
	}
	if (frozen) {
		cleanup_error stim_error_t terr = NULL;

		stim_cgroup_freeze(cg, false, &terr);
	}
	return ret;
}

int stim_cgroup_destroy(struct stim_cgroup *cg, stim_error_t *err)
{
	int64_t deadline = now_ms() + cg->m->wait_ms;

	for (size_t i = 0; i < cg->ndirs; i++) {
		/* A killed process leaves its cgroup only once reaped and gone:
		 * EBUSY until then. */
		while (rmdir(cg->dirs[i]) < 0 && errno != ENOENT) {
			struct timespec pause = { .tv_nsec = 2 * 1000 * 1000 };

			if (errno != EBUSY || now_ms() >= deadline)
				return stim_err_sys(err, errno, "rmdir %s", cg->dirs[i]);
			nanosleep(&pause, NULL);
		}
	}
	return 0;
}

const char *stim_cgroup_unified_dir(const struct stim_cgroup *cg)
{
	for (int r = 0; r < STIM_CGROUP_NR_RESOURCES; r++) {
		if (cg->dir_of[r] >= 0 && cg->m->info.res[r].v2)
			return cg->dirs[cg->dir_of[r]];
	}
	return NULL;
}
