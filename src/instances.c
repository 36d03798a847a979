/* Compute Engine instances: the calls, each checked and recorded with
 * its operation in one transaction; the host work follows on a worker
 * (src/instances_jobs.c). See instances.h. */
#include "src/instances.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/compute_images.h"
#include "src/console.h"
#include "src/instances_internal.h"
#include "src/store_compute_ops.h"
#include "src/store_instances.h"
#include "src/util.h"

/* GCE's limit on an instance's network tags. */
#define TAGS_MAX 64
/* The most getSerialPortOutput returns at once (GCE's is 1 MiB too). */
#define SERIAL_MAX (1 << 20)

void stim_instance_fini(struct stim_instance *in)
{
	free(in->project);
	free(in->zone);
	free(in->name);
	free(in->status);
	free(in->status_message);
	free(in->machine_type);
	free(in->image);
	free(in->source_image);
	free(in->description);
	stim_labels_fini(&in->metadata);
	stim_labels_fini(&in->labels);
	stim_strv_fini(&in->tags);
	free(in->nic.network);
	free(in->nic.region);
	free(in->nic.subnet);
	free(in->service_account);
	free(in->scopes);
	memset(in, 0, sizeof(*in));
}

int stim_instance_name_check(const char *name, stim_error_t *err)
{
	return stim_compute_name_check(name, err);
}

int stim_instance_tags_check(const struct stim_strv *tags, stim_error_t *err)
{
	if (tags->n > TAGS_MAX)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.tags.items': at most %d "
				       "tags, %zu given.",
				       TAGS_MAX, tags->n);
	for (size_t i = 0; i < tags->n; i++) {
		if (!stim_compute_name_valid(tags->v[i]))
			return stim_err_reason(
				err, STIM_INVALID_ARGUMENT, "invalid",
				"Invalid value for field 'resource.tags.items[%zu]': "
				"'%s'. Must be a match of regex "
				"'(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
				i, tags->v[i]);
	}
	return 0;
}

int stim_instance_machine_type_check(const char *given, const char *zone, const char **name,
				     stim_error_t *err)
{
	const char *mt = given != NULL ? stim_path_basename(given) : "";

	if (stim_compute_machine_type_find(mt) == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Invalid value for field 'resource.machineType': '%s'. "
				       "Machine type with name '%s' does not exist in zone '%s'.",
				       given != NULL ? given : "", mt, zone);
	*name = mt;
	return 0;
}

int stim_instance_begin(struct stim_ctx *ctx, const char *project, const char *zone,
			const char *name, struct stim_db **db, struct stim_tx **tx,
			struct stim_instance *in, stim_error_t *err)
{
	if (stim_compute_project_check(ctx, project, err) < 0 ||
	    stim_compute_zone_check(project, zone, err) < 0)
		return -1;
	*db = stim_store_db(ctx->store, err);
	*tx = *db != NULL ? stim_tx_begin(*db, err) : NULL;
	if (*tx == NULL || stim_store_instance_get(*db, project, zone, name, in, err) < 0)
		return -1;
	return 0;
}

int stim_instance_record_op(struct stim_db *db, const struct stim_instance *in, const char *type,
			    bool done, struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_free char *target =
		xasprintf("projects/%s/zones/%s/instances/%s", in->project, in->zone, in->name);
	char id[24];
	struct stim_compute_op_spec spec = {
		.project = in->project,
		.scope_type = STIM_OP_ZONE,
		.scope = in->zone,
		.type = type,
		.target = target,
		.target_id = id,
		.done = done,
	};

	snprintf(id, sizeof(id), "%lld", (long long)in->id);
	return stim_compute_op_record(db, &spec, op, err);
}

/* GCE's INSTANCES quota: so many instances of a project in one region
 * (--instance-quota). Counted in the insert's transaction, so two inserts
 * racing for the last place cannot both have it. */
static int quota_check(struct stim_ctx *ctx, struct stim_db *db, const struct stim_instance *in,
		       stim_error_t *err)
{
	const struct stim_region *region = stim_compute_zone_region(in->zone);
	int64_t count = 0;

	if (region == NULL ||
	    stim_store_instance_count_region(db, in->project, region->name, &count, err) < 0)
		return region == NULL ? 0 : -1;
	if (count >= (int64_t)ctx->cfg->instance_quota)
		return stim_err_reason(err, STIM_RESOURCE_EXHAUSTED, "quotaExceeded",
				       "Quota 'INSTANCES' exceeded.  Limit: %u.0 in region %s.",
				       ctx->cfg->instance_quota, region->name);
	return 0;
}

int stim_instance_insert(struct stim_ctx *ctx, const char *project, const char *zone,
			 const struct stim_instance_spec *spec, struct stim_compute_op *op,
			 stim_error_t *err)
{
	const char *mt = NULL;
	const struct stim_compute_image *image;
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_instance in = { 0 };
	unsigned char raw[8];
	int64_t number;
	int ret = -1;

	if (spec->name == NULL)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field 'resource.name' not specified");
	if (stim_instance_name_check(spec->name, err) < 0 ||
	    stim_compute_zone_check(project, zone, err) < 0 ||
	    stim_compute_metadata_check(&spec->metadata, err) < 0 ||
	    stim_instance_tags_check(&spec->tags, err) < 0)
		return -1;
	for (size_t i = 0; i < spec->labels.n; i++) {
		if (stim_label_key_check(spec->labels.v[i].key, err) < 0 ||
		    stim_label_value_check(spec->labels.v[i].key, spec->labels.v[i].value, err) < 0)
			return -1;
	}
	if (stim_instance_machine_type_check(spec->machine_type, zone, &mt, err) < 0)
		return -1;
	/* The default family takes debian-12 once it is built, host before. */
	image = stim_compute_image_resolve(project, spec->source_image,
					   stim_image_built(ctx->cfg->data_dir, "debian-12"), err);
	if (image == NULL)
		return -1;
	in.project = xstrdup(project);
	in.zone = xstrdup(zone);
	in.name = xstrdup(spec->name);
	stim_random_bytes(raw, sizeof(raw));
	memcpy(&in.id, raw, sizeof(in.id));
	in.id &= INT64_MAX;
	in.status = xstrdup("PROVISIONING");
	in.machine_type = xstrdup(mt);
	in.image = xstrdup(image->recipe);
	in.source_image = spec->source_image != NULL ? xstrdup(spec->source_image) : NULL;
	in.description = spec->description != NULL ? xstrdup(spec->description) : NULL;
	stim_random_bytes(in.metadata_fingerprint, sizeof(in.metadata_fingerprint));
	for (size_t i = 0; i < spec->metadata.n; i++)
		stim_labels_set(&in.metadata, spec->metadata.v[i].key, spec->metadata.v[i].value);
	for (size_t i = 0; i < spec->labels.n; i++)
		stim_labels_set(&in.labels, spec->labels.v[i].key, spec->labels.v[i].value);
	for (size_t i = 0; i < spec->tags.n; i++)
		stim_strv_add_sorted(&in.tags, spec->tags.v[i]);
	stim_random_bytes(in.label_fingerprint, sizeof(in.label_fingerprint));
	stim_random_bytes(in.tags_fingerprint, sizeof(in.tags_fingerprint));
	in.create_time_ms = stim_now_ms();
	if (stim_compute_project_number(ctx, project, &number, err) < 0)
		goto out;
	if (spec->service_account != NULL) {
		/* "default" (what gcloud sends) is the project's Compute
		 * Engine default account, named after its number. */
		in.service_account =
			strcmp(spec->service_account, "default") == 0
				? xasprintf("%lld-compute@developer.gserviceaccount.com",
					    (long long)number)
				: xstrdup(spec->service_account);
		in.scopes = stim_strv_join(&spec->scopes, " ");
	}
	db = stim_store_db(ctx->store, err);
	tx = db != NULL ? stim_tx_begin(db, err) : NULL;
	if (tx == NULL || quota_check(ctx, db, &in, err) < 0 ||
	    stim_instance_nic_plan(db, ctx->cfg, project, zone, spec, &in.nic, err) < 0 ||
	    stim_store_instance_insert(db, &in, err) < 0 ||
	    stim_instance_record_op(db, &in, "insert", false, op, err) < 0)
		goto out;
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_compute_op_fini(op);
		goto out;
	}
	stim_db_release(steal_pointer(&db));
	stim_instance_job(ctx, &in, op, STIM_JOB_INSERT);
	ret = 0;
out:
	stim_instance_fini(&in);
	return ret;
}

int stim_instance_delete(struct stim_ctx *ctx, const char *project, const char *zone,
			 const char *name, struct stim_compute_op *op, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_instance in;
	int ret = -1;

	if (stim_instance_begin(ctx, project, zone, name, &db, &tx, &in, err) < 0)
		return -1;
	/* A start or stop in flight owns the instance until it ends. */
	if (strcmp(in.status, "RUNNING") != 0 && strcmp(in.status, "TERMINATED") != 0 &&
	    strcmp(in.status, "SUSPENDED") != 0) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "resourceNotReady",
				"The resource 'projects/%s/zones/%s/instances/%s' is not ready",
				project, zone, name);
		goto out;
	}
	free(in.status);
	in.status = xstrdup("STOPPING");
	if (stim_store_instance_set_state(db, &in, err) < 0 ||
	    stim_instance_record_op(db, &in, "delete", false, op, err) < 0)
		goto out;
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_compute_op_fini(op);
		goto out;
	}
	stim_db_release(steal_pointer(&db));
	stim_instance_job(ctx, &in, op, STIM_JOB_DELETE);
	ret = 0;
out:
	stim_instance_fini(&in);
	return ret;
}

int stim_instance_get(struct stim_ctx *ctx, const char *project, const char *zone, const char *name,
		      struct stim_instance *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;

	if (stim_compute_project_check(ctx, project, err) < 0 ||
	    stim_compute_zone_check(project, zone, err) < 0)
		return -1;
	db = stim_store_db(ctx->store, err);
	return db != NULL ? stim_store_instance_get(db, project, zone, name, out, err) : -1;
}

int stim_instance_list(struct stim_ctx *ctx, const char *project, const char *zone,
		       const char *after, int max, struct stim_instance **out, size_t *n,
		       bool *more, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_free char *after_zone = NULL;
	const char *after_name = "";

	if (stim_compute_project_check(ctx, project, err) < 0 ||
	    (zone != NULL && stim_compute_zone_check(project, zone, err) < 0))
		return -1;
	/* A zonal page token is a name; an aggregated one "zone/name". */
	if (zone != NULL) {
		after_zone = xstrdup(zone);
		after_name = after;
	} else {
		const char *slash = strchr(after, '/');

		after_zone = slash != NULL ? xstrndup(after, (size_t)(slash - after)) : xstrdup("");
		after_name = slash != NULL ? slash + 1 : "";
	}
	db = stim_store_db(ctx->store, err);
	if (db == NULL || stim_store_instance_scan(db, project, zone, after_zone, after_name,
						   max + 1, out, n, err) < 0)
		return -1;
	*more = *n > (size_t)max;
	if (*more)
		stim_instance_fini(&(*out)[--*n]);
	return 0;
}

int stim_instance_serial(struct stim_ctx *ctx, const char *project, const char *zone,
			 const char *name, int64_t start, size_t max, char **out, int64_t *next,
			 stim_error_t *err)
{
	struct stim_instance in;
	cleanup_free char *path = NULL;
	cleanup_close int fd = -1;
	struct stat st;
	ssize_t n;

	if (stim_instance_get(ctx, project, zone, name, &in, err) < 0)
		return -1;
	path = stim_instance_console_path(ctx, in.id);
	stim_instance_fini(&in);
	if (max > SERIAL_MAX)
		max = SERIAL_MAX;
	*out = xmalloc(max + 1);
	(*out)[0] = '\0';
	*next = start;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return 0; /* nothing written yet */
	/* Past the end: GCE answers from the end, and so does this. Before
	 * what is kept (the console is capped): from the first byte kept. */
	if (start < 0 || start > st.st_size)
		start = st.st_size;
	if (start < stim_console_first(fd))
		start = stim_console_first(fd);
	n = pread(fd, *out, max, start);
	if (n < 0) {
		free(*out);
		*out = NULL;
		return stim_err_sys(err, errno, "read %s", path);
	}
	(*out)[n] = '\0';
	*next = start + n;
	return 0;
}

/* What each verb acts on: the status it needs, the status in which it is
 * already done (a DONE operation, no work), the status while it runs. */
static const struct verb {
	const char *type;
	const char *from;
	const char *done_in;
	const char *during;
	enum stim_instance_job_kind job;
} verbs[] = {
	[STIM_INSTANCE_STOP] = { "stop", "RUNNING", "TERMINATED", "STOPPING", STIM_JOB_STOP },
	[STIM_INSTANCE_START] = { "start", "TERMINATED", "RUNNING", "STAGING", STIM_JOB_START },
	[STIM_INSTANCE_RESET] = { "reset", "RUNNING", NULL, "RUNNING", STIM_JOB_RESET },
	[STIM_INSTANCE_SUSPEND] = { "suspend", "RUNNING", "SUSPENDED", "SUSPENDING",
				    STIM_JOB_SUSPEND },
	[STIM_INSTANCE_RESUME] = { "resume", "SUSPENDED", "RUNNING", "SUSPENDED", STIM_JOB_RESUME },
};

int stim_instance_act(struct stim_ctx *ctx, const char *project, const char *zone, const char *name,
		      enum stim_instance_verb verb, struct stim_compute_op *op, stim_error_t *err)
{
	const struct verb *v = &verbs[verb];
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_instance in;
	bool already;
	int ret = -1;

	if (stim_instance_begin(ctx, project, zone, name, &db, &tx, &in, err) < 0)
		return -1;
	already = v->done_in != NULL && strcmp(in.status, v->done_in) == 0;
	if (!already && strcmp(in.status, v->from) != 0) {
		stim_err_reason(err, STIM_INVALID_ARGUMENT, "resourceNotReady",
				"The resource 'projects/%s/zones/%s/instances/%s' is not ready "
				"(it is %s)",
				project, zone, name, in.status);
		goto out;
	}
	if (!already) {
		free(in.status);
		in.status = xstrdup(v->during);
		if (stim_store_instance_set_state(db, &in, err) < 0)
			goto out;
	}
	if (stim_instance_record_op(db, &in, v->type, already, op, err) < 0)
		goto out;
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_compute_op_fini(op);
		goto out;
	}
	stim_db_release(steal_pointer(&db));
	if (!already)
		stim_instance_job(ctx, &in, op, v->job);
	ret = 0;
out:
	stim_instance_fini(&in);
	return ret;
}
