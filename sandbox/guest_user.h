#pragma once
/*
 * Accounts in an instance for the users named in ssh-keys, made as the
 * GCE guest agent makes them: a line in etc/passwd (the next free uid
 * from 1000, a group of its own, home /home/USER, bash when the image has
 * it, else sh), a locked etc/shadow entry when the image keeps one,
 * membership of google-sudoers (made if missing, with
 * etc/sudoers.d/google_sudoers when the image has sudo's directory), and
 * the home directory, owned by the user. An account already there is
 * used as it is.
 *
 * Paths are under root ("/" inside the instance, where the ssh shim calls
 * it; a directory in tests). Not for concurrent use on one root.
 */

#include <sys/types.h>

#include "src/error.h"

#define STIM_GUEST_GROUPS_MAX 32

struct stim_guest_account {
	uid_t uid;
	gid_t gid;
	/* Its groups as a login gets them (initgroups): its own, then each
	 * etc/group line naming it as a member, google-sudoers among them. */
	gid_t groups[STIM_GUEST_GROUPS_MAX];
	size_t ngroups;
	char home[256];
	char shell[64];
};

/* user must be valid (src/ssh_keys.h's stim_ssh_user_valid). A new
 * account takes uid (and that gid) when not 0, as an OS Login profile
 * gives them, else the next free id. */
int stim_guest_user_ensure(const char *root, const char *user, uid_t uid,
			   struct stim_guest_account *out, stim_error_t *err);
