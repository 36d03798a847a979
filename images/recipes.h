#pragma once
/* What the recipes share (images/images.c, images/debian.c); not an API. */

#include "images/images.h"
#include "src/error.h"

/* GCE's resolver is the metadata server's address. */
#define STIM_IMAGE_RESOLV_CONF "nameserver 169.254.169.254\nsearch google.internal\n"

/* Writes dir/name with text (mode), replacing what is there. */
int stim_image_write_file(const char *dir, const char *name, const char *text, mode_t mode,
			  stim_error_t *err);

/* Debian 12 from Debian's packages: mmdebstrap into root (an empty
 * directory), its progress told to p as it goes. */
int stim_image_build_debian(const char *root, const struct stim_image_progress *p,
			    stim_error_t *err);
