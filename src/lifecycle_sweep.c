/* The lifecycle sweeper: walks the buckets that have rules and acts on
 * what src/lifecycle_match.c decides (see housekeeping.h). */
#include "src/housekeeping.h"

#include <stdlib.h>
#include <string.h>

#include "src/buckets.h"
#include "src/cleanup.h"
#include "src/lifecycle_match.h"
#include "src/log.h"
#include "src/objects.h"
#include "src/store_buckets.h"
#include "src/store_objects.h"
#include "src/util.h"

/* Rows read per hold of the store: requests wait at most this long. */
#define SWEEP_BATCH 256

struct action {
	char *name;
	int64_t generation;
	bool live;
	enum stim_lc_verdict verdict;
	const char *storage_class; /* borrowed from the bucket's rule set */
};

/* Reads one batch from (from, after_gen) and decides on each row; the
 * actions are applied after the store is let go. */
static int decide_batch(struct stim_ctx *ctx, const struct stim_bucket *b, char **from,
			int64_t *after_gen, int64_t now_ms, struct action *acts, size_t *nacts,
			size_t *nrows, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	bool count_newer = stim_lifecycle_needs_versions(&b->lifecycle);
	struct stim_object *rows = NULL;
	size_t n = 0;
	int ret = -1;

	*nacts = 0;
	if (db == NULL || stim_store_object_scan(db, b->name, *from, *after_gen, NULL, true,
						 SWEEP_BATCH, &rows, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct stim_object *o = &rows[i];
		struct stim_lc_object lo = {
			.name = o->name,
			.storage_class = o->storage_class,
			.create_time_ms = o->create_time_ms,
			.live = o->live,
			.noncurrent_time_ms = o->noncurrent_time_ms,
		};
		const char *cls = NULL;
		enum stim_lc_verdict v;

		if (count_newer &&
		    stim_store_object_newer_count(db, b->name, o->name, o->generation,
						  &lo.newer_versions, err) < 0)
			goto out;
		v = stim_lifecycle_decide(&b->lifecycle, &lo, now_ms, &cls);
		if (v == STIM_LC_KEEP)
			continue;
		acts[*nacts] = (struct action){ .name = xstrdup(o->name),
						.generation = o->generation,
						.live = o->live,
						.verdict = v,
						.storage_class = cls };
		(*nacts)++;
	}
	if (n > 0) {
		free(*from);
		*from = xstrdup(rows[n - 1].name);
		*after_gen = rows[n - 1].generation;
	}
	*nrows = n;
	ret = 0;
out:
	for (size_t i = 0; ret < 0 && i < *nacts; i++)
		free(acts[i].name);
	for (size_t i = 0; i < n; i++)
		stim_object_fini(&rows[i]);
	free(rows);
	return ret;
}

static int set_class(struct stim_ctx *ctx, const char *bucket, const struct action *a,
		     stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

	if (db == NULL)
		return -1;
	return stim_store_object_set_class(db, bucket, a->name, a->generation, a->storage_class,
					   stim_now_ms(), err);
}

/* Applies one action through the same paths as the API: a live object is
 * deleted only if it is still the generation that was judged (in a
 * versioned bucket it becomes noncurrent, as a user's delete would). */
static void apply(struct stim_ctx *ctx, const char *bucket, const struct action *a)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_object_cond cond = { .has_gen_match = true, .gen_match = a->generation };
	int ret;

	if (a->verdict == STIM_LC_SET_CLASS)
		ret = set_class(ctx, bucket, a, &err);
	else if (a->live)
		ret = stim_object_delete(ctx, bucket, a->name, 0, &cond, &err);
	else
		ret = stim_object_delete(ctx, bucket, a->name, a->generation, NULL, &err);
	if (ret == 0) {
		STIM_LOG_I("lifecycle: gs://%s/%s#%lld %s%s", bucket, a->name,
			   (long long)a->generation,
			   a->verdict == STIM_LC_DELETE ? "deleted" : "set to ",
			   a->verdict == STIM_LC_DELETE ? "" : a->storage_class);
		return;
	}
	/* Changed or gone since it was judged: the next sweep sees it anew. */
	if (err->code != STIM_NOT_FOUND && err->code != STIM_FAILED_PRECONDITION)
		STIM_LOG_W("lifecycle: gs://%s/%s: %s", bucket, a->name, err->msg);
}

static int sweep_bucket(struct stim_ctx *ctx, const char *name, int64_t now_ms, int *acted,
			stim_error_t *err)
{
	struct action acts[SWEEP_BATCH];
	cleanup_free char *from = xstrdup("");
	int64_t after_gen = 0;
	struct stim_bucket b;
	size_t nrows;

	if (stim_bucket_get(ctx, name, NULL, &b, err) < 0)
		return -1;
	do {
		size_t nacts = 0;

		if (decide_batch(ctx, &b, &from, &after_gen, now_ms, acts, &nacts, &nrows, err) <
		    0) {
			stim_bucket_fini(&b);
			return -1;
		}
		for (size_t i = 0; i < nacts; i++) {
			apply(ctx, name, &acts[i]);
			free(acts[i].name);
		}
		*acted += (int)nacts;
	} while (nrows == SWEEP_BATCH);
	stim_bucket_fini(&b);
	return 0;
}

int stim_lifecycle_sweep(struct stim_ctx *ctx, int64_t now_ms, stim_error_t *err)
{
	struct stim_strv names = { 0 };
	int acted = 0;

	{
		cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);

		if (db == NULL || stim_store_buckets_with_lifecycle(db, &names, err) < 0) {
			stim_strv_fini(&names);
			return -1;
		}
	}
	for (size_t i = 0; i < names.n; i++) {
		cleanup_error stim_error_t berr = NULL;

		/* One bucket's trouble (or its deletion meanwhile) does not
		 * stop the others. */
		if (sweep_bucket(ctx, names.v[i], now_ms, &acted, &berr) < 0 &&
		    berr->code != STIM_NOT_FOUND)
			STIM_LOG_W("lifecycle: bucket %s: %s", names.v[i], berr->msg);
	}
	stim_strv_fini(&names);
	return acted;
}
