#pragma once
/*
 * One error convention for the whole daemon (crun design-docs/error_handling.md).
 *
 * A function that can fail takes `stim_error_t *err` as its last argument. On
 * failure it returns a value below 0 (or NULL) and sets *err exactly once; on
 * success it leaves *err alone. Callers add context on the way up with
 * stim_err_wrap(). The error is logged once, where it is finally handled (the
 * HTTP layer, an operation worker or main), and only api/errors.c turns it
 * into Google's JSON error.
 */

#include <stdarg.h>

/* The google.rpc.Code values, so the API layer can map them one to one. */
enum stim_code {
	STIM_OK = 0,
	STIM_CANCELLED = 1,
	STIM_UNKNOWN = 2,
	STIM_INVALID_ARGUMENT = 3,
	STIM_DEADLINE_EXCEEDED = 4,
	STIM_NOT_FOUND = 5,
	STIM_ALREADY_EXISTS = 6,
	STIM_PERMISSION_DENIED = 7,
	STIM_RESOURCE_EXHAUSTED = 8,
	STIM_FAILED_PRECONDITION = 9,
	STIM_ABORTED = 10,
	STIM_OUT_OF_RANGE = 11,
	STIM_UNIMPLEMENTED = 12,
	STIM_INTERNAL = 13,
	STIM_UNAVAILABLE = 14,
	STIM_DATA_LOSS = 15,
	STIM_UNAUTHENTICATED = 16,
};

struct stim_error {
	enum stim_code code;
	int errnum;	    /* errno behind a host failure, or 0 */
	const char *reason; /* static API reason ("conditionNotMet"), or NULL for the default */
	char *msg;	    /* owned; the full message, contexts first */
};
typedef struct stim_error *stim_error_t;

/* Makers. All return -1 so that `return stim_err(err, ...);` reads naturally. */
int stim_err(stim_error_t *err, enum stim_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like stim_err() with an API reason string (static storage). */
int stim_err_reason(stim_error_t *err, enum stim_code code, const char *reason, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));
/* A host failure: INTERNAL, with errnum and ": strerror(errnum)" appended. */
int stim_err_sys(stim_error_t *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes "context: " to an error already set; keeps code, reason, errnum. */
int stim_err_wrap(stim_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Lifecycle. */
void stim_error_free(stim_error_t e);
void stim_cleanup_error(stim_error_t *e);
#define cleanup_error __attribute__((cleanup(stim_cleanup_error)))

/* The canonical upper-case name of a code ("NOT_FOUND"), for logs and JSON. */
const char *stim_code_name(enum stim_code code);
