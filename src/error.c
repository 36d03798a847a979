/* The stim_error makers (see error.h for the convention). */
#include "src/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

static int set_error(stim_error_t *err, enum stim_code code, int errnum, const char *reason,
		     char *msg)
{
	struct stim_error *e;

	/* Setting an error twice loses the first one: a bug in the caller. */
	STIM_ASSERT(err != NULL && *err == NULL);
	e = xmalloc(sizeof(*e));
	e->code = code;
	e->errnum = errnum;
	e->reason = reason;
	e->msg = msg;
	*err = e;
	return -1;
}

static int __attribute__((format(printf, 4, 0)))
set_errorv(stim_error_t *err, enum stim_code code, const char *reason, const char *fmt, va_list ap)
{
	return set_error(err, code, 0, reason, xvasprintf(fmt, ap));
}

int stim_err(stim_error_t *err, enum stim_code code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_errorv(err, code, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

int stim_err_reason(stim_error_t *err, enum stim_code code, const char *reason, const char *fmt,
		    ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_errorv(err, code, reason, fmt, ap);
	va_end(ap);
	return ret;
}

int stim_err_sys(stim_error_t *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	char *what;
	char *msg;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", what, strerror(errnum));
	free(what);
	return set_error(err, STIM_INTERNAL, errnum, NULL, msg);
}

int stim_err_wrap(stim_error_t *err, const char *fmt, ...)
{
	va_list ap;
	char *ctx;
	char *msg;

	STIM_ASSERT(err != NULL && *err != NULL);
	va_start(ap, fmt);
	ctx = xvasprintf(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void stim_error_free(stim_error_t e)
{
	if (e == NULL)
		return;
	free(e->msg);
	free(e);
}

void stim_cleanup_error(stim_error_t *e)
{
	stim_error_free(*e);
}

const char *stim_code_name(enum stim_code code)
{
	static const char *const names[] = {
		[STIM_OK] = "OK",
		[STIM_CANCELLED] = "CANCELLED",
		[STIM_UNKNOWN] = "UNKNOWN",
		[STIM_INVALID_ARGUMENT] = "INVALID_ARGUMENT",
		[STIM_DEADLINE_EXCEEDED] = "DEADLINE_EXCEEDED",
		[STIM_NOT_FOUND] = "NOT_FOUND",
		[STIM_ALREADY_EXISTS] = "ALREADY_EXISTS",
		[STIM_PERMISSION_DENIED] = "PERMISSION_DENIED",
		[STIM_RESOURCE_EXHAUSTED] = "RESOURCE_EXHAUSTED",
		[STIM_FAILED_PRECONDITION] = "FAILED_PRECONDITION",
		[STIM_ABORTED] = "ABORTED",
		[STIM_OUT_OF_RANGE] = "OUT_OF_RANGE",
		[STIM_UNIMPLEMENTED] = "UNIMPLEMENTED",
		[STIM_INTERNAL] = "INTERNAL",
		[STIM_UNAVAILABLE] = "UNAVAILABLE",
		[STIM_DATA_LOSS] = "DATA_LOSS",
		[STIM_UNAUTHENTICATED] = "UNAUTHENTICATED",
	};

	if ((unsigned)code >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN";
	return names[code];
}
