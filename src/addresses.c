/* Static external IP addresses (see addresses.h). */
#include "src/addresses.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/compute_projects.h"
#include "src/external_ips.h"
#include "src/json.h"
#include "src/store_addresses.h"
#include "src/util.h"

static int record(struct stim_db *db, const struct stim_address *a, const char *type,
		  struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_free char *target =
		xasprintf("projects/%s/regions/%s/addresses/%s", a->project, a->region, a->name);
	char id[24];
	struct stim_compute_op_spec spec = {
		.project = a->project,
		.scope_type = STIM_OP_REGION,
		.scope = a->region,
		.type = type,
		.target = target,
		.target_id = id,
		.done = true,
	};

	snprintf(id, sizeof(id), "%lld", (long long)a->id);
	return stim_compute_op_record(db, &spec, op, err);
}

static int region_check(struct stim_ctx *ctx, const char *project, const char *region,
			stim_error_t *err)
{
	if (stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	if (stim_compute_region_find(region) == NULL)
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The resource 'projects/%s/regions/%s' was not found",
				       project, region);
	return 0;
}

/* The body's members this emulator builds: name, description, address,
 * and addressType EXTERNAL (the default). */
static int from_body(json_t *body, const char **name, const char **description,
		     const char **address, stim_error_t *err)
{
	const char *type = NULL;

	if (stim_json_get_string(body, "name", name, err) < 0 ||
	    stim_json_get_string(body, "description", description, err) < 0 ||
	    stim_json_get_string(body, "address", address, err) < 0 ||
	    stim_json_get_string(body, "addressType", &type, err) < 0)
		return -1;
	if (*name == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field 'resource.name' not specified");
	if (type != NULL && strcmp(type, "EXTERNAL") != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.addressType': '%s'. Only "
				       "EXTERNAL addresses are built here.",
				       type);
	return stim_compute_name_check(*name, err);
}

int stim_address_insert(struct stim_ctx *ctx, const char *project, const char *region, json_t *body,
			struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	const char *name = NULL;
	const char *description = NULL;
	const char *want = NULL;
	struct stim_address a = { 0 };
	int ret = -1;

	if (region_check(ctx, project, region, err) < 0 ||
	    from_body(body, &name, &description, &want, err) < 0)
		return -1;
	a.project = xstrdup(project);
	a.region = xstrdup(region);
	a.name = xstrdup(name);
	a.id = (int64_t)(stim_random_u64() & INT64_MAX);
	a.description = description != NULL ? xstrdup(description) : NULL;
	a.create_time_ms = stim_now_ms();
	db = stim_store_db(ctx->store, err);
	tx = db != NULL ? stim_tx_begin(db, err) : NULL;
	/* region NULL: a static address takes no other one. */
	if (tx == NULL ||
	    stim_external_ip_take(db, ctx->cfg, want, "resource.address", project, NULL, &a.address,
				  err) < 0 ||
	    stim_store_address_put(db, &a, err) < 0 || record(db, &a, "insert", op, err) < 0)
		goto out;
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_compute_op_fini(op);
		goto out;
	}
	ret = 0;
out:
	stim_address_fini(&a);
	return ret;
}

int stim_address_get(struct stim_ctx *ctx, const char *project, const char *region,
		     const char *name, struct stim_address *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (region_check(ctx, project, region, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	return db != NULL ? stim_store_address_get(db, project, region, name, out, err) : -1;
}

int stim_address_list(struct stim_ctx *ctx, const char *project, const char *region,
		      const char *after_region, const char *after_name, int max,
		      struct stim_address **out, size_t *n, bool *more, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (region != NULL ? region_check(ctx, project, region, err) < 0
			   : stim_compute_project_check(ctx, project, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	if (db == NULL || stim_store_address_scan(db, project, region, after_region, after_name,
						  max + 1, out, n, err) < 0)
		return -1;
	*more = *n > (size_t)max;
	if (*more)
		stim_address_fini(&(*out)[--*n]);
	return 0;
}

int stim_address_delete(struct stim_ctx *ctx, const char *project, const char *region,
			const char *name, struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_address a;
	int ret = -1;

	if (region_check(ctx, project, region, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	tx = db != NULL ? stim_tx_begin(db, err) : NULL;
	if (tx == NULL || stim_store_address_get(db, project, region, name, &a, err) < 0)
		return -1;
	if (a.user != NULL)
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "resourceInUseByAnotherResource",
				"The address resource 'projects/%s/regions/%s/addresses/%s' is "
				"already being used by '%s'",
				project, region, name, a.user);
	else if (stim_store_address_remove(db, project, region, name, err) == 0 &&
		 record(db, &a, "delete", op, err) == 0) {
		if (stim_tx_commit(steal_pointer(&tx), err) == 0)
			ret = 0;
		else
			stim_compute_op_fini(op);
	}
	stim_address_fini(&a);
	return ret;
}
