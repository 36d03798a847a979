/* Pure parsers of cgroup text from /proc (mountinfo lines are src/procfs.c's); unit-tested. */
#include "src/host_probe.h"

#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/procfs.h"
#include "src/util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

int stim_probe_cgroup_mode(long root_magic, long unified_magic, enum stim_cgroup_mode *mode,
			   stim_error_t *err)
{
	if (root_magic == CGROUP2_SUPER_MAGIC) {
		*mode = STIM_CGROUP_V2;
		return 0;
	}
	/* systemd's "hybrid" layout: v1 hierarchies in a tmpfs, plus cgroup2 in
	 * unified/ that holds no controller systemd left bound to v1. */
	if (root_magic == TMPFS_MAGIC && unified_magic == CGROUP2_SUPER_MAGIC) {
		*mode = STIM_CGROUP_HYBRID;
		return 0;
	}
	/* A tmpfs of v1 mounts, or (rare) one v1 hierarchy mounted right there. */
	if (root_magic == TMPFS_MAGIC || root_magic == CGROUP_SUPER_MAGIC) {
		*mode = STIM_CGROUP_V1;
		return 0;
	}
	return stim_err(err, STIM_FAILED_PRECONDITION,
			"no cgroup filesystem at " CGROUP_ROOT " (magic 0x%lx)", root_magic);
}

bool stim_probe_list_has(const char *list, const char *name, char sep)
{
	size_t len = strlen(name);
	const char *p = list;

	while (*p != '\0') {
		size_t tok = 0;

		while (p[tok] != '\0' && p[tok] != sep && p[tok] != ' ' && p[tok] != '\n' &&
		       p[tok] != '\t')
			tok++;
		if (tok == len && strncmp(p, name, len) == 0)
			return true;
		p += tok;
		if (*p != '\0')
			p++;
	}
	return false;
}

/* Copies [s, s+len) into buf; INVALID_ARGUMENT when it does not fit. */
static int copy_span(const char *what, const char *s, size_t len, char *buf, size_t n,
		     stim_error_t *err)
{
	if (len >= n)
		return stim_err(err, STIM_INVALID_ARGUMENT, "%s longer than %zu bytes", what,
				n - 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

int stim_probe_self_cgroup(const char *text, const char *controller, char *buf, size_t n,
			   stim_error_t *err)
{
	const char *line = text;

	/* Lines are "ID:CONTROLLERS:PATH"; the path may itself hold ':'. */
	while (*line != '\0') {
		const char *end = strchrnul(line, '\n');
		const char *c1 = memchr(line, ':', (size_t)(end - line));
		const char *c2 = NULL;

		if (c1 != NULL)
			c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
		if (c2 != NULL) {
			bool match;

			if (controller == NULL) {
				match = c1 - line == 1 && line[0] == '0' && c2 == c1 + 1;
			} else {
				cleanup_free char *ctrls = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));

				match = ctrls[0] != '\0' &&
					stim_probe_list_has(ctrls, controller, ',');
			}
			if (match)
				return copy_span("cgroup path", c2 + 1, (size_t)(end - c2 - 1), buf,
						 n, err);
		}
		line = *end == '\0' ? end : end + 1;
	}
	return stim_err(err, STIM_NOT_FOUND, "no %s%s line in /proc/self/cgroup",
			controller != NULL ? controller : "0::", controller != NULL ? ":" : "");
}

int stim_probe_mountinfo_cgroup(const char *text, const char *controller,
				struct stim_mountinfo *out, stim_error_t *err)
{
	cleanup_mountinfo struct stim_mountinfo best = { 0 };
	bool found = false;
	bool found_canonical = false;
	const char *line = text;

	while (*line != '\0') {
		const char *end = strchrnul(line, '\n');
		cleanup_mountinfo struct stim_mountinfo e = { 0 };
		cleanup_error stim_error_t perr = NULL;
		bool canonical;
		int ret;

		ret = stim_mountinfo_parse_line(line, &e, &perr);
		line = *end == '\0' ? end : end + 1;
		/* A line that does not parse (a mount made with an empty
		 * source shows an empty field) is passed over: one odd mount
		 * must not hide the hierarchies from doctor. */
		if (ret < 0)
			continue;
		if (controller == NULL && strcmp(e.fstype, "cgroup2") != 0)
			continue;
		if (controller != NULL && (strcmp(e.fstype, "cgroup") != 0 ||
					   !stim_probe_list_has(e.super_options, controller, ',')))
			continue;
		/* A hierarchy may also be mounted elsewhere (a container's bind
		 * mount): the place under /sys/fs/cgroup wins. Among equals the
		 * later line wins, since a later mount on the same place (or on a
		 * parent, as a cgroup2 over the hybrid tmpfs) hides the earlier. */
		canonical = stim_str_has_prefix(e.mount_point, CGROUP_ROOT) &&
			    (e.mount_point[strlen(CGROUP_ROOT)] == '\0' ||
			     e.mount_point[strlen(CGROUP_ROOT)] == '/');
		if (found_canonical && !canonical)
			continue;
		stim_mountinfo_fini(&best);
		best = e;
		memset(&e, 0, sizeof(e));
		found = true;
		found_canonical = canonical;
	}
	if (!found)
		return stim_err(err, STIM_NOT_FOUND, "no %s mount in /proc/self/mountinfo",
				controller != NULL ? controller : "cgroup2");
	*out = best;
	memset(&best, 0, sizeof(best));
	return 0;
}

int stim_probe_cgroup_dir(const char *mountpoint, const char *mount_root, const char *own,
			  char *buf, size_t n, stim_error_t *err)
{
	size_t rlen = strlen(mount_root);
	const char *rest = own;
	int len;

	/* Inside a container the mount shows a subtree (root "/docker/ID") while
	 * /proc/self/cgroup may still print full paths; strip the shared part. */
	if (strcmp(mount_root, "/") != 0) {
		if (strncmp(own, mount_root, rlen) != 0 || (own[rlen] != '/' && own[rlen] != '\0'))
			return stim_err(err, STIM_NOT_FOUND, "cgroup %s is outside the mount of %s",
					own, mount_root);
		rest = own + rlen;
	}
	while (*rest == '/')
		rest++;
	if (*rest == '\0')
		len = snprintf(buf, n, "%s", mountpoint);
	else
		len = snprintf(buf, n, "%s/%s", mountpoint, rest);
	if (len < 0 || (size_t)len >= n)
		return stim_err(err, STIM_INVALID_ARGUMENT, "cgroup path %s%s too long", mountpoint,
				own);
	return 0;
}

bool stim_probe_kernel_at_least(const char *release, int major, int minor)
{
	int ma = 0;
	int mi = 0;

	if (sscanf(release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

int stim_probe_proc_cgroups(const char *text, const char *name, int *hierarchy, bool *enabled,
			    stim_error_t *err)
{
	const char *line = text;

	/* "#subsys_name hierarchy num_cgroups enabled", one controller a line;
	 * hierarchy 0 means cgroup2 (or nothing mounted). */
	while (*line != '\0') {
		const char *end = strchrnul(line, '\n');
		size_t len = strlen(name);
		int hier;
		int num;
		int en;

		if (line[0] != '#' && strncmp(line, name, len) == 0 &&
		    (line[len] == '\t' || line[len] == ' ') &&
		    sscanf(line + len, "%d %d %d", &hier, &num, &en) == 3) {
			*hierarchy = hier;
			*enabled = en != 0;
			return 0;
		}
		line = *end == '\0' ? end : end + 1;
	}
	return stim_err(err, STIM_NOT_FOUND, "no %s in /proc/cgroups", name);
}
