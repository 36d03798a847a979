/* Streaming multipart/related parser for Cloud Storage uploads (see multipart.h). */
#include "src/multipart.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/cleanup.h"
#include "src/util.h"

#define MAX_BOUNDARY	 200 /* RFC 2046 allows 70; be lenient, not unbounded */
#define MAX_PART_HEADERS 8192

enum state {
	S_FIRST,   /* before the first delimiter line */
	S_HEADERS, /* a part's headers, up to the empty line */
	S_DATA,	   /* a part's data, up to the next delimiter */
	S_AFTER,   /* just past a delimiter: "--" ends, a line break goes on */
	S_DONE,	   /* the closing delimiter was seen */
	S_FAILED,
};

struct stim_multipart {
	const struct stim_multipart_sink *sink;
	void *arg;
	char *first; /* "--BOUNDARY": the first delimiter, at the start */
	char *delim; /* "\n--BOUNDARY": every later one */
	size_t dlen;
	enum state state;
	int part; /* 0: metadata, 1: media */
	size_t max_meta;
	char *buf; /* bytes held back: headers, metadata, a possible delimiter */
	size_t len;
	size_t cap;
	char *content_type; /* of the current part */
};

char *stim_content_type_boundary(const char *content_type, const char *type, const char *what,
				 stim_error_t *err)
{
	const char *p;
	size_t n;

	if (content_type == NULL || strncasecmp(content_type, type, strlen(type)) != 0)
		goto bad;
	p = strcasestr(content_type, "boundary=");
	if (p == NULL)
		goto bad;
	p += strlen("boundary=");
	if (*p == '\'' || *p == '"') {
		const char *close = strchr(p + 1, *p);

		if (close == NULL)
			goto bad;
		n = (size_t)(close - p - 1);
		p++;
	} else {
		n = strcspn(p, "; \t");
	}
	if (n == 0 || n > MAX_BOUNDARY)
		goto bad;
	return xstrndup(p, n);
bad:
	stim_err(err, STIM_INVALID_ARGUMENT,
		 "Bad content type for %s: expected %s with a boundary, got '%s'.", what, type,
		 content_type != NULL ? content_type : "");
	return NULL;
}

char *stim_multipart_boundary(const char *content_type, stim_error_t *err)
{
	return stim_content_type_boundary(content_type, "multipart/related", "a multipart upload",
					  err);
}

struct stim_multipart *stim_multipart_new(const char *boundary, size_t max_meta,
					  const struct stim_multipart_sink *sink, void *arg)
{
	struct stim_multipart *m = xcalloc(1, sizeof(*m));

	m->sink = sink;
	m->arg = arg;
	m->first = xasprintf("--%s", boundary);
	m->delim = xasprintf("\n--%s", boundary);
	m->dlen = strlen(m->delim);
	m->max_meta = max_meta;
	m->state = S_FIRST;
	return m;
}

void stim_multipart_free(struct stim_multipart *m)
{
	if (m == NULL)
		return;
	free(m->first);
	free(m->delim);
	free(m->buf);
	free(m->content_type);
	free(m);
}

void stim_cleanup_multipart(struct stim_multipart **m)
{
	stim_multipart_free(*m);
}

static void hold(struct stim_multipart *m, const char *p, size_t n)
{
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->buf = xrealloc(m->buf, m->cap);
	}
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

static void consume(struct stim_multipart *m, size_t n)
{
	memmove(m->buf, m->buf + n, m->len - n);
	m->len -= n;
}

static int fail(struct stim_multipart *m, stim_error_t *err, const char *what)
{
	m->state = S_FAILED;
	return stim_err(err, STIM_INVALID_ARGUMENT, "Invalid multipart upload: %s.", what);
}

/* Finds the end of a line at p (LF or CRLF); returns the index of '\n'. */
static const char *line_end(const char *p, size_t n)
{
	return memchr(p, '\n', n);
}

/* Reads the part headers held in buf up to the empty line. Returns 1 when
 * they are complete (and consumed), 0 when more bytes are needed. */
static int parse_headers(struct stim_multipart *m, stim_error_t *err)
{
	size_t pos = 0;

	for (;;) {
		const char *nl = line_end(m->buf + pos, m->len - pos);
		size_t llen;
		const char *line = m->buf + pos;

		if (nl == NULL) {
			if (m->len > MAX_PART_HEADERS)
				return fail(m, err, "part headers are too long");
			return 0;
		}
		llen = (size_t)(nl - line);
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		pos = (size_t)(nl - m->buf) + 1;
		if (llen == 0)
			break; /* the empty line: data follows */
		if (llen > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
			const char *v = line + 13;
			size_t vlen = llen - 13;

			while (vlen > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			free(m->content_type);
			m->content_type = xstrndup(v, vlen);
		}
	}
	consume(m, pos);
	return 1;
}

/* Hands over data bytes of the current part. */
static int emit(struct stim_multipart *m, const char *p, size_t n, stim_error_t *err)
{
	if (n == 0)
		return 0;
	if (m->part == 1 && m->sink->media(m->arg, p, n, m->content_type, err) < 0) {
		m->state = S_FAILED;
		return -1;
	}
	return 0;
}

enum verdict {
	IS_DELIMITER,
	NOT_DELIMITER,
	UNDECIDED, /* more bytes are needed to tell */
};

/* A "\n--BOUNDARY" is a delimiter only when "--" (the closing one) or
 * optional blanks and a line break follow (RFC 2046 5.1.1): "--BOUNDARYx"
 * inside the data is data. */
static enum verdict after_boundary(const char *p, const char *end)
{
	if (end - p < 2)
		return UNDECIDED;
	if (p[0] == '-' && p[1] == '-')
		return IS_DELIMITER;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return UNDECIDED;
	if (*p == '\n')
		return IS_DELIMITER;
	if (*p != '\r')
		return NOT_DELIMITER;
	if (p + 1 == end)
		return UNDECIDED;
	return p[1] == '\n' ? IS_DELIMITER : NOT_DELIMITER;
}

/* Hands over the data before a delimiter at buf[at] and consumes both. */
static int end_part(struct stim_multipart *m, size_t at, stim_error_t *err)
{
	size_t n = at;

	/* A CRLF delimiter: its '\r' is not data either. */
	if (n > 0 && m->buf[n - 1] == '\r')
		n--;
	if (m->part == 0) {
		if (n > m->max_meta)
			return fail(m, err, "the metadata part is too large");
		if (m->sink->meta(m->arg, m->buf, n, m->content_type, err) < 0) {
			m->state = S_FAILED;
			return -1;
		}
	} else if (emit(m, m->buf, n, err) < 0) {
		return -1;
	}
	consume(m, at + m->dlen);
	return 1;
}

/* In S_DATA: looks for the delimiter in buf. Media bytes before any possible
 * delimiter go out at once; the metadata part stays held until it is whole.
 * Returns 1 when the delimiter was found (and consumed), 0 for more input. */
static int scan_data(struct stim_multipart *m, stim_error_t *err)
{
	const char *end = m->buf + m->len;
	size_t from = 0;
	size_t keep;

	for (;;) {
		char *hit = memmem(m->buf + from, m->len - from, m->delim, m->dlen);
		enum verdict v;

		if (hit == NULL) {
			/* Up to dlen bytes at the end may begin a delimiter (with
			 * its '\r'). */
			keep = m->len < m->dlen ? m->len : m->dlen;
			break;
		}
		v = after_boundary(hit + m->dlen, end);
		if (v == IS_DELIMITER)
			return end_part(m, (size_t)(hit - m->buf), err);
		if (v == UNDECIDED) {
			/* Hold the candidate (and a '\r' before it) for more input. */
			keep = (size_t)(end - hit) + 1;
			if (keep > m->len)
				keep = m->len;
			break;
		}
		from = (size_t)(hit - m->buf) + 1;
	}
	if (m->part == 0) {
		if (m->len > m->max_meta + m->dlen + 1)
			return fail(m, err, "the metadata part is too large");
		return 0;
	}
	if (emit(m, m->buf, m->len - keep, err) < 0)
		return -1;
	consume(m, m->len - keep);
	return 0;
}

int stim_multipart_feed(struct stim_multipart *m, const char *buf, size_t len, stim_error_t *err)
{
	if (m->state == S_FAILED)
		return fail(m, err, "the body was already refused");
	if (m->state == S_DONE) {
		/* Anything after the closing delimiter is an epilogue, ignored. */
		return 0;
	}
	hold(m, buf, len);
	for (;;) {
		int ret;
		const char *nl;

		switch (m->state) {
		case S_FIRST:
			nl = line_end(m->buf, m->len);
			if (nl == NULL) {
				if (m->len > MAX_BOUNDARY + 8)
					return fail(m, err,
						    "the body does not start with the boundary");
				return 0;
			}
			if ((size_t)(nl - m->buf) < strlen(m->first) ||
			    strncmp(m->buf, m->first, strlen(m->first)) != 0)
				return fail(m, err, "the body does not start with the boundary");
			consume(m, (size_t)(nl - m->buf) + 1);
			m->state = S_HEADERS;
			break;
		case S_HEADERS:
			ret = parse_headers(m, err);
			if (ret <= 0)
				return ret;
			if (m->part == 1 &&
			    m->sink->media(m->arg, "", 0, m->content_type, err) < 0) {
				m->state = S_FAILED;
				return -1;
			}
			m->state = S_DATA;
			break;
		case S_DATA:
			ret = scan_data(m, err);
			if (ret <= 0)
				return ret;
			m->part++;
			m->state = S_AFTER;
			break;
		case S_AFTER:
			if (m->len < 2)
				return 0;
			if (m->buf[0] == '-' && m->buf[1] == '-') {
				if (m->part != 2)
					return fail(m, err,
						    "expected two parts: metadata, then media");
				m->state = S_DONE;
				m->len = 0;
				return 0;
			}
			/* Blanks and the line break after a delimiter. */
			nl = line_end(m->buf, m->len);
			if (nl == NULL)
				return 0;
			if (m->part >= 2)
				return fail(m, err, "more than two parts");
			consume(m, (size_t)(nl - m->buf) + 1);
			free(m->content_type);
			m->content_type = NULL;
			m->state = S_HEADERS;
			break;
		case S_DONE:
		case S_FAILED:
			return 0;
		}
	}
}

int stim_multipart_finish(struct stim_multipart *m, stim_error_t *err)
{
	if (m->state == S_DONE)
		return 0;
	if (m->state == S_FAILED)
		return fail(m, err, "the body was already refused");
	return fail(m, err, "the body ended before its closing boundary");
}
