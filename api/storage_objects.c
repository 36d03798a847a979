/* Cloud Storage objects: render, get, media download, list, delete. */
#include "api/storage_objects.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/router.h"
#include "src/cleanup.h"
#include "src/json.h"
#include "src/util.h"

/* The members an object body may have: what a client sets, and the
 * read-only ones a client echoes back from an earlier read (accepted and
 * ignored, as GCS does). */
const char *const api_storage_object_fields[] = { "name",
						  "bucket",
						  "contentType",
						  "contentEncoding",
						  "contentDisposition",
						  "contentLanguage",
						  "cacheControl",
						  "storageClass",
						  "metadata",
						  "md5Hash",
						  "crc32c",
						  "kind",
						  "id",
						  "selfLink",
						  "mediaLink",
						  "generation",
						  "metageneration",
						  "size",
						  "timeCreated",
						  "updated",
						  "timeStorageClassUpdated",
						  "etag",
						  "acl",
						  "customTime",
						  "eventBasedHold",
						  "temporaryHold",
						  "componentCount",
						  NULL };

/* Bytes as Cloud Storage shows them: standard base64 with padding. */
static json_t *b64_json(const void *data, size_t n)
{
	cleanup_free char *s = stim_base64_encode(data, n, false);

	return json_string(s);
}

/* Whether a partial response keeps this member of an object. */
static bool want(const struct stim_fields *sel, const char *key)
{
	bool wanted;

	stim_fields_child(sel, key, &wanted);
	return wanted;
}

static void put_time(json_t *j, const char *key, int64_t ms)
{
	char ts[STIM_TIME_BUFSZ];

	json_object_set_new_nocheck(j, key, json_string(stim_time_format(ms, ts)));
}

static void put_int(json_t *j, const char *key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	json_object_set_new_nocheck(j, key, json_string(num));
}

/* Checked as UTF-8 by jansson: the base URL comes from the Host header. */
__attribute__((format(printf, 3, 4))) static void put_fmt(json_t *j, const char *key,
							  const char *fmt, ...)
{
	cleanup_free char *v = NULL;
	va_list ap;

	va_start(ap, fmt);
	v = xvasprintf(fmt, ap);
	va_end(ap);
	json_object_set_new_nocheck(j, key, json_string(v));
}

static void put_opt(json_t *j, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new_nocheck(j, key, json_string(v));
}

json_t *api_storage_object_to_json(const struct stim_object *o, const char *base_url,
				   const struct stim_fields *sel)
{
	unsigned char crc[4] = { (unsigned char)(o->crc32c >> 24), (unsigned char)(o->crc32c >> 16),
				 (unsigned char)(o->crc32c >> 8), (unsigned char)o->crc32c };
	cleanup_free char *enc = NULL;
	json_t *j = json_object();

	/* Members a partial response leaves out are not built at all: a page
	 * of 1,000 objects is mostly this function. */
	if (want(sel, "selfLink") || want(sel, "mediaLink"))
		enc = api_percent_encode(o->name);
	json_object_set_new_nocheck(j, "kind", json_string("storage#object"));
	if (want(sel, "id"))
		put_fmt(j, "id", "%s/%s/%" PRId64, o->bucket, o->name, o->generation);
	if (want(sel, "selfLink"))
		put_fmt(j, "selfLink", "%s/storage/v1/b/%s/o/%s", base_url, o->bucket, enc);
	if (want(sel, "mediaLink"))
		put_fmt(j, "mediaLink",
			"%s/download/storage/v1/b/%s/o/%s?generation=%" PRId64 "&alt=media",
			base_url, o->bucket, enc, o->generation);
	json_object_set_new_nocheck(j, "name", json_string(o->name));
	json_object_set_new_nocheck(j, "bucket", json_string(o->bucket));
	put_int(j, "generation", o->generation);
	put_int(j, "metageneration", o->metageneration);
	json_object_set_new_nocheck(j, "contentType",
				    json_string(o->content_type != NULL
							? o->content_type
							: "application/octet-stream"));
	json_object_set_new_nocheck(j, "storageClass", json_string(o->storage_class));
	put_int(j, "size", (int64_t)o->size);
	if (o->has_md5 && want(sel, "md5Hash"))
		json_object_set_new_nocheck(j, "md5Hash", b64_json(o->md5, 16));
	if (want(sel, "crc32c"))
		json_object_set_new_nocheck(j, "crc32c", b64_json(crc, 4));
	if (want(sel, "etag")) {
		/* The etag changes with the generation and the metageneration. */
		unsigned char tag[9];

		for (int i = 0; i < 8; i++)
			tag[i] = (unsigned char)(o->generation >> (56 - 8 * i));
		tag[8] = (unsigned char)o->metageneration;
		json_object_set_new_nocheck(j, "etag", b64_json(tag, sizeof(tag)));
	}
	if (want(sel, "timeCreated"))
		put_time(j, "timeCreated", o->create_time_ms);
	if (want(sel, "updated"))
		put_time(j, "updated", o->update_time_ms);
	if (want(sel, "timeStorageClassUpdated"))
		put_time(j, "timeStorageClassUpdated", o->create_time_ms);
	if (!o->live && want(sel, "timeDeleted"))
		put_time(j, "timeDeleted", o->noncurrent_time_ms);
	put_opt(j, "contentEncoding", o->content_encoding);
	put_opt(j, "contentDisposition", o->content_disposition);
	put_opt(j, "contentLanguage", o->content_language);
	put_opt(j, "cacheControl", o->cache_control);
	if (o->metadata.n > 0)
		json_object_set_new_nocheck(j, "metadata", stim_labels_to_json(&o->metadata));
	if (o->component_count > 0)
		json_object_set_new_nocheck(j, "componentCount", json_integer(o->component_count));
	return j;
}

int api_storage_object_cond(const struct api_req *req, struct stim_object_cond *cond,
			    stim_error_t *err)
{
	memset(cond, 0, sizeof(*cond));
	if (api_query_int64(req, "ifGenerationMatch", &cond->has_gen_match, &cond->gen_match, err) <
		    0 ||
	    api_query_int64(req, "ifGenerationNotMatch", &cond->has_gen_not_match,
			    &cond->gen_not_match, err) < 0 ||
	    api_query_int64(req, "ifMetagenerationMatch", &cond->has_meta_match, &cond->meta_match,
			    err) < 0 ||
	    api_query_int64(req, "ifMetagenerationNotMatch", &cond->has_meta_not_match,
			    &cond->meta_not_match, err) < 0)
		return -1;
	return 0;
}

static bool query_true(const struct api_req *req, const char *name)
{
	const char *v = api_query(req, name);

	/* gcloud sends Python's "True". */
	return v != NULL && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

static int generation_of(const struct api_req *req, int64_t *gen, stim_error_t *err)
{
	bool has = false;

	*gen = 0;
	if (api_query_int64(req, "generation", &has, gen, err) < 0)
		return -1;
	if (has && *gen <= 0)
		return stim_err(err, STIM_INVALID_ARGUMENT, "Invalid generation %" PRId64 ".",
				*gen);
	return 0;
}

/* "bytes=A-B", "bytes=A-" or "bytes=-N" against size. Returns 1 with the
 * range, 0 to send the whole object (no Range, or one we do not read, which
 * RFC 9110 lets us ignore), or fails with 416 for a range past the end. */
static int parse_range(const char *h, uint64_t size, uint64_t *first, uint64_t *last,
		       stim_error_t *err)
{
	unsigned long long a;
	unsigned long long b;
	char tail;

	if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
		return 0;
	h += 6;
	if (sscanf(h, "-%llu%c", &b, &tail) == 1) {
		if (b == 0 || size == 0)
			goto unsatisfiable;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 1;
	}
	if (sscanf(h, "%llu-%llu%c", &a, &b, &tail) == 2) {
		if (a > b)
			return 0;
	} else if (sscanf(h, "%llu-%c", &a, &tail) == 1) {
		b = UINT64_MAX;
	} else {
		return 0;
	}
	if (a >= size)
		goto unsatisfiable;
	*first = a;
	*last = b < size - 1 ? b : size - 1;
	return 1;
unsatisfiable:
	return stim_err_reason(
		err, STIM_OUT_OF_RANGE, "requestedRangeNotSatisfiable",
		"The requested range cannot be satisfied: the object has %" PRIu64 " bytes.", size);
}

static int reply_media(struct api_req *req, const struct stim_object *o, int fd, stim_error_t *err)
{
	uint64_t first = 0;
	uint64_t last = o->size ? o->size - 1 : 0;
	unsigned char crc[4] = { (unsigned char)(o->crc32c >> 24), (unsigned char)(o->crc32c >> 16),
				 (unsigned char)(o->crc32c >> 8), (unsigned char)o->crc32c };
	cleanup_free char *crc64 = stim_base64_encode(crc, 4, false);
	cleanup_free char *md564 = o->has_md5 ? stim_base64_encode(o->md5, 16, false) : NULL;
	cleanup_free char *hash = NULL;
	char num[32];
	int ranged = parse_range(api_header(req, "Range"), o->size, &first, &last, err);

	if (ranged < 0) {
		close(fd);
		return -1;
	}
	api_reply_fd(req, ranged ? 206 : 200, NULL, fd, first, o->size ? last - first + 1 : 0);
	api_reply_header(req, "Content-Type",
			 o->content_type != NULL ? o->content_type : "application/octet-stream");
	if (ranged) {
		char range[80];

		snprintf(range, sizeof(range), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first,
			 last, o->size);
		api_reply_header(req, "Content-Range", range);
	}
	snprintf(num, sizeof(num), "%" PRId64, o->generation);
	api_reply_header(req, "x-goog-generation", num);
	snprintf(num, sizeof(num), "%" PRId64, o->metageneration);
	api_reply_header(req, "x-goog-metageneration", num);
	snprintf(num, sizeof(num), "%" PRIu64, o->size);
	api_reply_header(req, "x-goog-stored-content-length", num);
	hash = md564 != NULL ? xasprintf("crc32c=%s,md5=%s", crc64, md564)
			     : xasprintf("crc32c=%s", crc64);
	api_reply_header(req, "x-goog-hash", hash);
	if (o->content_encoding != NULL)
		api_reply_header(req, "Content-Encoding", o->content_encoding);
	if (o->content_disposition != NULL)
		api_reply_header(req, "Content-Disposition", o->content_disposition);
	if (o->cache_control != NULL)
		api_reply_header(req, "Cache-Control", o->cache_control);
	return 0;
}

/* GET an object: its metadata, or with alt=media its bytes. */
static int get_object(struct api_req *req, bool media, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_object_cond cond;
	struct stim_object o;
	int64_t gen;
	int fd = -1;
	int ret;

	if (api_storage_object_cond(req, &cond, err) < 0 || generation_of(req, &gen, err) < 0)
		return -1;
	ret = stim_object_get(req->ctx, api_path(req, "bucket"), api_path(req, "object"), gen,
			      &cond, &o, media ? &fd : NULL, err);
	if (ret < 0)
		return -1;
	if (ret == STIM_OBJECT_NOT_MODIFIED)
		return api_reply_empty(req, 304);
	if (media)
		ret = reply_media(req, &o, fd, err);
	else
		ret = api_reply_json(req, 200, api_storage_object_to_json(&o, base, req->fields));
	stim_object_fini(&o);
	return ret;
}

static int api_storage_objects_get(struct api_req *req, stim_error_t *err)
{
	const char *alt = api_query(req, "alt");

	return get_object(req, alt != NULL && strcmp(alt, "media") == 0, err);
}

static int api_storage_objects_download(struct api_req *req, stim_error_t *err)
{
	return get_object(req, true, err);
}

static int api_storage_objects_delete(struct api_req *req, stim_error_t *err)
{
	struct stim_object_cond cond;
	int64_t gen;

	if (api_storage_object_cond(req, &cond, err) < 0 || generation_of(req, &gen, err) < 0 ||
	    stim_object_delete(req->ctx, api_path(req, "bucket"), api_path(req, "object"), gen,
			       &cond, err) < 0)
		return -1;
	return api_reply_empty(req, 204);
}

static int api_storage_objects_list(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_object_query q = {
		.bucket = api_path(req, "bucket"),
		.prefix = api_query(req, "prefix"),
		.delimiter = api_query(req, "delimiter"),
		.start_offset = api_query(req, "startOffset"),
		.end_offset = api_query(req, "endOffset"),
		.versions = query_true(req, "versions"),
		.page_token = api_query(req, "pageToken"),
		.match_glob = api_query(req, "matchGlob"),
		.include_trailing_delimiter = query_true(req, "includeTrailingDelimiter"),
	};
	struct stim_object_page page;
	const struct stim_fields *sel;
	bool want_items;
	json_t *j;

	if (api_query_int(req, "maxResults", 0, INT32_MAX, &q.max_results, err) < 0 ||
	    stim_object_list(req->ctx, &q, &page, err) < 0)
		return -1;
	sel = stim_fields_child(req->fields, "items", &want_items);
	j = json_pack("{s:s}", "kind", "storage#objects");
	if (page.n > 0 && want_items) {
		json_t *items = json_array();

		for (size_t i = 0; i < page.n; i++)
			json_array_append_new(
				items, api_storage_object_to_json(&page.items[i], base, sel));
		json_object_set_new(j, "items", items);
	}
	if (page.nprefixes > 0) {
		json_t *prefixes = json_array();

		for (size_t i = 0; i < page.nprefixes; i++)
			json_array_append_new(prefixes, json_string(page.prefixes[i]));
		json_object_set_new(j, "prefixes", prefixes);
	}
	if (page.next_page_token != NULL)
		json_object_set_new(j, "nextPageToken", json_string(page.next_page_token));
	stim_object_page_fini(&page);
	return api_reply_json(req, 200, j);
}

/* The sourceObjects of a compose request; names borrowed from body. */
static int compose_sources(json_t *arr, struct stim_compose_source *src, size_t max, size_t *n,
			   stim_error_t *err)
{
	static const char *const fields[] = { "name", "generation", "objectPreconditions", NULL };
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return stim_err(err, STIM_INVALID_ARGUMENT, "Required: sourceObjects.");
	if (json_array_size(arr) > max)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"The number of source components provided (%zu) exceeds the "
				"maximum (%zu).",
				json_array_size(arr), max);
	json_array_foreach(arr, i, v)
	{
		json_t *pre = NULL;

		memset(&src[i], 0, sizeof(src[i]));
		if (!json_is_object(v))
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid value at 'source_objects[%zu]' (TYPE_MESSAGE).",
					i);
		if (stim_json_check_fields(v, fields, "sourceObjects", err) < 0 ||
		    stim_json_get_string(v, "name", &src[i].name, err) < 0 ||
		    stim_json_get_int64(v, "generation", &src[i].generation, err) < 0 ||
		    stim_json_get_object(v, "objectPreconditions", &pre, err) < 0)
			return -1;
		if (src[i].name == NULL)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Required: sourceObjects[%zu].name.", i);
		if (pre != NULL && json_object_get(pre, "ifGenerationMatch") != NULL) {
			if (stim_json_get_int64(pre, "ifGenerationMatch", &src[i].gen_match, err) <
			    0)
				return -1;
			src[i].has_gen_match = true;
		}
	}
	*n = json_array_size(arr);
	return 0;
}

static int api_storage_objects_compose(struct api_req *req, stim_error_t *err)
{
	static const char *const fields[] = { "kind", "destination", "sourceObjects", NULL };
	cleanup_json json_t *body = api_body_json(req, err);
	cleanup_free char *base = api_base_url(req);
	struct stim_compose_source src[32];
	struct stim_object_spec spec = { 0 };
	struct stim_object_cond cond;
	json_t *dest = NULL;
	struct stim_object o;
	size_t n = 0;
	int ret;

	if (body == NULL || stim_json_check_fields(body, fields, "", err) < 0 ||
	    stim_json_get_object(body, "destination", &dest, err) < 0 ||
	    (dest != NULL && api_storage_object_spec_from_json(dest, &spec, err) < 0) ||
	    compose_sources(json_object_get(body, "sourceObjects"), src, STIM_ARRAY_SIZE(src), &n,
			    err) < 0 ||
	    api_storage_object_cond(req, &cond, err) < 0) {
		stim_object_spec_fini(&spec);
		return -1;
	}
	/* The destination's name is the path's. */
	spec.name = api_path(req, "object");
	ret = stim_object_compose(req->ctx, api_path(req, "bucket"), &spec, src, n, &cond, &o, err);
	stim_object_spec_fini(&spec);
	if (ret < 0)
		return -1;
	api_reply_json(req, 200, api_storage_object_to_json(&o, base, req->fields));
	stim_object_fini(&o);
	return 0;
}

/* One writable string field: a patch sets it from a string, clears it with
 * null, leaves it when absent; an update (replace) clears it when absent. */
static int patch_field(json_t *body, const char *key, bool replace, bool *set, const char **out,
		       stim_error_t *err)
{
	json_t *v = json_object_get(body, key);

	if (v == NULL || json_is_null(v)) {
		*set = replace || v != NULL;
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return stim_err(err, STIM_INVALID_ARGUMENT, "Invalid value at '%s' (TYPE_STRING)",
				key);
	*set = true;
	*out = json_string_value(v);
	return 0;
}

/* An object body into a metadata change: JSON merge for patch (null
 * clears, a null metadata value removes its key), replacement for update.
 * Read-only fields a client echoes back are accepted and ignored. */
static int patch_from_json(json_t *body, bool replace, struct stim_object_patch *p,
			   stim_error_t *err)
{
	json_t *meta = json_object_get(body, "metadata");
	const char *key;
	json_t *v;

	memset(p, 0, sizeof(*p));
	if (stim_json_check_fields(body, api_storage_object_fields, "", err) < 0 ||
	    patch_field(body, "contentType", replace, &p->set_content_type, &p->content_type, err) <
		    0 ||
	    patch_field(body, "contentEncoding", replace, &p->set_content_encoding,
			&p->content_encoding, err) < 0 ||
	    patch_field(body, "contentDisposition", replace, &p->set_content_disposition,
			&p->content_disposition, err) < 0 ||
	    patch_field(body, "contentLanguage", replace, &p->set_content_language,
			&p->content_language, err) < 0 ||
	    patch_field(body, "cacheControl", replace, &p->set_cache_control, &p->cache_control,
			err) < 0)
		return -1;
	p->metadata_clear = replace || (meta != NULL && json_is_null(meta));
	if (meta == NULL || json_is_null(meta))
		return 0;
	if (!json_is_object(meta))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid value at 'metadata' (map<string, string>)");
	json_object_foreach(meta, key, v)
	{
		if (json_is_null(v) && !replace) {
			stim_labels_set(&p->metadata_removed, key, "");
		} else if (json_is_string(v)) {
			stim_labels_set(&p->metadata_set, key, json_string_value(v));
		} else {
			stim_object_patch_fini(p);
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid value at 'metadata[%s]' (TYPE_STRING)", key);
		}
	}
	return 0;
}

static int modify(struct api_req *req, bool replace, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	cleanup_free char *base = api_base_url(req);
	struct stim_object_patch p;
	struct stim_object_cond cond;
	struct stim_object o;
	int64_t gen;
	int ret;

	if (body == NULL || api_storage_object_cond(req, &cond, err) < 0 ||
	    generation_of(req, &gen, err) < 0 || patch_from_json(body, replace, &p, err) < 0)
		return -1;
	ret = stim_object_patch(req->ctx, api_path(req, "bucket"), api_path(req, "object"), gen,
				&cond, &p, &o, err);
	stim_object_patch_fini(&p);
	if (ret < 0)
		return -1;
	api_reply_json(req, 200, api_storage_object_to_json(&o, base, req->fields));
	stim_object_fini(&o);
	return 0;
}

static int api_storage_objects_patch(struct api_req *req, stim_error_t *err)
{
	return modify(req, false, err);
}

static int api_storage_objects_update(struct api_req *req, stim_error_t *err)
{
	return modify(req, true, err);
}

/* ifSourceGenerationMatch & co. of copy and rewrite. */
static int source_cond(const struct api_req *req, struct stim_object_cond *c, stim_error_t *err)
{
	memset(c, 0, sizeof(*c));
	if (api_query_int64(req, "ifSourceGenerationMatch", &c->has_gen_match, &c->gen_match, err) <
		    0 ||
	    api_query_int64(req, "ifSourceGenerationNotMatch", &c->has_gen_not_match,
			    &c->gen_not_match, err) < 0 ||
	    api_query_int64(req, "ifSourceMetagenerationMatch", &c->has_meta_match, &c->meta_match,
			    err) < 0 ||
	    api_query_int64(req, "ifSourceMetagenerationNotMatch", &c->has_meta_not_match,
			    &c->meta_not_match, err) < 0)
		return -1;
	return 0;
}

/* copyTo and rewriteTo: the body is the destination's metadata (optional). */
static int copy_object(struct api_req *req, struct stim_object *o, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_object_spec spec = { 0 };
	struct stim_object_cond src_cond;
	struct stim_object_cond cond;
	bool has_gen = false;
	int64_t gen = 0;
	int ret;

	if (body == NULL || api_storage_object_spec_from_json(body, &spec, err) < 0 ||
	    source_cond(req, &src_cond, err) < 0 || api_storage_object_cond(req, &cond, err) < 0 ||
	    api_query_int64(req, "sourceGeneration", &has_gen, &gen, err) < 0) {
		stim_object_spec_fini(&spec);
		return -1;
	}
	spec.name = api_path(req, "destinationObject");
	ret = stim_object_copy(req->ctx, api_path(req, "sourceBucket"),
			       api_path(req, "sourceObject"), gen, &src_cond,
			       api_path(req, "destinationBucket"), &spec, &cond, o, err);
	stim_object_spec_fini(&spec);
	return ret;
}

static int api_storage_objects_copy(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_object o;

	if (copy_object(req, &o, err) < 0)
		return -1;
	api_reply_json(req, 200, api_storage_object_to_json(&o, base, req->fields));
	stim_object_fini(&o);
	return 0;
}

/* A rewrite finishes in one call here (the bytes are shared, not copied),
 * so the answer is always done, with the resource and no rewriteToken. */
static int api_storage_objects_rewrite(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_object o;
	const struct stim_fields *sel;
	bool wanted;
	char size[24];

	if (copy_object(req, &o, err) < 0)
		return -1;
	sel = stim_fields_child(req->fields, "resource", &wanted);
	snprintf(size, sizeof(size), "%" PRIu64, o.size);
	api_reply_json(req, 200,
		       json_pack("{s:s, s:s, s:s, s:b, s:o}", "kind", "storage#rewriteResponse",
				 "totalBytesRewritten", size, "objectSize", size, "done", 1,
				 "resource", api_storage_object_to_json(&o, base, sel)));
	stim_object_fini(&o);
	return 0;
}

const struct api_route api_storage_object_routes[] = {
	{ "POST",
	  "/storage/v1/b/{sourceBucket}/o/{sourceObject}/copyTo/b/{destinationBucket}/o/"
	  "{destinationObject}",
	  api_storage_objects_copy },
	{ "POST",
	  "/storage/v1/b/{sourceBucket}/o/{sourceObject}/rewriteTo/b/{destinationBucket}/o/"
	  "{destinationObject}",
	  api_storage_objects_rewrite },
	{ "POST", "/storage/v1/b/{bucket}/o/{object}/compose", api_storage_objects_compose },
	{ "POST", "/upload/storage/v1/b/{bucket}/o", api_storage_objects_insert,
	  &api_storage_upload_stream },
	/* gcloud starts resumable uploads here (reference/gcloud/storage.md). */
	{ "POST", "/resumable/upload/storage/v1/b/{bucket}/o", api_storage_objects_insert,
	  &api_storage_upload_stream },
	{ "PUT", "/upload/storage/v1/b/{bucket}/o", api_storage_objects_chunk,
	  &api_storage_chunk_stream },
	{ "PUT", "/resumable/upload/storage/v1/b/{bucket}/o", api_storage_objects_chunk,
	  &api_storage_chunk_stream },
	{ "DELETE", "/upload/storage/v1/b/{bucket}/o", api_storage_objects_cancel },
	{ "DELETE", "/resumable/upload/storage/v1/b/{bucket}/o", api_storage_objects_cancel },
	{ "GET", "/storage/v1/b/{bucket}/o", api_storage_objects_list },
	{ "GET", "/storage/v1/b/{bucket}/o/{object}", api_storage_objects_get },
	{ "DELETE", "/storage/v1/b/{bucket}/o/{object}", api_storage_objects_delete },
	{ "PATCH", "/storage/v1/b/{bucket}/o/{object}", api_storage_objects_patch },
	{ "PUT", "/storage/v1/b/{bucket}/o/{object}", api_storage_objects_update },
	{ "GET", "/download/storage/v1/b/{bucket}/o/{object}", api_storage_objects_download },
};
const size_t api_storage_object_routes_count = STIM_ARRAY_SIZE(api_storage_object_routes);
