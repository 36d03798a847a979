#pragma once
/*
 * A streaming parser for the multipart/related bodies of Cloud Storage
 * uploads (uploadType=multipart): a JSON metadata part, then the media part.
 * The metadata (small, capped) is handed over whole before any media byte;
 * the media is handed over in pieces as the body arrives, so an upload of
 * any size never sits in memory.
 *
 * gcloud writes the boundary in single quotes and ends lines with a bare
 * "\n" (reference/gcloud/storage.md); other clients use double quotes or
 * none, and CRLF. The line break before a delimiter belongs to the
 * delimiter (RFC 2046 5.1.1), so exactly one is taken off the data.
 */

#include <stddef.h>

#include "src/error.h"

/* What the parser hands over. Each returns 0, or fails to stop the parse. */
struct stim_multipart_sink {
	/* The first part, whole; content_type is that part's (may be NULL). */
	int (*meta)(void *arg, const char *json, size_t len, const char *content_type,
		    stim_error_t *err);
	/* The second part, in pieces; called first with len 0 once its headers
	 * are read, so content_type arrives before any byte. */
	int (*media)(void *arg, const char *buf, size_t len, const char *content_type,
		     stim_error_t *err);
};

/* The boundary of a Content-Type such as
 * `multipart/related; boundary='===============123=='`. INVALID_ARGUMENT
 * when it is not multipart/related or has no boundary. The caller's. */
char *stim_multipart_boundary(const char *content_type, stim_error_t *err);
/* The same for any multipart type (batch requests: multipart/mixed);
 * `what` names the request in the error. */
char *stim_content_type_boundary(const char *content_type, const char *type, const char *what,
				 stim_error_t *err);

struct stim_multipart;

/* max_meta caps the metadata part (INVALID_ARGUMENT past it). */
struct stim_multipart *stim_multipart_new(const char *boundary, size_t max_meta,
					  const struct stim_multipart_sink *sink, void *arg);
void stim_multipart_free(struct stim_multipart *m);
void stim_cleanup_multipart(struct stim_multipart **m);
#define cleanup_multipart __attribute__((cleanup(stim_cleanup_multipart)))

/* Feeds the next bytes of the body (any split). After a failure the parser
 * refuses further input. */
int stim_multipart_feed(struct stim_multipart *m, const char *buf, size_t len, stim_error_t *err);
/* At the end of the body: INVALID_ARGUMENT unless both parts and the closing
 * delimiter were seen. */
int stim_multipart_finish(struct stim_multipart *m, stim_error_t *err);
