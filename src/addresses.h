#pragma once
/*
 * Static external IP addresses (Compute Engine's regional addresses API):
 * insert, get, list (one region's, or aggregated), delete, each change a
 * regional operation, DONE at once. An address is reserved from the same
 * pool as instances' external IPs (serve --external-range, below the
 * routers' links); an instance whose access config names it (gcloud's
 * --address NAME sends its natIP) uses it: the address is then IN_USE,
 * with the instance among its users, and cannot be deleted until the
 * instance goes. Only EXTERNAL addresses are built.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "src/compute_ops.h"
#include "src/context.h"
#include "src/error.h"

struct stim_address {
	char *project;
	char *region;
	char *name;
	int64_t id;
	char *description;
	uint32_t address; /* host order */
	int64_t create_time_ms;
	char *user; /* "projects/P/zones/Z/instances/I" using it; NULL: RESERVED */
};

void stim_address_fini(struct stim_address *a);

int stim_address_insert(struct stim_ctx *ctx, const char *project, const char *region, json_t *body,
			struct stim_compute_op *op, stim_error_t *err);
int stim_address_get(struct stim_ctx *ctx, const char *project, const char *region,
		     const char *name, struct stim_address *out, stim_error_t *err);
/* By (region, name) after after_region/after_name, of one region (NULL:
 * every region), at most max; *more when others follow. */
int stim_address_list(struct stim_ctx *ctx, const char *project, const char *region,
		      const char *after_region, const char *after_name, int max,
		      struct stim_address **out, size_t *n, bool *more, stim_error_t *err);
int stim_address_delete(struct stim_ctx *ctx, const char *project, const char *region,
			const char *name, struct stim_compute_op *op, stim_error_t *err);
