/* IAM Conditions (see iam_condition.h): a recursive-descent evaluator. */
#include "src/iam_condition.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/util.h"

enum kind { V_BAD, V_BOOL, V_TIME, V_STRING };

struct value {
	enum kind kind;
	bool b;
	int64_t ms;
	char *s; /* owned */
};

struct parser {
	const char *p;
	const struct stim_iam_request *req;
};

static void skip(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

/* Consumes tok (after spaces) if it is next. */
static bool eat(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip(ps);
	if (strncmp(ps->p, tok, n) != 0)
		return false;
	ps->p += n;
	return true;
}

/* A double- or single-quoted string literal without escapes, or NULL. */
static char *string_lit(struct parser *ps)
{
	const char *start;
	const char *end;
	char q;

	skip(ps);
	q = *ps->p;
	if (q != '"' && q != '\'')
		return NULL;
	start = ps->p + 1;
	end = strchr(start, q);
	if (end == NULL || memchr(start, '\\', (size_t)(end - start)) != NULL)
		return NULL;
	ps->p = end + 1;
	return xstrndup(start, (size_t)(end - start));
}

/* RFC 3339 ("2030-01-01T00:00:00Z", fractions and offsets allowed) in ms. */
static bool rfc3339(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	long offset = 0;
	int64_t frac = 0;
	int digits = 0;

	if (rest == NULL)
		return false;
	if (*rest == '.') {
		for (rest++; isdigit((unsigned char)*rest); rest++, digits++) {
			if (digits < 3)
				frac = frac * 10 + (*rest - '0');
		}
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (*rest == 'Z' || *rest == 'z') {
		rest++;
	} else if ((*rest == '+' || *rest == '-') && isdigit((unsigned char)rest[1]) &&
		   isdigit((unsigned char)rest[2]) && rest[3] == ':' &&
		   isdigit((unsigned char)rest[4]) && isdigit((unsigned char)rest[5])) {
		offset = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600 +
			 ((rest[4] - '0') * 10 + (rest[5] - '0')) * 60;
		if (*rest == '-')
			offset = -offset;
		rest += 6;
	} else {
		return false;
	}
	if (*rest != '\0')
		return false;
	*ms = ((int64_t)timegm(&tm) - offset) * 1000 + frac;
	return true;
}

static struct value or_expr(struct parser *ps);

static struct value bad(void)
{
	return (struct value){ .kind = V_BAD };
}

static struct value string_value(const char *s)
{
	return (struct value){ .kind = s != NULL ? V_STRING : V_BAD,
			       .s = s != NULL ? xstrdup(s) : NULL };
}

/* resource.name.startsWith("x") and endsWith, after "resource.name". */
static struct value string_test(struct parser *ps, const char *subject)
{
	bool starts = eat(ps, ".startsWith(");
	bool ends = !starts && eat(ps, ".endsWith(");
	char *arg = starts || ends ? string_lit(ps) : NULL;
	size_t n = subject != NULL ? strlen(subject) : 0;
	size_t m = arg != NULL ? strlen(arg) : 0;
	struct value v = { .kind = V_BOOL };

	if (arg == NULL || !eat(ps, ")") || subject == NULL) {
		free(arg);
		return bad();
	}
	v.b = starts ? strncmp(subject, arg, m) == 0 : n >= m && strcmp(subject + n - m, arg) == 0;
	free(arg);
	return v;
}

static struct value primary(struct parser *ps)
{
	char *s;

	if (eat(ps, "(")) {
		struct value v = or_expr(ps);

		if (!eat(ps, ")")) {
			free(v.s);
			return bad();
		}
		return v;
	}
	if (eat(ps, "request.time"))
		return (struct value){ .kind = V_TIME, .ms = ps->req->now_ms };
	if (eat(ps, "timestamp(")) {
		struct value v = { .kind = V_TIME };

		s = string_lit(ps);
		if (s == NULL || !rfc3339(s, &v.ms) || !eat(ps, ")"))
			v.kind = V_BAD;
		free(s);
		return v;
	}
	if (eat(ps, "resource.name")) {
		skip(ps);
		if (*ps->p == '.')
			return string_test(ps, ps->req->resource_name);
		return string_value(ps->req->resource_name);
	}
	if (eat(ps, "resource.type")) {
		skip(ps);
		if (*ps->p == '.')
			return string_test(ps, ps->req->resource_type);
		return string_value(ps->req->resource_type);
	}
	if (eat(ps, "true"))
		return (struct value){ .kind = V_BOOL, .b = true };
	if (eat(ps, "false"))
		return (struct value){ .kind = V_BOOL, .b = false };
	s = string_lit(ps);
	if (s != NULL)
		return (struct value){ .kind = V_STRING, .s = s };
	return bad();
}

static struct value compare(struct parser *ps)
{
	static const char *const ops[] = { "<=", ">=", "==", "!=", "<", ">" };
	struct value l = primary(ps);
	struct value r;
	struct value v = { .kind = V_BOOL };
	const char *op = NULL;
	int c;

	for (size_t i = 0; op == NULL && i < STIM_ARRAY_SIZE(ops); i++) {
		if (eat(ps, ops[i]))
			op = ops[i];
	}
	if (op == NULL)
		return l;
	r = primary(ps);
	if (l.kind == V_TIME && r.kind == V_TIME) {
		c = l.ms < r.ms ? -1 : l.ms > r.ms;
	} else if (l.kind == V_STRING && r.kind == V_STRING && op[0] != '<' && op[0] != '>') {
		c = strcmp(l.s, r.s) != 0;
	} else {
		free(l.s);
		free(r.s);
		return bad();
	}
	free(l.s);
	free(r.s);
	if (strcmp(op, "<") == 0)
		v.b = c < 0;
	else if (strcmp(op, "<=") == 0)
		v.b = c <= 0;
	else if (strcmp(op, ">") == 0)
		v.b = c > 0;
	else if (strcmp(op, ">=") == 0)
		v.b = c >= 0;
	else if (strcmp(op, "==") == 0)
		v.b = c == 0;
	else
		v.b = c != 0;
	return v;
}

static struct value unary(struct parser *ps)
{
	struct value v;

	skip(ps);
	/* "!" but not "!=". */
	if (ps->p[0] == '!' && ps->p[1] != '=') {
		ps->p++;
		v = unary(ps);
		if (v.kind != V_BOOL) {
			free(v.s);
			return bad();
		}
		v.b = !v.b;
		return v;
	}
	return compare(ps);
}

/* left op right, for && and || (both sides are evaluated: no side
 * effects here, and a malformed right side must still fail). */
static struct value logical(struct parser *ps, bool is_and)
{
	struct value l = is_and ? unary(ps) : logical(ps, true);

	while (eat(ps, is_and ? "&&" : "||")) {
		struct value r = is_and ? unary(ps) : logical(ps, true);

		if (l.kind != V_BOOL || r.kind != V_BOOL) {
			free(l.s);
			free(r.s);
			return bad();
		}
		l.b = is_and ? l.b && r.b : l.b || r.b;
	}
	return l;
}

static struct value or_expr(struct parser *ps)
{
	return logical(ps, false);
}

enum stim_condition_result stim_iam_condition_eval(const char *expr,
						   const struct stim_iam_request *req)
{
	struct parser ps = { .p = expr, .req = req };
	struct value v = or_expr(&ps);

	skip(&ps);
	free(v.s);
	if (v.kind != V_BOOL || *ps.p != '\0')
		return STIM_CONDITION_UNSUPPORTED;
	return v.b ? STIM_CONDITION_TRUE : STIM_CONDITION_FALSE;
}
