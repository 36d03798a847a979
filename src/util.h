#pragma once
/*
 * Small helpers every module uses: allocation that aborts on exhaustion
 * (crun OOM()), invariant checks, time stamps in Google's format, random
 * numbers from OpenSSL, and base64 for page tokens and etags.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

/* Allocation: abort() on exhaustion, the one failure we do not return. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A copy of s, or NULL for NULL (an optional field). */
char *xstrdup_or_null(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* p, or abort() as above when a library's allocator returned NULL. */
void *xnonnull(void *p);

/* Broken invariants (redis serverAssert): log the place and abort. */
void stim_assert_fail(const char *expr, const char *file, int line, const char *func)
	__attribute__((noreturn));
#define STIM_ASSERT(e) ((e) ? (void)0 : stim_assert_fail(#e, __FILE__, __LINE__, __func__))

#define STIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Time. */
int64_t stim_now_ms(void);	  /* wall clock, ms since the epoch */
uint64_t stim_monotonic_ns(void); /* for latencies */
#define STIM_TIME_BUFSZ 32
/* Formats ms since the epoch as RFC 3339 UTC with milliseconds, as Google does:
 * "2026-11-22T14:53:22.351Z". Returns buf. */
char *stim_time_format(int64_t ms, char buf[STIM_TIME_BUFSZ]);

/* Randomness from OpenSSL's CSPRNG (aborts if it cannot be seeded). */
void stim_random_bytes(void *buf, size_t n);
uint64_t stim_random_u64(void);

/* FNV-1a of the string: a fast, non-cryptographic hash for tables and
 * ids derived from names. */
uint64_t stim_fnv1a(const char *s);

/* n bytes as 2n lower-case hex digits and a NUL into out (2n + 1 long). */
void stim_hex(const void *data, size_t n, char *out);

/* base64: standard alphabet with padding when url_safe is false, otherwise
 * the URL-safe alphabet without padding. The result is the caller's. */
char *stim_base64_encode(const void *data, size_t n, bool url_safe);
/* Accepts both alphabets, with or without padding (gcloud re-encodes bytes
 * fields URL-safe, reference/gcloud/README.md). Returns the length or -1. */
int stim_base64_decode(const char *s, unsigned char *out, size_t outsz);

/* Strings. */
bool stim_str_has_prefix(const char *s, const char *prefix);
bool stim_str_has_suffix(const char *s, const char *suffix);
/* Whether the comma-separated list (an updateMask) names item; a NULL
 * list names nothing. */
bool stim_csv_has(const char *list, const char *item);
/* What follows the last '/' (all of s without one; "" for "/" or a URL
 * ending in '/'): a path's last component, a resource URL's name. */
const char *stim_path_basename(const char *s);

/* Creates dir and its parents with mode (existing ones are left as they are). */
int stim_mkdir_p(const char *dir, unsigned mode, stim_error_t *err);
