/* Compute Engine images: get, list, getFromFamily and imageFamilyViews
 * (see compute.h and src/compute_images.h). Google's public image
 * projects (debian-cloud, ...) answer for everyone; other projects must
 * exist, and have the busybox and host images. */
#include "api/compute.h"

#include <stdio.h>
#include <string.h>

#include "images/images.h"
#include "src/cleanup.h"
#include "src/compute_catalog.h"
#include "src/compute_images.h"
#include "src/util.h"

#define IMAGES_MAX 16

static int image_project_check(struct api_req *req, stim_error_t *err)
{
	if (stim_compute_image_project_is_public(api_path(req, "project")))
		return 0;
	return api_compute_project_check(req, err);
}

static bool debian_built(const struct api_req *req)
{
	return stim_image_built(req->ctx->cfg->data_dir, "debian-12");
}

/* An image as GCE describes it, under the project it was asked from. */
static json_t *image_json(const struct api_req *req, const struct stim_compute_image *im)
{
	cleanup_free char *base = api_base_url(req);
	const char *project = im->project != NULL ? im->project : api_path(req, "project");
	char ts[STIM_TIME_BUFSZ];
	char id[24];
	json_t *j;

	snprintf(id, sizeof(id), "%llu", (unsigned long long)im->id);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "kind",
		      "compute#image", "id", id, "creationTimestamp",
		      stim_time_format(im->create_time_ms, ts), "name", im->name, "description",
		      im->description, "family", im->family, "sourceType", "RAW", "status", "READY",
		      "architecture", "X86_64", "labelFingerprint",
		      "42WmSpB8rSM=", "storageLocations", "us");
	json_object_set_new(j, "diskSizeGb", json_sprintf("%d", im->disk_size_gb));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/compute/v1/projects/%s/global/images/%s", base,
					 project, im->name));
	return j;
}

static int api_compute_images_get(struct api_req *req, stim_error_t *err)
{
	const struct stim_compute_image *im;

	if (image_project_check(req, err) < 0)
		return -1;
	im = stim_compute_image_get(api_path(req, "project"), api_path(req, "image"), err);
	return im != NULL ? api_reply_json(req, 200, image_json(req, im)) : -1;
}

static int api_compute_images_from_family(struct api_req *req, stim_error_t *err)
{
	const struct stim_compute_image *im;

	if (image_project_check(req, err) < 0)
		return -1;
	im = stim_compute_image_from_family(api_path(req, "project"), api_path(req, "family"),
					    debian_built(req), err);
	return im != NULL ? api_reply_json(req, 200, image_json(req, im)) : -1;
}

/* A zonal view of a family: {"image": the image it resolves to}. */
static int api_compute_image_family_view(struct api_req *req, stim_error_t *err)
{
	const struct stim_compute_image *im;

	if (image_project_check(req, err) < 0 ||
	    stim_compute_zone_check(api_path(req, "project"), api_path(req, "zone"), err) < 0)
		return -1;
	im = stim_compute_image_from_family(api_path(req, "project"), api_path(req, "family"),
					    debian_built(req), err);
	if (im == NULL)
		return -1;
	return api_reply_json(req, 200, json_pack("{s:o}", "image", image_json(req, im)));
}

static int api_compute_images_list(struct api_req *req, stim_error_t *err)
{
	cleanup_free char *base = api_base_url(req);
	const struct stim_compute_image *v[IMAGES_MAX];
	size_t n;
	json_t *items;
	json_t *j;

	if (image_project_check(req, err) < 0)
		return -1;
	n = stim_compute_images_of(api_path(req, "project"), v, IMAGES_MAX);
	j = json_pack("{s:s}", "kind", "compute#imageList");
	json_object_set_new(j, "id",
			    json_sprintf("projects/%s/global/images", api_path(req, "project")));
	json_object_set_new(j, "selfLink",
			    json_sprintf("%s/compute/v1/projects/%s/global/images", base,
					 api_path(req, "project")));
	if (n > 0) {
		items = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(items, image_json(req, v[i]));
		json_object_set_new(j, "items", items);
	}
	return api_reply_json(req, 200, j);
}

const struct api_route api_compute_image_routes[] = {
	{ "GET", "/compute/v1/projects/{project}/global/images", api_compute_images_list },
	{ "GET", "/compute/v1/projects/{project}/global/images/{image}", api_compute_images_get },
	{ "GET", "/compute/v1/projects/{project}/global/images/family/{family}",
	  api_compute_images_from_family },
	{ "GET", "/compute/v1/projects/{project}/zones/{zone}/imageFamilyViews/{family}",
	  api_compute_image_family_view },
};
const size_t api_compute_image_routes_count = STIM_ARRAY_SIZE(api_compute_image_routes);
