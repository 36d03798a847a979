#pragma once
/*
 * A network's firewall kept in step with the store: its rules and the
 * instances with an address in it are read, compiled
 * (src/firewall_compile.h) and applied to its router (netns/vpc.h) as one
 * transaction. Called after every change that alters the result: a rule
 * inserted, patched or deleted; an instance inserted, deleted or given
 * new tags; and by a boot, which makes the router, before the NIC is up.
 * One apply at a time, each reading the store afresh, so the last one to
 * run always leaves the newest state in the kernel.
 */

#include <stdbool.h>

#include "src/context.h"
#include "src/error.h"

/* create: make the router if the network has none (a boot); otherwise a
 * network without one (no instance runs) has nothing to apply to. */
int stim_vpc_firewall_sync(struct stim_ctx *ctx, const char *project, const char *network,
			   bool create, stim_error_t *err);

/* After a change already committed: a failure is logged, since the
 * change stands (the next sync, or the next boot, applies it). */
void stim_vpc_firewall_refresh(struct stim_ctx *ctx, const char *project, const char *network);
