#pragma once
/*
 * Compute Engine's image resources and how a sourceImage picks a recipe
 * (images/). Three images exist:
 *
 *   debian-cloud/debian-12-bookworm-v20261101 (family debian-12): Debian
 *       12 built from Debian's packages with mmdebstrap when first asked
 *       for, then cached;
 *   busybox and host (families of the same names), which every project
 *       has: built in milliseconds or instant.
 *
 * The family gcloud uses by default, debian-cloud's debian-12, resolves
 * to the best available image: the Debian one once it is built, the host
 * image (instant) until then. Naming the Debian image itself builds it.
 * Pure: whether debian-12 is built is the caller's to say.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/error.h"

struct stim_compute_image {
	const char *project; /* NULL: every project has it */
	const char *name;
	const char *family;
	const char *recipe; /* images/ recipe */
	const char *description;
	uint64_t id;
	int64_t create_time_ms;
	int disk_size_gb;
};

/* Projects that hold Google's public images: they exist for every caller
 * (image lists of them are answered, most of them empty). */
bool stim_compute_image_project_is_public(const char *project);

/* The images of a project, in name order: *n of them. */
size_t stim_compute_images_of(const char *project, const struct stim_compute_image **out,
			      size_t max);
/* An image by name; NOT_FOUND in GCE's words. */
const struct stim_compute_image *stim_compute_image_get(const char *project, const char *name,
							stim_error_t *err);
/* The image a family resolves to now (see above); NOT_FOUND in GCE's
 * words for a family the project does not have. */
const struct stim_compute_image *stim_compute_image_from_family(const char *project,
								const char *family,
								bool debian_built,
								stim_error_t *err);
/* A sourceImage as clients send it: a full or partial URL naming an image
 * (projects/P/global/images/NAME), a family (.../images/family/F) or a
 * family view (projects/P/zones/Z/imageFamilyViews/F); NULL is gcloud's
 * default, debian-cloud's debian-12 family. project: the instance's, for
 * URLs without one. */
const struct stim_compute_image *stim_compute_image_resolve(const char *project,
							    const char *source_image,
							    bool debian_built, stim_error_t *err);
