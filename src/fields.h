#pragma once
/*
 * Partial responses: the `fields` query parameter of Google's JSON APIs
 * ("kind,items(name,size),nextPageToken", "items/name"), which gcloud
 * sends with most reads. A selection parses into a tree of names; a
 * response keeps only the members the tree names, through arrays (a
 * selection applies to each element) and down to whole subtrees at the
 * leaves. Names the response lacks are skipped, as Google does for
 * optional members. "*" selects every member at its level.
 */

#include <stdbool.h>

#include <jansson.h>

#include "src/error.h"

struct stim_fields;

/* INVALID_ARGUMENT (reason "invalidParameter") for a malformed selection:
 * an empty name, an unbalanced parenthesis, more than 16 levels. */
struct stim_fields *stim_fields_parse(const char *s, stim_error_t *err);
void stim_fields_free(struct stim_fields *f);
void stim_cleanup_fields(struct stim_fields **f);
#define cleanup_fields __attribute__((cleanup(stim_cleanup_fields)))

/* A new value holding what f selects of v (v itself, with a reference
 * taken, when f is NULL or selects everything). */
json_t *stim_fields_apply(const struct stim_fields *f, json_t *v);

/* The selection below one member (NULL: all of it), for renderers that
 * skip work: *wanted is false when f leaves name out entirely. */
const struct stim_fields *stim_fields_child(const struct stim_fields *f, const char *name,
					    bool *wanted);
