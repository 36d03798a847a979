#pragma once
/*
 * IAM v1, mounted at the host root (CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM):
 * projects.serviceAccounts create, list, get, patch, delete, disable,
 * enable and undelete (src/service_accounts.h), and their keys: create,
 * list, get, delete, disable and enable (src/sa_keys.h). An account is
 * named projects/{project}/serviceAccounts/{email or unique id}, where the
 * project segment may be "-".
 *
 * The token endpoint (api/oauth.c) is the other half of keys: POST /token,
 * where a key file's token_uri points.
 */

#include <stddef.h>

#include "api/request.h"

extern const struct api_route api_iam_routes[];
extern const size_t api_iam_routes_count;
extern const struct api_route api_iam_key_routes[];
extern const size_t api_iam_key_routes_count;
/* getIamPolicy and setIamPolicy of projects (Resource Manager) and service
 * accounts (api/iam_policies.c). */
extern const struct api_route api_iam_policy_routes[];
extern const size_t api_iam_policy_routes_count;
/* Roles: the predefined catalogue, custom roles, testable permissions
 * (api/iam_roles.c). */
extern const struct api_route api_iam_role_routes[];
extern const size_t api_iam_role_routes_count;
extern const struct api_route api_oauth_routes[];
extern const size_t api_oauth_routes_count;
