#pragma once
/*
 * A small cache of IAM answers (is this token's key still live? may this
 * principal do that to this resource?) so that an enforced request needs
 * no store work once the same question was answered. Every answer is
 * stamped with the store's IAM generation (stim_store_iam_gen), which
 * every change to a policy, role, account or key bumps: an answer from an
 * older generation is never used. Fixed size, direct-mapped by a hash of
 * the question; a collision just evicts. Safe between threads.
 */

#include <stdbool.h>
#include <stdint.h>

struct stim_decision_cache;

struct stim_decision_cache *stim_decision_cache_new(void);
void stim_decision_cache_free(struct stim_decision_cache *c);

/* The answer to key at generation gen, if cached: *yes. */
bool stim_decision_cache_get(struct stim_decision_cache *c, const char *key, uint64_t gen,
			     bool *yes);
void stim_decision_cache_put(struct stim_decision_cache *c, const char *key, uint64_t gen,
			     bool yes);
