#pragma once
/*
 * What every service call needs from the running daemon: its configuration
 * and the store. Built once by `serve` (or by a test over a temporary
 * database) and shared read-only by all worker threads.
 */

#include "src/config.h"
#include "src/store.h"

struct stim_ctx {
	const struct stim_config *cfg;
	struct stim_store *store;
};
