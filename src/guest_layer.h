#pragma once
/*
 * The guest layer: DATA/guest/<shift>, the topmost read-only layer of
 * every instance's overlay root, above its image. It holds what the GCE
 * guest environment puts in an image and this daemon provides instead:
 * /usr/bin/sudo, which is stim-init under that name (sandbox/sudo.h). Its
 * own setuid sudo, which Debian's image has, would do nothing under
 * no_new_privs, so this one lies over it.
 *
 * Being topmost, the layer's directories (usr, usr/bin) are the ones an
 * instance sees; they are made as an image's are, root's and 0755, and
 * for instances in a user namespace owned by its root (the shift), so
 * that root may still write there. The copy of stim-init is replaced
 * when the daemon's changes (another size or time).
 */

#include <stdint.h>

#include "src/error.h"

/* Makes or refreshes the layer for shift (0: none) from init_path;
 * *out_dir is its directory (the caller frees it). */
int stim_guest_layer_prepare(const char *data_dir, const char *init_path, uint32_t shift,
			     char **out_dir, stim_error_t *err);
