#pragma once
/*
 * Page tokens for lists keyed by name (projects, buckets): the last key of
 * the previous page, base64 in the URL-safe alphabet, so that the next page
 * starts after it. The token is opaque to clients but not secret; the
 * decoder accepts either alphabet, as stim_base64_decode() does.
 *
 * Objects page by (name, generation) and keep a token format of their own
 * (src/objects.c).
 */

#include <stddef.h>

#include "src/error.h"

/* The token for a page that ends at `key`. The caller's. */
char *stim_page_token_encode(const char *key);

/*
 * Decodes `token` into out (size bytes, NUL-terminated). A NULL or empty
 * token is the first page: out is "". A token that does not decode to a key
 * shorter than size without NUL bytes is INVALID_ARGUMENT "Invalid page
 * token '...'." with `reason` (static; NULL for the code's default), since
 * the APIs disagree: Resource Manager says badRequest, Cloud Storage invalid.
 */
int stim_page_token_decode(const char *token, const char *reason, char *out, size_t size,
			   stim_error_t *err);
