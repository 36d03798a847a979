#pragma once
/*
 * A command run inside a running instance, as the ssh shim runs one for
 * `gcloud compute ssh` (there is no sshd in an instance). Like nsenter
 * with all of an instance's limits:
 *
 *   PID 1 opened as a pidfd, its start time checked (a pid reused by
 *   another process is refused) -> its cgroups joined, in every
 *   hierarchy -> all its namespaces entered at once through the pidfd
 *   (its user namespace too when it has one; its mount namespace brings
 *   its root) -> fork, so the child is in its pid namespace -> the
 *   user's account made if missing (sandbox/guest_user.h) -> the
 *   container's capabilities (sandbox/limits.h) -> the user's ids ->
 *   no_new_privs -> the instance's seccomp filter -> the user's shell,
 *   in the home directory, with a login environment.
 *
 * With tty, the session gets a terminal of the instance's own devpts, as
 * sshd gives one: the child's controlling terminal, the user's, the
 * caller's window size; the caller's terminal is raw meanwhile (restored
 * after), the bytes relayed both ways, and a change of the caller's
 * window size (SIGWINCH) passed on.
 *
 * The caller waits and gives back the command's exit status. It must be
 * root and single-threaded (entering a mount namespace needs a process
 * that shares its filesystem context with no one).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "src/error.h"
#include "src/strv.h"

struct stim_enter {
	pid_t pid;	     /* the instance's PID 1, in the caller's pid namespace */
	uint64_t pid_start;  /* its start time (procfs clock ticks) */
	const char *user;    /* the account to run as */
	uid_t uid;	     /* the ids to make it with when missing; 0: the next free */
	const char *command; /* run by the user's shell with -c; NULL: a login shell */
	char *const *env;    /* more "NAME=value" for the session (TERM, LANG); may be NULL */
	bool tty;	     /* a terminal for the session (stdin, stdout: the caller's) */
};

/* Runs it: stim_enter_join, then stim_enter_exec with the caller's
 * stdin and stdout. */
int stim_enter_run(const struct stim_enter *e, int *status, stim_error_t *err);

/* The caller into the instance, once: checks, cgroups, namespaces. From
 * here its root is the instance's: what it needs of the host (files to
 * copy) it opens first. NOT_FOUND when PID 1 is not the instance's any
 * more. */
int stim_enter_join(const struct stim_enter *e, stim_error_t *err);

/* e's command in the joined instance, stdin from in_fd and stdout to
 * out_fd (-1: the caller's): *status is its exit status, 128 + n for
 * signal n. What fails inside the child (the account, the shell) is said
 * on stderr and is status 255, as ssh says its own failures. */
int stim_enter_exec(const struct stim_enter *e, int in_fd, int out_fd, int *status,
		    stim_error_t *err);

/* The cgroup directories of a process (pure): for each line of its
 * /proc/PID/cgroup text, the hierarchy's mount in mountinfo text (the
 * cgroup2 mount for "0::PATH", the v1 mount carrying the line's
 * controllers otherwise) joined with PATH, appended to dirs. Lines whose
 * hierarchy is not mounted are passed over. */
int stim_enter_cgroup_dirs(const char *proc_cgroup, const char *mountinfo, struct stim_strv *dirs,
			   stim_error_t *err);
