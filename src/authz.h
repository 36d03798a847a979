#pragma once
/*
 * Whether a principal may do something, under `serve --auth enforce`.
 *
 * The effective policy of a resource is its own (a bucket's, a service
 * account's) and its project's: a binding in either grants its role's
 * permissions to its members. A member is the principal itself
 * ("user:EMAIL", "serviceAccount:EMAIL"), allUsers, allAuthenticatedUsers,
 * domain:DOMAIN of the principal's email, or projectOwner:P,
 * projectEditor:P and projectViewer:P for who holds roles/owner,
 * roles/editor or roles/viewer on project P (Cloud Storage's convenience
 * values). A bucket's objects also carry GCS's default object ACL, which
 * makes the project's owners and editors their owners and its viewers
 * their readers. Groups have no members here. A binding's condition is
 * evaluated (src/iam_condition.h) on the resource asked for; one outside
 * the subset understood grants nothing, so it fails closed. Answers that
 * a condition took part in are not cached: time alone may change them.
 */

#include "src/context.h"
#include "src/error.h"
#include "src/strv.h"

enum stim_authz_on {
	STIM_AUTHZ_PROJECT, /* name: a project id or number */
	STIM_AUTHZ_BUCKET,  /* name: a bucket */
	STIM_AUTHZ_ACCOUNT, /* name: a service account's email or unique id */
};

/*
 * 0 when principal ("user:EMAIL", "serviceAccount:EMAIL", or NULL for a
 * caller without a token) holds permission on the resource. Otherwise
 * PERMISSION_DENIED naming the permission (UNAUTHENTICATED for a caller
 * without a token); a resource that does not exist is denied the same
 * way, as GCP answers "(or it may not exist)".
 */
int stim_authz_check(struct stim_ctx *ctx, const char *principal, const char *permission,
		     enum stim_authz_on on, const char *name, stim_error_t *err);
/* The same for an object of bucket `name` (what conditions see as
 * resource.name), or of the resource itself when object is NULL. */
int stim_authz_check_object(struct stim_ctx *ctx, const char *principal, const char *permission,
			    enum stim_authz_on on, const char *name, const char *object,
			    stim_error_t *err);

/*
 * testIamPermissions: which of asked (permission names) principal holds on
 * the resource, into granted, in the order asked. Under --auth off the
 * caller holds every one. A name that is no permission, or none that can
 * be tested on that kind of resource, is INVALID_ARGUMENT; a resource
 * that does not exist is NOT_FOUND (PERMISSION_DENIED for a project, as
 * Resource Manager answers).
 */
int stim_authz_test(struct stim_ctx *ctx, const char *principal, enum stim_authz_on on,
		    const char *name, const struct stim_strv *asked, struct stim_strv *granted,
		    stim_error_t *err);
