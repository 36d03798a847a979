#pragma once
/*
 * IAM v1, mounted at the host root (CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM):
 * projects.serviceAccounts create, list, get, patch, delete, disable,
 * enable and undelete (src/service_accounts.h). An account is named
 * projects/{project}/serviceAccounts/{email or unique id}, where the
 * project segment may be "-".
 */

#include <stddef.h>

#include "api/request.h"

extern const struct api_route api_iam_routes[];
extern const size_t api_iam_routes_count;
