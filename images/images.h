#pragma once
/*
 * Image recipes: the read-only layer an instance's overlay root sits on,
 * built once under DATA/images/<name>/rootfs and shared by every
 * instance of that image (the instance's writes go to its own disk).
 *
 *   busybox  busybox-static's one binary with a relative link per applet
 *            (`busybox --install -s` would point the links at the host's
 *            own path), plus the /etc a shell expects. A few ms to build.
 *   host     the host's own programs: a skeleton root whose /usr is the
 *            host's, bound read-only, with bin, sbin and lib* as the host
 *            has them (links on merged-/usr systems, binds otherwise), and
 *            a private /etc, /var, /home and /tmp. Instant, and it has
 *            whatever the runner has installed.
 *
 *   debian-12  Debian 12 from Debian's packages with mmdebstrap
 *            (images/debian.c): about 45 s and 210 MB the first time.
 *
 * A recipe is built in a temporary directory and renamed into place, so a
 * crash never leaves a half image in use; one build per image at a time.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "sandbox/spawn.h"
#include "src/error.h"

struct stim_image_layout {
	char lower[PATH_MAX];
	struct stim_sandbox_bind binds[STIM_SANDBOX_BINDS_MAX];
	size_t nbinds;
	char bind_source[STIM_SANDBOX_BINDS_MAX][64];
	char bind_target[STIM_SANDBOX_BINDS_MAX][64];
};

/* How a build goes, for the operation waiting on it: percent done (1 to
 * 95) and what it is doing. Called on the building thread. */
struct stim_image_progress {
	void (*fn)(void *arg, int percent, const char *what);
	void *arg;
};

/* Builds the image if it is not there yet (telling progress, which may
 * be NULL) and fills *out (binds point into out). With shift, the lower
 * layer is a copy owned by uids and gids shifted by it, for instances in
 * a user namespace (sandbox/spawn.h), made once and kept beside the
 * image; the host image's binds stay the host's. NOT_FOUND for an
 * unknown name; FAILED_PRECONDITION when the host lacks what the recipe
 * needs (busybox-static, mmdebstrap). Any thread. */
int stim_image_prepare(const char *data_dir, const char *name,
		       const struct stim_image_progress *progress, uint32_t shift,
		       struct stim_image_layout *out, stim_error_t *err);
/* Whether the image is built (instances of it start at once). */
bool stim_image_built(const char *data_dir, const char *name);
