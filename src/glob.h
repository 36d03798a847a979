#pragma once
/*
 * Glob patterns as Cloud Storage's objects.list matchGlob reads them:
 *
 *   *        any run of bytes without '/'
 *   **       any run of bytes, '/' included; a whole segment of it ("a/", "**",
 *            "/b" written together) may also match nothing, so that
 *            pattern matches "a/b" too
 *   ?        one byte other than '/'
 *   [abc] [a-z] [!a-z]   one byte of (or not of) a set; never '/' when negated
 *   {x,y}    any one of the alternatives (nested braces allowed)
 *   \c       c itself
 *
 * A pattern compiles to a small NFA per brace alternative and matches a
 * name in one pass over it (states x bytes), so no pattern can make a
 * listing backtrack exponentially.
 */

#include <stdbool.h>
#include <stddef.h>

#include "src/error.h"

struct stim_glob;

/* INVALID_ARGUMENT for an unclosed '[' or '{', a trailing '\', or more
 * alternatives than a listing should take. */
struct stim_glob *stim_glob_compile(const char *pattern, stim_error_t *err);
void stim_glob_free(struct stim_glob *g);
bool stim_glob_match(const struct stim_glob *g, const char *name);
/* The bytes every match starts with (possibly ""): a listing scans only
 * the names with this prefix. Owned by g. */
const char *stim_glob_literal_prefix(const struct stim_glob *g);

void stim_cleanup_glob(struct stim_glob **g);
#define cleanup_glob __attribute__((cleanup(stim_cleanup_glob)))
