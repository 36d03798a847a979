#pragma once
/*
 * What the host_probe*.c files share and nobody else uses: adding an item to
 * a report, and running one experiment in a forked child that reports back
 * over a pipe (STYLE.md rule 8: the child sends {step, errno}, the parent
 * turns it into words).
 */

#include <stdbool.h>

#include "src/error.h"
#include "src/host_probe.h"

/* Report items */

/* Appends an item (the report has room for every probe: an overflow is a
 * bug and aborts). Returns the item. */
struct stim_probe_result *stim_host_probe_add(struct stim_host_report *rep, const char *name,
					      bool required, enum stim_probe_state state,
					      const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The state of a failed probe: missing when required, else degraded. */
enum stim_probe_state stim_host_probe_failed(bool required);

/* Children */

/* What a probe child sends back: how far it got and why it stopped. */
struct stim_probe_child_report {
	int step;   /* the step that failed, or the probe's last step + 1 */
	int errnum; /* errno of the failed step, 0 when none failed */
	int value;  /* something the child read, e.g. a sysctl */
};

/* Forks a child that runs fn(arg, rep) and sends rep back. fn must use
 * system calls only (no malloc, stdio or locks) and return; the child then
 * leaves with _exit. Fails on fork/pipe errors, a child that dies without a
 * report, or one that takes longer than a few seconds (it is killed). */
int stim_host_probe_run_child(void (*fn)(const void *arg, struct stim_probe_child_report *rep),
			      const void *arg, struct stim_probe_child_report *out,
			      stim_error_t *err);

/* The probes of the sibling files, each adding its items */

void stim_host_probe_cgroups(struct stim_host_report *rep);  /* host_probe_cgroup.c */
void stim_host_probe_nftables(struct stim_host_report *rep); /* host_probe_net.c */
void stim_host_probe_bridge(struct stim_host_report *rep);   /* host_probe_net.c */
