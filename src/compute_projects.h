#pragma once
/*
 * A project as Compute Engine shows it: its common instance metadata
 * (project-wide keys such as ssh-keys, enable-oslogin, startup-script)
 * with a fingerprint that changes on every write, so that a
 * read-modify-write from gcloud (`project-info add-metadata`) is refused
 * with 412 when someone else wrote in between.
 */

#include <stddef.h>

#include "src/compute_ops.h"
#include "src/context.h"
#include "src/error.h"
#include "src/labels.h"
#include "src/projects.h"

#define STIM_FINGERPRINT_LEN 8

/* Metadata: keys in order, values free-form (GCE's rules below). */
struct stim_compute_metadata {
	unsigned char fingerprint[STIM_FINGERPRINT_LEN];
	struct stim_labels items; /* a key/value set; not label-checked */
};

void stim_compute_metadata_fini(struct stim_compute_metadata *m);

/* GCE's rules for metadata items: keys of 1 to 128 of [a-zA-Z0-9-_],
 * no key twice, a value at most 256 KiB, all of them at most 512 KiB.
 * index_of_bad names the item in messages ("items[2]"). */
int stim_compute_metadata_check_key(const char *key, size_t index, stim_error_t *err);
int stim_compute_metadata_check(const struct stim_labels *items, stim_error_t *err);

/* That the project exists and is active, GCE's NOT_FOUND otherwise: what
 * every Compute call checks first. It reads no metadata and writes
 * nothing (stim_compute_project_get may create the metadata row). */
int stim_compute_project_check(struct stim_ctx *ctx, const char *project, stim_error_t *err);
/* The same check, giving the project's number. */
int stim_compute_project_number(struct stim_ctx *ctx, const char *project, int64_t *number,
				stim_error_t *err);

/* The project (CRM's record) and its Compute metadata. NOT_FOUND (GCE's
 * wording) for an unknown or deleted project. */
int stim_compute_project_get(struct stim_ctx *ctx, const char *project, struct stim_project *p,
			     struct stim_compute_metadata *m, stim_error_t *err);

/* setCommonInstanceMetadata: replaces every item when fingerprint (when
 * given) is the current one, else FAILED_PRECONDITION conditionNotMet.
 * Records the global operation, DONE. items is taken. */
int stim_compute_project_set_metadata(struct stim_ctx *ctx, const char *project,
				      const unsigned char *fingerprint, struct stim_labels *items,
				      struct stim_compute_op *op, stim_error_t *err);
