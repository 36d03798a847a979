/* IAM policies: shape and checks (see iam_policy.h). */
#include "src/iam_policy.h"

#include <stdlib.h>
#include <string.h>

#include "src/util.h"

/* Member types IAM accepts; the ones ending in ':' take an identity. */
static const char *const member_types[] = {
	"user:",	   "serviceAccount:", "group:",		"domain:",
	"projectOwner:",   "projectEditor:",  "projectViewer:", "principal://",
	"principalSet://", "deleted:",	      "allUsers",	"allAuthenticatedUsers",
};

struct stim_iam_binding *stim_iam_policy_add(struct stim_iam_policy *p, const char *role)
{
	struct stim_iam_binding *b;

	p->bindings = xrealloc(p->bindings, (p->n + 1) * sizeof(*p->bindings));
	b = &p->bindings[p->n++];
	memset(b, 0, sizeof(*b));
	b->role = xstrdup(role);
	return b;
}

static void binding_fini(struct stim_iam_binding *b)
{
	free(b->role);
	stim_strv_fini(&b->members);
	free(b->cond_title);
	free(b->cond_description);
	free(b->cond_expression);
}

void stim_iam_policy_fini(struct stim_iam_policy *p)
{
	for (size_t i = 0; i < p->n; i++)
		binding_fini(&p->bindings[i]);
	free(p->bindings);
	free(p->etag);
	memset(p, 0, sizeof(*p));
}

bool stim_iam_policy_has_conditions(const struct stim_iam_policy *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->bindings[i].cond_expression != NULL)
			return true;
	}
	return false;
}

static bool member_valid(const char *m)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(member_types); i++) {
		const char *t = member_types[i];
		size_t n = strlen(t);

		if (t[n - 1] != ':' && t[n - 1] != '/') {
			if (strcmp(m, t) == 0)
				return true;
		} else if (strncmp(m, t, n) == 0 && m[n] != '\0') {
			return true;
		}
	}
	return false;
}

/* "roles/storage.admin", or a custom role "projects/p/roles/r" or
 * "organizations/o/roles/r". */
static bool role_valid(const char *r)
{
	const char *slash;

	if (stim_str_has_prefix(r, "roles/"))
		return r[6] != '\0';
	if (!stim_str_has_prefix(r, "projects/") && !stim_str_has_prefix(r, "organizations/"))
		return false;
	slash = strstr(r, "/roles/");
	return slash != NULL && slash[7] != '\0';
}

static int check_binding(const struct stim_iam_binding *b, int version, stim_error_t *err)
{
	if (!role_valid(b->role))
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Role '%s' is not a valid role name (expected roles/NAME "
				       "or a custom role's full name).",
				       b->role);
	for (size_t i = 0; i < b->members.n; i++) {
		if (!member_valid(b->members.v[i]))
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
					       "Invalid member '%s' in the binding for role '%s'.",
					       b->members.v[i], b->role);
	}
	if ((b->cond_title != NULL || b->cond_description != NULL) && b->cond_expression == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "The condition of the binding for role '%s' has no "
				       "expression.",
				       b->role);
	if (b->cond_expression != NULL && version < 3)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "The binding for role '%s' has a condition, which needs "
				       "policy version 3; the policy has version %d.",
				       b->role, version);
	return 0;
}

int stim_iam_policy_check(struct stim_iam_policy *p, stim_error_t *err)
{
	size_t kept = 0;

	if (p->version == 0)
		p->version = 1;
	if (p->version != 1 && p->version != 3)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid policy version %d: expected 1 or 3.", p->version);
	for (size_t i = 0; i < p->n; i++) {
		if (check_binding(&p->bindings[i], p->version, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (p->bindings[i].members.n == 0) {
			binding_fini(&p->bindings[i]);
			continue;
		}
		p->bindings[kept++] = p->bindings[i];
	}
	p->n = kept;
	return 0;
}

char *stim_iam_etag(int64_t gen)
{
	unsigned char bytes[8];

	if (gen == 0)
		return xstrdup("ACAB");
	for (int i = 0; i < 8; i++)
		bytes[i] = (unsigned char)(gen >> (8 * (7 - i)));
	return stim_base64_encode(bytes, sizeof(bytes), false);
}
