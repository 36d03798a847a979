/* Cloud Storage uploads (uploadType=media and multipart), streamed to a blob. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/storage_objects.h"
#include "src/cleanup.h"
#include "src/json.h"
#include "src/multipart.h"
#include "src/util.h"

/* The JSON part of a multipart upload is metadata: a few KB at most. */
#define MAX_METADATA (1u << 20)

struct upload {
	struct api_req *req;
	struct stim_upload *u;
	struct stim_multipart *mp; /* multipart only */
	json_t *meta;		   /* the parsed metadata part; spec borrows from it */
	char *media_type;	   /* the media part's Content-Type */
	struct stim_object_spec spec;
	bool has_spec;
	bool resumable; /* a session's start: the body is only metadata */
	char *body;
	size_t body_len;
};

int api_storage_object_spec_from_json(json_t *body, struct stim_object_spec *spec,
				      stim_error_t *err)
{
	const char *md5 = NULL;
	const char *crc = NULL;
	json_t *meta = NULL;

	memset(spec, 0, sizeof(*spec));
	if (stim_json_check_fields(body, api_storage_object_fields, "", err) < 0 ||
	    stim_json_get_string(body, "name", &spec->name, err) < 0 ||
	    stim_json_get_string(body, "contentType", &spec->content_type, err) < 0 ||
	    stim_json_get_string(body, "contentEncoding", &spec->content_encoding, err) < 0 ||
	    stim_json_get_string(body, "contentDisposition", &spec->content_disposition, err) < 0 ||
	    stim_json_get_string(body, "contentLanguage", &spec->content_language, err) < 0 ||
	    stim_json_get_string(body, "cacheControl", &spec->cache_control, err) < 0 ||
	    stim_json_get_string(body, "storageClass", &spec->storage_class, err) < 0 ||
	    stim_json_get_string(body, "md5Hash", &md5, err) < 0 ||
	    stim_json_get_string(body, "crc32c", &crc, err) < 0 ||
	    stim_json_get_object(body, "metadata", &meta, err) < 0)
		return -1;
	if (md5 != NULL) {
		if (stim_base64_decode(md5, spec->md5, sizeof(spec->md5)) != 16)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid md5Hash '%s': expected the base64 of 16 bytes.",
					md5);
		spec->has_md5 = true;
	}
	if (crc != NULL) {
		unsigned char b[4];

		if (stim_base64_decode(crc, b, sizeof(b)) != 4)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"Invalid crc32c '%s': expected the base64 of 4 bytes.",
					crc);
		spec->crc32c =
			(uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		spec->has_crc32c = true;
	}
	if (meta != NULL) {
		const char *key;
		json_t *v;

		spec->has_metadata = true;
		json_object_foreach(meta, key, v)
		{
			if (!json_is_string(v)) {
				stim_labels_fini(&spec->metadata);
				return stim_err(err, STIM_INVALID_ARGUMENT,
						"Invalid value at 'metadata[%s]' (TYPE_STRING)",
						key);
			}
			stim_labels_set(&spec->metadata, key, json_string_value(v));
		}
	}
	return 0;
}

static int on_meta(void *arg, const char *json, size_t len, const char *ct, stim_error_t *err)
{
	struct upload *up = arg;

	up->meta = stim_json_parse_body(json, len, err);
	if (up->meta == NULL || api_storage_object_spec_from_json(up->meta, &up->spec, err) < 0)
		return -1;
	up->has_spec = true;
	return 0;
}

static int on_media(void *arg, const char *buf, size_t len, const char *ct, stim_error_t *err)
{
	struct upload *up = arg;

	/* Called with len 0 once the media part's headers are read: its own
	 * type stands in when the metadata has none. */
	if (len == 0) {
		if (up->spec.content_type == NULL && ct != NULL) {
			up->media_type = xstrdup(ct);
			up->spec.content_type = up->media_type;
		}
		return 0;
	}
	return stim_upload_write(up->u, buf, len, err);
}

static const struct stim_multipart_sink multipart_sink = { on_meta, on_media };

static void upload_release(void *state)
{
	struct upload *up = state;

	if (up == NULL)
		return;
	stim_upload_free(up->u); /* drops the blob unless it was committed */
	stim_multipart_free(up->mp);
	stim_object_spec_fini(&up->spec);
	json_decref(up->meta);
	free(up->media_type);
	free(up->body);
	free(up);
}

static uint64_t declared_length(const struct api_req *req)
{
	const char *cl = api_header(req, "Content-Length");

	return cl != NULL ? strtoull(cl, NULL, 10) : 0;
}

static int upload_begin(struct api_req *req, void **state, stim_error_t *err)
{
	const char *type = api_query(req, "uploadType");
	struct upload *up;
	cleanup_free char *boundary = NULL;

	if (type == NULL)
		return stim_err(err, STIM_INVALID_ARGUMENT, "Required parameter: uploadType.");
	if (strcmp(type, "resumable") == 0) {
		up = xcalloc(1, sizeof(*up));
		up->req = req;
		up->resumable = true;
		*state = up;
		return 0;
	}
	if (strcmp(type, "media") != 0 && strcmp(type, "multipart") != 0)
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid uploadType '%s': expected media, multipart or resumable.",
				type);
	if (strcmp(type, "multipart") == 0) {
		boundary = stim_multipart_boundary(api_header(req, "Content-Type"), err);
		if (boundary == NULL)
			return -1;
	} else if (api_query(req, "name") == NULL) {
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Required parameter: name (the object's name).");
	}
	up = xcalloc(1, sizeof(*up));
	up->req = req;
	/* A multipart body is a little larger than its media: announce only a
	 * media upload's length to the free-space check. */
	up->u = stim_upload_begin(req->ctx, api_path(req, "bucket"),
				  boundary != NULL ? 0 : declared_length(req), err);
	if (up->u == NULL) {
		free(up);
		return -1;
	}
	if (boundary != NULL)
		up->mp = stim_multipart_new(boundary, MAX_METADATA, &multipart_sink, up);
	*state = up;
	return 0;
}

static int upload_data(void *state, const char *buf, size_t len, stim_error_t *err)
{
	struct upload *up = state;

	if (up->resumable) {
		if (up->body_len + len > MAX_METADATA)
			return stim_err(err, STIM_INVALID_ARGUMENT,
					"The metadata of a resumable upload is over %u bytes.",
					MAX_METADATA);
		up->body = xrealloc(up->body, up->body_len + len);
		memcpy(up->body + up->body_len, buf, len);
		up->body_len += len;
		return 0;
	}
	if (up->mp != NULL)
		return stim_multipart_feed(up->mp, buf, len, err);
	return stim_upload_write(up->u, buf, len, err);
}

const struct api_stream_ops api_storage_upload_stream = {
	upload_begin,
	upload_data,
	upload_release,
};

int api_storage_objects_insert(struct api_req *req, stim_error_t *err)
{
	struct upload *up = req->stream;
	cleanup_free char *base = api_base_url(req);
	struct stim_object_cond cond;
	struct stim_object o;
	const char *name = api_query(req, "name");

	if (up->resumable) {
		up->meta = stim_json_parse_body(up->body, up->body_len, err);
		if (up->meta == NULL ||
		    api_storage_object_spec_from_json(up->meta, &up->spec, err) < 0)
			return -1;
		if (name != NULL)
			up->spec.name = name;
		return api_storage_session_start(req, &up->spec, err);
	}
	if (up->mp != NULL && stim_multipart_finish(up->mp, err) < 0)
		return -1;
	if (up->mp == NULL) {
		/* uploadType=media: the request's own Content-Type is the object's. */
		up->spec.content_type = api_header(req, "Content-Type");
	}
	/* The name parameter wins over the metadata's, as in GCS. */
	if (name != NULL)
		up->spec.name = name;
	if (api_storage_object_cond(req, &cond, err) < 0 ||
	    stim_upload_commit(up->u, &up->spec, &cond, &o, err) < 0)
		return -1;
	api_reply_json(req, 200, api_storage_object_to_json(&o, base, req->fields));
	stim_object_fini(&o);
	return 0;
}
