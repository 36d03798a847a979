/* Cloud Storage buckets: rules, preconditions, IAM, over the store (see buckets.h). */
#include "src/buckets.h"

#include <stdlib.h>
#include <string.h>

#include "src/bucket_rules.h"
#include "src/cleanup.h"
#include "src/etag.h"
#include "src/page_token.h"
#include "src/projects.h"
#include "src/store_buckets.h"
#include "src/util.h"

#define LIST_DEFAULT 1000
#define LIST_MAX     1000
#define LABELS_MAX   64
/* Soft delete keeps deleted objects 7 days unless told otherwise; a policy
 * is 0 (off) or 7 to 90 days. */
#define SOFT_DELETE_DEFAULT (7 * 86400)
#define SOFT_DELETE_MIN	    (7 * 86400)
#define SOFT_DELETE_MAX	    (90 * 86400)
/* Uniform bucket-level access can be turned off again for 90 days after it
 * was turned on; then it is locked (iamConfiguration...lockedTime). */
#define UNIFORM_LOCK_MS (90LL * 86400 * 1000)

void stim_bucket_fini(struct stim_bucket *b)
{
	free(b->name);
	free(b->location);
	free(b->storage_class);
	free(b->rpo);
	free(b->public_access_prevention);
	stim_labels_fini(&b->labels);
	stim_lifecycle_fini(&b->lifecycle);
	memset(b, 0, sizeof(*b));
}

void stim_bucket_page_fini(struct stim_bucket_page *page)
{
	for (size_t i = 0; i < page->n; i++)
		stim_bucket_fini(&page->items[i]);
	free(page->items);
	free(page->next_page_token);
	memset(page, 0, sizeof(*page));
}

void stim_bucket_spec_fini(struct stim_bucket_spec *spec)
{
	stim_labels_fini(&spec->labels);
	stim_strv_fini(&spec->labels_removed);
	stim_lifecycle_fini(&spec->lifecycle);
}

char *stim_bucket_etag(const struct stim_bucket *b)
{
	return stim_etag_mint(&b->metageneration, 1);
}

static int condition_not_met(stim_error_t *err)
{
	/* GCS's words; api/errors.c answers reason conditionNotMet with 412. */
	return stim_err_reason(err, STIM_FAILED_PRECONDITION, "conditionNotMet",
			       "At least one of the pre-conditions you specified did not hold.");
}

int stim_bucket_cond_check(const struct stim_bucket_cond *cond, int64_t metageneration,
			   stim_error_t *err)
{
	if (cond == NULL)
		return 0;
	if (cond->has_match && cond->match != metageneration)
		return condition_not_met(err);
	if (cond->has_not_match && cond->not_match == metageneration)
		return condition_not_met(err);
	return 0;
}

/* Replaces a string field with a copy of s, which may be the field itself. */
static void set_str(char **field, const char *s)
{
	char *copy = xstrdup(s);

	free(*field);
	*field = copy;
}

/* The labels spec makes of `from`: cleared or kept, then set, then keys
 * removed. */
static int merge_labels(const struct stim_labels *from, const struct stim_bucket_spec *spec,
			bool replace, struct stim_labels *out, stim_error_t *err)
{
	struct stim_labels l = { 0 };
	const struct stim_labels *base = replace || spec->labels_clear ? NULL : from;

	for (size_t i = 0; base != NULL && i < base->n; i++) {
		if (!stim_strv_contains(&spec->labels_removed, base->v[i].key))
			stim_labels_set(&l, base->v[i].key, base->v[i].value);
	}
	for (size_t i = 0; i < spec->labels.n; i++)
		stim_labels_set(&l, spec->labels.v[i].key, spec->labels.v[i].value);
	if (l.n > LABELS_MAX) {
		stim_labels_fini(&l);
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "A bucket can have at most %d labels.", LABELS_MAX);
	}
	*out = l;
	return 0;
}

/* The checked values of a spec over a bucket, before any is applied. */
struct resolved {
	const char *storage_class;
	const char *rpo;
	const char *pap;
	struct stim_labels labels;
	struct stim_lifecycle lifecycle;
};

static void resolved_fini(struct resolved *r)
{
	stim_labels_fini(&r->labels);
	stim_lifecycle_fini(&r->lifecycle);
}

static int check_location(const struct stim_bucket *b, const char *location, stim_error_t *err)
{
	char canonical[STIM_LOCATION_MAX];

	if (stim_bucket_location_check(location, canonical, err) < 0)
		return -1;
	if (strcmp(canonical, b->location) != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "The location of bucket '%s' is %s and cannot be changed.",
				       b->name, b->location);
	return 0;
}

static int check_soft_delete(int64_t seconds, stim_error_t *err)
{
	if (seconds == 0 || (seconds >= SOFT_DELETE_MIN && seconds <= SOFT_DELETE_MAX))
		return 0;
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "softDeletePolicy.retentionDurationSeconds must be 0 or from %d "
			       "(7 days) to %d (90 days); %lld was given.",
			       SOFT_DELETE_MIN, SOFT_DELETE_MAX, (long long)seconds);
}

static int check_uniform_access(const struct stim_bucket *b, bool want, int64_t now_ms,
				stim_error_t *err)
{
	if (want || !b->uniform_access || now_ms < b->uniform_access_time_ms + UNIFORM_LOCK_MS)
		return 0;
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			       "Uniform bucket-level access on bucket '%s' is locked: it was "
			       "turned on more than 90 days ago and cannot be turned off.",
			       b->name);
}

/* Checks every value of spec against b, filling r; changes nothing. */
static int resolve(const struct stim_bucket *b, const struct stim_bucket_spec *spec, bool replace,
		   int64_t now_ms, struct resolved *r, stim_error_t *err)
{
	memset(r, 0, sizeof(*r));
	r->storage_class = replace ? "STANDARD" : b->storage_class;
	r->rpo = replace ? "DEFAULT" : b->rpo;
	r->pap = replace ? "inherited" : b->public_access_prevention;
	if (spec->location != NULL && check_location(b, spec->location, err) < 0)
		return -1;
	if (spec->storage_class != NULL &&
	    stim_storage_class_check(spec->storage_class, &r->storage_class, err) < 0)
		return -1;
	if (spec->rpo != NULL && stim_bucket_rpo_check(spec->rpo, b->location, &r->rpo, err) < 0)
		return -1;
	if (spec->public_access_prevention != NULL &&
	    stim_bucket_pap_check(spec->public_access_prevention, &r->pap, err) < 0)
		return -1;
	if (spec->has_soft_delete && check_soft_delete(spec->soft_delete_seconds, err) < 0)
		return -1;
	if ((spec->has_uniform_access || replace) &&
	    check_uniform_access(b, spec->has_uniform_access && spec->uniform_access, now_ms, err) <
		    0)
		return -1;
	if (spec->has_lifecycle) {
		stim_lifecycle_copy(&r->lifecycle, &spec->lifecycle);
		if (stim_lifecycle_check(&r->lifecycle, err) < 0) {
			resolved_fini(r);
			return -1;
		}
	} else if (!replace) {
		stim_lifecycle_copy(&r->lifecycle, &b->lifecycle);
	}
	if (merge_labels(&b->labels, spec, replace, &r->labels, err) < 0) {
		resolved_fini(r);
		return -1;
	}
	return 0;
}

int stim_bucket_apply(struct stim_bucket *b, const struct stim_bucket_spec *spec, bool replace,
		      int64_t now_ms, stim_error_t *err)
{
	struct resolved r;
	bool uniform = replace ? false : b->uniform_access;
	int64_t soft_delete = replace ? SOFT_DELETE_DEFAULT : b->soft_delete_seconds;

	if (resolve(b, spec, replace, now_ms, &r, err) < 0)
		return -1;
	set_str(&b->storage_class, r.storage_class);
	set_str(&b->rpo, r.rpo);
	set_str(&b->public_access_prevention, r.pap);
	if (replace || spec->has_versioning)
		b->versioning = spec->has_versioning && spec->versioning;
	if (replace || spec->has_default_event_based_hold)
		b->default_event_based_hold =
			spec->has_default_event_based_hold && spec->default_event_based_hold;
	if (spec->has_uniform_access)
		uniform = spec->uniform_access;
	/* The lock clock starts when access turns uniform, not on each write. */
	if (uniform && !b->uniform_access)
		b->uniform_access_time_ms = now_ms;
	if (!uniform)
		b->uniform_access_time_ms = 0;
	b->uniform_access = uniform;
	if (spec->has_soft_delete)
		soft_delete = spec->soft_delete_seconds;
	if (soft_delete != b->soft_delete_seconds) {
		b->soft_delete_seconds = soft_delete;
		b->soft_delete_time_ms = now_ms;
	}
	stim_labels_fini(&b->labels);
	b->labels = r.labels;
	stim_lifecycle_fini(&b->lifecycle);
	b->lifecycle = r.lifecycle;
	return 0;
}

/* Store failures come back as GCS words: a missing bucket is 404
 * "The specified bucket does not exist." */
static int load(struct stim_db *db, const char *name, struct stim_bucket *out, stim_error_t *err)
{
	stim_error_t lerr = NULL;

	if (stim_store_bucket_get(db, name, out, &lerr) == 0)
		return 0;
	if (lerr->code != STIM_NOT_FOUND) {
		*err = lerr;
		return -1;
	}
	stim_error_free(lerr);
	return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
			       "The specified bucket does not exist.");
}

/* Resolves a project id or number. GCS names neither "absent" nor "not
 * yours" differently: both are 404. */
static int load_project(struct stim_ctx *ctx, const char *project, struct stim_project *out,
			stim_error_t *err)
{
	stim_error_t perr = NULL;

	if (project == NULL || project[0] == '\0')
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required parameter: project");
	if (stim_project_get(ctx, project, out, &perr) == 0)
		return 0;
	if (perr->code != STIM_PERMISSION_DENIED && perr->code != STIM_NOT_FOUND) {
		*err = perr;
		return -1;
	}
	stim_error_free(perr);
	return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
			       "The requested project was not found.");
}

static void add_project_member(struct stim_iam_binding *b, const char *role_kind,
			       const char *project_id)
{
	cleanup_free char *m = xasprintf("%s:%s", role_kind, project_id);

	stim_strv_add_sorted(&b->members, m);
}

/* A new bucket's IAM policy, as GCS makes it: the project's owners and
 * editors own the bucket, its viewers read it. */
static void default_policy(const char *project_id, struct stim_iam_policy *p)
{
	struct stim_iam_binding *b;

	memset(p, 0, sizeof(*p));
	p->version = 1;
	b = stim_iam_policy_add(p, "roles/storage.legacyBucketOwner");
	add_project_member(b, "projectEditor", project_id);
	add_project_member(b, "projectOwner", project_id);
	b = stim_iam_policy_add(p, "roles/storage.legacyBucketReader");
	add_project_member(b, "projectViewer", project_id);
}

/* A name already taken: GCS tells its owner apart from everyone else. */
static int name_taken(struct stim_db *db, const char *name, int64_t project_number,
		      stim_error_t *err)
{
	struct stim_bucket old;
	stim_error_t gerr = NULL;
	bool ours;

	if (stim_store_bucket_get(db, name, &old, &gerr) < 0) {
		if (gerr->code == STIM_NOT_FOUND) {
			stim_error_free(gerr);
			return 0;
		}
		*err = gerr;
		return -1;
	}
	ours = old.project_number == project_number;
	stim_bucket_fini(&old);
	if (ours)
		return stim_err_reason(err, STIM_ALREADY_EXISTS, "conflict",
				       "Your previous request to create the named bucket "
				       "succeeded and you already own it.");
	return stim_err_reason(err, STIM_ALREADY_EXISTS, "conflict",
			       "The requested bucket name is not available. The bucket "
			       "namespace is shared by all users of the system. Please select a "
			       "different name and try again.");
}

/* A bucket with GCS's defaults, before the spec is applied. */
static int new_bucket(const struct stim_bucket_spec *spec, int64_t project_number, int64_t now_ms,
		      struct stim_bucket *b, stim_error_t *err)
{
	char location[STIM_LOCATION_MAX];

	if (stim_bucket_location_check(spec->location != NULL ? spec->location : "US", location,
				       err) < 0)
		return -1;
	memset(b, 0, sizeof(*b));
	b->name = xstrdup(spec->name);
	b->project_number = project_number;
	/* Microseconds, as GCS generations are; the random part keeps a name
	 * created twice in one millisecond apart. */
	b->generation = now_ms * 1000 + (int64_t)(stim_random_u64() % 1000);
	b->metageneration = 1;
	b->location = xstrdup(location);
	b->storage_class = xstrdup("STANDARD");
	b->rpo = xstrdup("DEFAULT");
	b->public_access_prevention = xstrdup("inherited");
	b->soft_delete_seconds = SOFT_DELETE_DEFAULT;
	b->soft_delete_time_ms = now_ms;
	b->create_time_ms = now_ms;
	b->update_time_ms = now_ms;
	if (stim_bucket_apply(b, spec, false, now_ms, err) < 0) {
		stim_bucket_fini(b);
		return -1;
	}
	return 0;
}

int stim_bucket_insert(struct stim_ctx *ctx, const char *project,
		       const struct stim_bucket_spec *spec, struct stim_bucket *out,
		       stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_iam_policy policy;
	struct stim_project p;
	struct stim_bucket b;
	int ret;

	if (db == NULL)
		return -1;
	if (spec->name == NULL || spec->name[0] == '\0')
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "required",
				       "Required field: name (the bucket's name).");
	if (stim_bucket_name_check(spec->name, err) < 0)
		return -1;
	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (load_project(ctx, project, &p, err) < 0)
		return -1;
	if (p.state != STIM_PROJECT_ACTIVE) {
		stim_project_fini(&p);
		return stim_err_reason(err, STIM_NOT_FOUND, "notFound",
				       "The requested project was not found.");
	}
	if (name_taken(db, spec->name, p.number, err) < 0 ||
	    new_bucket(spec, p.number, stim_now_ms(), &b, err) < 0) {
		stim_project_fini(&p);
		return -1;
	}
	default_policy(p.project_id, &policy);
	stim_project_fini(&p);
	ret = stim_store_bucket_insert(db, &b, err);
	if (ret == 0)
		ret = stim_store_bucket_policy_put(db, b.name, &policy, err);
	stim_iam_policy_fini(&policy);
	if (ret < 0 || stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_bucket_fini(&b);
		return -1;
	}
	*out = b;
	return 0;
}

int stim_bucket_get(struct stim_ctx *ctx, const char *name, const struct stim_bucket_cond *cond,
		    struct stim_bucket *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_bucket_cond match_only = { 0 };
	struct stim_bucket b;

	if (db == NULL)
		return -1;
	if (load(db, name, &b, err) < 0)
		return -1;
	/* A failed Match is 412 before a NotMatch can answer 304. */
	if (cond != NULL) {
		match_only.has_match = cond->has_match;
		match_only.match = cond->match;
	}
	if (stim_bucket_cond_check(&match_only, b.metageneration, err) < 0) {
		stim_bucket_fini(&b);
		return -1;
	}
	if (cond != NULL && cond->has_not_match && cond->not_match == b.metageneration) {
		stim_bucket_fini(&b);
		return STIM_BUCKET_NOT_MODIFIED;
	}
	*out = b;
	return 0;
}

int stim_bucket_list(struct stim_ctx *ctx, const struct stim_bucket_query *q,
		     struct stim_bucket_page *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_bucket_page page = { 0 };
	struct stim_project p;
	char after[256] = "";
	int limit = q->max_results > 0 ? q->max_results : LIST_DEFAULT;
	int ret;

	if (db == NULL)
		return -1;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	if (stim_page_token_decode(q->page_token, "invalid", after, sizeof(after), err) < 0)
		return -1;
	if (load_project(ctx, q->project, &p, err) < 0)
		return -1;
	/* One row more than the page says whether another page follows. */
	ret = stim_store_bucket_scan(db, p.number, q->prefix, after, limit + 1, &page.items,
				     &page.n, err);
	stim_project_fini(&p);
	if (ret < 0)
		return -1;
	if (page.n > (size_t)limit) {
		const char *last = page.items[limit - 1].name;

		stim_bucket_fini(&page.items[limit]);
		page.n = (size_t)limit;
		page.next_page_token = stim_page_token_encode(last);
	}
	*out = page;
	return 0;
}

/* patch and update: load, check the preconditions, apply, bump, store. */
static int modify(struct stim_ctx *ctx, const char *name, const struct stim_bucket_cond *cond,
		  const struct stim_bucket_spec *spec, bool replace, struct stim_bucket *out,
		  stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_bucket b;
	int64_t now = stim_now_ms();

	if (db == NULL)
		return -1;
	if (spec->name != NULL && strcmp(spec->name, name) != 0)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "The bucket name in the body ('%s') does not match the "
				       "bucket in the URL ('%s'); buckets cannot be renamed.",
				       spec->name, name);
	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (load(db, name, &b, err) < 0)
		return -1;
	if (stim_bucket_cond_check(cond, b.metageneration, err) < 0 ||
	    stim_bucket_apply(&b, spec, replace, now, err) < 0)
		goto fail;
	b.metageneration++;
	b.update_time_ms = now;
	if (stim_store_bucket_update(db, &b, err) < 0 ||
	    stim_tx_commit(steal_pointer(&tx), err) < 0)
		goto fail;
	*out = b;
	return 0;
fail:
	stim_bucket_fini(&b);
	return -1;
}

int stim_bucket_patch(struct stim_ctx *ctx, const char *name, const struct stim_bucket_cond *cond,
		      const struct stim_bucket_spec *spec, struct stim_bucket *out,
		      stim_error_t *err)
{
	return modify(ctx, name, cond, spec, false, out, err);
}

int stim_bucket_update(struct stim_ctx *ctx, const char *name, const struct stim_bucket_cond *cond,
		       const struct stim_bucket_spec *spec, struct stim_bucket *out,
		       stim_error_t *err)
{
	return modify(ctx, name, cond, spec, true, out, err);
}

int stim_bucket_delete(struct stim_ctx *ctx, const char *name, const struct stim_bucket_cond *cond,
		       stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_bucket b;
	int ret;

	if (db == NULL)
		return -1;
	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (load(db, name, &b, err) < 0)
		return -1;
	ret = stim_bucket_cond_check(cond, b.metageneration, err);
	stim_bucket_fini(&b);
	if (ret < 0)
		return -1;
	ret = stim_store_bucket_is_empty(db, name, err);
	if (ret < 0)
		return -1;
	/* gcloud prints its own advice on this 409 (reference/gcloud/storage.md). */
	if (ret == 0)
		return stim_err_reason(err, STIM_ALREADY_EXISTS, "conflict",
				       "The bucket you tried to delete is not empty.");
	if (stim_store_bucket_delete(db, name, err) < 0)
		return -1;
	return stim_tx_commit(steal_pointer(&tx), err);
}

/* The stored policy with the bucket's etag; inside the caller's lock. */
static int read_policy(struct stim_db *db, const char *name, struct stim_iam_policy *out,
		       stim_error_t *err)
{
	struct stim_bucket b;
	struct stim_iam_policy p;

	if (load(db, name, &b, err) < 0)
		return -1;
	if (stim_store_bucket_policy_get(db, name, &p, err) < 0) {
		stim_bucket_fini(&b);
		return -1;
	}
	p.etag = stim_bucket_etag(&b);
	stim_bucket_fini(&b);
	*out = p;
	return 0;
}

int stim_bucket_iam_get(struct stim_ctx *ctx, const char *name, int requested_version,
			struct stim_iam_policy *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_iam_policy p;

	if (db == NULL)
		return -1;
	if (read_policy(db, name, &p, err) < 0)
		return -1;
	/* A client that does not know conditions must not see a policy whose
	 * bindings it would misread as unconditional (IAM's rule). */
	if (requested_version < 3 && stim_iam_policy_has_conditions(&p)) {
		stim_iam_policy_fini(&p);
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "The policy of bucket '%s' has conditional bindings: "
				       "request policy version 3 to read it.",
				       name);
	}
	*out = p;
	return 0;
}

int stim_bucket_iam_set(struct stim_ctx *ctx, const char *name, struct stim_iam_policy *in,
			struct stim_iam_policy *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	cleanup_free char *etag = NULL;
	struct stim_bucket b;

	if (db == NULL)
		return -1;
	if (stim_iam_policy_check(in, err) < 0)
		return -1;
	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (load(db, name, &b, err) < 0)
		return -1;
	etag = stim_bucket_etag(&b);
	/* The policy's etag is the bucket's: a change to either since the
	 * caller read the policy fails its write (read-modify-write). */
	if (in->etag != NULL && in->etag[0] != '\0' && !stim_etag_equal(in->etag, etag)) {
		stim_bucket_fini(&b);
		return condition_not_met(err);
	}
	b.metageneration++;
	b.update_time_ms = stim_now_ms();
	if (stim_store_bucket_update(db, &b, err) < 0 ||
	    stim_store_bucket_policy_put(db, name, in, err) < 0 ||
	    read_policy(db, name, out, err) < 0) {
		stim_bucket_fini(&b);
		return -1;
	}
	stim_bucket_fini(&b);
	if (stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_iam_policy_fini(out);
		return -1;
	}
	return 0;
}
