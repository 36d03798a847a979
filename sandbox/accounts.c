/* etc/passwd and etc/group, read (see accounts.h). */
#include "sandbox/accounts.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/read_all.h"

#define FILE_MAX     (4 << 20)
#define LINE_MAX_LEN 4096
#define FIELDS_MAX   7

char *stim_account_file_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text = fd >= 0 ? stim_read_all(fd, FILE_MAX) : NULL;

	if (fd >= 0)
		close(fd);
	return text != NULL ? text : strdup("");
}

/* Calls fn for each line of text split on ':' into at most FIELDS_MAX
 * fields (missing ones NULL), until fn returns true; whether one did. A
 * line longer than LINE_MAX_LEN is no account's, and is passed over. */
static bool each_line(const char *text, bool (*fn)(char **f, void *arg), void *arg)
{
	char line[LINE_MAX_LEN];

	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *f[FIELDS_MAX] = { 0 };
		const char *start = p;
		char *rest = line;

		p = nl != NULL ? nl + 1 : p + len;
		if (len >= sizeof(line) || len == 0)
			continue;
		memcpy(line, start, len);
		line[len] = '\0';
		for (int i = 0; i < FIELDS_MAX && rest != NULL; i++)
			f[i] = strsep(&rest, ":");
		if (fn(f, arg))
			return true;
	}
	return false;
}

struct find_account {
	const char *name;
	uid_t uid;
	struct stim_account *out;
};

static bool account_line(char **f, void *arg)
{
	struct find_account *a = arg;
	char *end;
	unsigned long uid;

	if (f[2] == NULL || f[3] == NULL)
		return false;
	uid = strtoul(f[2], &end, 10);
	if (*end != '\0' || end == f[2])
		return false;
	if (a->name != NULL ? strcmp(f[0], a->name) != 0 : (uid_t)uid != a->uid)
		return false;
	snprintf(a->out->name, sizeof(a->out->name), "%s", f[0]);
	a->out->uid = (uid_t)uid;
	a->out->gid = (gid_t)strtoul(f[3], NULL, 10);
	snprintf(a->out->home, sizeof(a->out->home), "%s",
		 f[5] != NULL && f[5][0] != '\0' ? f[5] : "/");
	snprintf(a->out->shell, sizeof(a->out->shell), "%s",
		 f[6] != NULL && f[6][0] != '\0' ? f[6] : "/bin/sh");
	return true;
}

bool stim_account_find(const char *passwd, const char *name, uid_t uid, struct stim_account *out)
{
	struct find_account a = { .name = name, .uid = uid, .out = out };

	memset(out, 0, sizeof(*out));
	return each_line(passwd, account_line, &a);
}

struct find_group {
	const char *name;
	gid_t *gid;
};

static bool group_line(char **f, void *arg)
{
	struct find_group *g = arg;

	if (f[2] == NULL || strcmp(f[0], g->name) != 0)
		return false;
	*g->gid = (gid_t)strtoul(f[2], NULL, 10);
	return true;
}

bool stim_group_find(const char *group, const char *name, gid_t *gid)
{
	struct find_group g = { .name = name, .gid = gid };

	return each_line(group, group_line, &g);
}

bool stim_group_has_member(const char *members, const char *user)
{
	size_t n = strlen(user);

	for (const char *m = members; m != NULL && *m != '\0';) {
		const char *comma = strchr(m, ',');
		size_t len = comma != NULL ? (size_t)(comma - m) : strlen(m);

		if (len == n && strncmp(m, user, n) == 0)
			return true;
		m = comma != NULL ? comma + 1 : NULL;
	}
	return false;
}

struct member_of {
	const char *user;
	gid_t *out;
	size_t n;
	size_t max;
};

static bool member_line(char **f, void *arg)
{
	struct member_of *m = arg;
	gid_t gid;

	if (m->n >= m->max)
		return true;
	if (f[2] == NULL || !stim_group_has_member(f[3], m->user))
		return false;
	gid = (gid_t)strtoul(f[2], NULL, 10);
	if (gid != m->out[0])
		m->out[m->n++] = gid;
	return false;
}

size_t stim_account_groups(const char *group, const char *user, gid_t primary, gid_t *out,
			   size_t max)
{
	struct member_of m = { .user = user, .out = out, .n = 1, .max = max };

	if (max == 0)
		return 0;
	out[0] = primary;
	each_line(group, member_line, &m);
	return m.n;
}
