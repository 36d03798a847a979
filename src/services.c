/* Service Usage: enabling and disabling APIs per project (see services.h). */
#include "src/services.h"

#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/lro.h"
#include "src/store_services.h"
#include "src/util.h"

#define MAX_BATCH 20 /* services.batchEnable takes at most 20 */

int stim_service_name_check(const char *service, stim_error_t *err)
{
	static const char suffix[] = ".googleapis.com";
	size_t n = strlen(service);
	size_t stem = n - (sizeof(suffix) - 1);

	if (n <= sizeof(suffix) - 1 || n > 100 || !stim_str_has_suffix(service, suffix) ||
	    !(service[0] >= 'a' && service[0] <= 'z') ||
	    strspn(service, "abcdefghijklmnopqrstuvwxyz0123456789-.") < stem)
		/* What Service Usage answers for a service it does not know. */
		return stim_err_reason(err, STIM_PERMISSION_DENIED, "forbidden",
				       "Not found or permission denied for service(s): %s.",
				       service);
	return 0;
}

void stim_service_fini(struct stim_service *s)
{
	free(s->name);
	s->name = NULL;
}

void stim_services_free(struct stim_service *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		stim_service_fini(&v[i]);
	free(v);
}

/* Loads the project and insists it is ACTIVE: Service Usage refuses to work
 * on a project that is being deleted. */
static int owner_of(struct stim_ctx *ctx, const char *project, struct stim_project *owner,
		    stim_error_t *err)
{
	if (stim_project_get(ctx, project, owner, err) < 0)
		return -1;
	if (owner->state != STIM_PROJECT_ACTIVE) {
		stim_project_fini(owner);
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "failedPrecondition",
				       "Project '%s' is not active.", project);
	}
	return 0;
}

static int set_state(struct stim_ctx *ctx, const char *project, const char *const *services,
		     size_t n, bool enabled, const char *kind, struct stim_lro *op,
		     stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	cleanup_free char *target = NULL;
	cleanup_free char *name = NULL;
	struct stim_project p;
	size_t len;

	if (db == NULL)
		return -1;
	if (n == 0 || n > MAX_BATCH)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Between 1 and %d services may be enabled at once; %zu were given.",
				MAX_BATCH, n);
	for (size_t i = 0; i < n; i++) {
		if (stim_service_name_check(services[i], err) < 0)
			return -1;
	}
	if (owner_of(ctx, project, &p, err) < 0)
		return -1;

	/* target: "PROJECT_ID/SVC,SVC" (src/lro.h) */
	len = strlen(p.project_id) + 2;
	for (size_t i = 0; i < n; i++)
		len += strlen(services[i]) + 1;
	target = xmalloc(len);
	strcpy(target, p.project_id);
	strcat(target, "/");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(target, ",");
		strcat(target, services[i]);
	}

	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (stim_store_service_set(db, p.project_id, services[i], enabled, err) < 0)
			goto fail;
	}
	if (stim_lro_record(db, "acf", kind, target, &name, err) < 0 ||
	    stim_tx_commit(steal_pointer(&tx), err) < 0)
		goto fail;
	stim_project_fini(&p);
	return stim_lro_get(ctx, name, op, err);
fail:
	stim_project_fini(&p);
	return -1;
}

int stim_services_enable(struct stim_ctx *ctx, const char *project, const char *const *services,
			 size_t n, struct stim_lro *op, stim_error_t *err)
{
	return set_state(ctx, project, services, n, true,
			 n == 1 ? "service.enable" : "service.batchEnable", op, err);
}

int stim_service_disable(struct stim_ctx *ctx, const char *project, const char *service,
			 struct stim_lro *op, stim_error_t *err)
{
	return set_state(ctx, project, &service, 1, false, "service.disable", op, err);
}

int stim_service_get(struct stim_ctx *ctx, const char *project, const char *service,
		     struct stim_project *owner, struct stim_service *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_project p;
	bool enabled = false;

	if (db == NULL)
		return -1;
	if (stim_service_name_check(service, err) < 0)
		return -1;
	if (stim_project_get(ctx, project, &p, err) < 0)
		return -1;
	if (stim_store_service_get(db, p.project_id, service, &enabled, err) < 0) {
		stim_project_fini(&p);
		return -1;
	}
	out->name = xstrdup(service);
	out->enabled = enabled;
	*owner = p;
	return 0;
}

int stim_services_list(struct stim_ctx *ctx, const char *project, const char *state_filter,
		       struct stim_project *owner, struct stim_service **out, size_t *n,
		       stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_project p;

	if (db == NULL)
		return -1;
	if (state_filter != NULL && strcmp(state_filter, "ENABLED") != 0 &&
	    strcmp(state_filter, "DISABLED") != 0)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid filter: expected state:ENABLED or state:DISABLED.");
	if (stim_project_get(ctx, project, &p, err) < 0)
		return -1;
	*out = NULL;
	*n = 0;
	if ((state_filter == NULL || strcmp(state_filter, "ENABLED") == 0) &&
	    stim_store_services_enabled(db, p.project_id, out, n, err) < 0) {
		stim_project_fini(&p);
		return -1;
	}
	*owner = p;
	return 0;
}
