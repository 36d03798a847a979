/* Small kernel text files read whole, and /proc/self/mountinfo parsed. */
#include "src/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/util.h"

/* /proc/self/mountinfo of a busy host is a few hundred KiB; this is far above. */
#define MOUNTINFO_MAX_BYTES (64u << 20)
/* The first buffer: most of these files (cgroup.controllers,
 * /proc/self/cgroup) fit in it whole. */
#define READ_FIRST 4096

/* Reading */

int stim_procfs_read(const char *path, size_t max, char **text, stim_error_t *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	size_t cap = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return stim_err_sys(err, errno, "open %s", path);
	for (;;) {
		ssize_t r;

		if (len == cap) {
			/* Room for one byte past max, so that a file of
			 * exactly max bytes reads whole and a longer one shows
			 * itself without another buffer. */
			cap = cap == 0 ? READ_FIRST : cap * 2;
			if (cap > max)
				cap = max + 1;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return stim_err_sys(err, errno, "read %s", path);
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max)
			return stim_err(err, STIM_RESOURCE_EXHAUSTED, "%s: larger than %zu bytes",
					path, max);
	}
	buf[len] = '\0';
	*text = steal_pointer(&buf);
	return 0;
}

/* The mount table */

static bool is_octal(char c, char max)
{
	return c >= '0' && c <= max;
}

char *stim_mountinfo_unescape(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		/* The kernel writes space, tab, newline and backslash as \ooo
		 * (fs/proc_namespace.c mangle()). */
		if (s[i] == '\\' && i + 3 < len && is_octal(s[i + 1], '3') &&
		    is_octal(s[i + 2], '7') && is_octal(s[i + 3], '7')) {
			out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
					  (s[i + 3] - '0'));
			i += 3;
			continue;
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

void stim_mountinfo_fini(struct stim_mountinfo *m)
{
	free(m->root);
	free(m->mount_point);
	free(m->fstype);
	free(m->source);
	free(m->super_options);
	memset(m, 0, sizeof(*m));
}

void stim_mountinfo_free(struct stim_mountinfo *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		stim_mountinfo_fini(&v[i]);
	free(v);
}

static bool parse_int(const char *s, size_t len, long max, long *out)
{
	long v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static int malformed(const char *line, stim_error_t *err)
{
	return stim_err(err, STIM_INVALID_ARGUMENT, "mountinfo: malformed line '%.*s'",
			(int)strcspn(line, "\n"), line);
}

int stim_mountinfo_parse_line(const char *line, struct stim_mountinfo *out, stim_error_t *err)
{
	/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
	 * (proc(5)): six fields, optional fields up to "-", then three more.
	 * The optional fields vary in number, so the last three are found from
	 * the lone "-". Fields are split on single spaces, as the kernel
	 * writes them (it escapes blanks inside a field). */
	enum { MAX_FIELDS = 64 };
	const char *start[MAX_FIELDS];
	size_t len[MAX_FIELDS];
	size_t nf = 0;
	size_t sep = 0;
	long id = 0;
	long parent = 0;
	long major = 0;
	long minor = 0;
	const char *colon;
	const char *p = line;
	struct stim_mountinfo m = { 0 };

	while (*p != '\0' && *p != '\n') {
		const char *q = p;

		while (*q != ' ' && *q != '\0' && *q != '\n')
			q++;
		/* After the "-" a field may be empty: `mount -t tmpfs "" /x`
		 * leaves the source blank ("- tmpfs  rw"). Before it, an empty
		 * field means a broken line. */
		if ((q == p && sep == 0) || nf == MAX_FIELDS)
			return malformed(line, err);
		start[nf] = p;
		len[nf] = (size_t)(q - p);
		if (sep == 0 && nf >= 6 && len[nf] == 1 && *p == '-')
			sep = nf;
		nf++;
		p = *q == ' ' ? q + 1 : q;
	}
	if (sep == 0 || nf != sep + 4)
		return malformed(line, err);
	colon = memchr(start[2], ':', len[2]);
	if (!parse_int(start[0], len[0], INT_MAX, &id) ||
	    !parse_int(start[1], len[1], INT_MAX, &parent) || colon == NULL ||
	    !parse_int(start[2], (size_t)(colon - start[2]), UINT_MAX, &major) ||
	    !parse_int(colon + 1, len[2] - (size_t)(colon - start[2]) - 1, UINT_MAX, &minor))
		return malformed(line, err);

	m.mount_id = (int)id;
	m.parent_id = (int)parent;
	m.major = (unsigned)major;
	m.minor = (unsigned)minor;
	m.root = stim_mountinfo_unescape(start[3], len[3]);
	m.mount_point = stim_mountinfo_unescape(start[4], len[4]);
	m.fstype = stim_mountinfo_unescape(start[sep + 1], len[sep + 1]);
	m.source = stim_mountinfo_unescape(start[sep + 2], len[sep + 2]);
	m.super_options = stim_mountinfo_unescape(start[sep + 3], len[sep + 3]);
	*out = m;
	return 0;
}

int stim_mountinfo_parse(const char *text, struct stim_mountinfo **out, size_t *n,
			 stim_error_t *err)
{
	struct stim_mountinfo *v = NULL;
	size_t count = 0;
	size_t cap = 0;
	size_t lineno = 0;

	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t linelen = nl != NULL ? (size_t)(nl - p) : strlen(p);
		cleanup_free char *line = xstrndup(p, linelen);

		lineno++;
		p += linelen + (nl != NULL ? 1 : 0);
		if (linelen == 0)
			continue;
		if (count == STIM_MOUNTINFO_MAX) {
			stim_mountinfo_free(v, count);
			return stim_err(err, STIM_RESOURCE_EXHAUSTED,
					"mountinfo: more than %d mounts", STIM_MOUNTINFO_MAX);
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		if (stim_mountinfo_parse_line(line, &v[count], err) < 0) {
			stim_mountinfo_free(v, count);
			return stim_err_wrap(err, "line %zu", lineno);
		}
		count++;
	}
	*out = v;
	*n = count;
	return 0;
}

int stim_mountinfo_read(struct stim_mountinfo **out, size_t *n, stim_error_t *err)
{
	cleanup_free char *text = NULL;

	if (stim_procfs_read("/proc/self/mountinfo", MOUNTINFO_MAX_BYTES, &text, err) < 0)
		return -1;
	if (stim_mountinfo_parse(text, out, n, err) < 0)
		return stim_err_wrap(err, "/proc/self/mountinfo");
	return 0;
}

int stim_procfs_stat_start_time(const char *stat, uint64_t *out)
{
	const char *p = strrchr(stat, ')');
	char *end;

	if (p == NULL)
		return -1;
	/* After ")": field 3 (state) is the first; 22 is 19 fields on. */
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (p == NULL)
			return -1;
	}
	errno = 0;
	*out = strtoull(p + 1, &end, 10);
	return errno == 0 && end != p + 1 ? 0 : -1;
}

int stim_procfs_pid_start_time(int pid, uint64_t *out, stim_error_t *err)
{
	char path[32];
	cleanup_free char *text = NULL;
	cleanup_error stim_error_t rerr = NULL;
	const char *state;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (stim_procfs_read(path, 4096, &text, &rerr) < 0)
		return stim_err(err, STIM_NOT_FOUND, "no process %d", pid);
	if (stim_procfs_stat_start_time(text, out) < 0)
		return stim_err(err, STIM_INTERNAL, "cannot read %s", path);
	/* A zombie (its parent has not reaped it yet) has ended all the same. */
	state = strrchr(text, ')');
	if (state != NULL && (state[2] == 'Z' || state[2] == 'X'))
		return stim_err(err, STIM_NOT_FOUND, "process %d has ended", pid);
	return 0;
}
