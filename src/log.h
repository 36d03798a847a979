#pragma once
/*
 * Logging (redis serverLog, nsjail LOG_*). One line per event on stderr,
 * as text or JSON (--log text|json): time, level, func:line, the id of the
 * request or operation the thread is working on, and the message.
 *
 * The macros test the level before anything is formatted, so debug lines on
 * hot paths cost one comparison when debug is off. Tokens, keys and
 * Authorization headers are never logged.
 */

#include <errno.h>
#include <stdbool.h>

enum stim_log_level {
	STIM_LOG_DEBUG = 0,
	STIM_LOG_INFO = 1,
	STIM_LOG_WARN = 2,
	STIM_LOG_ERROR = 3,
};

enum stim_log_format {
	STIM_LOG_TEXT = 0,
	STIM_LOG_JSON = 1,
};

/* Set-up; call before starting threads. */
void stim_log_setup(enum stim_log_level level, enum stim_log_format format);
int stim_log_parse_level(const char *s, enum stim_log_level *out);
int stim_log_parse_format(const char *s, enum stim_log_format *out);

/* The id every line of this thread carries ("" for none). Borrowed: the
 * caller keeps the string alive until it sets another or NULL. */
void stim_log_set_context(const char *id);
const char *stim_log_get_context(void);

extern enum stim_log_level stim_log_level;

void stim_log_write(enum stim_log_level level, const char *func, int line, int errnum,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define STIM_LOG_AT(lvl, errnum, ...)                                                              \
	do {                                                                                       \
		if ((lvl) >= stim_log_level)                                                       \
			stim_log_write((lvl), __func__, __LINE__, (errnum), __VA_ARGS__);          \
	} while (0)

#define STIM_LOG_D(...) STIM_LOG_AT(STIM_LOG_DEBUG, 0, __VA_ARGS__)
#define STIM_LOG_I(...) STIM_LOG_AT(STIM_LOG_INFO, 0, __VA_ARGS__)
#define STIM_LOG_W(...) STIM_LOG_AT(STIM_LOG_WARN, 0, __VA_ARGS__)
#define STIM_LOG_E(...) STIM_LOG_AT(STIM_LOG_ERROR, 0, __VA_ARGS__)
/* The P variants append ": strerror(errno)" (nsjail PLOG_E). */
#define STIM_PLOG_W(...) STIM_LOG_AT(STIM_LOG_WARN, errno, __VA_ARGS__)
#define STIM_PLOG_E(...) STIM_LOG_AT(STIM_LOG_ERROR, errno, __VA_ARGS__)
