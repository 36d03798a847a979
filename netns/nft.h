#pragma once
/*
 * A network's firewall as nftables (libnftnl messages over libmnl): one
 * transaction that replaces the router namespace's two tables at once, so
 * a packet sees either the old firewall or the new, never a mix.
 *
 *   table inet stim     forward: conntrack's established and related
 *                       accepted; from an instance, jump egress; to one,
 *                       jump ingress (the chains of src/firewall_compile.h,
 *                       ingress ending in GCE's implied deny). input (the
 *                       router itself): only replies, loopback, ICMP and
 *                       the metadata server's port.
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

struct stim_nft_batch;

struct stim_nft_batch *stim_nft_batch_build(const struct stim_fw_ruleset *rs,
					    const struct stim_nft_port *ports, size_t nports);
void stim_nft_batch_free(struct stim_nft_batch *b);

/* How many messages of an NFT_MSG_* type it holds (tests). */
size_t stim_nft_batch_count(const struct stim_nft_batch *b, int type);
/* Its size in bytes. */
size_t stim_nft_batch_len(const struct stim_nft_batch *b);

/* Commits it in the calling thread's network namespace: every message or
 * none (the first error the kernel reports). */
int stim_nft_batch_send(struct stim_nft_batch *b, stim_error_t *err);
