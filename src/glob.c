/* matchGlob patterns (see glob.h). */
#include "src/glob.h"

#include <stdint.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/strv.h"
#include "src/util.h"

/* Object names are at most 1024 bytes; a longer pattern matches nothing a
 * shorter one would not, and the cap keeps the NFA's state set on the stack. */
#define GLOB_MAX_LEN  1024
#define GLOB_MAX_ALTS 64
#define STATE_WORDS   ((GLOB_MAX_LEN + 1 + 63) / 64)

enum tok_kind {
	TOK_BYTE,     /* c */
	TOK_ANY,      /* ? */
	TOK_CLASS,    /* [...] */
	TOK_STAR,     /* * */
	TOK_GLOBSTAR, /* ** */
	/* Before a "**" that is a whole segment followed by '/': it takes no
	 * byte and may jump past that "**" and its '/', so "a/", "**", "/b"
	 * written together match "a/b" too. */
	TOK_SKIP_SEGMENT,
};

struct tok {
	enum tok_kind kind;
	unsigned char c;
	bool negate;
	uint8_t set[32];
};

struct alt {
	struct tok *t;
	size_t n;
};

struct stim_glob {
	struct alt *alts;
	size_t nalts;
	char *prefix;
};

static int invalid(stim_error_t *err, const char *pattern, const char *why)
{
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid", "Invalid matchGlob '%s': %s.",
			       pattern, why);
}

/* The end of the [...] class that starts at p[i] ('['): the index of its
 * ']', or len when it is not closed. A ']' right after "[" or "[!" is a
 * member, as in POSIX. */
static size_t class_end(const char *p, size_t i, size_t len)
{
	size_t j = i + 1;

	if (j < len && p[j] == '!')
		j++;
	if (j < len && p[j] == ']')
		j++;
	for (; j < len; j++) {
		if (p[j] == '\\' && j + 1 < len)
			j++;
		else if (p[j] == ']')
			return j;
	}
	return len;
}

/* Where the '{' at p[open] is closed: the index of its '}', or len. The
 * top-level commas in between go to commas[] (up to max). */
static size_t brace_end(const char *p, size_t open, size_t len, size_t *commas, size_t max,
			size_t *ncommas)
{
	int depth = 0;

	*ncommas = 0;
	for (size_t j = open; j < len; j++) {
		if (p[j] == '\\' && j + 1 < len) {
			j++;
		} else if (p[j] == '[') {
			size_t e = class_end(p, j, len);

			if (e == len)
				return len;
			j = e;
		} else if (p[j] == '{') {
			depth++;
		} else if (p[j] == '}') {
			if (--depth == 0)
				return j;
		} else if (p[j] == ',' && depth == 1 && *ncommas < max) {
			commas[(*ncommas)++] = j;
		}
	}
	return len;
}

/* Expands the first brace group of p into its alternatives, recursively,
 * until none is left: "a{b,c}d" -> "abd", "acd". */
static int expand(const char *pattern, const char *p, struct stim_strv *out, stim_error_t *err)
{
	size_t len = strlen(p);
	size_t commas[GLOB_MAX_ALTS];
	size_t ncommas;
	size_t open;
	size_t close;

	for (open = 0; open < len; open++) {
		if (p[open] == '\\')
			open++;
		else if (p[open] == '[')
			open = class_end(p, open, len);
		else if (p[open] == '{')
			break;
	}
	if (open >= len) {
		if (out->n >= GLOB_MAX_ALTS)
			return invalid(err, pattern, "too many alternatives");
		stim_strv_push(out, p);
		return 0;
	}
	close = brace_end(p, open, len, commas, GLOB_MAX_ALTS, &ncommas);
	if (close == len)
		return invalid(err, pattern, "unclosed '{'");
	if (ncommas >= GLOB_MAX_ALTS)
		return invalid(err, pattern, "too many alternatives");
	for (size_t k = 0; k <= ncommas; k++) {
		size_t from = k == 0 ? open + 1 : commas[k - 1] + 1;
		size_t to = k == ncommas ? close : commas[k];
		cleanup_free char *one = xasprintf("%.*s%.*s%s", (int)open, p, (int)(to - from),
						   p + from, p + close + 1);

		if (expand(pattern, one, out, err) < 0)
			return -1;
	}
	return 0;
}

static void set_bit(uint8_t *set, unsigned char c)
{
	set[c / 8] |= (uint8_t)(1u << (c % 8));
}

static bool has_bit(const uint8_t *set, unsigned char c)
{
	return (set[c / 8] >> (c % 8)) & 1u;
}

/* Fills t from the class p[i..end] ('[' to ']'). */
static void parse_class(const char *p, size_t i, size_t end, struct tok *t)
{
	size_t j = i + 1;

	t->kind = TOK_CLASS;
	if (p[j] == '!') {
		t->negate = true;
		j++;
	}
	for (bool first = true; j < end; j++, first = false) {
		unsigned char lo;
		unsigned char hi;

		if (p[j] == '\\' && j + 1 < end)
			j++;
		else if (p[j] == ']' && !first)
			break;
		lo = (unsigned char)p[j];
		hi = lo;
		if (j + 2 < end && p[j + 1] == '-') {
			j += 2;
			if (p[j] == '\\' && j + 1 < end)
				j++;
			hi = (unsigned char)p[j];
		}
		for (unsigned c = lo; c <= hi; c++)
			set_bit(t->set, (unsigned char)c);
	}
}

/* One brace-free alternative into tokens. */
static int compile_alt(const char *pattern, const char *p, struct alt *a, stim_error_t *err)
{
	size_t len = strlen(p);

	/* At most one token per byte: "**" + "/" is three of them. */
	a->t = xcalloc(len + 1, sizeof(*a->t));
	a->n = 0;
	for (size_t i = 0; i < len; i++) {
		struct tok *t = &a->t[a->n++];

		switch (p[i]) {
		case '\\':
			if (i + 1 == len)
				return invalid(err, pattern, "it ends with '\\'");
			t->kind = TOK_BYTE;
			t->c = (unsigned char)p[++i];
			break;
		case '?':
			t->kind = TOK_ANY;
			break;
		case '*':
			if (i + 1 < len && p[i + 1] == '*') {
				if ((i == 0 || p[i - 1] == '/') && i + 2 < len && p[i + 2] == '/') {
					t->kind = TOK_SKIP_SEGMENT;
					t = &a->t[a->n++];
				}
				t->kind = TOK_GLOBSTAR;
				i++;
			} else {
				t->kind = TOK_STAR;
			}
			break;
		case '[': {
			size_t end = class_end(p, i, len);

			if (end == len)
				return invalid(err, pattern, "unclosed '['");
			parse_class(p, i, end, t);
			i = end;
			break;
		}
		default:
			t->kind = TOK_BYTE;
			t->c = (unsigned char)p[i];
		}
	}
	return 0;
}

/* The leading literal bytes of one alternative. */
static size_t literal_len(const struct alt *a)
{
	size_t n = 0;

	while (n < a->n && a->t[n].kind == TOK_BYTE)
		n++;
	return n;
}

static void literal_prefix(struct stim_glob *g)
{
	size_t n = literal_len(&g->alts[0]);

	for (size_t k = 1; k < g->nalts; k++) {
		size_t m = literal_len(&g->alts[k]);
		size_t i = 0;

		while (i < n && i < m && g->alts[k].t[i].c == g->alts[0].t[i].c)
			i++;
		n = i;
	}
	g->prefix = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		g->prefix[i] = (char)g->alts[0].t[i].c;
	g->prefix[n] = '\0';
}

struct stim_glob *stim_glob_compile(const char *pattern, stim_error_t *err)
{
	struct stim_strv alts = { 0 };
	struct stim_glob *g;

	if (strlen(pattern) > GLOB_MAX_LEN) {
		invalid(err, pattern, "longer than 1024 bytes");
		return NULL;
	}
	if (expand(pattern, pattern, &alts, err) < 0) {
		stim_strv_fini(&alts);
		return NULL;
	}
	g = xcalloc(1, sizeof(*g));
	g->alts = xcalloc(alts.n, sizeof(*g->alts));
	for (size_t k = 0; k < alts.n; k++, g->nalts++) {
		if (compile_alt(pattern, alts.v[k], &g->alts[k], err) < 0) {
			g->nalts++;
			stim_strv_fini(&alts);
			stim_glob_free(g);
			return NULL;
		}
	}
	stim_strv_fini(&alts);
	literal_prefix(g);
	return g;
}

void stim_glob_free(struct stim_glob *g)
{
	if (g == NULL)
		return;
	for (size_t k = 0; k < g->nalts; k++)
		free(g->alts[k].t);
	free(g->alts);
	free(g->prefix);
	free(g);
}

void stim_cleanup_glob(struct stim_glob **g)
{
	stim_glob_free(*g);
}

const char *stim_glob_literal_prefix(const struct stim_glob *g)
{
	return g->prefix;
}

static void add(uint64_t *s, size_t i)
{
	s[i / 64] |= UINT64_C(1) << (i % 64);
}

static bool has(const uint64_t *s, size_t i)
{
	return (s[i / 64] >> (i % 64)) & 1u;
}

/* Follows the moves that take no byte: past a star, and past a whole
 * "**" segment and its '/'. They only go forward, so one ascending pass
 * does. */
static void closure(const struct alt *a, uint64_t *s)
{
	for (size_t i = 0; i < a->n; i++) {
		if (!has(s, i))
			continue;
		if (a->t[i].kind == TOK_STAR || a->t[i].kind == TOK_GLOBSTAR ||
		    a->t[i].kind == TOK_SKIP_SEGMENT)
			add(s, i + 1);
		if (a->t[i].kind == TOK_SKIP_SEGMENT)
			add(s, i + 3);
	}
}

static bool match_alt(const struct alt *a, const char *name)
{
	uint64_t cur[STATE_WORDS] = { 0 };
	size_t words = a->n / 64 + 1;

	add(cur, 0);
	closure(a, cur);
	for (const unsigned char *s = (const unsigned char *)name; *s != '\0'; s++) {
		uint64_t next[STATE_WORDS] = { 0 };
		bool any = false;

		for (size_t i = 0; i < a->n; i++) {
			const struct tok *t = &a->t[i];

			if (!has(cur, i))
				continue;
			switch (t->kind) {
			case TOK_BYTE:
				if (*s == t->c)
					add(next, i + 1);
				break;
			case TOK_ANY:
				if (*s != '/')
					add(next, i + 1);
				break;
			case TOK_CLASS:
				if (t->negate ? *s != '/' && !has_bit(t->set, *s)
					      : has_bit(t->set, *s))
					add(next, i + 1);
				break;
			case TOK_STAR:
				if (*s != '/')
					add(next, i);
				break;
			case TOK_GLOBSTAR:
				add(next, i);
				break;
			case TOK_SKIP_SEGMENT:
				break;
			}
		}
		closure(a, next);
		for (size_t w = 0; w < words; w++) {
			cur[w] = next[w];
			any = any || next[w] != 0;
		}
		if (!any)
			return false;
	}
	return has(cur, a->n);
}

bool stim_glob_match(const struct stim_glob *g, const char *name)
{
	for (size_t k = 0; k < g->nalts; k++) {
		if (match_alt(&g->alts[k], name))
			return true;
	}
	return false;
}
