#pragma once
/*
 * How a dispatch chain changes (pure, unit-tested; netns/nft.c sends it).
 *
 * Each GCE rule is a chain of its own holding its lines, and the egress
 * and ingress chains hold only jumps to those chains, in GCE's order. A
 * change to one rule then touches one chain and at most one jump, which
 * is what keeps a rule change on a network of a thousand rules to a small
 * transaction: the kernel's commit costs what the transaction holds, not
 * what the table holds.
 *
 * A jump is placed by the handle the kernel gave the jump it goes before
 * (nftables inserts before a handle, or appends); handles come back with
 * the transaction's echo, and a slot whose handle is not known yet is
 * never an anchor.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One rule's place in a dispatch chain, as applied. */
struct stim_nft_slot {
	char *name;	 /* the GCE rule's, unique in the network */
	uint64_t hash;	 /* of its lines: the same hash, the same chain */
	uint64_t handle; /* its jump's; 0: not known */
	uint32_t *sets;	 /* the shared sets its lines look up (numbers, repeated per lookup) */
	size_t nsets;
};

void stim_nft_slot_fini(struct stim_nft_slot *s);

#define STIM_NFT_NEW SIZE_MAX

/* What is done for one rule of the new order. */
struct stim_nft_step {
	size_t old;	 /* its slot in the old order; STIM_NFT_NEW: none */
	bool fill;	 /* its chain is filled: it is new or its lines changed */
	bool jump;	 /* a jump to it is inserted: it is new or moved */
	uint64_t before; /* ...before the jump with this handle; 0: at the end */
};

/* What becomes of an old slot's jump and chain. */
enum stim_nft_fate {
	STIM_NFT_STAYS, /* jump kept (its chain may be refilled) */
	STIM_NFT_MOVES, /* jump deleted, another made where it now goes */
	STIM_NFT_GOES,	/* jump and chain deleted: the rule is no more */
};

/* old (names unique) to the rules names/hashes (nnew, in dispatch order):
 * steps[nnew] and fates[nold]. A rule keeps its jump when its place
 * relative to the other kept rules is unchanged; the others move. */
void stim_nft_plan(const struct stim_nft_slot *old, size_t nold, const char *const *names,
		   const uint64_t *hashes, size_t nnew, struct stim_nft_step *steps,
		   enum stim_nft_fate *fates);
