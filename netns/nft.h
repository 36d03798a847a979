#pragma once
/*
 * A network's firewall as nftables (libnftnl messages over libmnl) in the
 * router namespace, every change one transaction, so a packet sees either
 * the old firewall or the new, never a mix.
 *
 *   table inet stim     forward: conntrack's established and related
 *                       accepted; from an instance, the egress chain; to
 *                       one, the ingress chain, then GCE's implied deny.
 *                       egress and ingress hold one jump per GCE rule, in
 *                       GCE's order, to the rule's own chain
 *                       ("egress-NAME", "ingress-NAME") of its lines
 *                       (src/firewall_compile.h). input (the router
 *                       itself): only replies, loopback and the metadata
 *                       server's port. NAT for external IPs.
 *   table bridge stim   prerouting: a frame entering from an instance's
 *                       port passes only as IPv4 or ARP from the port's own
 *                       address (anti-spoofing: a hash lookup of port name
 *                       and address; the inet hooks see the bridge, not
 *                       the port).
 *
 * A rule with logging on logs its matches to nflog group
 * STIM_NFT_LOG_GROUP of the router, the prefix saying which rule:
 * "NAME I|E A|D PRIORITY" (a name is at most 63 characters).
 *
 * Built apart from sending, so the build is tested without a kernel.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/error.h"
#include "src/firewall_compile.h"

/* An instance's NIC: its bridge port, the one address it may send from,
 * and its external IP (0: none), which the router NATs to and from it. */
struct stim_nft_port {
	char ifname[16];
	uint32_t addr; /* host order */
	uint32_t external;
};

/* The router's link to the host, inside the router. */
#define STIM_NFT_UPLINK "uplink"

#define STIM_NFT_LOG_GROUP	1
#define STIM_NFT_LOG_SNAPLEN	64 /* the IPv4 and transport headers */
#define STIM_NFT_LOG_PREFIX_MAX 128

void stim_nft_log_prefix(const struct stim_firewall *fw, char out[STIM_NFT_LOG_PREFIX_MAX]);

/* What a router's tables hold, as last applied, so that the next batch
 * says only what changed (netns/nft_plan.h): a rule change touches that
 * rule's chain, a member change the sets that hold members. A state
 * not known to match the tables (new, or after a failed send) makes
 * them afresh, atomically. One per router, used under its lock. */
struct stim_nft_state;

struct stim_nft_state *stim_nft_state_new(void);
void stim_nft_state_free(struct stim_nft_state *st);
/* Forgotten: the next batch makes the tables afresh. */
void stim_nft_state_reset(struct stim_nft_state *st);
bool stim_nft_state_valid(const struct stim_nft_state *st);

struct stim_nft_batch;

/* The transaction taking the tables from what st says (NULL: nothing
 * known) to rs and ports. st is then the batch's until it is freed: as
 * the tables will be once it is sent, forgotten if it never is. */
struct stim_nft_batch *stim_nft_batch_build(struct stim_nft_state *st,
					    const struct stim_fw_ruleset *rs,
					    const struct stim_nft_port *ports, size_t nports);
void stim_nft_batch_free(struct stim_nft_batch *b);

/* Nothing to change: sending it sends nothing. */
bool stim_nft_batch_empty(const struct stim_nft_batch *b);
/* How many messages of an NFT_MSG_* type it holds (tests). */
size_t stim_nft_batch_count(const struct stim_nft_batch *b, int type);
/* Its size in bytes. */
size_t stim_nft_batch_len(const struct stim_nft_batch *b);

/* Commits it in the calling thread's network namespace: every message or
 * none (the first error the kernel reports). The kernel's handles for
 * the jumps it made go into the state. */
int stim_nft_batch_send(struct stim_nft_batch *b, stim_error_t *err);

/* What a send does to the state, without a kernel: the jumps take the
 * handles first_handle, first_handle + 1, ... (tests). */
void stim_nft_batch_applied(struct stim_nft_batch *b, uint64_t first_handle);
