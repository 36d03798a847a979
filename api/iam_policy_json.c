/* IAM policies in JSON (see iam_policy_json.h). */
#include "api/iam_policy_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/json.h"
#include "src/util.h"

json_t *api_iam_policy_to_json(const struct stim_iam_policy *p)
{
	json_t *j = json_pack("{s:i, s:s}", "version", p->version, "etag", p->etag);
	json_t *bindings = json_array();

	for (size_t i = 0; i < p->n; i++) {
		const struct stim_iam_binding *b = &p->bindings[i];
		json_t *jb = json_pack("{s:s, s:o}", "role", b->role, "members",
				       stim_json_from_strv(&b->members));

		if (b->cond_expression != NULL) {
			json_t *c = json_pack("{s:s}", "expression", b->cond_expression);

			if (b->cond_title != NULL)
				json_object_set_new(c, "title", json_string(b->cond_title));
			if (b->cond_description != NULL)
				json_object_set_new(c, "description",
						    json_string(b->cond_description));
			json_object_set_new(jb, "condition", c);
		}
		json_array_append_new(bindings, jb);
	}
	/* Google omits empty repeated fields. */
	if (p->n > 0)
		json_object_set_new(j, "bindings", bindings);
	else
		json_decref(bindings);
	return j;
}

static int parse_binding(json_t *jb, size_t i, struct stim_iam_policy *p, stim_error_t *err)
{
	static const char *const fields[] = { "role", "members", "condition", NULL };
	static const char *const cond_fields[] = { "title", "description", "expression", "location",
						   NULL };
	const char *role = NULL;
	const char *title = NULL;
	const char *description = NULL;
	const char *expression = NULL;
	json_t *cond = NULL;
	struct stim_iam_binding *b;
	char where[48];

	snprintf(where, sizeof(where), "bindings[%zu]", i);
	if (!json_is_object(jb))
		return stim_err(err, STIM_INVALID_ARGUMENT, "Invalid value at '%s' (TYPE_MESSAGE)",
				where);
	if (stim_json_check_fields(jb, fields, where, err) < 0 ||
	    stim_json_get_string(jb, "role", &role, err) < 0 ||
	    stim_json_get_object(jb, "condition", &cond, err) < 0)
		return -1;
	if (role == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field: %s.role.", where);
	if (cond != NULL && (stim_json_check_fields(cond, cond_fields, where, err) < 0 ||
			     stim_json_get_string(cond, "title", &title, err) < 0 ||
			     stim_json_get_string(cond, "description", &description, err) < 0 ||
			     stim_json_get_string(cond, "expression", &expression, err) < 0))
		return -1;
	b = stim_iam_policy_add(p, role);
	b->cond_title = xstrdup_or_null(title);
	b->cond_description = xstrdup_or_null(description);
	b->cond_expression = xstrdup_or_null(expression);
	return stim_json_get_strv(jb, "members", true, &b->members, err);
}

int api_iam_policy_from_json(json_t *body, const char *const *fields, struct stim_iam_policy *p,
			     stim_error_t *err)
{
	json_t *bindings = json_object_get(body, "bindings");
	const char *etag = NULL;
	int64_t version = 0;
	json_t *jb;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (stim_json_check_fields(body, fields, "", err) < 0 ||
	    stim_json_get_string(body, "etag", &etag, err) < 0 ||
	    stim_json_get_int64(body, "version", &version, err) < 0)
		return -1;
	if (bindings != NULL && !json_is_null(bindings) && !json_is_array(bindings))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid value at 'bindings' (a list of bindings)");
	/* Out-of-range versions are the service's to refuse; keep them so. */
	p->version = version < 0 || version > 1000 ? 1000 : (int)version;
	p->etag = xstrdup_or_null(etag);
	json_array_foreach(bindings, i, jb)
	{
		if (parse_binding(jb, i, p, err) < 0) {
			stim_iam_policy_fini(p);
			return -1;
		}
	}
	return 0;
}
