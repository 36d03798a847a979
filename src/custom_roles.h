#pragma once
/*
 * Custom roles per project (IAM v1 projects.roles): create, get, list,
 * patch, delete and undelete, named projects/PROJECT/roles/ROLE_ID. GCP's
 * rules: a role id of 3 to 64 letters, digits, '_' and '.'; a title of at
 * most 100 characters and a description of at most 300; a stage of
 * ALPHA (the default), BETA, GA, DEPRECATED, DISABLED or EAP; only
 * permissions the catalogue knows (src/iam_roles.h). A delete is soft: the
 * role answers with deleted set, grants nothing, and can be undeleted for
 * 7 days; its id is not free again meanwhile. Changes name the etag they
 * read, or none; a stale one is ABORTED.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "src/context.h"
#include "src/error.h"
#include "src/strv.h"

#define STIM_CUSTOM_ROLE_UNDELETE_MS (7LL * 24 * 3600 * 1000)

struct stim_custom_role {
	char *project;
	char *role_id;
	char *title;
	char *description; /* NULL: none */
	char *stage;
	struct stim_strv permissions; /* sorted, without repeats */
	int64_t deleted_ms;	      /* 0: live */
	int64_t gen;		      /* the etag's */
};

void stim_custom_role_fini(struct stim_custom_role *r);
void stim_custom_roles_free(struct stim_custom_role *v, size_t n);

/* The role as IAM renders it; includedPermissions only when full. */
json_t *stim_custom_role_json(const struct stim_custom_role *r, bool full);

/* create: spec's title (required), description, stage and permissions. */
int stim_custom_role_create(struct stim_ctx *ctx, const char *project, const char *role_id,
			    const struct stim_custom_role *spec, struct stim_custom_role *out,
			    stim_error_t *err);
/* get: live or deleted. */
int stim_custom_role_get(struct stim_ctx *ctx, const char *project, const char *role_id,
			 struct stim_custom_role *out, stim_error_t *err);
/* list: by role id, after `after`, at most limit; deleted ones too when
 * show_deleted. */
int stim_custom_role_list(struct stim_ctx *ctx, const char *project, bool show_deleted,
			  const char *after, int limit, struct stim_custom_role **out, size_t *n,
			  stim_error_t *err);
/* patch: the fields mask names ("title", "description", "stage",
 * "includedPermissions"; NULL: all four) from spec, if etag (NULL: any)
 * is current. */
int stim_custom_role_patch(struct stim_ctx *ctx, const char *project, const char *role_id,
			   const struct stim_custom_role *spec, const char *mask, const char *etag,
			   struct stim_custom_role *out, stim_error_t *err);
int stim_custom_role_delete(struct stim_ctx *ctx, const char *project, const char *role_id,
			    const char *etag, struct stim_custom_role *out, stim_error_t *err);
int stim_custom_role_undelete(struct stim_ctx *ctx, const char *project, const char *role_id,
			      const char *etag, struct stim_custom_role *out, stim_error_t *err);
