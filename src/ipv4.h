#pragma once
/*
 * IPv4 addresses and CIDR ranges as VPC networks use them (pure, unit-
 * tested): parsing GCE's spelling ("10.128.0.0/20", the address the base of
 * its range), overlaps, containment, and the four addresses GCE reserves
 * in every subnet (the network, the gateway at the first host address, the
 * second-to-last and the broadcast).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

struct stim_cidr {
	uint32_t addr; /* host order, the range's first address */
	int prefix;    /* 0 to 32 */
};

#define STIM_IPV4_BUFSZ 16 /* "255.255.255.255" */
#define STIM_CIDR_BUFSZ 19 /* "255.255.255.255/32" */

/* "a.b.c.d" (no leading zeros, no shorthand) into host order. */
int stim_ipv4_parse(const char *s, uint32_t *out);
char *stim_ipv4_format(uint32_t addr, char buf[STIM_IPV4_BUFSZ]);

/* "a.b.c.d/n" whose address is the first of its range (GCE refuses
 * 10.0.0.1/24). `field` names the field in the INVALID_ARGUMENT error. */
int stim_cidr_parse(const char *s, const char *field, struct stim_cidr *out, stim_error_t *err);
char *stim_cidr_format(const struct stim_cidr *c, char buf[STIM_CIDR_BUFSZ]);

uint32_t stim_cidr_size(const struct stim_cidr *c); /* addresses; 0 for /0 */
uint32_t stim_cidr_last(const struct stim_cidr *c);
bool stim_cidr_contains(const struct stim_cidr *c, uint32_t addr);
bool stim_cidr_overlaps(const struct stim_cidr *a, const struct stim_cidr *b);
/* Whether inner lies wholly within outer. */
bool stim_cidr_within(const struct stim_cidr *outer, const struct stim_cidr *inner);

/* The subnet's gateway: its first host address (x.x.x.1 for a /24). */
uint32_t stim_cidr_gateway(const struct stim_cidr *c);
/* Whether GCE keeps addr for itself in subnet c: network, gateway,
 * second-to-last and broadcast addresses. */
bool stim_cidr_reserved(const struct stim_cidr *c, uint32_t addr);

/* The lowest address of subnet c that GCE would hand out (not one of its
 * four reserved) and that is not in used (ascending; addresses outside c
 * may be there). -1 when every one is taken. */
int stim_cidr_first_free(const struct stim_cidr *c, const uint32_t *used, size_t n, uint32_t *out);
