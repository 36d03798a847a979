#pragma once
/*
 * Resource labels (projects now; instances, disks and buckets later): a set
 * of key/value strings checked against GCP's rules. Keys are 1-63
 * characters, values 0-63, both lowercase letters, digits, '_' and '-' (and
 * international letters); a key starts with a letter; at most 64 labels.
 */

#include <stddef.h>

#include <jansson.h>

#include "src/error.h"

struct stim_label {
	char *key;
	char *value;
};

struct stim_labels {
	size_t n;
	struct stim_label *v; /* sorted by key */
};

void stim_labels_fini(struct stim_labels *l);
/* A key's value (borrowed), or NULL. */
const char *stim_labels_get(const struct stim_labels *l, const char *key);
/* Adds or replaces a label (keeps the set sorted). Copies both strings. */
void stim_labels_set(struct stim_labels *l, const char *key, const char *value);

/* Checks a key or value against GCP's rules. */
int stim_label_key_check(const char *key, stim_error_t *err);
int stim_label_value_check(const char *key, const char *value, stim_error_t *err);

/* From/to the JSON map {"env":"dev"}; from_json checks every pair. */
int stim_labels_from_json(json_t *obj, struct stim_labels *out, stim_error_t *err);
json_t *stim_labels_to_json(const struct stim_labels *l);
