#pragma once
/*
 * Firewall rule logging (logConfig.enable): every network with a router
 * has an nflog subscription in it (netns/nflog.h), and one thread writes
 * what logged rules match as GCE's firewall log entries, one JSON line
 * each, to DATA/logs/firewall.log (src/firewall_log_entry.h). Started and
 * stopped with the network's router, as its metadata server is.
 */

#include <stdint.h>

#include "src/context.h"
#include "src/error.h"

int stim_firewall_log_ensure(struct stim_ctx *ctx, const char *project, const char *network,
			     stim_error_t *err);
void stim_firewall_log_stop(int64_t network_id);
/* Every subscription and the thread (the daemon's exit). */
void stim_firewall_log_stop_all(void);
