/* projects.list filters (see projects_filter.h). */
#include "src/projects_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

#define MAX_TERMS 16

enum field {
	F_ID,
	F_NAME,
	F_STATE,
	F_NUMBER,
	F_PARENT_TYPE,
	F_PARENT_ID,
	F_LABEL,
};

struct term {
	enum field field;
	char *label; /* labels.KEY: the key */
	char *value; /* without quotes and without a trailing '*' */
	bool prefix; /* value ended in '*' */
	bool any;    /* value was '*' alone */
};

struct stim_projects_filter {
	struct term terms[MAX_TERMS];
	size_t n;
};

void stim_projects_filter_free(struct stim_projects_filter *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->terms[i].label);
		free(f->terms[i].value);
	}
	free(f);
}

void stim_cleanup_projects_filter(struct stim_projects_filter **f)
{
	stim_projects_filter_free(*f);
}

static int parse_field(const char *name, size_t len, struct term *t, stim_error_t *err)
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
	return stim_err(err, STIM_INVALID_ARGUMENT,
			"Invalid filter: unknown field '%.*s'. Use id, name, lifecycleState, "
			"projectNumber, parent.type, parent.id or labels.KEY.",
			(int)len, name);
}

/* Reads one value at *s (quoted or bare) into t; advances *s. */
static int parse_value(const char **s, struct term *t, stim_error_t *err)
{
	const char *p = *s;
	size_t len;

	if (*p == '"') {
		const char *close = strchr(p + 1, '"');

		if (close == NULL)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid filter: unterminated quote.");
		t->value = xstrndup(p + 1, (size_t)(close - p - 1));
		*s = close + 1;
	} else {
		len = strcspn(p, " \t");
		t->value = xstrndup(p, len);
		*s = p + len;
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

struct stim_projects_filter *stim_projects_filter_parse(const char *s, stim_error_t *err)
{
	struct stim_projects_filter *f = xcalloc(1, sizeof(*f));

	for (;;) {
		struct term *t;
		size_t flen;

		s += strspn(s, " \t");
		if (*s == '\0')
			break;
		if (strncmp(s, "AND", 3) == 0 && (s[3] == ' ' || s[3] == '\t')) {
			s += 3;
			continue;
		}
		if (f->n == MAX_TERMS) {
			stim_err(err, STIM_INVALID_ARGUMENT,
				 "Invalid filter: at most %d terms are supported.", MAX_TERMS);
			goto fail;
		}
		t = &f->terms[f->n++];
		flen = strcspn(s, ":= \t");
		if (s[flen] != ':' && s[flen] != '=') {
			stim_err(err, STIM_INVALID_ARGUMENT,
				 "Invalid filter '%s': expected FIELD:VALUE terms.", s);
			goto fail;
		}
		if (parse_field(s, flen, t, err) < 0)
			goto fail;
		s += flen + 1;
		if (parse_value(&s, t, err) < 0)
			goto fail;
	}
	return f;
fail:
	stim_projects_filter_free(f);
	return NULL;
}

static bool value_match(const struct term *t, const char *have, bool nocase)
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

bool stim_projects_filter_match(const struct stim_projects_filter *f, const struct stim_project *p)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct term *t = &f->terms[i];
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
		if (!ok)
			return false;
	}
	return true;
}

int stim_projects_filter_state(const struct stim_projects_filter *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct term *t = &f->terms[i];

		if (t->field != F_STATE || t->any || t->prefix)
			continue;
		if (strcasecmp(t->value, "ACTIVE") == 0)
			return STIM_PROJECT_ACTIVE;
		if (strcasecmp(t->value, "DELETE_REQUESTED") == 0)
			return STIM_PROJECT_DELETE_REQUESTED;
	}
	return -1;
}
