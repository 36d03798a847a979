/* The IAM answer cache (see decision_cache.h). */
#include "src/decision_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

#define SLOTS 4096 /* a power of two */

struct slot {
	char *key; /* NULL: empty */
	uint64_t gen;
	bool yes;
};

struct stim_decision_cache {
	pthread_mutex_t lock;
	struct slot slots[SLOTS];
};

static size_t slot_of(const char *key)
{
	return (size_t)(stim_fnv1a(key) & (SLOTS - 1));
}

struct stim_decision_cache *stim_decision_cache_new(void)
{
	struct stim_decision_cache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void stim_decision_cache_free(struct stim_decision_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < SLOTS; i++)
		free(c->slots[i].key);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

bool stim_decision_cache_get(struct stim_decision_cache *c, const char *key, uint64_t gen,
			     bool *yes)
{
	struct slot *s = &c->slots[slot_of(key)];
	bool hit;

	pthread_mutex_lock(&c->lock);
	hit = s->key != NULL && s->gen == gen && strcmp(s->key, key) == 0;
	if (hit)
		*yes = s->yes;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void stim_decision_cache_put(struct stim_decision_cache *c, const char *key, uint64_t gen, bool yes)
{
	struct slot *s = &c->slots[slot_of(key)];
	char *copy = xstrdup(key);
	char *old;

	pthread_mutex_lock(&c->lock);
	old = s->key;
	s->key = copy;
	s->gen = gen;
	s->yes = yes;
	pthread_mutex_unlock(&c->lock);
	free(old);
}
