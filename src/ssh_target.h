#pragma once
/*
 * The instance an ssh destination names, for the ssh shim (src/cmd_ssh.c
 * asks through GET /stimulator/v1/sshTarget): by id when the destination
 * or its HostKeyAlias is "compute.ID" (gcloud always passes the alias),
 * else by external IP, else by internal IP when one instance alone has
 * it. With it, the keys that let a user in, read as the guest agent
 * reads them: the instance's ssh-keys and sshKeys, and the project's
 * unless the instance sets block-project-ssh-keys; or, when OS Login is
 * on, the keys imported into OS Login (src/oslogin.h) alone.
 */

#include <stdbool.h>

#include <jansson.h>

#include "src/context.h"
#include "src/error.h"
#include "src/instances.h"

struct stim_ssh_target {
	struct stim_instance in;
	char *keys;	       /* ssh-keys lines that count, one value per line */
	bool os_login;	       /* enable-oslogin is TRUE (the instance's, else the project's) */
	json_t *os_login_uids; /* with OS Login, {"USERNAME": UID}; else NULL */
};

/* NOT_FOUND when no instance is there (the shim then runs the real ssh);
 * INVALID_ARGUMENT for a destination that is neither an id nor an
 * IPv4 address. */
int stim_ssh_target_find(struct stim_ctx *ctx, const char *host, const char *alias,
			 struct stim_ssh_target *out, stim_error_t *err);
void stim_ssh_target_fini(struct stim_ssh_target *t);
