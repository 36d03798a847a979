#pragma once
/*
 * What every service call needs from the running daemon: its configuration,
 * the store, and the blob store. Built once by `serve` (or by a test over a temporary
 * database) and shared read-only by all worker threads.
 */

#include "src/config.h"
#include "src/store.h"

struct stim_blobs;
struct stim_compute_hub;

struct stim_ctx {
	const struct stim_config *cfg;
	struct stim_store *store;
	struct stim_blobs *blobs;	      /* object bytes (Cloud Storage) */
	struct stim_compute_hub *compute_hub; /* operation waiters; NULL in tests */
};
