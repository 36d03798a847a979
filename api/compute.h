#pragma once
/*
 * Compute Engine v1 (/compute/v1/projects/{project}/...), as gcloud calls
 * it (reference/gcloud/compute.md). This file's routes: the catalog that
 * needs no store of its own, zones, regions and machine types (also the
 * aggregated list gcloud's `machine-types list` uses).
 */

#include <stddef.h>

#include "api/router.h"

extern const struct api_route api_compute_catalog_routes[];
extern const size_t api_compute_catalog_routes_count;
