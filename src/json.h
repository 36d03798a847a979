#pragma once
/*
 * JSON helpers over jansson, in the shape Google's APIs answer bad input:
 * a body that is not JSON is "Invalid JSON payload received." with the place
 * of the fault, an unknown field is "Unknown name", a field of the wrong type
 * is "Invalid value at 'field' (TYPE_STRING)". All such failures are
 * INVALID_ARGUMENT (HTTP 400).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "src/error.h"
#include "src/strv.h"

/* Parses a request body. An empty body is an empty object (gcloud sends none
 * for some POSTs). A body that is not a JSON object is refused. The result
 * is the caller's. */
json_t *stim_json_parse_body(const char *body, size_t len, stim_error_t *err);

/* Refuses any member of obj not in the NULL-terminated `known` list, naming
 * it as Google does. `where` prefixes the field path ("" at the top). */
int stim_json_check_fields(json_t *obj, const char *const *known, const char *where,
			   stim_error_t *err);

/* Typed getters for optional members: a missing or null member leaves *out
 * untouched and returns 0; a member of another type is an error. The string
 * is borrowed from obj. */
int stim_json_get_string(json_t *obj, const char *key, const char **out, stim_error_t *err);
int stim_json_get_object(json_t *obj, const char *key, json_t **out, stim_error_t *err);
/* A boolean as 1 or 0 (*out untouched when missing: callers start at -1). */
int stim_json_get_bool(json_t *obj, const char *key, int *out, stim_error_t *err);
/* Google encodes int64 as a JSON string; both a string and a number are read. */
int stim_json_get_int64(json_t *obj, const char *key, int64_t *out, stim_error_t *err);

/* An array of strings into out (sorted without repeats when `sorted`). */
int stim_json_get_strv(json_t *obj, const char *key, bool sorted, struct stim_strv *out,
		       stim_error_t *err);
/* The strings as a JSON array (new reference). */
json_t *stim_json_from_strv(const struct stim_strv *l);

/* Serialises compactly; the result is the caller's (free()). */
char *stim_json_dump(const json_t *j, size_t *len);
