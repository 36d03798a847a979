/* `stimulator ssh`, also run through a link named ssh: the ssh shim.
 *
 * gcloud runs `ssh` from PATH (reference/gcloud/ssh.md); `stimulator env`
 * puts a directory of the daemon's with this link first. The shim reads
 * the command line as ssh would (src/ssh_args.h) and asks the daemon
 * which instance the destination is (src/ssh_shim.h). A destination the
 * daemon does not know, a command line ssh itself would refuse, or no
 * daemon at all: the real ssh runs, unchanged, so ordinary ssh keeps
 * working. An instance's: the user is admitted as its sshd would admit
 * them, and the command runs inside it (sandbox/enter.h), with a terminal
 * when ssh would give one, its exit status ours. Failures of our own are
 * 255, as ssh's are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "src/cleanup.h"
#include "src/commands.h"
#include "src/ssh_args.h"
#include "src/ssh_shim.h"
#include "src/util.h"

/* gcloud's check before `compute ssh --internal-ip` (ssh.md): "is the
 * host at this address the instance ID?", asked of the instance's
 * metadata server with curl, which many images lack. The shim asks the
 * daemon which instance has the address instead (not by the alias,
 * which names ID itself): 0 when it is ID, 23 when not, as the check
 * exits; -1 when command is not the check. */
static int internal_ip_check(const struct stim_ssh_args *a)
{
	const char *command = a->command;
	json_t *t = NULL;
	const char *at_id = NULL;
	int code;
	static const char head[] =
		"[ `curl \"http://metadata.google.internal/computeMetadata/v1/instance/id\" -H "
		"\"Metadata-Flavor: Google\" -q` = ";
	static const char tail[] = " ] || exit 23";
	size_t n = command != NULL ? strlen(command) : 0;
	size_t idlen;

	if (n < sizeof(head) + sizeof(tail) - 2 || strncmp(command, head, sizeof(head) - 1) != 0 ||
	    strcmp(command + n - (sizeof(tail) - 1), tail) != 0)
		return -1;
	idlen = n - (sizeof(head) - 1) - (sizeof(tail) - 1);
	code = stim_shim_ask(&a->c, a->host, false, &t);
	if (code < 0)
		code = STIM_SHIM_FAILED;
	else if (code > 0 || json_unpack(t, "{s:s}", "id", &at_id) < 0)
		code = 23;
	else
		code = idlen == strlen(at_id) &&
				       strncmp(command + sizeof(head) - 1, at_id, idlen) == 0
			       ? 0
			       : 23;
	json_decref(t);
	return code;
}

/* Whether the session gets a terminal, as ssh decides: -T never; -t when
 * stdin is one (else ssh's own warning); by default for a login shell
 * on a terminal. */
static bool wants_tty(const struct stim_ssh_args *a)
{
	bool term = isatty(0);

	if (a->tty == STIM_SSH_TTY_YES && !term)
		fprintf(stderr, "Pseudo-terminal will not be allocated because stdin is not a "
				"terminal.\n");
	if (a->tty == STIM_SSH_TTY_NO)
		return false;
	return term && (a->tty == STIM_SSH_TTY_YES || a->command == NULL);
}

/* The session in the instance the daemon named: its exit status. */
static int session(const struct stim_ssh_args *a, json_t *t)
{
	struct stim_shim_session s;
	cleanup_error stim_error_t err = NULL;
	int code;

	if (stim_shim_admit(&a->c, stim_shim_user(a->user), a->host, t, &s) < 0)
		return STIM_SHIM_FAILED;
	code = internal_ip_check(a);
	if (code < 0) {
		s.enter.command = a->command;
		s.enter.tty = wants_tty(a);
		code = STIM_SHIM_FAILED;
		if (stim_enter_run(&s.enter, &code, &err) < 0) {
			fprintf(stderr, "stimulator ssh: %s: %s\n", s.name, err->msg);
			code = STIM_SHIM_FAILED;
		}
	}
	stim_shim_session_fini(&s);
	return code;
}

int stim_cmd_ssh(int argc, char **argv)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_ssh_args a;
	json_t *target = NULL;
	int code;

	if (stim_ssh_args_parse(argc, argv, &a, &err) < 0)
		stim_shim_exec_real("ssh", argv);
	/* Plain HTTP to the daemon: no TLS library to set up. */
	curl_global_init(CURL_GLOBAL_NOTHING);
	code = stim_shim_ask(&a.c, a.host, true, &target);
	if (code > 0) {
		curl_global_cleanup();
		stim_ssh_args_fini(&a);
		stim_shim_exec_real("ssh", argv);
	}
	code = code < 0 ? STIM_SHIM_FAILED : session(&a, target);
	curl_global_cleanup();
	json_decref(target);
	stim_ssh_args_fini(&a);
	return code;
}
