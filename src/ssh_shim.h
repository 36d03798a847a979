#pragma once
/*
 * What the ssh and scp shims (src/cmd_ssh.c, src/cmd_scp.c) share: asking
 * the daemon which instance a destination is, handing what is not an
 * instance's to the real program, and admitting a user as an instance's
 * sshd and guest agent would (running, the key in ssh-keys, or in OS
 * Login when the instance has it on).
 */

#include <stdbool.h>

#include <jansson.h>

#include "sandbox/enter.h"
#include "src/ssh_args.h"
#include "src/strv.h"

/* ssh's own failures exit 255; the shims' too. */
#define STIM_SHIM_FAILED 255

/* The first name on PATH that is not this program, run with argv. */
__attribute__((noreturn)) void stim_shim_exec_real(const char *name, char **argv);

/* The instance at dest (or at the HostKeyAlias compute.ID when by_alias),
 * as the daemon says: 0 and *target. 1 when it is none of the daemon's
 * (no such instance, a host that is no address, no daemon): the real
 * program's to reach. -1, said on stderr, when the daemon fails
 * otherwise (two instances with that internal address, say). Needs
 * curl_global_init. */
int stim_shim_ask(const struct stim_ssh_common *c, const char *dest, bool by_alias,
		  json_t **target);

/* The user named, else the caller's login name. */
const char *stim_shim_user(const char *given);

/* What an admitted session runs with. */
struct stim_shim_session {
	struct stim_enter enter; /* pid, start, user, env; the caller sets command and tty */
	char name[64];		 /* the instance's */
	struct stim_strv env;
	char **envp;
};

/* user into the instance t at dest, as sshd and the guest agent decide:
 * it runs, and one of the caller's keys (-i's, else ssh's defaults) is
 * the user's in its ssh-keys, or with OS Login on, imported into OS
 * Login for that username. -1, said on stderr as ssh says it, when not. */
int stim_shim_admit(const struct stim_ssh_common *c, const char *user, const char *dest, json_t *t,
		    struct stim_shim_session *s);
void stim_shim_session_fini(struct stim_shim_session *s);
