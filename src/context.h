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
struct stim_cgroups;
struct stim_workers;
struct stim_supervisor;
struct stim_signing_key;
struct stim_tokens;
struct stim_decision_cache;

struct stim_ctx {
	const struct stim_config *cfg;
	struct stim_store *store;
	struct stim_blobs *blobs;	      /* object bytes (Cloud Storage) */
	struct stim_compute_hub *compute_hub; /* operation waiters; NULL in tests */
	/* Instances: their cgroups (NULL: none, as in unit tests), the jobs
	 * that start and stop them (NULL: run inline), and the static PID 1
	 * they run (NULL: instances cannot start here, and say so). */
	struct stim_cgroups *cgroups;
	struct stim_workers *workers;
	const char *init_path;
	/* The layer over every image, with sudo (src/guest_layer.h); NULL
	 * with init_path. */
	const char *guest_layer;
	/* Watches running instances' PID 1 and caps their consoles (NULL:
	 * nobody watches, as in unit tests). */
	struct stim_supervisor *supervisor;
	/* The daemon's JWT signing key (identity tokens) and the secret of
	 * its access tokens (NULL: none, as in unit tests that need none). */
	struct stim_signing_key *signer;
	struct stim_tokens *tokens;
	/* IAM answers already given (NULL: none kept, every question goes
	 * to the store). */
	struct stim_decision_cache *iam_cache;
};
