/* Compute Engine's project resource: get, and setCommonInstanceMetadata
 * (see compute.h and src/compute_projects.h). */
#include "api/compute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/compute_projects.h"
#include "src/json.h"
#include "src/util.h"

int api_compute_project_check(struct api_req *req, stim_error_t *err)
{
	return stim_compute_project_check(req->ctx, api_path(req, "project"), err);
}

json_t *api_compute_fingerprint_json(const unsigned char *fp)
{
	cleanup_free char *s = stim_base64_encode(fp, STIM_FINGERPRINT_LEN, false);

	return json_string(s);
}

static json_t *metadata_json(const struct stim_compute_metadata *m)
{
	json_t *j = json_pack("{s:s, s:o}", "kind", "compute#metadata", "fingerprint",
			      api_compute_fingerprint_json(m->fingerprint));
	json_t *items = json_array();

	for (size_t i = 0; i < m->items.n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s}", "key", m->items.v[i].key,
						       "value", m->items.v[i].value));
	if (m->items.n > 0)
		json_object_set_new(j, "items", items);
	else
		json_decref(items);
	return j;
}

static int api_compute_projects_get(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	struct stim_compute_metadata m;
	struct stim_project p;
	char ts[STIM_TIME_BUFSZ];
	char id[24];
	json_t *j;

	if (stim_compute_project_get(req->ctx, api_path(req, "project"), &p, &m, err) < 0)
		return -1;
	snprintf(id, sizeof(id), "%lld", (long long)p.number);
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "kind", "compute#project", "id",
		      id, "name", p.project_id, "creationTimestamp",
		      stim_time_format(p.create_time_ms, ts), "commonInstanceMetadata",
		      metadata_json(&m), "xpnProjectStatus", "UNSPECIFIED_XPN_PROJECT_STATUS",
		      "defaultNetworkTier", "PREMIUM", "vmDnsSetting", "ZONAL_ONLY");
	/* gcloud's instances create reads it to fill serviceAccounts
	 * (reference/gcloud/compute.md). */
	json_object_set_new(
		j, "defaultServiceAccount",
		json_sprintf("%lld-compute@developer.gserviceaccount.com", (long long)p.number));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/compute/v1/projects/%s", base, p.project_id));
	stim_project_fini(&p);
	stim_compute_metadata_fini(&m);
	return api_reply_json(req, 200, j);
}

int api_compute_fingerprint_from_json(json_t *body, const char *key, unsigned char *fp,
				      bool *has_fp, const char *mismatch, stim_error_t *err)
{
	const char *text = NULL;
	unsigned char raw[64];

	*has_fp = false;
	if (stim_json_get_string(body, key, &text, err) < 0)
		return -1;
	if (text == NULL)
		return 0;
	/* gcloud sends it back URL-safe re-encoded: compare bytes. Bytes
	 * that are no fingerprint of ours match nothing. */
	if (stim_base64_decode(text, raw, sizeof(raw)) != STIM_FINGERPRINT_LEN)
		return stim_err_reason(err, STIM_FAILED_PRECONDITION, "conditionNotMet", "%s",
				       mismatch);
	memcpy(fp, raw, STIM_FINGERPRINT_LEN);
	*has_fp = true;
	return 0;
}

int api_compute_metadata_from_json(json_t *body, struct stim_labels *items, unsigned char *fp,
				   bool *has_fp, stim_error_t *err)
{
	static const char *const fields[] = { "kind", "fingerprint", "items", NULL };
	static const char *const item_fields[] = { "key", "value", NULL };
	json_t *arr = json_object_get(body, "items");
	json_t *v;
	size_t i;

	memset(items, 0, sizeof(*items));
	*has_fp = false;
	if (stim_json_check_fields(body, fields, "", err) < 0 ||
	    api_compute_fingerprint_from_json(
		    body, "fingerprint", fp, has_fp,
		    "Supplied fingerprint does not match current metadata fingerprint.", err) < 0)
		return -1;
	if (arr != NULL && !json_is_array(arr) && !json_is_null(arr))
		return stim_err(err, STIM_INVALID_ARGUMENT,
				"Invalid value for field 'resource.items': expected a list.");
	json_array_foreach(arr, i, v)
	{
		const char *key = NULL;
		const char *value = "";

		if (!json_is_object(v) ||
		    stim_json_check_fields(v, item_fields, "items", err) < 0 ||
		    stim_json_get_string(v, "key", &key, err) < 0 ||
		    stim_json_get_string(v, "value", &value, err) < 0)
			goto fail;
		if (key == NULL || stim_compute_metadata_check_key(key, i, err) < 0) {
			if (key == NULL)
				stim_err(err, STIM_INVALID_ARGUMENT,
					 "Required field 'resource.items[%zu].key' not specified",
					 i);
			goto fail;
		}
		for (size_t k = 0; k < items->n; k++) {
			if (strcmp(items->v[k].key, key) == 0) {
				stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
						"Duplicate metadata key '%s'.", key);
				goto fail;
			}
		}
		stim_labels_set(items, key, value != NULL ? value : "");
	}
	return 0;
fail:
	stim_labels_fini(items);
	return -1;
}

static int api_compute_projects_set_metadata(struct api_req *req, stim_error_t *err)
{
	cleanup_json json_t *body = api_body_json(req, err);
	struct stim_labels items;
	struct stim_compute_op op;
	unsigned char fp[STIM_FINGERPRINT_LEN];
	bool has_fp;

	if (body == NULL || api_compute_metadata_from_json(body, &items, fp, &has_fp, err) < 0 ||
	    stim_compute_project_set_metadata(req->ctx, api_path(req, "project"),
					      has_fp ? fp : NULL, &items, &op, err) < 0)
		return -1;
	return api_compute_reply_op(req, &op);
}

const struct api_route api_compute_project_routes[] = {
	{ "GET", "/compute/v1/projects/{project}", api_compute_projects_get },
	{ "POST", "/compute/v1/projects/{project}/setCommonInstanceMetadata",
	  api_compute_projects_set_metadata },
};
const size_t api_compute_project_routes_count = STIM_ARRAY_SIZE(api_compute_project_routes);
