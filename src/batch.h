#pragma once
/*
 * Google's batch requests (POST /batch/compute/v1): a multipart/mixed body
 * whose parts are whole HTTP requests, which gcloud sends whenever one
 * command makes two or more calls (reference/gcloud/compute.md, "Batch
 * endpoint"): a quoted boundary, bare "\n" line endings, and a request
 * line with a path, not a URL. Parsing is pure (unit-tested and fuzzed);
 * api/batch.c dispatches each part and writes the answer.
 */

#include <stddef.h>

#include "src/error.h"

/* Google's limit on the calls in one batch. */
#define STIM_BATCH_MAX_PARTS 1000

struct stim_batch_part {
	char *content_id;   /* the part's Content-ID as sent ("<id+0>"), or NULL */
	char *method;	    /* "GET" */
	char *path;	    /* "/compute/v1/...?alt=json" */
	char *content_type; /* the inner request's, or NULL */
	char *body;	    /* NUL-terminated for convenience; body_len bytes */
	size_t body_len;
};

/* The boundary of `multipart/mixed; boundary="..."` (quoted or not).
 * INVALID_ARGUMENT otherwise. The caller's. */
char *stim_batch_boundary(const char *content_type, stim_error_t *err);

/* Splits body into its requests. INVALID_ARGUMENT for a part that is not
 * an HTTP request, or more than STIM_BATCH_MAX_PARTS. */
int stim_batch_parse(const char *body, size_t len, const char *boundary,
		     struct stim_batch_part **parts, size_t *n, stim_error_t *err);
void stim_batch_parts_free(struct stim_batch_part *parts, size_t n);
