#pragma once
/*
 * The daemon's own endpoints for its tools (not a Google API): what the
 * ssh shim asks before it enters an instance (src/ssh_target.h).
 *
 *   GET /stimulator/v1/sshTarget?host=H[&alias=compute.ID]
 *       {"project","zone","name","id","status","pid","pidStartTime",
 *        "sshKeys","osLogin"[,"osLoginUids":{USERNAME: UID}]}; 404 when
 *       no instance is there, 400 for a host that is no address, 409
 *       when two instances have it.
 */

#include <stddef.h>

#include "api/request.h"

extern const struct api_route api_shim_routes[];
extern const size_t api_shim_routes_count;
