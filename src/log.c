/* Line-oriented logging to stderr (see log.h). */
#include "src/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "src/cleanup.h"
#include "src/util.h"

enum stim_log_level stim_log_level = STIM_LOG_INFO;
static enum stim_log_format log_format = STIM_LOG_TEXT;
static __thread const char *log_context;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void stim_log_setup(enum stim_log_level level, enum stim_log_format format)
{
	stim_log_level = level;
	log_format = format;
}

int stim_log_parse_level(const char *s, enum stim_log_level *out)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(level_names); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum stim_log_level)i;
			return 0;
		}
	}
	return -1;
}

int stim_log_parse_format(const char *s, enum stim_log_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = STIM_LOG_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = STIM_LOG_JSON;
	else
		return -1;
	return 0;
}

void stim_log_set_context(const char *id)
{
	log_context = id;
}

const char *stim_log_get_context(void)
{
	return log_context != NULL ? log_context : "";
}

/* One write(2) per line, so lines from different threads never interleave. */
static void emit(const char *line, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, line, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		line += n;
		len -= (size_t)n;
	}
}

void stim_log_write(enum stim_log_level level, const char *func, int line, int errnum,
		    const char *fmt, ...)
{
	char ts[STIM_TIME_BUFSZ];
	cleanup_free char *msg = NULL;
	cleanup_free char *out = NULL;
	const char *ctx = stim_log_get_context();
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (errnum != 0) {
		char *with = xasprintf("%s: %s", msg, strerror(errnum));

		free(msg);
		msg = with;
	}
	stim_time_format(stim_now_ms(), ts);

	if (log_format == STIM_LOG_JSON) {
		cleanup_json json_t *o = json_object();
		char *dumped;

		json_object_set_new(o, "time", json_string(ts));
		json_object_set_new(o, "level", json_string(level_names[level]));
		json_object_set_new(o, "func", json_string(func));
		json_object_set_new(o, "line", json_integer(line));
		if (ctx[0] != '\0')
			json_object_set_new(o, "id", json_string(ctx));
		/* json_string() refuses invalid UTF-8; keep the line anyway. */
		json_object_set_new(o, "msg", json_string(msg) ?: json_string("(invalid UTF-8)"));
		dumped = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		out = xasprintf("%s\n", dumped ? dumped : "{}");
		free(dumped);
	} else {
		out = xasprintf("%s %-5s %s:%d%s%s%s %s\n", ts, level_names[level], func, line,
				ctx[0] ? " [" : "", ctx, ctx[0] ? "]" : "", msg);
	}
	emit(out, strlen(out));
}
