/* Compute Engine's view of a project (see compute_projects.h). */
#include "src/compute_projects.h"

#include <string.h>

#include "src/cleanup.h"
#include "src/metadata_server.h"
#include "src/store_compute_projects.h"
#include "src/util.h"

#define METADATA_KEY_MAX   128
#define METADATA_VALUE_MAX (256 * 1024)
#define METADATA_TOTAL_MAX (512 * 1024)

void stim_compute_metadata_fini(struct stim_compute_metadata *m)
{
	stim_labels_fini(&m->items);
	memset(m, 0, sizeof(*m));
}

int stim_compute_metadata_check_key(const char *key, size_t index, stim_error_t *err)
{
	size_t n = strlen(key);

	if (n == 0 || n > METADATA_KEY_MAX ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.items[%zu].key': '%s'. "
				       "Must be a match of regex '[a-zA-Z0-9-_]{1,128}'",
				       index, key);
	return 0;
}

int stim_compute_metadata_check(const struct stim_labels *items, stim_error_t *err)
{
	size_t total = 0;

	for (size_t i = 0; i < items->n; i++) {
		size_t len = strlen(items->v[i].value);

		if (stim_compute_metadata_check_key(items->v[i].key, i, err) < 0)
			return -1;
		if (len > METADATA_VALUE_MAX)
			return stim_err_reason(
				err, STIM_INVALID_ARGUMENT, "invalid",
				"Value for field 'resource.items[%zu].value' is too "
				"large: maximum size 262144 character(s); actual size "
				"%zu.",
				i, len);
		total += strlen(items->v[i].key) + len;
	}
	if (total > METADATA_TOTAL_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Metadata has a total size of %zu bytes; the limit is "
				       "524288.",
				       total);
	return 0;
}

static int project_not_found(const char *project, stim_error_t *err)
{
	return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
			       "The resource 'projects/%s' was not found", project);
}

/* The project, active; GCE's NOT_FOUND otherwise. */
static int active_project(struct stim_ctx *ctx, const char *project, struct stim_project *p,
			  stim_error_t *err)
{
	cleanup_error stim_error_t perr = NULL;

	if (stim_project_get(ctx, project, p, &perr) < 0) {
		if (perr->code != STIM_PERMISSION_DENIED && perr->code != STIM_NOT_FOUND) {
			*err = steal_pointer(&perr);
			return -1;
		}
		return project_not_found(project, err);
	}
	if (p->state != STIM_PROJECT_ACTIVE) {
		stim_project_fini(p);
		return project_not_found(project, err);
	}
	return 0;
}

int stim_compute_project_check(struct stim_ctx *ctx, const char *project, stim_error_t *err)
{
	struct stim_project p;

	if (active_project(ctx, project, &p, err) < 0)
		return -1;
	stim_project_fini(&p);
	return 0;
}

int stim_compute_project_number(struct stim_ctx *ctx, const char *project, int64_t *number,
				stim_error_t *err)
{
	struct stim_project p;

	if (active_project(ctx, project, &p, err) < 0)
		return -1;
	*number = p.number;
	stim_project_fini(&p);
	return 0;
}

int stim_compute_project_get(struct stim_ctx *ctx, const char *project, struct stim_project *p,
			     struct stim_compute_metadata *m, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (active_project(ctx, project, p, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	memset(m, 0, sizeof(*m));
	/* The id, not a number the caller may have used, keys the row. */
	if (db == NULL || stim_store_compute_metadata_get(db, p->project_id, m, err) < 0) {
		stim_project_fini(p);
		return -1;
	}
	return 0;
}

int stim_compute_project_set_metadata(struct stim_ctx *ctx, const char *project,
				      const unsigned char *fingerprint, struct stim_labels *items,
				      struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_compute_metadata now = { 0 };
	struct stim_compute_metadata next = { 0 };
	struct stim_project p;
	cleanup_free char *target = NULL;
	int ret = -1;

	if (stim_compute_metadata_check(items, err) < 0 ||
	    active_project(ctx, project, &p, err) < 0) {
		stim_labels_fini(items);
		return -1;
	}
	next.items = *items;
	memset(items, 0, sizeof(*items));
	db = stim_store_db(ctx->store, err);
	tx = db != NULL ? stim_tx_begin(db, err) : NULL;
	if (tx == NULL || stim_store_compute_metadata_get(db, p.project_id, &now, err) < 0)
		goto out;
	if (fingerprint != NULL &&
	    memcmp(fingerprint, now.fingerprint, STIM_FINGERPRINT_LEN) != 0) {
		stim_err_reason(
			err, STIM_FAILED_PRECONDITION, "conditionNotMet",
			"Supplied fingerprint does not match current metadata fingerprint.");
		goto out;
	}
	stim_random_bytes(next.fingerprint, sizeof(next.fingerprint));
	target = xasprintf("projects/%s", p.project_id);
	{
		struct stim_compute_op_spec spec = {
			.project = p.project_id,
			.scope_type = STIM_OP_GLOBAL,
			.type = "setCommonInstanceMetadata",
			.target = target,
			.done = true,
		};
		char id[24];

		snprintf(id, sizeof(id), "%lld", (long long)p.number);
		spec.target_id = id;
		if (stim_store_compute_metadata_put(db, p.project_id, &next, err) < 0 ||
		    stim_compute_op_record(db, &spec, op, err) < 0)
			goto out;
	}
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_compute_op_fini(op);
		goto out;
	}
	stim_metadata_changed();
	ret = 0;
out:
	stim_project_fini(&p);
	stim_compute_metadata_fini(&now);
	stim_compute_metadata_fini(&next);
	return ret;
}
