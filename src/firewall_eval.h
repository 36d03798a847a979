#pragma once
/*
 * GCE's firewall decision for one new connection, as a plain function
 * over the rules (pure): the reference model the nftables compiler (issue
 * 5, next) must agree with, and that tests check the kernel's verdicts
 * against.
 *
 * Only enabled rules of the packet's direction that apply to the instance
 * (no targets: every instance; else a target tag it carries or its service
 * account) and match the packet count. The lowest priority number wins; at
 * equal priority a deny beats an allow. A source matches when any of its
 * ranges, tags or service accounts does. When no rule matches, GCE's
 * implied rules decide: ingress denied, egress allowed. Replies of an
 * allowed connection are not decided here (the firewall is stateful).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/firewall_rule.h"
#include "src/strv.h"

/* One end of a connection: its address and, for an instance of the
 * network, its network tags and service account (NULL / empty for an
 * address outside). */
struct stim_fw_end {
	uint32_t addr;
	const struct stim_strv *tags;
	const char *service_account;
};

struct stim_fw_packet {
	bool egress; /* leaving the instance (dst outside it) */
	int proto;   /* IANA number: 6 tcp, 17 udp, 1 icmp, ... */
	int port;    /* destination port; -1 for protocols without ports */
	struct stim_fw_end src;
	struct stim_fw_end dst;
};

/* Whether the connection may open; *by (when not NULL) is the deciding
 * rule, or NULL when GCE's implied rules decided. */
bool stim_firewall_allows(const struct stim_firewall *rules, size_t n,
			  const struct stim_fw_packet *p, const struct stim_firewall **by);

/* Whether rule r matches packet p (direction, targets, sources,
 * destinations, protocol and port; not priority or disabled). */
bool stim_firewall_matches(const struct stim_firewall *r, const struct stim_fw_packet *p);
