/* Custom roles (see custom_roles.h). */
#include "src/custom_roles.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/compute_projects.h"
#include "src/etag.h"
#include "src/iam_policy.h"
#include "src/iam_roles.h"
#include "src/json.h"
#include "src/store_custom_roles.h"
#include "src/util.h"

#define TITLE_MAX	100
#define DESCRIPTION_MAX 300

static const char *const stages[] = { "ALPHA", "BETA", "GA", "DEPRECATED", "DISABLED", "EAP" };

void stim_custom_role_fini(struct stim_custom_role *r)
{
	free(r->project);
	free(r->role_id);
	free(r->title);
	free(r->description);
	free(r->stage);
	stim_strv_fini(&r->permissions);
	memset(r, 0, sizeof(*r));
}

void stim_custom_roles_free(struct stim_custom_role *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		stim_custom_role_fini(&v[i]);
	free(v);
}

json_t *stim_custom_role_json(const struct stim_custom_role *r, bool full)
{
	cleanup_free char *etag = stim_iam_etag(r->gen);
	json_t *j = json_pack("{s:o, s:s, s:s, s:s}", "name",
			      json_sprintf("projects/%s/roles/%s", r->project, r->role_id), "title",
			      r->title, "stage", r->stage, "etag", etag);

	if (r->description != NULL)
		json_object_set_new(j, "description", json_string(r->description));
	if (full && r->permissions.n > 0)
		json_object_set_new(j, "includedPermissions", stim_json_from_strv(&r->permissions));
	if (r->deleted_ms != 0)
		json_object_set_new(j, "deleted", json_true());
	return j;
}

static int role_id_check(const char *id, stim_error_t *err)
{
	size_t n = id != NULL ? strlen(id) : 0;
	bool ok = n >= 3 && n <= 64;

	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)id[i]) || id[i] == '_' || id[i] == '.';
	if (id == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required parameter 'roleId' is missing.");
	if (!ok)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "The role id '%s' is invalid: it must be 3 to 64 letters, "
				       "digits, underscores and periods ([a-zA-Z0-9_\\.]{3,64}).",
				       id);
	return 0;
}

/* The fields of spec a create or patch sets. */
static int spec_check(const struct stim_custom_role *spec, bool title_required, stim_error_t *err)
{
	bool stage_ok = spec->stage == NULL;

	if (title_required && (spec->title == NULL || *spec->title == '\0'))
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "A role needs a title.");
	if (spec->title != NULL && strlen(spec->title) > TITLE_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "The role's title must be at most %d characters.",
				       TITLE_MAX);
	if (spec->description != NULL && strlen(spec->description) > DESCRIPTION_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "The role's description must be at most %d characters.",
				       DESCRIPTION_MAX);
	for (size_t i = 0; !stage_ok && i < STIM_ARRAY_SIZE(stages); i++)
		stage_ok = strcmp(spec->stage, stages[i]) == 0;
	if (!stage_ok)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Invalid value for stage: '%s'. Expected ALPHA, BETA, GA, "
				       "DEPRECATED, DISABLED or EAP.",
				       spec->stage);
	for (size_t i = 0; i < spec->permissions.n; i++) {
		if (!stim_permission_known(spec->permissions.v[i]))
			return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
					       "Permission %s is not valid.",
					       spec->permissions.v[i]);
	}
	return 0;
}

static void replace(char **field, const char *value)
{
	free(*field);
	*field = xstrdup_or_null(value);
}

static void copy_permissions(struct stim_strv *to, const struct stim_strv *from)
{
	stim_strv_fini(to);
	for (size_t i = 0; i < from->n; i++)
		stim_strv_add_sorted(to, from->v[i]);
}

int stim_custom_role_create(struct stim_ctx *ctx, const char *project, const char *role_id,
			    const struct stim_custom_role *spec, struct stim_custom_role *out,
			    stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_custom_role r = { 0 };

	memset(out, 0, sizeof(*out));
	if (role_id_check(role_id, err) < 0 || spec_check(spec, true, err) < 0 ||
	    stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	r.project = xstrdup(project);
	r.role_id = xstrdup(role_id);
	r.title = xstrdup(spec->title);
	r.description = xstrdup_or_null(spec->description);
	r.stage = xstrdup(spec->stage != NULL ? spec->stage : "ALPHA");
	copy_permissions(&r.permissions, &spec->permissions);
	r.gen = 1;
	db = stim_store_db(ctx->store, err);
	tx = db != NULL ? stim_tx_begin(db, err) : NULL;
	if (tx == NULL || stim_store_custom_role_insert(db, &r, err) < 0 ||
	    stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_custom_role_fini(&r);
		return -1;
	}
	*out = r;
	return 0;
}

int stim_custom_role_get(struct stim_ctx *ctx, const char *project, const char *role_id,
			 struct stim_custom_role *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	memset(out, 0, sizeof(*out));
	if (db == NULL)
		return -1;
	return stim_store_custom_role_get(db, project, role_id, out, err);
}

int stim_custom_role_list(struct stim_ctx *ctx, const char *project, bool show_deleted,
			  const char *after, int limit, struct stim_custom_role **out, size_t *n,
			  stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	*out = NULL;
	*n = 0;
	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	if (db == NULL)
		return -1;
	return stim_store_custom_role_list(db, project, show_deleted, after != NULL ? after : "",
					   limit, out, n, err);
}

/* Whether mask (NULL: every field) names field. */
static bool masked(const char *mask, const char *field)
{
	return mask == NULL || stim_csv_has(mask, field);
}

/* The role in a write transaction, if etag (NULL or "": any) is its
 * current one. */
static int begin(struct stim_db *db, struct stim_tx **tx, const char *project, const char *role_id,
		 const char *etag, struct stim_custom_role *r, stim_error_t *err)
{
	cleanup_free char *cur = NULL;

	*tx = stim_tx_begin(db, err);
	if (*tx == NULL || stim_store_custom_role_get(db, project, role_id, r, err) < 0)
		return -1;
	cur = stim_iam_etag(r->gen);
	if (etag != NULL && *etag != '\0' && !stim_etag_equal(etag, cur)) {
		stim_custom_role_fini(r);
		return stim_err_reason(err, STIM_ABORTED, "aborted",
				       "The role's etag is stale: it changed since it was read.");
	}
	return 0;
}

/* Writes r as its next generation and commits. */
static int commit(struct stim_db *db, struct stim_tx **tx, struct stim_custom_role *r,
		  stim_error_t *err)
{
	r->gen++;
	if (stim_store_custom_role_update(db, r, err) < 0 ||
	    stim_tx_commit(steal_pointer(tx), err) < 0) {
		stim_custom_role_fini(r);
		return -1;
	}
	return 0;
}

int stim_custom_role_patch(struct stim_ctx *ctx, const char *project, const char *role_id,
			   const struct stim_custom_role *spec, const char *mask, const char *etag,
			   struct stim_custom_role *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;

	memset(out, 0, sizeof(*out));
	if (db == NULL || spec_check(spec, masked(mask, "title"), err) < 0 ||
	    begin(db, &tx, project, role_id, etag, out, err) < 0)
		return -1;
	if (out->deleted_ms != 0) {
		stim_custom_role_fini(out);
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "failedPrecondition",
				       "You can't update a deleted role.");
	}
	if (masked(mask, "title"))
		replace(&out->title, spec->title);
	if (masked(mask, "description"))
		replace(&out->description, spec->description);
	if (masked(mask, "stage") && spec->stage != NULL)
		replace(&out->stage, spec->stage);
	if (masked(mask, "includedPermissions"))
		copy_permissions(&out->permissions, &spec->permissions);
	return commit(db, &tx, out, err);
}

int stim_custom_role_delete(struct stim_ctx *ctx, const char *project, const char *role_id,
			    const char *etag, struct stim_custom_role *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;

	memset(out, 0, sizeof(*out));
	if (db == NULL || begin(db, &tx, project, role_id, etag, out, err) < 0)
		return -1;
	if (out->deleted_ms != 0) {
		stim_custom_role_fini(out);
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "failedPrecondition",
				       "The role projects/%s/roles/%s is already deleted.", project,
				       role_id);
	}
	out->deleted_ms = stim_now_ms();
	return commit(db, &tx, out, err);
}

int stim_custom_role_undelete(struct stim_ctx *ctx, const char *project, const char *role_id,
			      const char *etag, struct stim_custom_role *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;

	memset(out, 0, sizeof(*out));
	if (db == NULL || begin(db, &tx, project, role_id, etag, out, err) < 0)
		return -1;
	if (out->deleted_ms == 0) {
		stim_custom_role_fini(out);
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "failedPrecondition",
				       "The role projects/%s/roles/%s is not deleted.", project,
				       role_id);
	}
	if (stim_now_ms() - out->deleted_ms > STIM_CUSTOM_ROLE_UNDELETE_MS) {
		stim_custom_role_fini(out);
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "failedPrecondition",
				       "The role was deleted more than 7 days ago and can no "
				       "longer be undeleted.");
	}
	out->deleted_ms = 0;
	return commit(db, &tx, out, err);
}
