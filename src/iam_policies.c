/* IAM policies of projects and service accounts (see iam_policies.h). */
#include "src/iam_policies.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/custom_roles.h"
#include "src/etag.h"
#include "src/iam_roles.h"
#include "src/projects.h"
#include "src/service_accounts.h"
#include "src/store_custom_roles.h"
#include "src/store_iam_policies.h"
#include "src/util.h"

static int get(struct stim_ctx *ctx, const char *resource, const char *what, int requested_version,
	       struct stim_iam_policy *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	int64_t gen;

	if (db == NULL || stim_store_iam_policy_get(db, resource, out, &gen, err) < 0)
		return -1;
	/* A client that does not know conditions must not see a policy whose
	 * bindings it would misread as unconditional (IAM's rule). */
	if (requested_version < 3 && stim_iam_policy_has_conditions(out)) {
		stim_iam_policy_fini(out);
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "The policy of %s has conditional role bindings: request "
				       "policy version 3 to read it.",
				       what);
	}
	out->etag = stim_iam_etag(gen);
	return 0;
}

/* Refuses a binding of a role IAM would not grant on the resource: an
 * unknown predefined role, one that grants nothing there, or a custom
 * role that is not the project's own and live. */
static int roles_check(struct stim_db *db, const struct stim_iam_policy *p,
		       enum stim_iam_resource_kind kind, const char *project, stim_error_t *err)
{
	cleanup_free char *own = xasprintf("projects/%s/roles/", project);

	for (size_t i = 0; i < p->n; i++) {
		const char *role = p->bindings[i].role;
		const struct stim_role_def *def = stim_role_predefined(role);
		struct stim_custom_role custom;
		cleanup_error stim_error_t e = NULL;
		bool ok;

		if (stim_str_has_prefix(role, "roles/")) {
			if (def == NULL || !stim_role_grantable_on(def->permissions, kind))
				return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
						       "Role %s is not supported for this "
						       "resource.",
						       role);
			continue;
		}
		ok = stim_str_has_prefix(role, own) &&
		     stim_store_custom_role_get(db, project, role + strlen(own), &custom, &e) == 0;
		if (ok) {
			ok = custom.deleted_ms == 0;
			stim_custom_role_fini(&custom);
		}
		if (e != NULL && e->code != STIM_NOT_FOUND) {
			*err = steal_pointer(&e);
			return -1;
		}
		if (!ok)
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
					       "Role (%s) does not exist in the resource's "
					       "hierarchy.",
					       role);
	}
	return 0;
}

static int set(struct stim_ctx *ctx, const char *resource, enum stim_iam_resource_kind kind,
	       const char *project, struct stim_iam_policy *in, struct stim_iam_policy *out,
	       stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	cleanup_free char *etag = NULL;
	struct stim_iam_policy cur;
	int64_t gen;

	memset(out, 0, sizeof(*out));
	if (stim_iam_policy_check(in, err) < 0)
		return -1;
	/* gcloud always sends version 3; IAM keeps 1 for a policy that has
	 * no conditions, and answers so. */
	if (!stim_iam_policy_has_conditions(in))
		in->version = 1;
	db = stim_store_db(ctx->store, err);
	tx = db != NULL ? stim_tx_begin(db, err) : NULL;
	if (tx == NULL || roles_check(db, in, kind, project, err) < 0 ||
	    stim_store_iam_policy_get(db, resource, &cur, &gen, err) < 0)
		return -1;
	stim_iam_policy_fini(&cur);
	etag = stim_iam_etag(gen);
	if (in->etag != NULL && in->etag[0] != '\0' && !stim_etag_equal(in->etag, etag))
		return stim_err_reason(err, STIM_ABORTED, "aborted",
				       "There were concurrent policy changes. Please retry the "
				       "whole read-modify-write with exponential backoff.");
	if (stim_store_iam_policy_put(db, resource, in, gen + 1, err) < 0 ||
	    stim_store_iam_policy_get(db, resource, out, &gen, err) < 0)
		return -1;
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_iam_policy_fini(out);
		return -1;
	}
	out->etag = stim_iam_etag(gen);
	return 0;
}

/* "projects/ID" of a project that exists (CRM's refusal otherwise), and
 * its id. */
static char *project_resource(struct stim_ctx *ctx, const char *project, char **id,
			      stim_error_t *err)
{
	struct stim_project p;
	char *resource;

	if (stim_project_get(ctx, project, &p, err) < 0)
		return NULL;
	resource = xasprintf("projects/%s", p.project_id);
	*id = steal_pointer(&p.project_id);
	stim_project_fini(&p);
	return resource;
}

/* "serviceAccounts/UNIQUE_ID" of a live account, and its project: keyed
 * by unique id, so an account made again under a deleted one's email
 * starts afresh. */
static char *sa_resource(struct stim_ctx *ctx, const char *account, char **project,
			 stim_error_t *err)
{
	struct stim_service_account sa;
	char *resource;

	if (stim_sa_get(ctx, account, &sa, err) < 0)
		return NULL;
	resource = xasprintf("serviceAccounts/%lld", (long long)sa.unique_id);
	*project = steal_pointer(&sa.project);
	stim_sa_fini(&sa);
	return resource;
}

int stim_project_iam_get(struct stim_ctx *ctx, const char *project, int requested_version,
			 struct stim_iam_policy *out, stim_error_t *err)
{
	cleanup_free char *id = NULL;
	cleanup_free char *resource = project_resource(ctx, project, &id, err);

	return resource != NULL ? get(ctx, resource, resource, requested_version, out, err) : -1;
}

int stim_project_iam_set(struct stim_ctx *ctx, const char *project, struct stim_iam_policy *in,
			 struct stim_iam_policy *out, stim_error_t *err)
{
	cleanup_free char *id = NULL;
	cleanup_free char *resource = project_resource(ctx, project, &id, err);

	return resource != NULL ? set(ctx, resource, STIM_IAM_PROJECT, id, in, out, err) : -1;
}

int stim_sa_iam_get(struct stim_ctx *ctx, const char *account, int requested_version,
		    struct stim_iam_policy *out, stim_error_t *err)
{
	cleanup_free char *id = NULL;
	cleanup_free char *resource = sa_resource(ctx, account, &id, err);

	return resource != NULL ? get(ctx, resource, account, requested_version, out, err) : -1;
}

int stim_sa_iam_set(struct stim_ctx *ctx, const char *account, struct stim_iam_policy *in,
		    struct stim_iam_policy *out, stim_error_t *err)
{
	cleanup_free char *project = NULL;
	cleanup_free char *resource = sa_resource(ctx, account, &project, err);

	return resource != NULL
		       ? set(ctx, resource, STIM_IAM_SERVICE_ACCOUNT, project, in, out, err)
		       : -1;
}

int stim_project_iam_grant(struct stim_ctx *ctx, const char *project, const char *role,
			   const char *member, stim_error_t *err)
{
	struct stim_iam_policy p;
	struct stim_iam_policy out;
	struct stim_iam_binding *b = NULL;
	int ret;

	if (stim_project_iam_get(ctx, project, 3, &p, err) < 0)
		return -1;
	for (size_t i = 0; i < p.n && b == NULL; i++) {
		if (strcmp(p.bindings[i].role, role) == 0 && p.bindings[i].cond_expression == NULL)
			b = &p.bindings[i];
	}
	if (b == NULL)
		b = stim_iam_policy_add(&p, role);
	stim_strv_add_sorted(&b->members, member);
	/* Read and written under the etag read: a change in between is
	 * ABORTED, not lost. */
	ret = stim_project_iam_set(ctx, project, &p, &out, err);
	stim_iam_policy_fini(&p);
	if (ret == 0)
		stim_iam_policy_fini(&out);
	return ret;
}
