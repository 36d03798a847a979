#pragma once
/*
 * Reading an image's etc/passwd and etc/group texts (libc only, so the
 * static stim-init links it; pure but for reading the file): an account
 * by name or uid, a group by
 * name, and the groups a login gets, as initgroups gives them. Shared by
 * the guest accounts the ssh shim makes (sandbox/guest_user.h) and by
 * sudo's broker in PID 1 (sandbox/sudo.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct stim_account {
	char name[64];
	uid_t uid;
	gid_t gid;
	char home[256];	 /* "/" when the line leaves it empty */
	char shell[128]; /* "/bin/sh" when the line leaves it empty */
};

/* An account file's text (etc/passwd, etc/group) read whole, or "" when
 * there is none or it cannot be read (an image without one); a file
 * beyond 4 MiB is no image's, and reads as "" too. NULL only when memory
 * runs out. */
char *stim_account_file_read(const char *path);

/* The passwd line whose name is name, or with name NULL the first whose
 * uid is uid, into *out. false: none. */
bool stim_account_find(const char *passwd, const char *name, uid_t uid, struct stim_account *out);

/* The gid of the group line named name. false: none. */
bool stim_group_find(const char *group, const char *name, gid_t *gid);

/* Whether a group's member field ("a,b,c"; NULL or "" for none) names user. */
bool stim_group_has_member(const char *members, const char *user);

/* user's groups: primary first, then the gid of each group line naming
 * user as a member, at most max; their number. */
size_t stim_account_groups(const char *group, const char *user, gid_t primary, gid_t *out,
			   size_t max);
