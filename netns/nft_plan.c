/* How a dispatch chain changes (see nft_plan.h). */
#include "netns/nft_plan.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/util.h"

void stim_nft_slot_fini(struct stim_nft_slot *s)
{
	free(s->name);
	free(s->sets);
	memset(s, 0, sizeof(*s));
}

/* The old slots by name, for a binary search. */
struct by_name {
	const struct stim_nft_slot *old;
	size_t *idx;
	size_t n;
};

static int idx_cmp(const void *a, const void *b, void *old)
{
	const struct stim_nft_slot *s = old;

	return strcmp(s[*(const size_t *)a].name, s[*(const size_t *)b].name);
}

static size_t find(const struct by_name *t, const char *name)
{
	size_t lo = 0;
	size_t hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->old[t->idx[mid]].name, name);

		if (c == 0)
			return t->idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return STIM_NFT_NEW;
}

void stim_nft_plan(const struct stim_nft_slot *old, size_t nold, const char *const *names,
		   const uint64_t *hashes, size_t nnew, struct stim_nft_step *steps,
		   enum stim_nft_fate *fates)
{
	cleanup_free size_t *idx = xcalloc(nold + 1, sizeof(*idx));
	struct by_name t = { old, idx, nold };
	size_t last = 0; /* the old place of the last kept rule, plus one */
	uint64_t before = 0;

	for (size_t i = 0; i < nold; i++) {
		idx[i] = i;
		fates[i] = STIM_NFT_GOES;
	}
	qsort_r(idx, nold, sizeof(*idx), idx_cmp, (void *)old);

	/* Kept: an old rule met in the old order, handle known. Greedy, so
	 * not the fewest moves when rules swap, but always a right order. */
	for (size_t k = 0; k < nnew; k++) {
		size_t o = find(&t, names[k]);
		struct stim_nft_step *s = &steps[k];

		*s = (struct stim_nft_step){ .old = o, .fill = true, .jump = true };
		if (o == STIM_NFT_NEW)
			continue;
		s->fill = old[o].hash != hashes[k];
		if (o + 1 > last && old[o].handle != 0) {
			s->jump = false;
			last = o + 1;
			fates[o] = STIM_NFT_STAYS;
		} else {
			fates[o] = STIM_NFT_MOVES;
		}
	}
	/* Each jump made goes before the next kept one, or at the end. */
	for (size_t k = nnew; k-- > 0;) {
		if (steps[k].jump)
			steps[k].before = before;
		else
			before = old[steps[k].old].handle;
	}
}
