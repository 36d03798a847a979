#pragma once
/* Liveness, readiness and Prometheus metrics for operators and CI scripts. */

#include <stddef.h>

#include "api/request.h"

extern const struct api_route api_health_routes[];
extern const size_t api_health_routes_count;
