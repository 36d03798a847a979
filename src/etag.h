#pragma once
/*
 * Etags as Cloud Storage mints them: base64 of a small protobuf message
 * whose fields are the resource's counters. A bucket's etag "CAE=" is the
 * bytes 08 01, field 1 = metageneration 1; its IAM policy carries the same
 * one. An object's would add its generation as a second field.
 *
 * Clients treat etags as bytes fields: gcloud decodes what it read and
 * sends it back in the URL-safe alphabet ("BwZX/VGsg0c=" returns as
 * "BwZX_VGsg0c="; reference/gcloud/README.md). So a given etag is compared
 * with the current one by decoded bytes, never as a string.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The etag of counters fields[0..n) as protobuf varint fields 1..n, in the
 * standard base64 alphabet with padding, as Google answers. The caller's. */
char *stim_etag_mint(const int64_t *fields, size_t n);

/* Whether `given` (either base64 alphabet, padded or not) decodes to the
 * bytes `etag` decodes to. An undecodable `given` matches nothing. */
bool stim_etag_equal(const char *given, const char *etag);
