#pragma once
/*
 * Which lifecycle action applies to one object generation: the pure half
 * of the sweeper (src/lifecycle_sweep.c), so Cloud Storage's rules are
 * unit-tested without a store.
 *
 * A rule applies when every condition it has holds. Of the rules that
 * apply, Delete wins over SetStorageClass, and of several SetStorageClass
 * the class with the lowest at-rest price (ARCHIVE < COLDLINE < NEARLINE <
 * the rest); SetStorageClass only moves an object to a colder class than
 * its own, as in GCS, so a rule that would not does nothing. Objects here have no customTime, so rules on it never apply.
 * AbortIncompleteMultipartUpload concerns the XML API's multipart
 * uploads, which the emulator does not serve.
 */

#include <stdbool.h>
#include <stdint.h>

#include "src/bucket_lifecycle.h"

struct stim_lc_object {
	const char *name;
	const char *storage_class; /* the object's own, or the bucket's default */
	int64_t create_time_ms;
	bool live;
	int64_t noncurrent_time_ms; /* when it stopped being live; 0 while live */
	int64_t newer_versions;	    /* generations of the name after this one */
};

enum stim_lc_verdict {
	STIM_LC_KEEP,
	STIM_LC_DELETE,
	STIM_LC_SET_CLASS,
};

/* What the rules say for o at now_ms; *storage_class gets the class for
 * STIM_LC_SET_CLASS (a string of the rule set). */
enum stim_lc_verdict stim_lifecycle_decide(const struct stim_lifecycle *l,
					   const struct stim_lc_object *o, int64_t now_ms,
					   const char **storage_class);

/* Whether any rule needs stim_lc_object.newer_versions (the sweeper counts
 * them only then). */
bool stim_lifecycle_needs_versions(const struct stim_lifecycle *l);

/* Midnight UTC at the start of "YYYY-MM-DD", in ms since the epoch. */
int64_t stim_lifecycle_date_ms(const char *date);
