#pragma once
/*
 * Firewall rule logging's records (pure, unit-tested): what nflog hands
 * the daemon for a logged rule's match (the prefix netns/nft.h wrote and
 * the packet's first bytes) read into an event, and the event as GCE's
 * firewall log entry (logName .../logs/compute.googleapis.com%2Ffirewall,
 * jsonPayload with connection, disposition, rule_details, instance and
 * vpc), one JSON line each in DATA/logs/firewall.log.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "src/instances.h"

struct stim_fwlog_event {
	char rule[64];
	bool egress;
	bool deny;
	int priority;
	int proto;
	uint32_t src;
	uint32_t dst;
	int src_port; /* -1: the protocol has none */
	int dst_port;
};

/* -1 when the prefix is not one of ours or the packet not IPv4. */
int stim_fwlog_parse(const char *prefix, const unsigned char *pkt, size_t len,
		     struct stim_fwlog_event *ev);

/* The entry; in is the instance the rule applied to (NULL: unknown). */
json_t *stim_fwlog_entry(const struct stim_fwlog_event *ev, const char *project,
			 const char *network, const struct stim_instance *in, int64_t now_ms);
