#pragma once
/*
 * nflog inside a network namespace (libmnl over a netfilter netlink
 * socket): a subscription to one log group, copying the first bytes of
 * each logged packet, and the reading of what arrives. The firewall's
 * logged rules send there (netns/nft.h); src/firewall_log.c reads.
 */

#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

/* A socket in the namespace of nsfd bound to group (the caller's). */
int stim_nflog_open(int nsfd, uint16_t group, uint32_t snaplen, stim_error_t *err);

/* Everything queued on fd, packet by packet: fn(prefix, payload, len,
 * arg), payload being the IP packet's first bytes. 0 when the queue is
 * empty, -1 (errno) when the socket failed. */
int stim_nflog_read(int fd,
		    void (*fn)(const char *prefix, const unsigned char *payload, size_t len,
			       void *arg),
		    void *arg);
