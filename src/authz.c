/* Authorization (see authz.h). */
#include "src/authz.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/custom_roles.h"
#include "src/decision_cache.h"
#include "src/iam_condition.h"
#include "src/iam_roles.h"
#include "src/log.h"
#include "src/projects.h"
#include "src/service_accounts.h"
#include "src/store_custom_roles.h"
#include "src/store_iam_policies.h"
#include "src/store_projects.h"
#include "src/store_service_accounts.h"
#include "src/util.h"

/* At most a resource's own policy and its project's. */
#define MAX_POLICIES 2

/* A store error met while deciding counts as "not granted": it fails
 * closed, and is said, so that a 403 it caused can be traced. An absent
 * custom role is no error. */
static void say_store_error(const stim_error_t e)
{
	if (e != NULL && e->code != STIM_NOT_FOUND)
		STIM_LOG_W("authorization: %s (counted as not granted)", e->msg);
}

/* Whether role grants permission (a custom role: if live). */
static bool role_grants(struct stim_db *db, const char *role, const char *permission)
{
	const struct stim_role_def *def = stim_role_predefined(role);
	cleanup_error stim_error_t e = NULL;
	struct stim_custom_role custom;
	const char *rest;
	const char *slash;
	bool granted = false;

	if (def != NULL)
		return stim_role_has(def->permissions, permission);
	/* projects/P/roles/R */
	if (!stim_str_has_prefix(role, "projects/"))
		return false;
	rest = role + strlen("projects/");
	slash = strchr(rest, '/');
	if (slash == NULL || !stim_str_has_prefix(slash, "/roles/"))
		return false;
	{
		cleanup_free char *project = xstrndup(rest, (size_t)(slash - rest));

		if (stim_store_custom_role_get(db, project, slash + strlen("/roles/"), &custom,
					       &e) < 0) {
			say_store_error(e);
			return false;
		}
	}
	if (custom.deleted_ms == 0) {
		for (size_t i = 0; i < custom.permissions.n && !granted; i++)
			granted = strcmp(custom.permissions.v[i], permission) == 0;
	}
	stim_custom_role_fini(&custom);
	return granted;
}

/* Whether principal is directly a member of role on project (the
 * convenience values projectOwner:P and the like). */
static bool holds_basic_role(struct stim_db *db, const char *principal, const char *role,
			     const char *project)
{
	cleanup_error stim_error_t e = NULL;
	cleanup_free char *resource = xasprintf("projects/%s", project);
	struct stim_iam_policy p;
	int64_t gen;
	bool held = false;

	if (principal == NULL)
		return false;
	if (stim_store_iam_policy_get(db, resource, &p, &gen, &e) < 0) {
		say_store_error(e);
		return false;
	}
	for (size_t i = 0; i < p.n && !held; i++) {
		const struct stim_iam_binding *b = &p.bindings[i];

		if (b->cond_expression != NULL || strcmp(b->role, role) != 0)
			continue;
		for (size_t k = 0; k < b->members.n && !held; k++)
			held = strcmp(b->members.v[k], principal) == 0;
	}
	stim_iam_policy_fini(&p);
	return held;
}

static bool member_matches(struct stim_db *db, const char *member, const char *principal)
{
	static const struct {
		const char *prefix;
		const char *role;
	} convenience[] = {
		{ "projectOwner:", "roles/owner" },
		{ "projectEditor:", "roles/editor" },
		{ "projectViewer:", "roles/viewer" },
	};
	const char *at = principal != NULL ? strchr(principal, '@') : NULL;

	if (strcmp(member, "allUsers") == 0)
		return true;
	if (principal == NULL)
		return false;
	if (strcmp(member, principal) == 0 || strcmp(member, "allAuthenticatedUsers") == 0)
		return true;
	if (stim_str_has_prefix(member, "domain:"))
		return at != NULL && strcmp(member + strlen("domain:"), at + 1) == 0;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(convenience); i++) {
		if (stim_str_has_prefix(member, convenience[i].prefix))
			return holds_basic_role(db, principal, convenience[i].role,
						member + strlen(convenience[i].prefix));
	}
	return false;
}

/* Whether the binding's condition, if any, holds for the request; sets
 * *timely when one was looked at (its answer may change with time). */
static bool condition_holds(const struct stim_iam_binding *b, const struct stim_iam_request *req,
			    bool *timely)
{
	if (b->cond_expression == NULL)
		return true;
	*timely = true;
	/* Outside the subset understood: no grant (iam_condition.h). */
	return stim_iam_condition_eval(b->cond_expression, req) == STIM_CONDITION_TRUE;
}

static bool policy_grants(struct stim_db *db, const char *resource, const char *principal,
			  const char *permission, const struct stim_iam_request *req, bool *timely)
{
	cleanup_error stim_error_t e = NULL;
	struct stim_iam_policy p;
	int64_t gen;
	bool granted = false;

	if (stim_store_iam_policy_get(db, resource, &p, &gen, &e) < 0) {
		say_store_error(e);
		return false;
	}
	for (size_t i = 0; i < p.n && !granted; i++) {
		const struct stim_iam_binding *b = &p.bindings[i];
		bool member = false;

		if (!role_grants(db, b->role, permission))
			continue;
		for (size_t k = 0; k < b->members.n && !member; k++)
			member = member_matches(db, b->members.v[k], principal);
		granted = member && condition_holds(b, req, timely);
	}
	stim_iam_policy_fini(&p);
	return granted;
}

/*
 * What a bucket's objects' default ACL grants, which GCS gives every new
 * object and this emulator does not keep otherwise: OWNER to the
 * project's owners and editors, READER to its viewers. In IAM's terms,
 * roles/storage.legacyObjectOwner and legacyObjectReader to the
 * convenience values (what a bucket with uniform access holds in its
 * policy).
 */
static bool default_acl_grants(struct stim_db *db, const char *project, const char *principal,
			       const char *permission)
{
	static const struct {
		const char *role;	 /* of the project */
		const char *object_role; /* what it gets on objects */
	} acl[] = {
		{ "roles/owner", "roles/storage.legacyObjectOwner" },
		{ "roles/editor", "roles/storage.legacyObjectOwner" },
		{ "roles/viewer", "roles/storage.legacyObjectReader" },
	};

	if (!stim_str_has_prefix(permission, "storage.objects."))
		return false;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(acl); i++) {
		if (role_grants(db, acl[i].object_role, permission) &&
		    holds_basic_role(db, principal, acl[i].role, project))
			return true;
	}
	return false;
}

/* The policies that make the resource's effective one, into v (owned
 * strings); how many, or -1 when the resource does not exist. */
static int policies_of(struct stim_db *db, enum stim_authz_on on, const char *name,
		       char *v[MAX_POLICIES])
{
	cleanup_error stim_error_t e = NULL;
	struct stim_service_account sa;
	struct stim_project p;
	char *project = NULL;
	char *end;
	long long number;

	switch (on) {
	case STIM_AUTHZ_PROJECT:
		number = strtoll(name, &end, 10);
		if (*name != '\0' && *end == '\0'
			    ? stim_store_project_get_by_number(db, number, &p, &e) < 0
			    : stim_store_project_get(db, name, &p, &e) < 0)
			return -1;
		v[0] = xasprintf("projects/%s", p.project_id);
		stim_project_fini(&p);
		return 1;
	case STIM_AUTHZ_BUCKET:
		if (stim_store_iam_bucket_project(db, name, &project, &e) < 0)
			return -1;
		v[0] = xasprintf("buckets/%s", name);
		v[1] = xasprintf("projects/%s", project);
		free(project);
		return 2;
	case STIM_AUTHZ_ACCOUNT:
		if (stim_sa_find(db, name, false, &sa, &e) < 0)
			return -1;
		v[0] = xasprintf("serviceAccounts/%lld", (long long)sa.unique_id);
		v[1] = xasprintf("projects/%s", sa.project);
		stim_sa_fini(&sa);
		return 2;
	}
	return -1;
}

static void policies_free(char *v[MAX_POLICIES], int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
}

static const char *what(enum stim_authz_on on)
{
	switch (on) {
	case STIM_AUTHZ_BUCKET:
		return "the Google Cloud Storage bucket";
	case STIM_AUTHZ_ACCOUNT:
		return "the service account";
	default:
		return "the project";
	}
}

/* What a condition sees of the request: the resource asked for. */
static void request_of(enum stim_authz_on on, const char *name, const char *object,
		       struct stim_iam_request *req, char **resource_name)
{
	req->now_ms = stim_now_ms();
	switch (on) {
	case STIM_AUTHZ_BUCKET:
		*resource_name =
			object != NULL ? xasprintf("projects/_/buckets/%s/objects/%s", name, object)
				       : xasprintf("projects/_/buckets/%s", name);
		req->resource_type = object != NULL ? "storage.googleapis.com/Object"
						    : "storage.googleapis.com/Bucket";
		break;
	case STIM_AUTHZ_ACCOUNT:
		*resource_name = xasprintf("projects/-/serviceAccounts/%s", name);
		req->resource_type = "iam.googleapis.com/ServiceAccount";
		break;
	default:
		*resource_name = xasprintf("projects/%s", name);
		req->resource_type = "cloudresourcemanager.googleapis.com/Project";
		break;
	}
	req->resource_name = *resource_name;
}

/* The answer from the store, stamped with the generation it was read at;
 * *timely when a condition took part (the answer may change with time
 * alone, so it is not kept). */
static int decide(struct stim_ctx *ctx, const char *principal, const char *permission,
		  enum stim_authz_on on, const char *name, const char *object, bool *granted,
		  uint64_t *gen, bool *timely, stim_error_t *err)
{
	cleanup_free char *resource_name = NULL;
	struct stim_iam_request req;
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	char *policies[MAX_POLICIES] = { NULL };
	int n;

	*granted = false;
	if (db == NULL)
		return -1;
	/* Read while holding the store, so no change slips in between. */
	*gen = stim_store_iam_gen(ctx->store);
	n = policies_of(db, on, name, policies);
	request_of(on, name, object, &req, &resource_name);
	for (int i = 0; i < n && !*granted; i++)
		*granted = policy_grants(db, policies[i], principal, permission, &req, timely);
	/* A bucket's second policy is its project's. */
	if (!*granted && on == STIM_AUTHZ_BUCKET && n == 2)
		*granted = default_acl_grants(db, policies[1] + strlen("projects/"), principal,
					      permission);
	policies_free(policies, n);
	return 0;
}

int stim_authz_check(struct stim_ctx *ctx, const char *principal, const char *permission,
		     enum stim_authz_on on, const char *name, stim_error_t *err)
{
	return stim_authz_check_object(ctx, principal, permission, on, name, NULL, err);
}

int stim_authz_check_object(struct stim_ctx *ctx, const char *principal, const char *permission,
			    enum stim_authz_on on, const char *name, const char *object,
			    stim_error_t *err)
{
	cleanup_free char *key = xasprintf("%s|%s|%d|%s|%s", principal != NULL ? principal : "",
					   permission, (int)on, name, object != NULL ? object : "");
	uint64_t gen = stim_store_iam_gen(ctx->store);
	bool granted = false;
	bool timely = false;

	if (ctx->iam_cache == NULL ||
	    !stim_decision_cache_get(ctx->iam_cache, key, gen, &granted)) {
		if (decide(ctx, principal, permission, on, name, object, &granted, &gen, &timely,
			   err) < 0)
			return -1;
		if (ctx->iam_cache != NULL && !timely)
			stim_decision_cache_put(ctx->iam_cache, key, gen, granted);
	}
	if (granted)
		return 0;
	if (principal == NULL)
		return stim_err_reason(err, STIM_UNAUTHENTICATED, "required",
				       "Anonymous caller does not have %s access to %s %s. "
				       "Request is missing a valid authentication credential: "
				       "an OAuth 2 access token.",
				       permission, what(on), name);
	return stim_err_reason(err, STIM_PERMISSION_DENIED, "forbidden",
			       "%s does not have %s access to %s %s. Permission '%s' denied on "
			       "resource (or it may not exist).",
			       strchr(principal, ':') + 1, permission, what(on), name, permission);
}

/* NOT_FOUND (PERMISSION_DENIED for a project) unless the resource is. */
static int exists(struct stim_ctx *ctx, enum stim_authz_on on, const char *name, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	char *policies[MAX_POLICIES] = { NULL };
	int n;

	if (db == NULL)
		return -1;
	n = policies_of(db, on, name, policies);
	policies_free(policies, n);
	if (n > 0)
		return 0;
	if (on == STIM_AUTHZ_PROJECT)
		return stim_err_reason(err, STIM_PERMISSION_DENIED, "forbidden",
				       "The caller does not have permission on project %s, or it "
				       "does not exist.",
				       name);
	return stim_err_reason(err, STIM_NOT_FOUND, "notFound", "%s %s does not exist.",
			       what(on) + strlen("the "), name);
}

int stim_authz_test(struct stim_ctx *ctx, const char *principal, enum stim_authz_on on,
		    const char *name, const struct stim_strv *asked, struct stim_strv *granted,
		    stim_error_t *err)
{
	static const enum stim_iam_resource_kind kinds[] = {
		[STIM_AUTHZ_PROJECT] = STIM_IAM_PROJECT,
		[STIM_AUTHZ_BUCKET] = STIM_IAM_BUCKET,
		[STIM_AUTHZ_ACCOUNT] = STIM_IAM_SERVICE_ACCOUNT,
	};
	bool enforced = ctx->cfg != NULL && ctx->cfg->auth == STIM_AUTH_ENFORCE;

	for (size_t i = 0; i < asked->n; i++) {
		if (!stim_permission_known(asked->v[i]) ||
		    !stim_permission_applies(asked->v[i], kinds[on]))
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
					       "Permission %s is not valid for this resource.",
					       asked->v[i]);
	}
	if (exists(ctx, on, name, err) < 0)
		return -1;
	for (size_t i = 0; i < asked->n; i++) {
		cleanup_error stim_error_t e = NULL;

		if (!enforced || stim_authz_check(ctx, principal, asked->v[i], on, name, &e) == 0) {
			stim_strv_push(granted, asked->v[i]);
			continue;
		}
		if (e->code != STIM_PERMISSION_DENIED && e->code != STIM_UNAUTHENTICATED) {
			*err = steal_pointer(&e);
			return -1;
		}
	}
	return 0;
}
