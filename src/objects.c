/* Cloud Storage objects: uploads, reads, listings, deletes (see objects.h). */
#include "src/objects.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/buckets.h"
#include "src/cleanup.h"
#include "src/store_objects.h"
#include "src/util.h"

#define NAME_MAX_LEN 1024

struct stim_upload {
	struct stim_ctx *ctx;
	char *bucket;
	struct stim_blob_writer *w;
};

void stim_object_fini(struct stim_object *o)
{
	free(o->bucket);
	free(o->name);
	free(o->content_type);
	free(o->content_encoding);
	free(o->content_disposition);
	free(o->content_language);
	free(o->cache_control);
	free(o->storage_class);
	stim_labels_fini(&o->metadata);
	memset(o, 0, sizeof(*o));
}

void stim_object_spec_fini(struct stim_object_spec *s)
{
	stim_labels_fini(&s->metadata);
}

int stim_object_name_check(const char *name, stim_error_t *err)
{
	size_t n = strlen(name);
	json_t *utf8;

	if (n == 0 || n > NAME_MAX_LEN)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"The object name must be 1 to %d bytes long.", NAME_MAX_LEN);
	if (strpbrk(name, "\r\n") != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid object name '%s': it may not be '.' or '..' nor contain "
				"carriage returns or line feeds.",
				name);
	/* Names are stored and compared as bytes; they must be valid UTF-8,
	 * which json_string() checks (and JSON replies need). */
	utf8 = json_string(name);
	if (utf8 == NULL)
		return stim_err(err, STIM_INVALID_ARGUMENT, "The object name is not valid UTF-8.");
	json_decref(utf8);
	return 0;
}

static int not_met(stim_error_t *err)
{
	return stim_err_reason(err, STIM_FAILED_PRECONDITION, "conditionNotMet",
			       "At least one of the pre-conditions you specified did not hold.");
}

/* Checks cond against the live object (NULL when there is none). For a
 * read, failing NotMatch conditions mean "not modified" (returns 1). */
static int cond_check(const struct stim_object_cond *c, const struct stim_object *o, bool read,
		      stim_error_t *err)
{
	if (c == NULL)
		return 0;
	if (c->has_gen_match && (o == NULL ? c->gen_match != 0 : o->generation != c->gen_match))
		return not_met(err);
	if (c->has_meta_match && (o == NULL || o->metageneration != c->meta_match))
		return not_met(err);
	if ((c->has_gen_not_match && o != NULL && o->generation == c->gen_not_match) ||
	    (c->has_meta_not_match && o != NULL && o->metageneration == c->meta_not_match))
		return read ? STIM_OBJECT_NOT_MODIFIED : not_met(err);
	return 0;
}

struct stim_upload *stim_upload_begin(struct stim_ctx *ctx, const char *bucket,
				      uint64_t expect_size, stim_error_t *err)
{
	struct stim_bucket b;
	struct stim_upload *u;
	struct stim_blob_writer *w;

	if (stim_bucket_get(ctx, bucket, NULL, &b, err) < 0)
		return NULL;
	w = stim_blob_writer_new(ctx->blobs, expect_size, ctx->cfg->max_object_size, err);
	if (w == NULL) {
		stim_bucket_fini(&b);
		return NULL;
	}
	u = xcalloc(1, sizeof(*u));
	u->ctx = ctx;
	u->bucket = xstrdup(bucket);
	u->w = w;
	stim_bucket_fini(&b);
	return u;
}

int stim_upload_write(struct stim_upload *u, const void *buf, size_t len, stim_error_t *err)
{
	return stim_blob_write(u->w, buf, len, err);
}

void stim_upload_free(struct stim_upload *u)
{
	if (u == NULL)
		return;
	stim_blob_writer_free(u->w); /* an uncommitted blob goes with it */
	free(u->bucket);
	free(u);
}

static int check_hashes(const struct stim_object_spec *spec, const struct stim_blob_info *info,
			stim_error_t *err)
{
	if (spec->has_md5 && memcmp(spec->md5, info->md5, 16) != 0) {
		cleanup_free char *want = stim_base64_encode(spec->md5, 16, false);
		cleanup_free char *got = stim_base64_encode(info->md5, 16, false);

		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Provided MD5 hash \"%s\" doesn't match calculated MD5 hash "
				       "\"%s\".",
				       want, got);
	}
	if (spec->has_crc32c && spec->crc32c != info->crc32c)
		return stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
				       "Provided CRC32C \"%08x\" doesn't match calculated CRC32C "
				       "\"%08x\".",
				       spec->crc32c, info->crc32c);
	return 0;
}

/* The new generation: microseconds now, and above the live one's, so two
 * writes in one microsecond still get distinct generations. */
static int64_t next_generation(const struct stim_object *live)
{
	int64_t g = stim_now_ms() * 1000 + (int64_t)(stim_monotonic_ns() / 1000 % 1000);

	if (live != NULL && g <= live->generation)
		g = live->generation + 1;
	return g;
}

/* Inside the caller's transaction: the new row goes live; the old live one
 * is retired (versioned bucket) or removed, its blob id left in *dropped for
 * the caller to unlink after the commit. */
static int make_live(struct stim_db *db, struct stim_object *o, struct stim_object *live,
		     bool versioning, char dropped[STIM_BLOB_ID_LEN + 1], stim_error_t *err)
{
	dropped[0] = '\0';
	if (live != NULL) {
		if (versioning) {
			if (stim_store_object_retire(db, live->bucket, live->name, live->generation,
						     o->create_time_ms, err) < 0)
				return -1;
		} else {
			if (stim_store_object_remove(db, live->bucket, live->name, live->generation,
						     err) < 0)
				return -1;
			snprintf(dropped, STIM_BLOB_ID_LEN + 1, "%s", live->blob_id);
		}
	}
	return stim_store_object_insert(db, o, err);
}

int stim_object_commit_blob(struct stim_ctx *ctx, const char *bucket,
			    const struct stim_object_spec *spec,
			    const struct stim_object_cond *cond, const struct stim_blob_info *info,
			    struct stim_object *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = NULL;
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_object live;
	struct stim_object o = { 0 };
	struct stim_bucket b;
	stim_error_t gerr = NULL;
	char dropped[STIM_BLOB_ID_LEN + 1];
	bool has_live = false;
	int ret = -1;

	/* A composite's expected hashes are those gcloud sends for its first
	 * component (reference/gcloud/storage.md): not checked. */
	if (spec->component_count == 0 && check_hashes(spec, info, err) < 0)
		goto drop_blob;
	db = stim_store_db(ctx->store, err);
	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		goto drop_blob;
	/* The bucket may have gone while the bytes came in. */
	if (stim_bucket_get(ctx, bucket, NULL, &b, err) < 0)
		goto drop_blob;
	if (stim_store_object_get(db, bucket, spec->name, 0, &live, &gerr) == 0) {
		has_live = true;
	} else if (gerr->code != STIM_NOT_FOUND) {
		*err = steal_pointer(&gerr);
		goto out_bucket;
	}
	stim_error_free(steal_pointer(&gerr));
	if (cond_check(cond, has_live ? &live : NULL, false, err) != 0)
		goto out_bucket;

	o.bucket = xstrdup(bucket);
	o.name = xstrdup(spec->name);
	o.generation = next_generation(has_live ? &live : NULL);
	o.metageneration = 1;
	o.live = true;
	o.size = info->size;
	snprintf(o.blob_id, sizeof(o.blob_id), "%s", info->id);
	/* GCS gives composite objects a CRC32C and no MD5. */
	o.has_md5 = spec->component_count == 0;
	memcpy(o.md5, info->md5, 16);
	o.component_count = spec->component_count;
	o.crc32c = info->crc32c;
	o.content_type = xstrdup_or_null(spec->content_type);
	o.content_encoding = xstrdup_or_null(spec->content_encoding);
	o.content_disposition = xstrdup_or_null(spec->content_disposition);
	o.content_language = xstrdup_or_null(spec->content_language);
	o.cache_control = xstrdup_or_null(spec->cache_control);
	o.storage_class =
		xstrdup(spec->storage_class != NULL ? spec->storage_class : b.storage_class);
	o.create_time_ms = stim_now_ms();
	o.update_time_ms = o.create_time_ms;
	for (size_t i = 0; spec->has_metadata && i < spec->metadata.n; i++)
		stim_labels_set(&o.metadata, spec->metadata.v[i].key, spec->metadata.v[i].value);

	if (make_live(db, &o, has_live ? &live : NULL, b.versioning, dropped, err) < 0 ||
	    stim_tx_commit(steal_pointer(&tx), err) < 0) {
		stim_object_fini(&o);
		goto out_bucket;
	}
	/* Committed: the old bytes are nobody's now. A failure here only
	 * leaves an orphan for the start-up sweep. */
	if (dropped[0] != '\0') {
		stim_error_t rerr = NULL;

		stim_blob_remove(ctx->blobs, dropped, &rerr);
		stim_error_free(rerr);
	}
	*out = o;
	ret = 0;
out_bucket:
	stim_bucket_fini(&b);
	if (has_live)
		stim_object_fini(&live);
	if (ret == 0)
		return 0;
drop_blob : {
	stim_error_t rerr = NULL;

	stim_blob_remove(ctx->blobs, info->id, &rerr);
	stim_error_free(rerr);
}
	return -1;
}

int stim_upload_commit(struct stim_upload *u, const struct stim_object_spec *spec,
		       const struct stim_object_cond *cond, struct stim_object *out,
		       stim_error_t *err)
{
	struct stim_blob_info info;

	if (spec->name == NULL)
		return stim_err(err, STIM_INVALID_ARGUMENT, "Required: the object name.");
	if (stim_object_name_check(spec->name, err) < 0)
		return -1;
	if (stim_blob_commit(u->w, &info, err) < 0)
		return -1;
	return stim_object_commit_blob(u->ctx, u->bucket, spec, cond, &info, out, err);
}

int stim_object_get(struct stim_ctx *ctx, const char *bucket, const char *name, int64_t generation,
		    const struct stim_object_cond *cond, struct stim_object *out, int *fd,
		    stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_bucket b;
	struct stim_object o;
	int ret;

	/* A missing bucket is its own 404, as GCS tells the two apart. */
	if (stim_bucket_get(ctx, bucket, NULL, &b, err) < 0)
		return -1;
	stim_bucket_fini(&b);
	if (stim_store_object_get(db, bucket, name, generation, &o, err) < 0)
		return -1;
	ret = cond_check(cond, &o, true, err);
	if (ret == 0 && fd != NULL) {
		*fd = stim_blob_open(ctx->blobs, o.blob_id, err);
		if (*fd < 0)
			ret = -1;
	}
	if (ret != 0) {
		stim_object_fini(&o);
		return ret;
	}
	*out = o;
	return 0;
}

int stim_object_delete(struct stim_ctx *ctx, const char *bucket, const char *name,
		       int64_t generation, const struct stim_object_cond *cond, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_bucket b;
	struct stim_object o;
	bool retire;
	int ret;

	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (stim_bucket_get(ctx, bucket, NULL, &b, err) < 0)
		return -1;
	/* Deleting the live object of a versioned bucket keeps it as a
	 * noncurrent version; naming a generation removes that one. */
	retire = b.versioning && generation == 0;
	stim_bucket_fini(&b);
	if (stim_store_object_get(db, bucket, name, generation, &o, err) < 0)
		return -1;
	ret = cond_check(cond, &o, false, err);
	if (ret == 0)
		ret = retire ? stim_store_object_retire(db, bucket, name, o.generation,
							stim_now_ms(), err)
			     : stim_store_object_remove(db, bucket, name, o.generation, err);
	if (ret == 0)
		ret = stim_tx_commit(steal_pointer(&tx), err);
	if (ret == 0 && !retire) {
		stim_error_t rerr = NULL;

		stim_blob_remove(ctx->blobs, o.blob_id, &rerr);
		stim_error_free(rerr);
	}
	stim_object_fini(&o);
	return ret == 0 ? 0 : -1;
}

#define COMPOSE_MAX_SOURCES    32
#define COMPOSE_MAX_COMPONENTS 1024

/* Opens every source under one hold of the store, so that what is read is
 * what was named: a concurrent replace cannot unlink a blob in between. */
static int open_sources(struct stim_ctx *ctx, const char *bucket,
			const struct stim_compose_source *src, size_t n, int *fds, int *components,
			uint64_t *size, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_bucket b;

	if (stim_bucket_get(ctx, bucket, NULL, &b, err) < 0)
		return -1;
	stim_bucket_fini(&b);
	*components = 0;
	*size = 0;
	for (size_t i = 0; i < n; i++) {
		struct stim_object o;

		if (stim_store_object_get(db, bucket, src[i].name, src[i].generation, &o, err) < 0)
			return -1;
		if (src[i].has_gen_match && o.generation != src[i].gen_match) {
			stim_object_fini(&o);
			return not_met(err);
		}
		fds[i] = stim_blob_open(ctx->blobs, o.blob_id, err);
		*components += o.component_count > 0 ? o.component_count : 1;
		*size += o.size;
		stim_object_fini(&o);
		if (fds[i] < 0)
			return -1;
	}
	return 0;
}

static int append_fd(struct stim_blob_writer *w, int fd, char *buf, size_t cap, stim_error_t *err)
{
	for (;;) {
		ssize_t r = read(fd, buf, cap);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return stim_err_sys(err, errno, "read a compose source");
		if (r == 0)
			return 0;
		if (stim_blob_write(w, buf, (size_t)r, err) < 0)
			return -1;
	}
}

int stim_object_compose(struct stim_ctx *ctx, const char *bucket,
			const struct stim_object_spec *spec, const struct stim_compose_source *src,
			size_t n, const struct stim_object_cond *cond, struct stim_object *out,
			stim_error_t *err)
{
	int fds[COMPOSE_MAX_SOURCES];
	struct stim_object_spec composite = *spec;
	cleanup_blob_writer struct stim_blob_writer *w = NULL;
	cleanup_free char *buf = NULL;
	struct stim_blob_info info;
	uint64_t size = 0;
	int components = 0;
	int ret = -1;

	if (n == 0)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"You must provide at least one source component.");
	if (n > COMPOSE_MAX_SOURCES)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"The number of source components provided (%zu) exceeds the "
				"maximum (%d).",
				n, COMPOSE_MAX_SOURCES);
	if (spec->name == NULL)
		return stim_err(err, STIM_INVALID_ARGUMENT, "Required: the destination's name.");
	if (stim_object_name_check(spec->name, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	if (open_sources(ctx, bucket, src, n, fds, &components, &size, err) < 0)
		goto out;
	if (components > COMPOSE_MAX_COMPONENTS) {
		stim_err(err, STIM_INVALID_ARGUMENT,
			 "The composite would have %d components; the limit is %d.", components,
			 COMPOSE_MAX_COMPONENTS);
		goto out;
	}
	w = stim_blob_writer_new(ctx->blobs, size, ctx->cfg->max_object_size, err);
	if (w == NULL)
		goto out;
	buf = xmalloc(1u << 20);
	for (size_t i = 0; i < n; i++) {
		if (append_fd(w, fds[i], buf, 1u << 20, err) < 0)
			goto out;
	}
	if (stim_blob_commit(w, &info, err) < 0)
		goto out;
	composite.component_count = components;
	ret = stim_object_commit_blob(ctx, bucket, &composite, cond, &info, out, err);
out:
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return ret;
}

/* Gives the source's blob a second name, under the store's lock so that
 * a concurrent replace cannot remove it first. */
static int link_source(struct stim_ctx *ctx, const char *bucket, const char *name,
		       int64_t generation, const struct stim_object_cond *cond,
		       struct stim_object *src, struct stim_blob_info *info, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct stim_bucket b;

	if (stim_bucket_get(ctx, bucket, NULL, &b, err) < 0)
		return -1;
	stim_bucket_fini(&b);
	if (stim_store_object_get(db, bucket, name, generation, src, err) < 0)
		return -1;
	if (cond_check(cond, src, false, err) != 0 ||
	    stim_blob_link(ctx->blobs, src->blob_id, info, err) < 0) {
		stim_object_fini(src);
		return -1;
	}
	info->size = src->size;
	memcpy(info->md5, src->md5, 16);
	info->crc32c = src->crc32c;
	return 0;
}

static const char *either(const char *a, const char *b)
{
	return a != NULL ? a : b;
}

int stim_object_copy(struct stim_ctx *ctx, const char *src_bucket, const char *src_name,
		     int64_t src_generation, const struct stim_object_cond *src_cond,
		     const char *dst_bucket, const struct stim_object_spec *spec,
		     const struct stim_object_cond *cond, struct stim_object *out,
		     stim_error_t *err)
{
	struct stim_object_spec merged;
	struct stim_blob_info info;
	struct stim_object src;
	int ret;

	if (spec->name == NULL)
		return stim_err(err, STIM_INVALID_ARGUMENT, "Required: the destination's name.");
	if (stim_object_name_check(spec->name, err) < 0)
		return -1;
	if (link_source(ctx, src_bucket, src_name, src_generation, src_cond, &src, &info, err) < 0)
		return -1;
	/* What the request sets wins; the rest is the source's. */
	merged = (struct stim_object_spec){
		.name = spec->name,
		.content_type = either(spec->content_type, src.content_type),
		.content_encoding = either(spec->content_encoding, src.content_encoding),
		.content_disposition = either(spec->content_disposition, src.content_disposition),
		.content_language = either(spec->content_language, src.content_language),
		.cache_control = either(spec->cache_control, src.cache_control),
		.storage_class = spec->storage_class,
		.has_metadata = true,
		.metadata = spec->has_metadata ? spec->metadata : src.metadata,
		.component_count = src.component_count,
	};
	/* The bytes are the source's, so its MD5 stands (composites have none). */
	ret = stim_object_commit_blob(ctx, dst_bucket, &merged, cond, &info, out, err);
	stim_object_fini(&src);
	return ret;
}

void stim_object_patch_fini(struct stim_object_patch *p)
{
	stim_labels_fini(&p->metadata_set);
	stim_labels_fini(&p->metadata_removed);
}

static void set_field(char **field, bool set, const char *value)
{
	if (!set)
		return;
	free(*field);
	*field = xstrdup_or_null(value);
}

static void labels_drop(struct stim_labels *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].key, key) != 0)
			continue;
		free(l->v[i].key);
		free(l->v[i].value);
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
		l->n--;
		return;
	}
}

int stim_object_patch(struct stim_ctx *ctx, const char *bucket, const char *name,
		      int64_t generation, const struct stim_object_cond *cond,
		      const struct stim_object_patch *p, struct stim_object *out, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	cleanup_tx struct stim_tx *tx = NULL;
	struct stim_bucket b;
	struct stim_object o;

	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (stim_bucket_get(ctx, bucket, NULL, &b, err) < 0)
		return -1;
	stim_bucket_fini(&b);
	if (stim_store_object_get(db, bucket, name, generation, &o, err) < 0)
		return -1;
	if (cond_check(cond, &o, false, err) != 0)
		goto fail;
	set_field(&o.content_type, p->set_content_type, p->content_type);
	set_field(&o.content_encoding, p->set_content_encoding, p->content_encoding);
	set_field(&o.content_disposition, p->set_content_disposition, p->content_disposition);
	set_field(&o.content_language, p->set_content_language, p->content_language);
	set_field(&o.cache_control, p->set_cache_control, p->cache_control);
	if (p->metadata_clear)
		stim_labels_fini(&o.metadata);
	for (size_t i = 0; i < p->metadata_set.n; i++)
		stim_labels_set(&o.metadata, p->metadata_set.v[i].key, p->metadata_set.v[i].value);
	for (size_t i = 0; i < p->metadata_removed.n; i++)
		labels_drop(&o.metadata, p->metadata_removed.v[i].key);
	o.metageneration++;
	o.update_time_ms = stim_now_ms();
	if (stim_store_object_update_meta(db, &o, err) < 0 ||
	    stim_tx_commit(steal_pointer(&tx), err) < 0)
		goto fail;
	*out = o;
	return 0;
fail:
	stim_object_fini(&o);
	return -1;
}

struct sweep_arg {
	struct stim_db *db;
};

static bool blob_in_use(const char *id, void *arg)
{
	struct sweep_arg *a = arg;
	stim_error_t err = NULL;
	bool used = true; /* when in doubt, keep */

	if (stim_store_blob_in_use(a->db, id, &used, &err) < 0) {
		stim_error_free(err);
		return true;
	}
	return used;
}

int stim_objects_sweep_blobs(struct stim_ctx *ctx, stim_error_t *err)
{
	cleanup_db struct stim_db *db = stim_store_db(ctx->store, err);
	struct sweep_arg a = { .db = db };

	return stim_blobs_sweep(ctx->blobs, blob_in_use, &a, err);
}
