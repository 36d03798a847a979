/* Lifecycle conditions and the choice among rules (see lifecycle_match.h). */
#include "src/lifecycle_match.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAY_MS (24LL * 3600 * 1000)

int64_t stim_lifecycle_date_ms(const char *date)
{
	struct tm tm = { 0 };
	int y = 1970;
	int m = 1;
	int d = 1;

	/* The rule set was checked (stim_lifecycle_check): the date is real. */
	if (sscanf(date, "%d-%d-%d", &y, &m, &d) != 3)
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm) * 1000;
}

static bool any_prefix(const struct stim_strv *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strncmp(name, l->v[i], strlen(l->v[i])) == 0)
			return true;
	}
	return false;
}

static bool any_suffix(const struct stim_strv *l, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < l->n; i++) {
		size_t k = strlen(l->v[i]);

		if (k <= n && strcmp(name + n - k, l->v[i]) == 0)
			return true;
	}
	return false;
}

static bool num_holds(enum stim_lc_num k, int64_t want, const struct stim_lc_object *o,
		      int64_t now_ms)
{
	switch (k) {
	case STIM_LC_AGE:
		return now_ms - o->create_time_ms >= want * DAY_MS;
	case STIM_LC_DAYS_SINCE_NONCURRENT_TIME:
		return !o->live && now_ms - o->noncurrent_time_ms >= want * DAY_MS;
	case STIM_LC_NUM_NEWER_VERSIONS:
		return o->newer_versions >= want;
	case STIM_LC_DAYS_SINCE_CUSTOM_TIME:
	case STIM_LC_NUMS:
		break;
	}
	return false; /* no customTime here */
}

static bool date_holds(enum stim_lc_date k, const char *date, const struct stim_lc_object *o)
{
	int64_t at = stim_lifecycle_date_ms(date);

	switch (k) {
	case STIM_LC_CREATED_BEFORE:
		return o->create_time_ms < at;
	case STIM_LC_NONCURRENT_TIME_BEFORE:
		return !o->live && o->noncurrent_time_ms < at;
	case STIM_LC_CUSTOM_TIME_BEFORE:
	case STIM_LC_DATES:
		break;
	}
	return false;
}

static bool rule_applies(const struct stim_lifecycle_rule *r, const struct stim_lc_object *o,
			 int64_t now_ms)
{
	if (r->action == STIM_LIFECYCLE_ABORT_MULTIPART)
		return false;
	if (r->is_live >= 0 && (r->is_live == 1) != o->live)
		return false;
	for (int k = 0; k < STIM_LC_NUMS; k++) {
		if (r->num[k] >= 0 && !num_holds((enum stim_lc_num)k, r->num[k], o, now_ms))
			return false;
	}
	for (int k = 0; k < STIM_LC_DATES; k++) {
		if (r->date[k] != NULL && !date_holds((enum stim_lc_date)k, r->date[k], o))
			return false;
	}
	if (r->list[STIM_LC_MATCHES_PREFIX].n > 0 &&
	    !any_prefix(&r->list[STIM_LC_MATCHES_PREFIX], o->name))
		return false;
	if (r->list[STIM_LC_MATCHES_SUFFIX].n > 0 &&
	    !any_suffix(&r->list[STIM_LC_MATCHES_SUFFIX], o->name))
		return false;
	if (r->list[STIM_LC_MATCHES_STORAGE_CLASS].n > 0 &&
	    !stim_strv_contains(&r->list[STIM_LC_MATCHES_STORAGE_CLASS], o->storage_class))
		return false;
	return true;
}

/* Lower is cheaper at rest; the classes not named cost the most. */
static int class_rank(const char *c)
{
	static const char *const cheapest_first[] = { "ARCHIVE", "COLDLINE", "NEARLINE" };

	for (int i = 0; i < (int)(sizeof(cheapest_first) / sizeof(cheapest_first[0])); i++) {
		if (strcmp(c, cheapest_first[i]) == 0)
			return i;
	}
	return 3;
}

enum stim_lc_verdict stim_lifecycle_decide(const struct stim_lifecycle *l,
					   const struct stim_lc_object *o, int64_t now_ms,
					   const char **storage_class)
{
	const char *best = NULL;

	for (size_t i = 0; i < l->n; i++) {
		const struct stim_lifecycle_rule *r = &l->rules[i];

		if (!rule_applies(r, o, now_ms))
			continue;
		if (r->action == STIM_LIFECYCLE_DELETE)
			return STIM_LC_DELETE;
		if (r->action == STIM_LIFECYCLE_SET_STORAGE_CLASS &&
		    (best == NULL || class_rank(r->storage_class) < class_rank(best)))
			best = r->storage_class;
	}
	/* Lifecycle only ever moves an object to a colder class. */
	if (best == NULL || class_rank(best) >= class_rank(o->storage_class))
		return STIM_LC_KEEP;
	*storage_class = best;
	return STIM_LC_SET_CLASS;
}

bool stim_lifecycle_needs_versions(const struct stim_lifecycle *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->rules[i].num[STIM_LC_NUM_NEWER_VERSIONS] >= 0)
			return true;
	}
	return false;
}
