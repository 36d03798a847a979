/* Pure parsers of cgroup and mount text from /proc; no host access, unit-tested. */
#include "src/host_probe.h"

#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
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

/* Copies one mountinfo field, decoding the kernel's \ooo escapes (space, tab,
 * newline and backslash are escaped in paths). */
static int copy_field(const char *what, const char *s, size_t len, char *buf, size_t n,
		      stim_error_t *err)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= n)
			return stim_err(err, STIM_INVALID_ARGUMENT, "mountinfo %s too long", what);
		buf[o++] = c;
	}
	buf[o] = '\0';
	return 0;
}

int stim_probe_mountinfo_line(const char *line, struct stim_probe_mount *out, stim_error_t *err)
{
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTS":
	 * the optional fields vary in number, so the fields after them are found
	 * from the lone "-" separator (proc(5)). */
	const char *tok[32];
	size_t len[32];
	size_t ntok = 0;
	size_t sep = 0;
	const char *p = line;
	struct stim_probe_mount e;

	while (*p != '\0' && *p != '\n' && ntok < STIM_ARRAY_SIZE(tok)) {
		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		tok[ntok] = p;
		while (*p != ' ' && *p != '\0' && *p != '\n')
			p++;
		len[ntok] = (size_t)(p - tok[ntok]);
		if (sep == 0 && ntok >= 6 && len[ntok] == 1 && tok[ntok][0] == '-')
			sep = ntok;
		ntok++;
	}
	if (sep == 0 || ntok < sep + 4)
		return stim_err(err, STIM_INVALID_ARGUMENT, "malformed mountinfo line");
	if (copy_field("root", tok[3], len[3], e.root, sizeof(e.root), err) < 0 ||
	    copy_field("mount point", tok[4], len[4], e.mountpoint, sizeof(e.mountpoint), err) <
		    0 ||
	    copy_field("fstype", tok[sep + 1], len[sep + 1], e.fstype, sizeof(e.fstype), err) < 0 ||
	    copy_field("super options", tok[sep + 3], len[sep + 3], e.super_opts,
		       sizeof(e.super_opts), err) < 0)
		return -1;
	*out = e;
	return 0;
}

int stim_probe_mountinfo_cgroup(const char *text, const char *controller,
				struct stim_probe_mount *out, stim_error_t *err)
{
	struct stim_probe_mount e;
	bool found = false;
	bool found_canonical = false;
	const char *line = text;

	while (*line != '\0') {
		const char *end = strchrnul(line, '\n');
		cleanup_error stim_error_t perr = NULL;
		bool canonical;
		int ret;

		ret = stim_probe_mountinfo_line(line, &e, &perr);
		line = *end == '\0' ? end : end + 1;
		/* A line we cannot parse (an over-long path) cannot be ours. */
		if (ret < 0)
			continue;
		if (controller == NULL && strcmp(e.fstype, "cgroup2") != 0)
			continue;
		if (controller != NULL && (strcmp(e.fstype, "cgroup") != 0 ||
					   !stim_probe_list_has(e.super_opts, controller, ',')))
			continue;
		/* A hierarchy may also be mounted elsewhere (a container's bind
		 * mount): the place under /sys/fs/cgroup wins. Among equals the
		 * later line wins, since a later mount on the same place (or on a
		 * parent, as a cgroup2 over the hybrid tmpfs) hides the earlier. */
		canonical = stim_str_has_prefix(e.mountpoint, CGROUP_ROOT) &&
			    (e.mountpoint[strlen(CGROUP_ROOT)] == '\0' ||
			     e.mountpoint[strlen(CGROUP_ROOT)] == '/');
		if (found_canonical && !canonical)
			continue;
		*out = e;
		found = true;
		found_canonical = canonical;
	}
	if (found)
		return 0;
	return stim_err(err, STIM_NOT_FOUND, "no %s mount in /proc/self/mountinfo",
			controller != NULL ? controller : "cgroup2");
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
