#pragma once
/*
 * Resource Manager projects: the rules (ids, names, lifecycle), over the
 * store. No HTTP here: the API layer turns JSON into these structs.
 *
 * Lifecycle as in GCP: ACTIVE -> DELETE_REQUESTED (delete) -> ACTIVE
 * (undelete). A deleted project keeps its id, so the id cannot be reused.
 * An unknown project is PERMISSION_DENIED, as Cloud Resource Manager answers
 * for ids the caller cannot see (reference/gcloud/iam.md).
 */

#include <stdbool.h>
#include <stdint.h>

#include "src/context.h"
#include "src/error.h"
#include "src/labels.h"

enum stim_project_state {
	STIM_PROJECT_ACTIVE,
	STIM_PROJECT_DELETE_REQUESTED,
};

struct stim_project {
	char *project_id;
	int64_t number;
	char *name;
	enum stim_project_state state;
	char *parent_type; /* "organization" or "folder", or NULL */
	char *parent_id;
	int64_t create_time_ms;
	struct stim_labels labels;
};

/* What a caller may set: on create, and (name, labels, parent) on update. */
struct stim_project_spec {
	const char *project_id;
	const char *name; /* NULL: the project id (create), unchanged (update) */
	const char *parent_type;
	const char *parent_id;
	bool has_labels; /* false: no labels (create), unchanged (update) */
	struct stim_labels labels;
	/* create: the member who becomes roles/owner (the creator, under
	 * --auth enforce), as in GCP; NULL: none. */
	const char *owner;
};

/* A list request: filter in Resource Manager's syntax, keyset pagination. */
struct stim_project_query {
	const char *filter;	/* NULL for all */
	int page_size;		/* 0: the default */
	const char *page_token; /* NULL for the first page */
	/* A caller's list: under --auth enforce, only the projects `caller`
	 * (a principal, or NULL without a token) may get, as Resource
	 * Manager lists them. */
	bool for_caller;
	const char *caller;
};

struct stim_project_page {
	struct stim_project *items;
	size_t n;
	char *next_page_token; /* NULL on the last page */
};

/* Pure checks, exported for unit tests. */
int stim_project_id_check(const char *id, stim_error_t *err);
int stim_project_name_check(const char *name, stim_error_t *err);
const char *stim_project_state_name(enum stim_project_state s);

struct stim_lro;

/* Service calls. Results are the caller's (free with the _fini functions).
 * Create returns the finished google.longrunning operation, holding the new
 * project. Any thread. */
int stim_project_create(struct stim_ctx *ctx, const struct stim_project_spec *spec,
			struct stim_lro *op, stim_error_t *err);
/* `id` may be a project id or a project number. */
int stim_project_get(struct stim_ctx *ctx, const char *id, struct stim_project *out,
		     stim_error_t *err);
int stim_project_list(struct stim_ctx *ctx, const struct stim_project_query *q,
		      struct stim_project_page *out, stim_error_t *err);
int stim_project_update(struct stim_ctx *ctx, const char *id, const struct stim_project_spec *spec,
			struct stim_project *out, stim_error_t *err);
int stim_project_delete(struct stim_ctx *ctx, const char *id, stim_error_t *err);
int stim_project_undelete(struct stim_ctx *ctx, const char *id, stim_error_t *err);

/* Creates the project unless it exists (the daemon's default project). */
int stim_project_ensure(struct stim_ctx *ctx, const char *id, stim_error_t *err);

void stim_project_fini(struct stim_project *p);
void stim_project_page_fini(struct stim_project_page *page);
