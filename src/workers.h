#pragma once
/*
 * Background work that must not run on an HTTP thread or under the store:
 * starting and stopping instances (host work, milliseconds to seconds).
 * Each job runs on a thread of its own; the daemon drains them at stop so
 * no job outlives the store it writes to.
 */

#include <stdint.h>

struct stim_workers;

struct stim_workers *stim_workers_new(void);
/* Runs fn(arg) on a new thread; fn owns arg. When a thread cannot be
 * made, fn runs on the caller's (the job is never lost). */
void stim_workers_run(struct stim_workers *w, void (*fn)(void *arg), void *arg);
/* The same, after every job handed in earlier with the same key has
 * ended: one instance's start, stop, reset and the handling of its own
 * exit never overlap, and run in the order they were asked for. */
void stim_workers_run_keyed(struct stim_workers *w, int64_t key, void (*fn)(void *arg), void *arg);
/* Waits for every job, then frees w. */
void stim_workers_drain(struct stim_workers *w);
