#pragma once
/*
 * A network's firewall rules compiled for the kernel (pure, unit-tested
 * against src/firewall_eval.h): what netns/nft.c turns into one nftables
 * batch for the network's router namespace.
 *
 * GCE checks a connection between two instances twice, at the sender's
 * egress and at the receiver's ingress, and only one of them for a peer
 * outside the network. So the compiled form is two ordered lists of lines,
 * one nftables rule each, walked first-match: egress lines for packets
 * from an instance (deny drops, allow goes on to ingress, none matching:
 * GCE's implied allow), then ingress lines for packets to one (deny drops,
 * allow accepts, none: implied deny). Lines are sorted by priority, deny
 * before allow at equal priority, which makes the first match GCE's
 * choice. Tags and service accounts are resolved here to the addresses of
 * the instances that carry them, so every match is a set lookup: a rule
 * costs one line per protocol whatever the number of instances, ranges or
 * ports it names. Replies of an allowed connection pass by conntrack
 * before any line (the firewall is stateful).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/error.h"
#include "src/firewall_eval.h"
#include "src/firewall_rule.h"
#include "src/strv.h"

/* An inclusive range of addresses or ports, host order. */
struct stim_fw_span {
	uint32_t lo;
	uint32_t hi;
};

/* A set of values: sorted, disjoint, never adjacent spans. `any` sets
 * match everything and need no lookup. */
struct stim_fw_set {
	bool any;
	struct stim_fw_span *v;
	size_t n;
};

/* An instance with its NIC on the network (stopped ones too: they keep
 * their address). */
struct stim_fw_member {
	uint32_t addr;
	int64_t instance_id;
	const struct stim_strv *tags;
	const char *service_account; /* NULL: none */
	uint32_t external;	     /* its external IP; 0: none (netns/nft.h NATs it) */
};

/* One nftables rule. */
struct stim_fw_line {
	const struct stim_firewall *rule; /* borrowed: name, id, priority, log */
	bool egress;
	bool deny;
	/* The instances it applies to: the source of an egress packet, the
	 * destination of an ingress one. */
	struct stim_fw_set targets;
	struct stim_fw_set src;
	struct stim_fw_set dst;
	int proto;		  /* IANA number; -1: any */
	struct stim_fw_set ports; /* destination ports */
};

struct stim_fw_ruleset {
	struct stim_fw_line *egress;
	size_t negress;
	struct stim_fw_line *ingress;
	size_t ningress;
	struct stim_fw_set members; /* every member's address */
};

/* rules (borrowed by the result, as are the members' strings) over the
 * network's members. Disabled rules and rules that can match nothing
 * (targets or sources by tag that no instance has) make no line. */
int stim_fw_compile(const struct stim_firewall *rules, size_t nrules,
		    const struct stim_fw_member *members, size_t nmembers,
		    struct stim_fw_ruleset *out, stim_error_t *err);
void stim_fw_ruleset_fini(struct stim_fw_ruleset *rs);

bool stim_fw_set_has(const struct stim_fw_set *s, uint32_t v);

/* What the compiled chains decide for a new connection from p->src.addr
 * to p->dst.addr (p->egress and the ends' tags are not read: membership
 * decides which checks run). *by, when not NULL, is the deciding line
 * (NULL: an implied rule, or no check at all). */
bool stim_fw_ruleset_allows(const struct stim_fw_ruleset *rs, const struct stim_fw_packet *p,
			    const struct stim_fw_line **by);
