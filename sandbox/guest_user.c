/* Accounts for ssh-keys users, as the guest agent makes them (see
 * guest_user.h). */
#include "sandbox/guest_user.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/accounts.h"
#include "src/cleanup.h"
#include "src/procfs.h"
#include "src/util.h"

#define SUDO_GROUP "google-sudoers"
#define FIRST_ID   1000
#define LAST_ID	   59999
#define TEXT_MAX   (4 << 20) /* an account file larger than this is not an image's */

/* The whole file under root, or "" when there is none. */
static int slurp(const char *root, const char *rel, char **out, stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", root, rel);

	*out = NULL;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*out = xstrdup("");
		return 0;
	}
	return stim_procfs_read(path, TEXT_MAX, out, err);
}

/* Appends line (with its newline) to the file under root, made with mode
 * when missing; a file not ending in a newline gets one first. */
static int append(const char *root, const char *rel, const char *old, const char *line, mode_t mode,
		  stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", root, rel);
	cleanup_close int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
	size_t n = strlen(old);
	cleanup_free char *text =
		xasprintf("%s%s\n", n > 0 && old[n - 1] != '\n' ? "\n" : "", line);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return stim_err_sys(err, errno, "append to %s", path);
	return 0;
}

/* The file under root replaced by text, atomically. */
static int replace(const char *root, const char *rel, const char *text, mode_t mode,
		   stim_error_t *err)
{
	cleanup_free char *path = xasprintf("%s/%s", root, rel);
	cleanup_free char *tmp = xasprintf("%s.stim-new", path);
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return stim_err_sys(err, e, "write %s", path);
	}
	return 0;
}

/* The line of an account file whose first field is name: its start, and
 * the fields split into f[nf] (pointers into a copy in *copy). */
static const char *find_line(const char *text, const char *name, char **copy, char **f, int nf)
{
	size_t len = strlen(name);

	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		const char *end = nl != NULL ? nl : p + strlen(p);

		if ((size_t)(end - p) > len && strncmp(p, name, len) == 0 && p[len] == ':') {
			char *c = xstrndup(p, (size_t)(end - p));
			char *s = c;

			for (int i = 0; i < nf; i++)
				f[i] = strsep(&s, ":");
			*copy = c;
			return p;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return NULL;
}

/* The first id from FIRST_ID not taken in field 3 of any line of the two
 * files (passwd's uid and group's gid share the count, as useradd does
 * when it gives a user's group the user's id). */
static unsigned next_id(const char *passwd, const char *group)
{
	unsigned id = FIRST_ID;
	const char *texts[] = { passwd, group };

	for (size_t t = 0; t < 2; t++) {
		for (const char *p = texts[t]; *p != '\0';) {
			const char *nl = strchr(p, '\n');
			const char *c = p;
			unsigned long v;

			for (int colons = 0; colons < 2 && c != NULL; colons++) {
				c = strchr(c, ':');
				c = c != NULL ? c + 1 : NULL;
			}
			if (c != NULL && (nl == NULL || c < nl)) {
				v = strtoul(c, NULL, 10);
				if (v >= id && v <= LAST_ID)
					id = (unsigned)v + 1;
			}
			p = nl != NULL ? nl + 1 : p + strlen(p);
		}
	}
	return id;
}

/* The group text with user added to the members of the line at `at`. */
static char *with_member(const char *group, const char *at, const char *members, const char *user)
{
	const char *end = strchr(at, '\n');
	const char *rest = end != NULL ? end : at + strlen(at);
	/* "name:x:gid" has no members field; "name:x:gid:" an empty one. */
	const char *sep = members == NULL ? ":" : members[0] != '\0' ? "," : "";

	return xasprintf("%.*s%s%s%s", (int)(rest - group), group, sep, user, rest);
}

/* The account's groups: its own, then those naming it as a member. */
static int groups(const char *root, const char *user, struct stim_guest_account *a,
		  stim_error_t *err)
{
	cleanup_free char *group = NULL;

	if (slurp(root, "etc/group", &group, err) < 0)
		return -1;
	a->ngroups = stim_account_groups(group, user, a->gid, a->groups, STIM_GUEST_GROUPS_MAX);
	return 0;
}

/* user in google-sudoers, the group made (with the next free id) when
 * missing, and sudo's rule for it when the image has sudo's directory. */
static int sudoer(const char *root, const char *user, stim_error_t *err)
{
	cleanup_free char *group = NULL;
	cleanup_free char *copy = NULL;
	cleanup_free char *dir = xasprintf("%s/etc/sudoers.d", root);
	char *f[4] = { 0 };
	const char *at;
	struct stat st;

	if (slurp(root, "etc/group", &group, err) < 0)
		return -1;
	at = find_line(group, SUDO_GROUP, &copy, f, 4);
	if (at == NULL) {
		cleanup_free char *passwd = NULL;
		cleanup_free char *line = NULL;

		if (slurp(root, "etc/passwd", &passwd, err) < 0)
			return -1;
		line = xasprintf(SUDO_GROUP ":x:%u:%s", next_id(passwd, group), user);

		if (append(root, "etc/group", group, line, 0644, err) < 0)
			return -1;
	} else {
		if (!stim_group_has_member(f[3], user)) {
			cleanup_free char *text = with_member(group, at, f[3], user);

			if (replace(root, "etc/group", text, 0644, err) < 0)
				return -1;
		}
	}
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		cleanup_free char *rules = NULL;

		if (slurp(root, "etc/sudoers.d/google_sudoers", &rules, err) < 0)
			return -1;
		if (rules[0] == '\0' &&
		    append(root, "etc/sudoers.d/google_sudoers", "",
			   "%" SUDO_GROUP " ALL=(ALL:ALL) NOPASSWD:ALL", 0440, err) < 0)
			return -1;
	}
	return 0;
}

/* The account's fields into out. */
static void account(char **f, struct stim_guest_account *out)
{
	out->uid = (uid_t)strtoul(f[2] != NULL ? f[2] : "0", NULL, 10);
	out->gid = (gid_t)strtoul(f[3] != NULL ? f[3] : "0", NULL, 10);
	snprintf(out->home, sizeof(out->home), "%s", f[5] != NULL && f[5][0] != '\0' ? f[5] : "/");
	snprintf(out->shell, sizeof(out->shell), "%s",
		 f[6] != NULL && f[6][0] != '\0' ? f[6] : "/bin/sh");
}

static bool exists(const char *root, const char *rel)
{
	cleanup_free char *path = xasprintf("%s/%s", root, rel);

	return access(path, X_OK) == 0;
}

/* The home directory, made when missing, the user's. */
static int home(const char *root, const struct stim_guest_account *a, stim_error_t *err)
{
	cleanup_free char *parent = xasprintf("%s/home", root);
	cleanup_free char *path = xasprintf("%s%s", root, a->home);

	if (mkdir(parent, 0755) < 0 && errno != EEXIST)
		return stim_err_sys(err, errno, "mkdir %s", parent);
	if (mkdir(path, 0755) < 0) {
		if (errno == EEXIST)
			return 0;
		return stim_err_sys(err, errno, "mkdir %s", path);
	}
	if (chown(path, a->uid, a->gid) < 0)
		return stim_err_sys(err, errno, "chown %s", path);
	return 0;
}

int stim_guest_user_ensure(const char *root, const char *user, uid_t uid,
			   struct stim_guest_account *out, stim_error_t *err)
{
	cleanup_free char *passwd = NULL;
	cleanup_free char *group = NULL;
	cleanup_free char *shadow = NULL;
	cleanup_free char *copy = NULL;
	cleanup_free char *line = NULL;
	char *f[7] = { 0 };
	unsigned id;

	memset(out, 0, sizeof(*out));
	if (slurp(root, "etc/passwd", &passwd, err) < 0 ||
	    slurp(root, "etc/group", &group, err) < 0)
		return -1;
	if (find_line(passwd, user, &copy, f, 7) != NULL) {
		account(f, out);
		return groups(root, user, out, err);
	}
	id = uid != 0 ? (unsigned)uid : next_id(passwd, group);
	out->uid = id;
	out->gid = id;
	snprintf(out->home, sizeof(out->home), "/home/%s", user);
	snprintf(out->shell, sizeof(out->shell), "%s",
		 exists(root, "bin/bash") ? "/bin/bash" : "/bin/sh");
	line = xasprintf("%s:x:%u:%u::%s:%s", user, id, id, out->home, out->shell);
	if (append(root, "etc/passwd", passwd, line, 0644, err) < 0)
		return -1;
	free(line);
	line = xasprintf("%s:x:%u:", user, id);
	if (append(root, "etc/group", group, line, 0644, err) < 0)
		return -1;
	if (slurp(root, "etc/shadow", &shadow, err) < 0)
		return -1;
	if (shadow[0] != '\0') {
		free(line);
		/* Locked: in by key only. */
		line = xasprintf("%s:*:%ld:0:99999:7:::", user, (long)(time(NULL) / 86400));
		if (append(root, "etc/shadow", shadow, line, 0640, err) < 0)
			return -1;
	}
	if (sudoer(root, user, err) < 0 || home(root, out, err) < 0)
		return -1;
	return groups(root, user, out, err);
}
