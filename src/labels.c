/* Labels: validation by GCP's rules, and the JSON map form (see labels.h). */
#include "src/labels.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

#define LABEL_MAX_CHARS 63
#define LABELS_MAX	64

void stim_labels_fini(struct stim_labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void stim_labels_set(struct stim_labels *l, const char *key, const char *value)
{
	size_t i = 0;

	while (i < l->n && strcmp(l->v[i].key, key) < 0)
		i++;
	if (i < l->n && strcmp(l->v[i].key, key) == 0) {
		free(l->v[i].value);
		l->v[i].value = xstrdup(value);
		return;
	}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
	l->v[i].key = xstrdup(key);
	l->v[i].value = xstrdup(value);
	l->n++;
}

/* GCP allows international characters: any UTF-8 multibyte sequence counts
 * as one letter. ASCII is limited to [a-z0-9_-]. Returns the character count
 * or -1 when a byte is not allowed. */
static int count_label_chars(const char *s)
{
	int chars = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= 0x80) {
			/* Continuation bytes do not start a character. */
			if ((*p & 0xC0) != 0x80)
				chars++;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return -1;
		chars++;
	}
	return chars;
}

int stim_label_key_check(const char *key, stim_error_t *err)
{
	int chars = count_label_chars(key);
	unsigned char first = (unsigned char)key[0];

	if (chars < 1 || chars > LABEL_MAX_CHARS ||
	    !((first >= 'a' && first <= 'z') || first >= 0x80))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Label key '%s' violates format constraints. The key must start "
				"with a lowercase character, can only contain lowercase letters, "
				"numeric characters, underscores and dashes. The key can be at "
				"most 63 characters long. International characters are allowed.",
				key);
	return 0;
}

int stim_label_value_check(const char *key, const char *value, stim_error_t *err)
{
	int chars = count_label_chars(value);

	if (chars < 0 || chars > LABEL_MAX_CHARS)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Label value '%s' of key '%s' violates format constraints. The "
				"value can only contain lowercase letters, numeric characters, "
				"underscores and dashes. The value can be at most 63 characters "
				"long. International characters are allowed.",
				value, key);
	return 0;
}

int stim_labels_from_json(json_t *obj, struct stim_labels *out, stim_error_t *err)
{
	struct stim_labels l = { 0 };
	const char *key;
	json_t *value;

	if (!json_is_object(obj))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid value at 'labels' (map<string, string>)");
	if (json_object_size(obj) > LABELS_MAX)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"At most %d labels are allowed; %zu were given.", LABELS_MAX,
				json_object_size(obj));
	json_object_foreach(obj, key, value)
	{
		if (!json_is_string(value)) {
			stim_labels_fini(&l);
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid value at 'labels[%s]' (TYPE_STRING)", key);
		}
		if (stim_label_key_check(key, err) < 0 ||
		    stim_label_value_check(key, json_string_value(value), err) < 0) {
			stim_labels_fini(&l);
			return -1;
		}
		stim_labels_set(&l, key, json_string_value(value));
	}
	stim_labels_fini(out);
	*out = l;
	return 0;
}

json_t *stim_labels_to_json(const struct stim_labels *l)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->n; i++)
		json_object_set_new(o, l->v[i].key, json_string(l->v[i].value));
	return o;
}

const char *stim_labels_get(const struct stim_labels *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].value;
	}
	return NULL;
}
