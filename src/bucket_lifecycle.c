/* Lifecycle rules: their shape and GCS's checks (see bucket_lifecycle.h). */
#include "src/bucket_lifecycle.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/bucket_rules.h"
#include "src/util.h"

const char *const stim_lc_num_names[STIM_LC_NUMS] = {
	[STIM_LC_AGE] = "age",
	[STIM_LC_DAYS_SINCE_CUSTOM_TIME] = "daysSinceCustomTime",
	[STIM_LC_DAYS_SINCE_NONCURRENT_TIME] = "daysSinceNoncurrentTime",
	[STIM_LC_NUM_NEWER_VERSIONS] = "numNewerVersions",
};

const char *const stim_lc_date_names[STIM_LC_DATES] = {
	[STIM_LC_CREATED_BEFORE] = "createdBefore",
	[STIM_LC_CUSTOM_TIME_BEFORE] = "customTimeBefore",
	[STIM_LC_NONCURRENT_TIME_BEFORE] = "noncurrentTimeBefore",
};

const char *const stim_lc_list_names[STIM_LC_LISTS] = {
	[STIM_LC_MATCHES_PREFIX] = "matchesPrefix",
	[STIM_LC_MATCHES_SUFFIX] = "matchesSuffix",
	[STIM_LC_MATCHES_STORAGE_CLASS] = "matchesStorageClass",
};

static const char *const action_names[] = {
	[STIM_LIFECYCLE_DELETE] = "Delete",
	[STIM_LIFECYCLE_SET_STORAGE_CLASS] = "SetStorageClass",
	[STIM_LIFECYCLE_ABORT_MULTIPART] = "AbortIncompleteMultipartUpload",
};

const char *stim_lifecycle_action_name(enum stim_lifecycle_action a)
{
	return action_names[a];
}

int stim_lifecycle_action_parse(const char *name, enum stim_lifecycle_action *out,
				stim_error_t *err)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(action_names); i++) {
		if (strcmp(name, action_names[i]) == 0) {
			*out = (enum stim_lifecycle_action)i;
			return 0;
		}
	}
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "Invalid lifecycle action type '%s': expected Delete, "
			       "SetStorageClass or AbortIncompleteMultipartUpload.",
			       name);
}

struct stim_lifecycle_rule *stim_lifecycle_add(struct stim_lifecycle *l,
					       enum stim_lifecycle_action action)
{
	struct stim_lifecycle_rule *r;

	l->rules = xrealloc(l->rules, (l->n + 1) * sizeof(*l->rules));
	r = &l->rules[l->n++];
	memset(r, 0, sizeof(*r));
	r->action = action;
	r->is_live = -1;
	for (int i = 0; i < STIM_LC_NUMS; i++)
		r->num[i] = -1;
	return r;
}

static void rule_fini(struct stim_lifecycle_rule *r)
{
	free(r->storage_class);
	for (int i = 0; i < STIM_LC_DATES; i++)
		free(r->date[i]);
	for (int i = 0; i < STIM_LC_LISTS; i++)
		stim_strv_fini(&r->list[i]);
}

void stim_lifecycle_fini(struct stim_lifecycle *l)
{
	for (size_t i = 0; i < l->n; i++)
		rule_fini(&l->rules[i]);
	free(l->rules);
	l->rules = NULL;
	l->n = 0;
}

void stim_lifecycle_copy(struct stim_lifecycle *dst, const struct stim_lifecycle *src)
{
	stim_lifecycle_fini(dst);
	for (size_t i = 0; i < src->n; i++) {
		const struct stim_lifecycle_rule *s = &src->rules[i];
		struct stim_lifecycle_rule *d = stim_lifecycle_add(dst, s->action);

		d->storage_class = s->storage_class != NULL ? xstrdup(s->storage_class) : NULL;
		memcpy(d->num, s->num, sizeof(d->num));
		d->is_live = s->is_live;
		for (int k = 0; k < STIM_LC_DATES; k++)
			d->date[k] = s->date[k] != NULL ? xstrdup(s->date[k]) : NULL;
		for (int k = 0; k < STIM_LC_LISTS; k++)
			stim_strv_copy(&d->list[k], &s->list[k]);
	}
}

/* A calendar date written YYYY-MM-DD, as the JSON API's "date" format. */
static bool valid_date(const char *s)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y;
	int m;
	int d;
	int used = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10)
		return false;
	if (s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	/* 29 February only in leap years. */
	return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

static int rule_error(size_t i, stim_error_t *err, const char *what)
{
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "Invalid lifecycle rule %zu: %s", i, what);
}

static bool has_condition(const struct stim_lifecycle_rule *r)
{
	for (int k = 0; k < STIM_LC_NUMS; k++) {
		if (r->num[k] >= 0)
			return true;
	}
	for (int k = 0; k < STIM_LC_DATES; k++) {
		if (r->date[k] != NULL)
			return true;
	}
	for (int k = 0; k < STIM_LC_LISTS; k++) {
		if (r->list[k].n > 0)
			return true;
	}
	return r->is_live >= 0;
}

/* AbortIncompleteMultipartUpload looks at uploads, not objects: only their
 * age and name apply. */
static bool abort_conditions_only(const struct stim_lifecycle_rule *r)
{
	for (int k = 0; k < STIM_LC_NUMS; k++) {
		if (k != STIM_LC_AGE && r->num[k] >= 0)
			return false;
	}
	for (int k = 0; k < STIM_LC_DATES; k++) {
		if (r->date[k] != NULL)
			return false;
	}
	return r->is_live < 0 && r->list[STIM_LC_MATCHES_STORAGE_CLASS].n == 0;
}

static int check_rule(size_t i, struct stim_lifecycle_rule *r, stim_error_t *err)
{
	const char *canonical;
	struct stim_strv *classes = &r->list[STIM_LC_MATCHES_STORAGE_CLASS];

	if (r->action == STIM_LIFECYCLE_SET_STORAGE_CLASS) {
		if (r->storage_class == NULL)
			return rule_error(i, err, "SetStorageClass needs action.storageClass.");
		if (stim_storage_class_check(r->storage_class, &canonical, err) < 0)
			return stim_err_wrap(err, "lifecycle rule %zu", i);
		free(r->storage_class);
		r->storage_class = xstrdup(canonical);
	} else if (r->storage_class != NULL) {
		return rule_error(i, err, "action.storageClass is only for SetStorageClass.");
	}
	if (!has_condition(r))
		return rule_error(i, err, "a rule needs at least one condition.");
	if (r->action == STIM_LIFECYCLE_ABORT_MULTIPART && !abort_conditions_only(r))
		return rule_error(i, err,
				  "AbortIncompleteMultipartUpload takes only the conditions age, "
				  "matchesPrefix and matchesSuffix.");
	for (int k = 0; k < STIM_LC_DATES; k++) {
		if (r->date[k] != NULL && !valid_date(r->date[k]))
			return rule_error(i, err, "condition dates are written YYYY-MM-DD.");
	}
	for (size_t k = 0; k < classes->n; k++) {
		if (stim_storage_class_check(classes->v[k], &canonical, err) < 0)
			return stim_err_wrap(err, "lifecycle rule %zu", i);
		free(classes->v[k]);
		classes->v[k] = xstrdup(canonical);
	}
	return 0;
}

int stim_lifecycle_check(struct stim_lifecycle *l, stim_error_t *err)
{
	if (l->n > STIM_LIFECYCLE_RULES_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "A bucket can have at most %d lifecycle rules; %zu were "
				       "given.",
				       STIM_LIFECYCLE_RULES_MAX, l->n);
	for (size_t i = 0; i < l->n; i++) {
		if (check_rule(i, &l->rules[i], err) < 0)
			return -1;
	}
	return 0;
}
