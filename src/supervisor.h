#pragma once
/*
 * Watches every running instance's PID 1 through a pidfd on one thread
 * (epoll), so the daemon learns at once when an instance ends on its own
 * (the guest's poweroff or reboot, a crash), and keeps each watched
 * instance's serial console under its cap (src/console.h) once a second.
 *
 * The daemon's own stops, resets and deletes forget the instance first:
 * an exit it caused is never reported. A report runs the callback on the
 * supervisor's thread with nothing locked; the callback hands the work on
 * (to a worker) and returns.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "src/error.h"

/* What a report says. The strings live until the callback returns. */
struct stim_exit {
	int64_t id;
	const char *project;
	const char *zone;
	const char *name;
	pid_t pid;
	uint64_t pid_start;
	bool known; /* false: not this daemon's child (adopted), status unknown */
	int code;   /* exit code when it exited */
	int signal; /* the signal that killed it, or 0 */
};

typedef void (*stim_exit_fn)(void *arg, const struct stim_exit *e);

struct stim_supervisor;

struct stim_supervisor *stim_supervisor_new(stim_exit_fn fn, void *arg, stim_error_t *err);
/* Watches who->pid through pidfd (taken: closed on failure too), which
 * the caller opened while sure it names that process (the pidfd of its
 * own clone, or one opened and then checked against who->pid_start).
 * console: the file to cap, or NULL. Watching an id again replaces the
 * old watch. */
int stim_supervisor_watch(struct stim_supervisor *s, const struct stim_exit *who, int pidfd,
			  const char *console, stim_error_t *err);
/* Stops watching id (the daemon is about to end it itself). */
void stim_supervisor_forget(struct stim_supervisor *s, int64_t id);
/* Ends the thread: no report is made after it returns. Watches and
 * forgets stay harmless until stim_supervisor_free. */
void stim_supervisor_stop(struct stim_supervisor *s);
void stim_supervisor_free(struct stim_supervisor *s);
