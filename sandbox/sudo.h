#pragma once
/*
 * sudo in an instance, with no setuid binary. Every process of an
 * instance runs under no_new_privs (DESIGN.md), so a setuid sudo could
 * never raise anyone. Instead, as systemd's run0 asks the service
 * manager, `sudo` asks the instance's PID 1, which is root already:
 *
 *   the client (stim-init run as /usr/bin/sudo, from the guest layer the
 *   daemon lays over every image: src/guest_layer.h) -> STIM_SUDO_SOCKET,
 *   a SOCK_SEQPACKET socket PID 1 listens on: one request (JSON, below)
 *   with the caller's stdin, stdout, stderr and working directory as
 *   descriptors -> PID 1 forks a handler (sandbox/sudo_broker.c), which
 *   takes the caller's uid from the socket (SO_PEERCRED, never from the
 *   request), allows root and the members of google-sudoers (the rule the
 *   guest agent writes: %google-sudoers ALL=(ALL:ALL) NOPASSWD:ALL), and
 *   runs the command as the target user in a session of its own with
 *   sudo's reset environment -> the command's wait status back to the
 *   client, which ends as the command did (sandbox/sudo_client.c).
 *
 * The command is PID 1's child, so it has the instance's limits exactly:
 * its capabilities, no_new_privs, the seccomp filter, its cgroup. Run
 * from a terminal, the client gives the command a terminal of its own and
 * relays it (sudo's use_pty), since a process of another session cannot
 * have the caller's terminal as its controlling one. The caller's signals
 * are passed on, and a client that goes away hangs the command up.
 *
 * Messages, one JSON object each:
 *   client -> PID 1  {"argv": [...], "user": "bob", "group": "staff",
 *                     "login": false, "shell": false, "preserveEnv": false,
 *                     "tty": true, "env": ["TERM=xterm", ...]}
 *                    {"signal": 15}
 *   PID 1 -> client  {"status": <wait status>}
 *                    {"error": "sudo: unknown user bob", "exit": 1}
 *
 * This file is the pure part (libc and jansson, as the static stim-init
 * links nothing else): the command line, the request, the rule, the
 * command's words and environment.
 */

#include <stdbool.h>
#include <stddef.h>

#include "sandbox/accounts.h"

#define STIM_SUDO_DIR	      "/run/stim-sudo"
#define STIM_SUDO_SOCKET      STIM_SUDO_DIR "/socket"
#define STIM_SUDO_GROUP	      "google-sudoers"
#define STIM_SUDO_SECURE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define STIM_SUDO_MESSAGE_MAX (256 * 1024)

enum stim_sudo_action {
	STIM_SUDO_RUN,
	STIM_SUDO_LIST,	    /* -l */
	STIM_SUDO_VALIDATE, /* -v: there are no passwords, so only the rule */
	STIM_SUDO_FORGET,   /* -k, -K alone: there are no timestamps */
	STIM_SUDO_VERSION,  /* -V */
	STIM_SUDO_HELP,	    /* -h */
};

struct stim_sudo_opts {
	enum stim_sudo_action action;
	const char *user;     /* -u NAME or #UID; NULL: root */
	const char *group;    /* -g NAME; NULL: the target user's */
	bool login;	      /* -i */
	bool shell;	      /* -s */
	bool preserve_env;    /* -E */
	bool reset_timestamp; /* -k: alone, the action FORGET */
	char **argv;	      /* the command (into the caller's argv), argc words */
	int argc;
};

/* sudo's command line (argv[0] is sudo's own). -1 with sudo's complaint
 * in why ("sudo: invalid option -- 'x'") for what sudo refuses. -n, -H,
 * -S, -P and -k before a command are taken and mean nothing here. */
int stim_sudo_parse(int argc, char **argv, struct stim_sudo_opts *o, char *why, size_t why_size);

/* The usage text sudo prints for -h and for a bad command line. */
extern const char stim_sudo_usage[];

struct stim_sudo_request {
	char *user;  /* NULL: root */
	char *group; /* NULL: the target's */
	bool login;
	bool shell;
	bool preserve_env;
	bool tty;    /* the command's stdin is a terminal the client relays */
	char **argv; /* NULL-terminated; may be empty with login or shell */
	char **env;  /* the caller's environment, NULL-terminated */
};

/* The request for o with the caller's environment env. NULL when a word
 * of the command (or a user or group name) is not UTF-8, which JSON
 * cannot carry; an environment entry that is not is left out. */
char *stim_sudo_request_encode(const struct stim_sudo_opts *o, char *const *env, bool tty);
/* -1: not a request. */
int stim_sudo_request_decode(const char *text, struct stim_sudo_request *r);
void stim_sudo_request_fini(struct stim_sudo_request *r);

/* Whether the rule lets caller run anything as anyone: root, or a member
 * of google-sudoers (named in its line, or as its primary group). */
bool stim_sudo_allowed(const char *group, const struct stim_account *caller);

/* The words to run: the command itself, or with login (the target's
 * shell, as a login shell: argv[0] "-sh") or shell (the caller's SHELL,
 * else its account's) the shell, given the command with "-c" escaped as
 * sudo escapes it (a backslash before each character other than letters,
 * digits, '_', '-' and '$'). *program: the shell, or the command's first
 * word for the caller to look up. NULL-terminated, freed with
 * stim_sudo_strv_free. */
char **stim_sudo_argv(const struct stim_sudo_request *r, const struct stim_account *caller,
		      const struct stim_account *target, char **program);

/* The command's environment as env_reset makes it: TERM, the locale and
 * display variables kept (everything, with -E); PATH the secure path;
 * HOME, SHELL, USER, LOGNAME and MAIL the target's; SUDO_COMMAND,
 * SUDO_USER, SUDO_UID and SUDO_GID the caller's. command is SUDO_COMMAND,
 * the program's path and its arguments. */
char **stim_sudo_env(const struct stim_sudo_request *r, const struct stim_account *caller,
		     const struct stim_account *target, const char *command);

void stim_sudo_strv_free(char **v);

/* The client's main (sandbox/sudo_client.c): stim-init's when it is run
 * under the name sudo. */
int stim_sudo_main(int argc, char **argv);

/* PID 1's side (sandbox/sudo_broker.c). The listening socket, made anew
 * (-1 with errno when it cannot be). */
int stim_sudo_listen(void);
/* Serves one accepted connection, in a child of PID 1 forked for it;
 * does not return. */
__attribute__((noreturn)) void stim_sudo_serve(int conn);
