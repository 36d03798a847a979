/* The role catalogue (see iam_roles.h). */
#include "src/iam_roles.h"

#include <stdlib.h>
#include <string.h>

#include "src/iam_roles_data.h"
#include "src/util.h"

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct stim_role_def *)elem)->name);
}

static int by_string(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

const struct stim_role_def *stim_roles_predefined(size_t *n)
{
	*n = stim_iam_role_data_count;
	return stim_iam_role_data;
}

const struct stim_role_def *stim_role_predefined(const char *name)
{
	return bsearch(name, stim_iam_role_data, stim_iam_role_data_count,
		       sizeof(stim_iam_role_data[0]), by_name);
}

const char *const *stim_permissions(size_t *n)
{
	*n = stim_iam_permission_data_count;
	return stim_iam_permission_data;
}

bool stim_permission_known(const char *permission)
{
	return bsearch(permission, stim_iam_permission_data, stim_iam_permission_data_count,
		       sizeof(stim_iam_permission_data[0]), by_string) != NULL;
}

bool stim_role_has(const char *const *perms, const char *permission)
{
	size_t n = 0;

	while (perms[n] != NULL)
		n++;
	return bsearch(permission, perms, n, sizeof(perms[0]), by_string) != NULL;
}

int stim_iam_resource_kind(const char *full_name, enum stim_iam_resource_kind *out,
			   stim_error_t *err)
{
	const char *path = stim_str_has_prefix(full_name, "//") ? strchr(full_name + 2, '/') : NULL;
	const char *rest = path != NULL && stim_str_has_prefix(path, "/projects/")
				   ? path + strlen("/projects/")
				   : NULL;
	const char *slash = rest != NULL ? strchr(rest, '/') : NULL;

	if (rest != NULL && *rest != '\0' && slash == NULL) {
		*out = STIM_IAM_PROJECT;
		return 0;
	}
	if (slash != NULL && stim_str_has_prefix(slash, "/buckets/") &&
	    slash[strlen("/buckets/")] != '\0') {
		*out = STIM_IAM_BUCKET;
		return 0;
	}
	if (slash != NULL && stim_str_has_prefix(slash, "/serviceAccounts/") &&
	    slash[strlen("/serviceAccounts/")] != '\0') {
		*out = STIM_IAM_SERVICE_ACCOUNT;
		return 0;
	}
	return stim_err_reason(err, STIM_INVALID_ARGUMENT, "badRequest",
			       "Invalid fullResourceName '%s': expected a project, a bucket or a "
			       "service account, such as "
			       "//cloudresourcemanager.googleapis.com/projects/PROJECT.",
			       full_name);
}

bool stim_permission_applies(const char *permission, enum stim_iam_resource_kind kind)
{
	switch (kind) {
	case STIM_IAM_PROJECT:
		/* A project's policy reaches everything in it. */
		return true;
	case STIM_IAM_BUCKET:
		return stim_str_has_prefix(permission, "storage.buckets.") ||
		       stim_str_has_prefix(permission, "storage.objects.") ||
		       stim_str_has_prefix(permission, "storage.multipartUploads.");
	case STIM_IAM_SERVICE_ACCOUNT:
		return stim_str_has_prefix(permission, "iam.serviceAccounts.") ||
		       stim_str_has_prefix(permission, "iam.serviceAccountKeys.");
	}
	return false;
}

bool stim_role_grantable_on(const char *const *perms, enum stim_iam_resource_kind kind)
{
	for (const char *const *p = perms; *p != NULL; p++) {
		if (stim_permission_applies(*p, kind))
			return true;
	}
	return false;
}
