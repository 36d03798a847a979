#pragma once
/*
 * A bucket's lifecycle rules (cloud.google.com/storage/docs/lifecycle):
 * each rule is an action and the conditions that must all hold for an
 * object. The rules are stored and returned now; the sweeper that acts on
 * them comes with objects.
 *
 * Conditions are kept in arrays indexed by enum, so the JSON, the store and
 * the checks walk one list of names instead of spelling out each field.
 */

#include <stddef.h>
#include <stdint.h>

#include "src/error.h"
#include "src/strv.h"

/* GCS allows at most 100 rules per bucket. */
#define STIM_LIFECYCLE_RULES_MAX 100

enum stim_lifecycle_action {
	STIM_LIFECYCLE_DELETE,
	STIM_LIFECYCLE_SET_STORAGE_CLASS,
	STIM_LIFECYCLE_ABORT_MULTIPART,
};

/* Whole-number conditions (days, counts); -1 when absent. */
enum stim_lc_num {
	STIM_LC_AGE,
	STIM_LC_DAYS_SINCE_CUSTOM_TIME,
	STIM_LC_DAYS_SINCE_NONCURRENT_TIME,
	STIM_LC_NUM_NEWER_VERSIONS,
	STIM_LC_NUMS
};

/* Date conditions, "YYYY-MM-DD" (UTC); NULL when absent. */
enum stim_lc_date {
	STIM_LC_CREATED_BEFORE,
	STIM_LC_CUSTOM_TIME_BEFORE,
	STIM_LC_NONCURRENT_TIME_BEFORE,
	STIM_LC_DATES
};

/* List conditions: an object matches when one entry does; empty when absent. */
enum stim_lc_list {
	STIM_LC_MATCHES_PREFIX,
	STIM_LC_MATCHES_SUFFIX,
	STIM_LC_MATCHES_STORAGE_CLASS,
	STIM_LC_LISTS
};

/* The JSON names, indexed by the enums above ("age", "createdBefore", ...). */
extern const char *const stim_lc_num_names[STIM_LC_NUMS];
extern const char *const stim_lc_date_names[STIM_LC_DATES];
extern const char *const stim_lc_list_names[STIM_LC_LISTS];

struct stim_lifecycle_rule {
	enum stim_lifecycle_action action;
	char *storage_class; /* SetStorageClass's target; NULL for the others */
	int64_t num[STIM_LC_NUMS];
	char *date[STIM_LC_DATES];
	int is_live; /* -1 absent, 0 noncurrent versions, 1 live ones */
	struct stim_strv list[STIM_LC_LISTS];
};

struct stim_lifecycle {
	size_t n;
	struct stim_lifecycle_rule *rules;
};

/* Appends a rule with every condition absent; the pointer is valid until
 * the next append. */
struct stim_lifecycle_rule *stim_lifecycle_add(struct stim_lifecycle *l,
					       enum stim_lifecycle_action action);
void stim_lifecycle_copy(struct stim_lifecycle *dst, const struct stim_lifecycle *src);
void stim_lifecycle_fini(struct stim_lifecycle *l);

/* "Delete", "SetStorageClass", "AbortIncompleteMultipartUpload". */
const char *stim_lifecycle_action_name(enum stim_lifecycle_action a);
int stim_lifecycle_action_parse(const char *name, enum stim_lifecycle_action *out,
				stim_error_t *err);

/* GCS's rules for a rule set: at most 100 rules, each with at least one
 * condition; SetStorageClass needs a valid class (and only it takes one);
 * AbortIncompleteMultipartUpload takes only age, matchesPrefix and
 * matchesSuffix; dates are real dates (the JSON layer refuses negative
 * numbers, since -1 means absent here). Storage
 * class names are made canonical in place. */
int stim_lifecycle_check(struct stim_lifecycle *l, stim_error_t *err);
