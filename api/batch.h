#pragma once
/* The batch endpoint gcloud uses for Compute (see src/batch.h). */

#include <stddef.h>

#include "api/router.h"

extern const struct api_route api_batch_routes[];
extern const size_t api_batch_routes_count;
