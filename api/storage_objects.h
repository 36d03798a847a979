#pragma once
/*
 * Cloud Storage objects: the JSON API's object resource (get, list,
 * delete, media download) and uploads (api/storage_upload.c). Rendering
 * and parsing are pure and exported for unit tests.
 */

#include <jansson.h>

#include "api/request.h"
#include "src/fields.h"
#include "src/objects.h"

extern const struct api_route api_storage_object_routes[];
extern const size_t api_storage_object_routes_count;

/* A storage#object; links start with base_url ("http://HOST:PORT"). gcloud
 * downloads from mediaLink's path and checks md5Hash, or crc32c (base64 of
 * the big-endian value), and needs etag (reference/gcloud/storage.md). */
/* sel: the partial-response selection for the object (NULL: all of it);
 * members it leaves out are not built. */
json_t *api_storage_object_to_json(const struct stim_object *o, const char *base_url,
				   const struct stim_fields *sel);

/* The members an object body may have (NULL-terminated). */
extern const char *const api_storage_object_fields[];

/* An upload's metadata (multipart's JSON part) into a spec. Strings are
 * borrowed from body; spec->metadata is owned. */
int api_storage_object_spec_from_json(json_t *body, struct stim_object_spec *spec,
				      stim_error_t *err);

/* ifGenerationMatch & co. from the query string. */
int api_storage_object_cond(const struct api_req *req, struct stim_object_cond *cond,
			    stim_error_t *err);

/* The upload handler and its stream (api/storage_upload.c). */
int api_storage_objects_insert(struct api_req *req, stim_error_t *err);
extern const struct api_stream_ops api_storage_upload_stream;

/* Resumable uploads (api/storage_resumable.c): a session's start from its
 * metadata, each chunk (or status query) as a stream, and cancel. */
int api_storage_session_start(struct api_req *req, struct stim_object_spec *spec,
			      stim_error_t *err);
int api_storage_objects_chunk(struct api_req *req, stim_error_t *err);
int api_storage_objects_cancel(struct api_req *req, stim_error_t *err);
extern const struct api_stream_ops api_storage_chunk_stream;
