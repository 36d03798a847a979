/* projects.list filters: a small boolean expression language (see projects_filter.h). */
#include "src/projects_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

/* Deep enough for any filter gcloud builds, small enough that a hostile one
 * cannot exhaust the stack. */
#define MAX_DEPTH 32
#define MAX_NODES 256

enum field {
	F_ID,
	F_NAME,
	F_STATE,
	F_NUMBER,
	F_PARENT_TYPE,
	F_PARENT_ID,
	F_LABEL,
};

enum node_kind {
	N_TERM,
	N_AND,
	N_OR,
	N_NOT,
};

struct node {
	enum node_kind kind;
	struct node *left;  /* AND, OR, NOT */
	struct node *right; /* AND, OR */
	/* N_TERM */
	enum field field;
	bool negate; /* FIELD != VALUE */
	char *label; /* labels.KEY: the key */
	char *value; /* without quotes and without a trailing '*' */
	bool prefix; /* value ended in '*' */
	bool any;    /* value was '*' alone: the field has a value */
};

struct stim_projects_filter {
	struct node *root; /* NULL matches everything */
	size_t nodes;
};

struct parser {
	const char *s;
	struct stim_projects_filter *f;
	stim_error_t *err;
	int depth;
};

static void node_free(struct node *n)
{
	if (n == NULL)
		return;
	node_free(n->left);
	node_free(n->right);
	free(n->label);
	free(n->value);
	free(n);
}

void stim_projects_filter_free(struct stim_projects_filter *f)
{
	if (f == NULL)
		return;
	node_free(f->root);
	free(f);
}

void stim_cleanup_projects_filter(struct stim_projects_filter **f)
{
	stim_projects_filter_free(*f);
}

static struct node *new_node(struct parser *p, enum node_kind kind)
{
	struct node *n;

	if (p->f->nodes == MAX_NODES) {
		stim_err(p->err, STIM_INVALID_ARGUMENT,
			 "Invalid filter: more than %d terms and operators.", MAX_NODES);
		return NULL;
	}
	p->f->nodes++;
	n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	return n;
}

static void skip_space(struct parser *p)
{
	p->s += strspn(p->s, " \t\r\n");
}

/* Is the next token the keyword kw (followed by a space or a parenthesis)? */
static bool keyword(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);

	if (strncmp(p->s, kw, n) != 0)
		return false;
	if (p->s[n] != '\0' && p->s[n] != ' ' && p->s[n] != '\t' && p->s[n] != '(')
		return false;
	p->s += n;
	return true;
}

/* NOT, or the '-' shorthand, before a term or a parenthesis. */
static bool negation(struct parser *p)
{
	if (p->s[0] == '-') {
		p->s++;
		return true;
	}
	return keyword(p, "NOT");
}

static int parse_field(struct parser *p, const char *name, size_t len, struct node *t)
{
	static const struct {
		const char *name;
		enum field field;
	} fields[] = {
		{ "id", F_ID },
		{ "projectId", F_ID },
		{ "name", F_NAME },
		{ "lifecycleState", F_STATE },
		{ "projectNumber", F_NUMBER },
		{ "parent.type", F_PARENT_TYPE },
		{ "parent.id", F_PARENT_ID },
	};

	if (len > 7 && strncmp(name, "labels.", 7) == 0) {
		t->field = F_LABEL;
		t->label = xstrndup(name + 7, len - 7);
		return 0;
	}
	for (size_t i = 0; i < STIM_ARRAY_SIZE(fields); i++) {
		if (strlen(fields[i].name) == len && strncmp(name, fields[i].name, len) == 0) {
			t->field = fields[i].field;
			return 0;
		}
	}
	return stim_err(p->err, STIM_INVALID_ARGUMENT,
			"Invalid filter: unknown field '%.*s'. Use id, name, lifecycleState, "
			"projectNumber, parent.type, parent.id or labels.KEY.",
			(int)len, name);
}

/* VALUE: "quoted" or bare up to a space or ')'. */
static int parse_value(struct parser *p, struct node *t)
{
	size_t len;

	if (*p->s == '"') {
		const char *close = strchr(p->s + 1, '"');

		if (close == NULL)
			return stim_err(p->err, STIM_INVALID_ARGUMENT,
					"Invalid filter: unterminated quote.");
		t->value = xstrndup(p->s + 1, (size_t)(close - p->s - 1));
		p->s = close + 1;
	} else {
		len = strcspn(p->s, " \t\r\n()");
		if (len == 0)
			return stim_err(p->err, STIM_INVALID_ARGUMENT,
					"Invalid filter: a term has no value.");
		t->value = xstrndup(p->s, len);
		p->s += len;
	}
	len = strlen(t->value);
	if (len == 1 && t->value[0] == '*') {
		t->any = true;
	} else if (len > 0 && t->value[len - 1] == '*') {
		t->prefix = true;
		t->value[len - 1] = '\0';
	}
	return 0;
}

/* FIELD (':' | '=' | '!=') VALUE */
static struct node *parse_term(struct parser *p)
{
	const char *name = p->s;
	size_t len = strcspn(p->s, ":=!<> \t\r\n()");
	struct node *t;

	if (len == 0) {
		stim_err(p->err, STIM_INVALID_ARGUMENT,
			 "Invalid filter near '%.20s': expected FIELD:VALUE.", p->s);
		return NULL;
	}
	t = new_node(p, N_TERM);
	if (t == NULL)
		return NULL;
	p->s += len;
	if (parse_field(p, name, len, t) < 0)
		goto fail;
	if (p->s[0] == ':' || p->s[0] == '=') {
		p->s++;
	} else if (p->s[0] == '!' && p->s[1] == '=') {
		t->negate = true;
		p->s += 2;
	} else {
		stim_err(p->err, STIM_INVALID_ARGUMENT,
			 "Invalid filter: after '%.*s' expected ':', '=' or '!='.", (int)len, name);
		goto fail;
	}
	if (parse_value(p, t) < 0)
		goto fail;
	return t;
fail:
	node_free(t);
	return NULL;
}

static struct node *parse_or(struct parser *p);

/* NOT unary | '-' unary | '(' or ')' | term */
static struct node *parse_unary(struct parser *p)
{
	struct node *n;
	struct node *inner;

	skip_space(p);
	if (negation(p)) {
		/* Negations nest like parentheses: bound them the same way. */
		if (++p->depth > MAX_DEPTH) {
			stim_err(p->err, STIM_INVALID_ARGUMENT,
				 "Invalid filter: operators nested deeper than %d.", MAX_DEPTH);
			return NULL;
		}
		inner = parse_unary(p);
		p->depth--;
		if (inner == NULL)
			return NULL;
		n = new_node(p, N_NOT);
		if (n == NULL) {
			node_free(inner);
			return NULL;
		}
		n->left = inner;
		return n;
	}
	if (p->s[0] != '(')
		return parse_term(p);
	if (++p->depth > MAX_DEPTH) {
		stim_err(p->err, STIM_INVALID_ARGUMENT,
			 "Invalid filter: parentheses nested deeper than %d.", MAX_DEPTH);
		return NULL;
	}
	p->s++;
	n = parse_or(p);
	if (n == NULL)
		return NULL;
	skip_space(p);
	if (p->s[0] != ')') {
		node_free(n);
		stim_err(p->err, STIM_INVALID_ARGUMENT, "Invalid filter: a '(' is not closed.");
		return NULL;
	}
	p->s++;
	p->depth--;
	return n;
}

static struct node *join(struct parser *p, enum node_kind kind, struct node *l, struct node *r)
{
	struct node *n = new_node(p, kind);

	if (n == NULL) {
		node_free(l);
		node_free(r);
		return NULL;
	}
	n->left = l;
	n->right = r;
	return n;
}

/* unary ([AND] unary)*: juxtaposed terms are ANDed, as in Google's filters. */
static struct node *parse_and(struct parser *p)
{
	struct node *n = parse_unary(p);

	while (n != NULL) {
		struct node *r;

		skip_space(p);
		if (p->s[0] == '\0' || p->s[0] == ')' || strncmp(p->s, "OR", 2) == 0)
			break;
		keyword(p, "AND");
		r = parse_unary(p);
		if (r == NULL) {
			node_free(n);
			return NULL;
		}
		n = join(p, N_AND, n, r);
	}
	return n;
}

/* and (OR and)*: OR binds more loosely than AND. */
static struct node *parse_or(struct parser *p)
{
	struct node *n = parse_and(p);

	while (n != NULL) {
		struct node *r;

		skip_space(p);
		if (!keyword(p, "OR"))
			break;
		r = parse_and(p);
		if (r == NULL) {
			node_free(n);
			return NULL;
		}
		n = join(p, N_OR, n, r);
	}
	return n;
}

struct stim_projects_filter *stim_projects_filter_parse(const char *s, stim_error_t *err)
{
	struct stim_projects_filter *f = xcalloc(1, sizeof(*f));
	struct parser p = { .s = s, .f = f, .err = err };

	skip_space(&p);
	if (*p.s == '\0')
		return f;
	f->root = parse_or(&p);
	if (f->root == NULL)
		goto fail;
	skip_space(&p);
	if (*p.s != '\0') {
		stim_err(err, STIM_INVALID_ARGUMENT, "Invalid filter: unexpected '%.20s'.", p.s);
		goto fail;
	}
	return f;
fail:
	stim_projects_filter_free(f);
	return NULL;
}

static bool value_match(const struct node *t, const char *have, bool nocase)
{
	size_t n = strlen(t->value);

	if (have == NULL)
		return false;
	if (t->any)
		return true;
	if (t->prefix)
		return nocase ? strncasecmp(have, t->value, n) == 0
			      : strncmp(have, t->value, n) == 0;
	return nocase ? strcasecmp(have, t->value) == 0 : strcmp(have, t->value) == 0;
}

static const char *label_of(const struct stim_project *p, const char *key)
{
	for (size_t i = 0; i < p->labels.n; i++) {
		if (strcmp(p->labels.v[i].key, key) == 0)
			return p->labels.v[i].value;
	}
	return NULL;
}

static bool term_match(const struct node *t, const struct stim_project *p)
{
	char number[24];
	bool ok = false;

	switch (t->field) {
	case F_ID:
		ok = value_match(t, p->project_id, false);
		break;
	case F_NAME:
		ok = value_match(t, p->name, true);
		break;
	case F_STATE:
		ok = value_match(t, stim_project_state_name(p->state), true);
		break;
	case F_NUMBER:
		snprintf(number, sizeof(number), "%lld", (long long)p->number);
		ok = value_match(t, number, false);
		break;
	case F_PARENT_TYPE:
		ok = value_match(t, p->parent_type, false);
		break;
	case F_PARENT_ID:
		ok = value_match(t, p->parent_id, false);
		break;
	case F_LABEL:
		ok = value_match(t, label_of(p, t->label), false);
		break;
	}
	return t->negate ? !ok : ok;
}

static bool node_match(const struct node *n, const struct stim_project *p)
{
	switch (n->kind) {
	case N_TERM:
		return term_match(n, p);
	case N_AND:
		return node_match(n->left, p) && node_match(n->right, p);
	case N_OR:
		return node_match(n->left, p) || node_match(n->right, p);
	case N_NOT:
		return !node_match(n->left, p);
	}
	return false;
}

bool stim_projects_filter_match(const struct stim_projects_filter *f, const struct stim_project *p)
{
	return f->root == NULL || node_match(f->root, p);
}

/* A lifecycleState term on the top-level AND chain narrows every match. */
static int state_of(const struct node *n)
{
	int s;

	if (n->kind == N_AND) {
		s = state_of(n->left);
		return s >= 0 ? s : state_of(n->right);
	}
	if (n->kind != N_TERM || n->field != F_STATE || n->any || n->prefix || n->negate)
		return -1;
	if (strcasecmp(n->value, "ACTIVE") == 0)
		return STIM_PROJECT_ACTIVE;
	if (strcasecmp(n->value, "DELETE_REQUESTED") == 0)
		return STIM_PROJECT_DELETE_REQUESTED;
	return -1;
}

int stim_projects_filter_state(const struct stim_projects_filter *f)
{
	return f->root != NULL ? state_of(f->root) : -1;
}
