#pragma once
/*
 * A VPC firewall rule as GCE defines it (pure: parsed, checked and
 * rendered here, stored by src/firewalls.c, compiled to nftables later):
 * a direction, allowed or denied protocols with ports, a priority (lower
 * wins, deny beats allow at the same one), sources (ranges, tags or
 * service accounts) and targets (tags or service accounts; none: every
 * instance), destination ranges, disabled, and logging.
 *
 * from_json applies GCE's defaults and refusals with its messages: exactly
 * one of allowed and denied; protocols tcp, udp, icmp, esp, ah, sctp,
 * ipip, all or a number 0-255, ports only with tcp, udp and sctp; sourceTags
 * and sourceServiceAccounts only for INGRESS and never together, nor
 * targetTags with targetServiceAccounts or with sourceServiceAccounts; an
 * INGRESS rule with no source takes 0.0.0.0/0, an EGRESS rule with no
 * destination 0.0.0.0/0.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "src/error.h"
#include "src/strv.h"

#define STIM_FIREWALL_PRIORITY_DEFAULT 1000

struct stim_fw_proto {
	char name[8];		/* "tcp", "udp", "icmp", "all", or a number "47" */
	int number;		/* IANA protocol number; -1 for "all" */
	struct stim_strv ports; /* "22", "8000-8080"; empty: every port */
};

struct stim_firewall {
	char *project;
	char *name;
	int64_t id;
	char *description;
	char *network; /* the network's name */
	int priority;
	bool egress;
	bool deny;
	bool disabled;
	bool log;
	struct stim_fw_proto *protos;
	size_t nprotos;
	struct stim_strv source_ranges;
	struct stim_strv destination_ranges;
	struct stim_strv source_tags;
	struct stim_strv target_tags;
	struct stim_strv source_sas;
	struct stim_strv target_sas;
	int64_t create_time_ms;
};

void stim_firewall_fini(struct stim_firewall *fw);

/* A firewall body (insert, or a patch merged onto the stored rule) into
 * *out's rule fields: everything but project, id and create time. The
 * network is the basename of the body's URL ("default" when absent). */
int stim_firewall_from_json(json_t *body, struct stim_firewall *out, stim_error_t *err);

/* The rule fields as GCE renders them (what from_json reads back):
 * name, description, network (a name: the caller makes it a URL),
 * priority, direction, allowed or denied, the ranges, tags and accounts
 * given, disabled, logConfig. */
json_t *stim_firewall_rule_json(const struct stim_firewall *fw);
