#pragma once
/*
 * OS Login v1 (gcloud's `compute ssh` to an instance with enable-oslogin,
 * and `compute os-login`): users/{user}/loginProfile,
 * users/{user}:importSshPublicKey, users/{user}/sshPublicKeys/{fp} get and
 * delete. Mounted at the host root (CLOUDSDK_API_ENDPOINT_OVERRIDES_OSLOGIN).
 */

#include <stddef.h>

#include "api/request.h"

extern const struct api_route api_oslogin_routes[];
extern const size_t api_oslogin_routes_count;
