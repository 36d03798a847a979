/* Path-template routing over raw paths (see router.h). */
#include "api/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

#define MAX_SEGMENTS 32

enum seg_kind {
	/* Ordered by specificity: higher wins. */
	SEG_REST = 0,	  /* {var=**} */
	SEG_VAR = 1,	  /* {var} */
	SEG_VAR_VERB = 2, /* {var}:verb */
	SEG_LITERAL = 3,
};

struct seg {
	enum seg_kind kind;
	char *text; /* the literal, or the ":verb" suffix */
	size_t len;
	char *var;
};

struct compiled {
	const struct api_route *route;
	struct seg segs[MAX_SEGMENTS];
	size_t nsegs;
	size_t order; /* insertion order: the tie-breaker */
	char *label;
};

struct api_router {
	struct compiled *v;
	size_t n;
};

struct api_router *api_router_new(void)
{
	return xcalloc(1, sizeof(struct api_router));
}

void api_router_free(struct api_router *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		for (size_t j = 0; j < r->v[i].nsegs; j++) {
			free(r->v[i].segs[j].text);
			free(r->v[i].segs[j].var);
		}
		free(r->v[i].label);
	}
	free(r->v);
	free(r);
}

static void compile_segment(const char *s, size_t len, struct seg *seg)
{
	const char *close;

	memset(seg, 0, sizeof(*seg));
	if (len == 0 || s[0] != '{') {
		STIM_ASSERT(memchr(s, '{', len) == NULL);
		seg->kind = SEG_LITERAL;
		seg->text = xstrndup(s, len);
		seg->len = len;
		return;
	}
	close = memchr(s, '}', len);
	STIM_ASSERT(close != NULL && close > s + 1);
	if (close - s > 4 && strncmp(close - 3, "=**", 3) == 0) {
		STIM_ASSERT((size_t)(close - s) == len - 1);
		seg->kind = SEG_REST;
		seg->var = xstrndup(s + 1, (size_t)(close - s - 4));
		return;
	}
	seg->var = xstrndup(s + 1, (size_t)(close - s - 1));
	if ((size_t)(close - s) == len - 1) {
		seg->kind = SEG_VAR;
		return;
	}
	STIM_ASSERT(close[1] == ':');
	seg->kind = SEG_VAR_VERB;
	seg->len = len - (size_t)(close + 1 - s);
	seg->text = xstrndup(close + 1, seg->len);
}

static int by_specificity(const void *a, const void *b)
{
	const struct compiled *x = a;
	const struct compiled *y = b;
	size_t n = x->nsegs < y->nsegs ? x->nsegs : y->nsegs;

	for (size_t i = 0; i < n; i++) {
		if (x->segs[i].kind != y->segs[i].kind)
			return (int)y->segs[i].kind - (int)x->segs[i].kind;
	}
	if (x->nsegs != y->nsegs)
		return x->nsegs > y->nsegs ? -1 : 1;
	return x->order < y->order ? -1 : 1;
}

void api_router_add(struct api_router *r, const struct api_route *routes, size_t n)
{
	r->v = xrealloc(r->v, (r->n + n) * sizeof(*r->v));
	for (size_t i = 0; i < n; i++) {
		struct compiled *c = &r->v[r->n];
		const char *p = routes[i].path;

		STIM_ASSERT(p[0] == '/');
		memset(c, 0, sizeof(*c));
		c->route = &routes[i];
		c->order = r->n;
		c->label = xasprintf("%s %s", routes[i].method, routes[i].path);
		while (*p == '/') {
			const char *start = p + 1;
			size_t len = strcspn(start, "/");

			STIM_ASSERT(c->nsegs < MAX_SEGMENTS);
			compile_segment(start, len, &c->segs[c->nsegs++]);
			p = start + len;
		}
		r->n++;
	}
	/* Ids follow the sorted order, which is stable for a given set of tables. */
	qsort(r->v, r->n, sizeof(*r->v), by_specificity);
}

size_t api_router_count(const struct api_router *r)
{
	return r->n;
}

const char *api_router_label(const struct api_router *r, size_t id)
{
	return id < r->n ? r->v[id].label : "unmatched";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *api_percent_decode(const char *s, size_t len, int plus_is_space)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int hi;
		int lo;

		if (plus_is_space && s[i] == '+') {
			out[o++] = ' ';
			continue;
		}
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		hi = i + 1 < len ? hexval(s[i + 1]) : -1;
		lo = i + 2 < len ? hexval(s[i + 2]) : -1;
		/* A broken escape, or an encoded NUL that would cut the string. */
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return out;
}

char *api_percent_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(s) * 3 + 1);
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return out;
}

struct span {
	const char *s;
	size_t len;
};

/* Tries one route against the split path; fills params on success. */
static bool try_route(const struct compiled *c, const struct span *segs, size_t nsegs,
		      struct api_match *m, bool *bad)
{
	size_t i;

	m->nparams = 0;
	for (i = 0; i < c->nsegs; i++) {
		const struct seg *sg = &c->segs[i];
		const char *value;
		size_t vlen;

		if (sg->kind == SEG_REST) {
			/* The rest of the path, slashes included; never empty. */
			if (i >= nsegs || segs[i].len == 0)
				return false;
			value = segs[i].s;
			vlen = strlen(value);
		} else {
			if (i >= nsegs)
				return false;
			value = segs[i].s;
			vlen = segs[i].len;
			if (sg->kind == SEG_LITERAL) {
				if (vlen != sg->len || memcmp(value, sg->text, vlen) != 0)
					return false;
				continue;
			}
			if (sg->kind == SEG_VAR_VERB) {
				if (vlen <= sg->len ||
				    memcmp(value + vlen - sg->len, sg->text, sg->len) != 0)
					return false;
				vlen -= sg->len;
			}
			if (vlen == 0)
				return false;
		}
		STIM_ASSERT(m->nparams < API_MAX_PARAMS);
		m->params[m->nparams].name = sg->var;
		m->params[m->nparams].value = api_percent_decode(value, vlen, 0);
		if (m->params[m->nparams].value == NULL) {
			*bad = true;
			return false;
		}
		m->nparams++;
		if (sg->kind == SEG_REST)
			return true;
	}
	return i == nsegs;
}

static void allow_add(char *allow, size_t size, const char *method)
{
	if (strstr(allow, method) != NULL)
		return;
	if (allow[0] != '\0')
		strncat(allow, ", ", size - strlen(allow) - 1);
	strncat(allow, method, size - strlen(allow) - 1);
}

enum api_match_result api_router_match(const struct api_router *r, const char *method,
				       const char *raw_path, struct api_match *out)
{
	struct span segs[MAX_SEGMENTS + 1];
	size_t nsegs = 0;
	const char *p = raw_path;
	bool path_seen = false;

	memset(out, 0, sizeof(*out));
	out->id = -1;
	if (p[0] != '/')
		return API_MATCH_NO_PATH;
	/* Split at most one segment past the longest template: no fixed route
	 * can match more, and a {var=**} route reads on to the end of the raw
	 * string itself (object names may hold any number of slashes). */
	while (*p == '/' && nsegs < MAX_SEGMENTS + 1) {
		segs[nsegs].s = p + 1;
		segs[nsegs].len = strcspn(p + 1, "/");
		p = segs[nsegs].s + segs[nsegs].len;
		nsegs++;
	}

	for (size_t i = 0; i < r->n; i++) {
		const struct compiled *c = &r->v[i];
		bool bad = false;

		if (!try_route(c, segs, nsegs, out, &bad)) {
			api_match_fini(out);
			if (bad)
				return API_MATCH_BAD_PATH;
			continue;
		}
		if (strcmp(c->route->method, method) != 0) {
			/* The path exists with another method: remember it for 405. */
			allow_add(out->allow, sizeof(out->allow), c->route->method);
			path_seen = true;
			api_match_fini(out);
			continue;
		}
		out->route = c->route;
		out->id = (int)i;
		return API_MATCH_OK;
	}
	return path_seen ? API_MATCH_NO_METHOD : API_MATCH_NO_PATH;
}

void api_match_fini(struct api_match *m)
{
	for (size_t i = 0; i < m->nparams; i++)
		free(m->params[i].value);
	m->nparams = 0;
}

int api_query_parse(const char *raw, struct api_param **out, size_t *n, stim_error_t *err)
{
	struct api_param *v = NULL;
	size_t count = 0;
	const char *p = raw;

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t nlen = eq != NULL ? (size_t)(eq - p) : len;
		char *name;
		char *value;

		if (len == 0) {
			p++;
			continue;
		}
		name = api_percent_decode(p, nlen, 1);
		value = eq != NULL ? api_percent_decode(eq + 1, len - nlen - 1, 1) : xstrdup("");
		if (name == NULL || value == NULL) {
			free(name);
			free(value);
			for (size_t i = 0; i < count; i++) {
				free((char *)v[i].name);
				free(v[i].value);
			}
			free(v);
			return stim_err(
				err, STIM_INVALID_ARGUMENT,
				"Invalid query string: a broken percent-escape near '%.*s'.",
				(int)len, p);
		}
		v = xrealloc(v, (count + 1) * sizeof(*v));
		v[count].name = name;
		v[count].value = value;
		count++;
		p += len;
		if (*p == '&')
			p++;
	}
	*out = v;
	*n = count;
	return 0;
}
