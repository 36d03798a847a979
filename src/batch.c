/* Batch request bodies (see batch.h). */
#include "src/batch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/multipart.h"
#include "src/util.h"

char *stim_batch_boundary(const char *content_type, stim_error_t *err)
{
	return stim_content_type_boundary(content_type, "multipart/mixed", "a batch request", err);
}

/* The next line of [*p, end) without its "\n" or "\r\n"; false at end. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*len = nl != NULL ? (size_t)(nl - *p) : (size_t)(end - *p);
	*p = nl != NULL ? nl + 1 : end;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return true;
}

/* "Name: value" -> value (trimmed), when the line has that name. */
static char *header_value(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	len -= n + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	return xstrndup(line, len);
}

static int bad(stim_error_t *err, size_t i, const char *why)
{
	return stim_err(err, STIM_INVALID_ARGUMENT, "Batch part %zu: %s.", i, why);
}

/* One part: its own headers, a blank line, then an HTTP request (request
 * line, headers, a blank line, the body). */
static int parse_part(const char *p, const char *end, size_t i, struct stim_batch_part *out,
		      stim_error_t *err)
{
	const char *line;
	size_t len;
	const char *sp1;
	const char *sp2;

	memset(out, 0, sizeof(*out));
	while (next_line(&p, end, &line, &len) && len > 0) {
		char *v = header_value(line, len, "Content-ID");

		if (v != NULL) {
			free(out->content_id);
			out->content_id = v;
		}
	}
	/* The request line: "GET /path HTTP/1.1". */
	if (!next_line(&p, end, &line, &len))
		return bad(err, i, "no request line");
	sp1 = memchr(line, ' ', len);
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line)) : NULL;
	/* The path must be there, inside the line: "GET " ends a body too. */
	if (sp1 == NULL || sp1 == line || (size_t)(sp1 + 1 - line) >= len || sp1[1] != '/')
		return bad(err, i, "the request line is not 'METHOD /path HTTP/1.1'");
	out->method = xstrndup(line, (size_t)(sp1 - line));
	out->path = xstrndup(sp1 + 1, sp2 != NULL ? (size_t)(sp2 - sp1 - 1)
						  : len - (size_t)(sp1 + 1 - line));
	while (next_line(&p, end, &line, &len) && len > 0) {
		char *v = header_value(line, len, "Content-Type");

		if (v != NULL) {
			free(out->content_type);
			out->content_type = v;
		}
	}
	out->body_len = (size_t)(end - p);
	out->body = xmalloc(out->body_len + 1);
	memcpy(out->body, p, out->body_len);
	out->body[out->body_len] = '\0';
	return 0;
}

/* The next delimiter line "--boundary" at a line start, from p. */
static const char *find_delimiter(const char *p, const char *end, const char *delim, size_t dlen)
{
	for (;;) {
		const char *hit = memmem(p, (size_t)(end - p), delim, dlen);

		if (hit == NULL)
			return NULL;
		if (hit == p || hit[-1] == '\n')
			return hit;
		p = hit + 1;
	}
}

int stim_batch_parse(const char *body, size_t len, const char *boundary,
		     struct stim_batch_part **parts, size_t *n, stim_error_t *err)
{
	const char *end = body + len;
	char *delim = xasprintf("--%s", boundary);
	size_t dlen = strlen(delim);
	struct stim_batch_part *v = NULL;
	size_t count = 0;
	const char *at = find_delimiter(body, end, delim, dlen);

	*parts = NULL;
	*n = 0;
	if (at == NULL) {
		free(delim);
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"The batch body has no part delimited by '%s'.", boundary);
	}
	for (;;) {
		const char *start = at + dlen;
		const char *next;
		const char *stop;

		/* "--boundary--" closes the body. */
		if (end - start >= 2 && start[0] == '-' && start[1] == '-')
			break;
		start = memchr(start, '\n', (size_t)(end - start));
		if (start == NULL)
			break;
		start++;
		next = find_delimiter(start, end, delim, dlen);
		stop = next != NULL ? next : end;
		/* The line break before a delimiter belongs to it. */
		if (stop > start && stop[-1] == '\n')
			stop--;
		if (stop > start && stop[-1] == '\r')
			stop--;
		if (count == STIM_BATCH_MAX_PARTS) {
			stim_batch_parts_free(v, count);
			free(delim);
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"A batch holds at most %d requests.", STIM_BATCH_MAX_PARTS);
		}
		v = xrealloc(v, (count + 1) * sizeof(*v));
		if (parse_part(start, stop, count, &v[count], err) < 0) {
			stim_batch_parts_free(v, count + 1);
			free(delim);
			return -1;
		}
		count++;
		if (next == NULL)
			break;
		at = next;
	}
	free(delim);
	*parts = v;
	*n = count;
	return 0;
}

void stim_batch_parts_free(struct stim_batch_part *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(parts[i].content_id);
		free(parts[i].method);
		free(parts[i].path);
		free(parts[i].content_type);
		free(parts[i].body);
	}
	free(parts);
}
