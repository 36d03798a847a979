/* Compute Engine's images (see compute_images.h). */
#include "src/compute_images.h"

#include <stdio.h>
#include <string.h>

#include "src/util.h"

#define DEBIAN_PROJECT "debian-cloud"
#define DEBIAN_FAMILY  "debian-12"

static const struct stim_compute_image images[] = {
	{ .project = NULL,
	  .name = "busybox",
	  .family = "busybox",
	  .recipe = "busybox",
	  .description = "BusyBox from the host's busybox-static: one binary, a shell and the "
			 "usual tools, built in milliseconds",
	  .id = 4242000000000000001ULL,
	  .create_time_ms = 1767225600000LL,
	  .disk_size_gb = 10 },
	{ .project = DEBIAN_PROJECT,
	  .name = "debian-12-bookworm-v20261101",
	  .family = DEBIAN_FAMILY,
	  .recipe = "debian-12",
	  .description = "Debian, Debian GNU/Linux, 12 (bookworm), amd64, built here from "
			 "Debian's packages with mmdebstrap",
	  .id = 4242000000000000003ULL,
	  .create_time_ms = 1793491200000LL,
	  .disk_size_gb = 10 },
	{ .project = NULL,
	  .name = "host",
	  .family = "host",
	  .recipe = "host",
	  .description = "The host's own programs (its /usr, read-only) with a private /etc, "
			 "/var, /home and /tmp: instant. Stands in for debian-12 until that "
			 "image is built",
	  .id = 4242000000000000002ULL,
	  .create_time_ms = 1767225600000LL,
	  .disk_size_gb = 10 },
};

/* Google's public image projects, as `gcloud compute images list` asks
 * each of them. Only debian-cloud has an image here. */
static const char *const public_projects[] = {
	"almalinux-cloud",
	"centos-cloud",
	"cos-cloud",
	"debian-cloud",
	"fedora-cloud",
	"fedora-coreos-cloud",
	"freebsd-org-cloud-dev",
	"ml-images",
	"opensuse-cloud",
	"oracle-linux-cloud",
	"rhel-cloud",
	"rhel-sap-cloud",
	"rocky-linux-accelerator-cloud",
	"rocky-linux-cloud",
	"suse-cloud",
	"suse-sap-cloud",
	"ubuntu-os-accelerator-images",
	"ubuntu-os-cloud",
	"ubuntu-os-pro-cloud",
	"windows-cloud",
	"windows-sql-cloud",
};

bool stim_compute_image_project_is_public(const char *project)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(public_projects); i++) {
		if (strcmp(public_projects[i], project) == 0)
			return true;
	}
	return false;
}

static const struct stim_compute_image *by_name(const char *name)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(images); i++) {
		if (strcmp(images[i].name, name) == 0)
			return &images[i];
	}
	return NULL;
}

static bool in_project(const struct stim_compute_image *im, const char *project)
{
	if (im->project != NULL)
		return strcmp(im->project, project) == 0;
	/* busybox and host belong to every project but the public ones. */
	return !stim_compute_image_project_is_public(project);
}

size_t stim_compute_images_of(const char *project, const struct stim_compute_image **out,
			      size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < STIM_ARRAY_SIZE(images) && n < max; i++) {
		if (in_project(&images[i], project))
			out[n++] = &images[i];
	}
	return n;
}

const struct stim_compute_image *stim_compute_image_get(const char *project, const char *name,
							stim_error_t *err)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(images); i++) {
		if (in_project(&images[i], project) && strcmp(images[i].name, name) == 0)
			return &images[i];
	}
	stim_err_reason(err, STIM_NOT_FOUND, "notFound",
			"The resource 'projects/%s/global/images/%s' was not found", project, name);
	return NULL;
}

const struct stim_compute_image *stim_compute_image_from_family(const char *project,
								const char *family,
								bool debian_built,
								stim_error_t *err)
{
	for (size_t i = 0; i < STIM_ARRAY_SIZE(images); i++) {
		const struct stim_compute_image *im = &images[i];

		if (!in_project(im, project) || strcmp(im->family, family) != 0)
			continue;
		if (strcmp(im->recipe, "debian-12") == 0 && !debian_built)
			return by_name("host");
		return im;
	}
	stim_err_reason(err, STIM_NOT_FOUND, "notFound",
			"The resource 'projects/%s/global/images/family/%s' was not found", project,
			family);
	return NULL;
}

/* The value after "/<key>/" in url, up to the next '/', into buf. */
static bool segment_after(const char *url, const char *key, char *buf, size_t size)
{
	const char *p = strstr(url, key);
	size_t n;

	if (p == NULL)
		return false;
	p += strlen(key);
	n = strcspn(p, "/");
	if (n == 0 || n >= size)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

const struct stim_compute_image *stim_compute_image_resolve(const char *project,
							    const char *source_image,
							    bool debian_built, stim_error_t *err)
{
	char owner[64];
	char name[64];

	if (source_image == NULL)
		return stim_compute_image_from_family(DEBIAN_PROJECT, DEBIAN_FAMILY, debian_built,
						      err);
	/* "projects/P/..." anywhere in a full URL; a partial "global/..." is
	 * the instance's own project. */
	if (!segment_after(source_image, "projects/", owner, sizeof(owner)))
		snprintf(owner, sizeof(owner), "%s", project);
	if (segment_after(source_image, "/imageFamilyViews/", name, sizeof(name)) ||
	    segment_after(source_image, "images/family/", name, sizeof(name)))
		return stim_compute_image_from_family(owner, name, debian_built, err);
	if (segment_after(source_image, "images/", name, sizeof(name)))
		return stim_compute_image_get(owner, name, err);
	stim_err_reason(err, STIM_INVALID_ARGUMENT, "invalid",
			"Invalid value for field 'resource.disks[0].initializeParams.sourceImage': "
			"'%s'. The URL is malformed.",
			source_image);
	return NULL;
}
