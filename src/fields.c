/* Partial-response selections (see fields.h). */
#include "src/fields.h"

#include <stdlib.h>
#include <string.h>

#include "src/util.h"

#define FIELDS_MAX_DEPTH 16

/* A member of a selection: all of it when named on its own anywhere
 * ("items", whatever else names paths below it), else what sub selects. */
struct member {
	char *name;
	bool whole;
	struct stim_fields *sub;
};

/* The members selected at one level. */
struct stim_fields {
	bool all; /* "*" */
	size_t n;
	struct member *v;
};

static int invalid(stim_error_t *err, const char *s, const char *why)
{
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalidParameter",
			       "Invalid field selection '%s': %s.", s, why);
}

/* The member called name (len bytes) in f, added when missing. */
static struct member *member(struct stim_fields *f, const char *name, size_t len)
{
	for (size_t i = 0; i < f->n; i++) {
		if (strlen(f->v[i].name) == len && memcmp(f->v[i].name, name, len) == 0)
			return &f->v[i];
	}
	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	f->v[f->n] = (struct member){ .name = xstrndup(name, len) };
	return &f->v[f->n++];
}

static int parse_list(const char *whole, const char **p, struct stim_fields *f, int depth,
		      stim_error_t *err);

/* One "a/b/c" path, possibly followed by "(...)", into f. */
static int parse_path(const char *whole, const char **p, struct stim_fields *f, int depth,
		      stim_error_t *err)
{
	struct stim_fields *at = f;
	struct member *m = NULL;

	for (;;) {
		size_t len = strcspn(*p, ",/()");

		if (len == 0)
			return invalid(err, whole, "a field name is empty");
		if (depth + 1 > FIELDS_MAX_DEPTH)
			return invalid(err, whole, "it nests too deeply");
		if (len == 1 && **p == '*') {
			at->all = true;
			*p += len;
			return **p == '/' || **p == '(' ? invalid(err, whole, "'*' ends a path")
							: 0;
		}
		m = member(at, *p, len);
		*p += len;
		if (**p != '/')
			break;
		(*p)++;
		depth++;
		if (m->sub == NULL)
			m->sub = xcalloc(1, sizeof(*m->sub));
		at = m->sub;
	}
	if (**p != '(') {
		m->whole = true;
		return 0;
	}
	(*p)++;
	if (m->sub == NULL)
		m->sub = xcalloc(1, sizeof(*m->sub));
	if (parse_list(whole, p, m->sub, depth + 1, err) < 0)
		return -1;
	if (**p != ')')
		return invalid(err, whole, "a '(' is not closed");
	(*p)++;
	return 0;
}

static int parse_list(const char *whole, const char **p, struct stim_fields *f, int depth,
		      stim_error_t *err)
{
	for (;;) {
		if (parse_path(whole, p, f, depth, err) < 0)
			return -1;
		if (**p != ',')
			return 0;
		(*p)++;
	}
}

struct stim_fields *stim_fields_parse(const char *s, stim_error_t *err)
{
	struct stim_fields *f = xcalloc(1, sizeof(*f));
	const char *p = s;

	if (parse_list(s, &p, f, 0, err) < 0 ||
	    (*p != '\0' &&
	     invalid(err, s, *p == ')' ? "a ')' has no '('" : "unexpected text") < 0)) {
		stim_fields_free(f);
		return NULL;
	}
	return f;
}

void stim_fields_free(struct stim_fields *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		stim_fields_free(f->v[i].sub);
	}
	free(f->v);
	free(f);
}

void stim_cleanup_fields(struct stim_fields **f)
{
	stim_fields_free(*f);
}

/* The selection within a member (NULL: all of it). */
static const struct stim_fields *below(const struct member *m)
{
	return m->whole ? NULL : m->sub;
}

json_t *stim_fields_apply(const struct stim_fields *f, json_t *v)
{
	json_t *out;

	if (f == NULL || f->all || (!json_is_object(v) && !json_is_array(v)))
		return json_incref(v);
	if (json_is_array(v)) {
		size_t i;
		json_t *e;

		out = json_array();
		json_array_foreach(v, i, e) json_array_append_new(out, stim_fields_apply(f, e));
		return out;
	}
	out = json_object();
	for (size_t i = 0; i < f->n; i++) {
		json_t *m = json_object_get(v, f->v[i].name);

		if (m != NULL)
			json_object_set_new(out, f->v[i].name,
					    stim_fields_apply(below(&f->v[i]), m));
	}
	return out;
}

const struct stim_fields *stim_fields_child(const struct stim_fields *f, const char *name,
					    bool *wanted)
{
	*wanted = true;
	if (f == NULL || f->all)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, name) == 0)
			return below(&f->v[i]);
	}
	*wanted = false;
	return NULL;
}
