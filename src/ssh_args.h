#pragma once
/*
 * ssh's and scp's command lines as OpenSSH reads them (pure,
 * unit-tested): what the ssh shim needs to know of a command gcloud wrote
 * (reference/gcloud/ssh.md), and enough of any other to tell that it is
 * not one of ours and hand it to the real program unchanged.
 *
 * ssh: options, the destination ([user@]host, or ssh://[user@]host[:port]),
 * options again (OpenSSH reads them on both sides of the destination),
 * then the remote command's words, after "--" or the first word that is
 * not an option. gcloud splits --command on spaces, so the words are
 * joined again with single spaces: the command a shell then runs.
 *
 * scp: options, then sources and a target, each local or
 * [user@]host:path.
 */

#include <stdbool.h>
#include <stddef.h>

#include "src/error.h"

enum stim_ssh_tty {
	STIM_SSH_TTY_AUTO, /* neither: a terminal when there is no command */
	STIM_SSH_TTY_NO,   /* -T */
	STIM_SSH_TTY_YES,  /* -t */
};

/* What ssh and scp share. identity and options point into argv. */
struct stim_ssh_common {
	const char *identity; /* the last -i; NULL: none */
	/* -o options in order, as written ("Key=value" or "Key value"). */
	const char **options;
	size_t noptions;
	int port; /* ssh's -p or its URI's, scp's -P; 0: none */
};

struct stim_ssh_args {
	struct stim_ssh_common c;
	enum stim_ssh_tty tty;
	char *user;    /* user@ or -l (allocated); NULL: none */
	char *host;    /* the destination's host (allocated) */
	char *command; /* the words joined (allocated); NULL: none (a login shell) */
};

/* INVALID_ARGUMENT for what ssh itself would refuse (no destination, an
 * option without its value, an unknown option): the caller runs the real
 * ssh, which says so in its own words. */
int stim_ssh_args_parse(int argc, char *const *argv, struct stim_ssh_args *out, stim_error_t *err);
void stim_ssh_args_fini(struct stim_ssh_args *a);

/* The value of -o option key (case-insensitive, as ssh reads keys), the
 * last given; NULL: none. */
const char *stim_ssh_option(const struct stim_ssh_common *c, const char *key);

/* One scp operand: local (host NULL) or remote. Allocated. */
struct stim_scp_operand {
	char *user; /* NULL: none */
	char *host; /* NULL: a local path */
	char *path;
};

struct stim_scp_args {
	struct stim_ssh_common c;
	bool recursive;			   /* -r */
	struct stim_scp_operand *operands; /* sources, then the target */
	size_t noperands;
};

int stim_scp_args_parse(int argc, char *const *argv, struct stim_scp_args *out, stim_error_t *err);
void stim_scp_args_fini(struct stim_scp_args *a);
