/* Compute Engine list pages (see compute.h). */
#include "api/compute.h"

#include "src/cleanup.h"
#include "src/page_token.h"
#include "src/util.h"

#define LIST_MAX 500

int api_compute_page_args(struct api_req *req, char *after, size_t size, int *max,
			  stim_error_t *err)
{
	*max = 0;
	if (api_query_int(req, "maxResults", 0, LIST_MAX, max, err) < 0 ||
	    stim_page_token_decode(api_query(req, "pageToken"), "invalid", after, size, err) < 0)
		return -1;
	if (*max == 0)
		*max = LIST_MAX;
	return 0;
}

void api_compute_group_add(json_t *scopes, const char *region, const char *key, json_t *item)
{
	cleanup_free char *scope = xasprintf("regions/%s", region);
	json_t *group = json_object_get(scopes, scope);

	if (group == NULL) {
		group = json_pack("{s:[]}", key);
		json_object_set_new(scopes, scope, group);
	}
	json_array_append_new(json_object_get(group, key), item);
}

json_t *api_compute_list_json(const struct api_req *req, const char *kind, const char *path,
			      json_t *items, const char *next)
{
	cleanup_free char *base = api_base_url(req);
	json_t *j = json_pack("{s:s}", "kind", kind);

	json_object_set_new(j, "id",
			    json_sprintf("projects/%s/%s", api_path(req, "project"), path));
	json_object_set_new(
		j, "selfLink",
		json_sprintf("%s/compute/v1/projects/%s/%s", base, api_path(req, "project"), path));
	if (json_array_size(items) > 0)
		json_object_set_new(j, "items", items);
	else
		json_decref(items);
	if (next != NULL) {
		cleanup_free char *token = stim_page_token_encode(next);

		json_object_set_new(j, "nextPageToken", json_string(token));
	}
	return j;
}
