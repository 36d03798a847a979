/* JSON parsing and checks in Google's error shape (see json.h). */
#include "src/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

json_t *stim_json_parse_body(const char *body, size_t len, stim_error_t *err)
{
	json_error_t jerr;
	json_t *j;

	if (len == 0)
		return json_object();
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		stim_err(err, STIM_INVALID_ARGUMENT,
			 "Invalid JSON payload received. %s at line %d column %d (position %d).",
			 jerr.text, jerr.line, jerr.column, jerr.position);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		stim_err(err, STIM_INVALID_ARGUMENT,
			 "Invalid JSON payload received. Expected an object at the top level.");
		return NULL;
	}
	return j;
}

int stim_json_check_fields(json_t *obj, const char *const *known, const char *where,
			   stim_error_t *err)
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value)
	{
		bool found = false;

		for (size_t i = 0; known[i] != NULL; i++) {
			if (strcmp(key, known[i]) == 0) {
				found = true;
				break;
			}
		}
		if (!found)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid JSON payload received. Unknown name \"%s\"%s%s%s: "
					"Cannot find field.",
					key, where[0] ? " at '" : "", where, where[0] ? "'" : "");
	}
	return 0;
}

static int type_error(const char *key, const char *type, json_t *v, stim_error_t *err)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	int ret = stim_err(err, STIM_INVALID_ARGUMENT, "Invalid value at '%s' (%s), %s", key, type,
			   text ? text : "?");

	free(text);
	return ret;
}

int stim_json_get_string(json_t *obj, const char *key, const char **out, stim_error_t *err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return type_error(key, "TYPE_STRING", v, err);
	*out = json_string_value(v);
	return 0;
}

int stim_json_get_object(json_t *obj, const char *key, json_t **out, stim_error_t *err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return type_error(key, "TYPE_MESSAGE", v, err);
	*out = v;
	return 0;
}

int stim_json_get_bool(json_t *obj, const char *key, int *out, stim_error_t *err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return type_error(key, "TYPE_BOOL", v, err);
	*out = json_is_true(v) ? 1 : 0;
	return 0;
}

int stim_json_get_int64(json_t *obj, const char *key, int64_t *out, stim_error_t *err)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	char *end;
	long long n;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return type_error(key, "TYPE_INT64", v, err);
	s = json_string_value(v);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0)
		return type_error(key, "TYPE_INT64", v, err);
	*out = n;
	return 0;
}

int stim_json_get_strv(json_t *obj, const char *key, bool sorted, struct stim_strv *out,
		       stim_error_t *err)
{
	json_t *arr = json_object_get(obj, key);
	json_t *v;
	size_t i;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid value at '%s' (a list of strings)", key);
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid value at '%s[%zu]' (TYPE_STRING)", key, i);
		if (sorted)
			stim_strv_add_sorted(out, json_string_value(v));
		else
			stim_strv_push(out, json_string_value(v));
	}
	return 0;
}

json_t *stim_json_from_strv(const struct stim_strv *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

char *stim_json_dump(const json_t *j, size_t *len)
{
	/* json_dumpb() writes into our buffer and returns the size it needs;
	 * json_dumps() would grow a buffer and then copy it (7% of a project
	 * GET in the profile). Most replies fit the first guess. */
	size_t cap = 1024;
	char *buf = xmalloc(cap);
	size_t n = json_dumpb(j, buf, cap - 1, JSON_COMPACT);

	if (n >= cap - 1) {
		cap = n + 1;
		buf = xrealloc(buf, cap);
		n = json_dumpb(j, buf, cap - 1, JSON_COMPACT);
	}
	/* 0 means failure, which our own trees never cause but for allocation. */
	if (n == 0 || n >= cap) {
		free(buf);
		buf = xstrdup("{}");
		n = 2;
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}
