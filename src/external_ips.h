#pragma once
/*
 * The host-wide pool of external IPs (serve --external-range, less the
 * routers' links in its last /20): what instances' access configs and
 * static addresses take, never one address twice.
 */

#include <stdint.h>

#include "src/config.h"
#include "src/error.h"
#include "src/store.h"

/* In the caller's transaction: want (when not NULL: in the pool, not taken;
 * field names it in errors) or else the pool's first free address. For an
 * instance (region not NULL), a static address of its project and region
 * that no instance uses is its to take. */
int stim_external_ip_take(struct stim_db *db, const struct stim_config *cfg, const char *want,
			  const char *field, const char *project, const char *region, uint32_t *out,
			  stim_error_t *err);
