/* IAM service accounts (see service_accounts.h). */
#include "src/service_accounts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/compute_projects.h"
#include "src/iam_policy.h"
#include "src/store_service_accounts.h"
#include "src/util.h"

#define DISPLAY_NAME_MAX 100
#define DESCRIPTION_MAX	 256

void stim_sa_fini(struct stim_service_account *sa)
{
	free(sa->project);
	free(sa->account_id);
	free(sa->email);
	free(sa->display_name);
	free(sa->description);
	memset(sa, 0, sizeof(*sa));
}

int stim_sa_account_id_check(const char *id, stim_error_t *err)
{
	size_t n = strlen(id);
	bool ok = n >= 6 && n <= 30 && islower((unsigned char)id[0]) && id[n - 1] != '-';

	for (size_t i = 0; ok && i < n; i++)
		ok = islower((unsigned char)id[i]) || isdigit((unsigned char)id[i]) || id[i] == '-';
	if (!ok)
		return stim_err_reason(
			err, STIM_INVALID_ARGUMENT, "badRequest",
			"Invalid value for field 'accountId': '%s'. Account ID must be between 6 "
			"and 30 characters, start with a lowercase letter, and contain only "
			"lowercase letters, digits and dashes, not ending with a dash.",
			id);
	return 0;
}

json_t *stim_sa_json(const struct stim_service_account *sa)
{
	/* The generation's bytes, as IAM's etags are (never 0: "ACAB"). */
	cleanup_free char *etag = stim_iam_etag(sa->gen);
	json_t *j;

	j = json_pack("{s:o, s:s, s:o, s:s, s:s, s:o}", "name",
		      json_sprintf("projects/%s/serviceAccounts/%s", sa->project, sa->email),
		      "projectId", sa->project, "uniqueId",
		      json_sprintf("%lld", (long long)sa->unique_id), "email", sa->email, "etag",
		      etag, "oauth2ClientId", json_sprintf("%lld", (long long)sa->unique_id));
	if (sa->display_name != NULL)
		json_object_set_new(j, "displayName", json_string(sa->display_name));
	if (sa->description != NULL)
		json_object_set_new(j, "description", json_string(sa->description));
	if (sa->disabled)
		json_object_set_new(j, "disabled", json_true());
	return j;
}

static int texts_check(const char *display_name, const char *description, stim_error_t *err)
{
	if (display_name != NULL && strlen(display_name) > DISPLAY_NAME_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Display name must be at most %d characters.",
				       DISPLAY_NAME_MAX);
	if (description != NULL && strlen(description) > DESCRIPTION_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "Description must be at most %d characters.",
				       DESCRIPTION_MAX);
	return 0;
}

int stim_sa_create(struct stim_ctx *ctx, const char *project, const char *account_id,
		   const char *display_name, const char *description,
		   struct stim_service_account *out, stim_error_t *err)
{
	struct stim_service_account sa = { 0 };
	cleanup_db struct stim_db *db = NULL;

	memset(out, 0, sizeof(*out));
	if (account_id == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required parameter 'accountId' is missing.");
	if (stim_sa_account_id_check(account_id, err) < 0 ||
	    texts_check(display_name, description, err) < 0 ||
	    stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	if (db == NULL)
		return -1;
	sa = (struct stim_service_account){
		.project = xstrdup(project),
		.account_id = xstrdup(account_id),
		.email = xasprintf("%s@%s.iam.gserviceaccount.com", account_id, project),
		/* 19 digits, as GCP's unique ids are numbers of about that size. */
		.unique_id = 1000000000000000000LL +
			     (int64_t)(stim_random_u64() % 8000000000000000000ULL),
		.display_name = display_name != NULL ? xstrdup(display_name) : NULL,
		.description = description != NULL ? xstrdup(description) : NULL,
		.create_ms = stim_now_ms(),
		.gen = 1,
	};
	if (stim_store_sa_insert(db, &sa, err) < 0) {
		stim_sa_fini(&sa);
		return -1;
	}
	*out = sa;
	return 0;
}

int stim_sa_find(struct stim_db *db, const char *name, bool deleted,
		 struct stim_service_account *out, stim_error_t *err)
{
	char *end;
	long long id = strtoll(name, &end, 10);
	bool numeric = *name != '\0' && *end == '\0';

	return stim_store_sa_get(db, numeric ? NULL : name, numeric ? id : 0, deleted, out, err);
}

int stim_sa_get(struct stim_ctx *ctx, const char *name, struct stim_service_account *out,
		stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL)
		return -1;
	return stim_sa_find(db, name, false, out, err);
}

int stim_sa_list(struct stim_ctx *ctx, const char *project, const char *after, int limit,
		 struct stim_service_account **out, size_t *n, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	*out = NULL;
	*n = 0;
	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	if (db == NULL)
		return -1;
	return stim_store_sa_list(db, project, after != NULL ? after : "", limit, out, n, err);
}

static void set_text(char **field, const char *value)
{
	free(*field);
	*field = value != NULL && *value != '\0' ? xstrdup(value) : NULL;
}

int stim_sa_patch(struct stim_ctx *ctx, const char *name, const char *display_name,
		  const char *description, const char *mask, struct stim_service_account *out,
		  stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL || texts_check(display_name, description, err) < 0 ||
	    stim_sa_find(db, name, false, out, err) < 0)
		return -1;
	if (mask == NULL ||
	    (!stim_csv_has(mask, "displayName") && !stim_csv_has(mask, "description"))) {
		stim_sa_fini(out);
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
				       "updateMask must name displayName or description.");
	}
	if (stim_csv_has(mask, "displayName"))
		set_text(&out->display_name, display_name);
	if (stim_csv_has(mask, "description"))
		set_text(&out->description, description);
	if (stim_store_sa_update(db, out, err) < 0) {
		stim_sa_fini(out);
		return -1;
	}
	out->gen++;
	return 0;
}

int stim_sa_set_disabled(struct stim_ctx *ctx, const char *name, bool disabled, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_service_account sa;
	int ret;

	if (db == NULL || stim_sa_find(db, name, false, &sa, err) < 0)
		return -1;
	sa.disabled = disabled;
	ret = stim_store_sa_update(db, &sa, err);
	stim_sa_fini(&sa);
	return ret;
}

int stim_sa_delete(struct stim_ctx *ctx, const char *name, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_service_account sa;
	int ret;

	if (db == NULL || stim_sa_find(db, name, false, &sa, err) < 0)
		return -1;
	sa.deleted_ms = stim_now_ms();
	ret = stim_store_sa_update(db, &sa, err);
	stim_sa_fini(&sa);
	return ret;
}

int stim_sa_undelete(struct stim_ctx *ctx, const char *name, struct stim_service_account *out,
		     stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL || stim_sa_find(db, name, true, out, err) < 0)
		return -1;
	if (stim_now_ms() - out->deleted_ms > STIM_SA_UNDELETE_MS) {
		stim_sa_fini(out);
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "Unknown service account: deleted more than 30 days ago");
	}
	out->deleted_ms = 0;
	if (stim_store_sa_update(db, out, err) < 0) {
		stim_sa_fini(out);
		return -1;
	}
	out->gen++;
	return 0;
}
