#pragma once
/*
 * The role catalogue: Google's predefined roles for the services this
 * daemon emulates, with their real permission lists cut to those
 * services' permissions (src/iam_roles_data.c, made by
 * scripts/gen-iam-roles from data/iam-roles.tsv), and the permissions a
 * custom role may hold (queryTestablePermissions). Custom roles, made per
 * project, are in src/custom_roles.h.
 */

#include <stdbool.h>
#include <stddef.h>

#include "src/error.h"

struct stim_role_def {
	const char *name; /* "roles/storage.admin" */
	const char *title;
	const char *description;
	const char *stage;		/* "GA", "BETA", ... */
	const char *const *permissions; /* sorted, NULL-terminated */
};

/* Every predefined role, sorted by name. */
const struct stim_role_def *stim_roles_predefined(size_t *n);
/* A predefined role by its full name ("roles/x"), or NULL. */
const struct stim_role_def *stim_role_predefined(const char *name);

/* Every permission the catalogue knows, sorted. */
const char *const *stim_permissions(size_t *n);
bool stim_permission_known(const char *permission);

/*
 * What kind of resource a full resource name ("//HOST/projects/P",
 * "//storage.googleapis.com/projects/_/buckets/B", "//iam.googleapis.com/
 * projects/P/serviceAccounts/E") names: the permissions that can be tested
 * on it (and so the roles that can be granted on it) depend on that. Any
 * host is taken: gcloud writes its endpoint override's. INVALID_ARGUMENT
 * for anything else.
 */
enum stim_iam_resource_kind {
	STIM_IAM_PROJECT,
	STIM_IAM_BUCKET,
	STIM_IAM_SERVICE_ACCOUNT,
};
int stim_iam_resource_kind(const char *full_name, enum stim_iam_resource_kind *out,
			   stim_error_t *err);
/* Whether permission can be tested on (granted on) a resource of kind. */
bool stim_permission_applies(const char *permission, enum stim_iam_resource_kind kind);

/* Whether a role of these permissions (NULL-terminated) can be granted
 * on a resource of kind: whether it grants anything there. */
bool stim_role_grantable_on(const char *const *perms, enum stim_iam_resource_kind kind);

/* Whether the NULL-terminated sorted list perms holds permission. */
bool stim_role_has(const char *const *perms, const char *permission);
