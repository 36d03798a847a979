#pragma once
/*
 * The daemon's background chores, run on one thread every
 * --housekeeping-interval seconds (and once at start): lifecycle rules
 * acted on, expired upload sessions ended. Each chore takes the store in
 * short holds, so requests are never held up for a whole sweep.
 */

#include <stdint.h>

#include "src/context.h"
#include "src/error.h"

/* Acts on every bucket's lifecycle rules as of now_ms. Returns how many
 * object generations were deleted or moved to another class. */
int stim_lifecycle_sweep(struct stim_ctx *ctx, int64_t now_ms, stim_error_t *err);

/* One round of every chore (what the thread runs; tests call it). */
void stim_housekeeping_run(struct stim_ctx *ctx);

struct stim_housekeeper;
struct stim_housekeeper *stim_housekeeper_start(struct stim_ctx *ctx, unsigned interval_seconds,
						stim_error_t *err);
/* Stops the thread (waiting for a round in progress) and frees it. */
void stim_housekeeper_stop(struct stim_housekeeper *h);
