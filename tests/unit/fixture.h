#pragma once
/*
 * The temporary store the service tests run over: the default
 * configuration, and a store in a fresh /tmp/stim-unit-NAME-XXXXXX, with a
 * stim_ctx pointing at both.
 *
 * Each test keeps its own struct fixture (tmp, cfg and ctx, plus whatever
 * else it needs) and passes those fields in. Every test is its own
 * executable, so the helpers are static inline instead of a library.
 */

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "src/config.h"
#include "src/context.h"
#include "src/error.h"
#include "src/projects.h"
#include "src/store.h"

#define FIXTURE_TMP_SIZE 64

/* Makes the directory in tmp, parses cfg and opens the store into ctx.
 * Returns -1, having said why, on failure: setup fails the test group. */
static inline int fixture_store_open(const char *name, char tmp[FIXTURE_TMP_SIZE],
				     struct stim_config *cfg, struct stim_ctx *ctx)
{
	stim_error_t err = NULL;
	char *argv[] = { "stimulator", NULL };

	snprintf(tmp, FIXTURE_TMP_SIZE, "/tmp/stim-unit-%s-XXXXXX", name);
	if (mkdtemp(tmp) == NULL || stim_config_parse(cfg, 1, argv, &err) != 0)
		return -1;
	ctx->cfg = cfg;
	ctx->store = stim_store_open(tmp, &err);
	if (ctx->store == NULL) {
		print_error("open: %s\n", err->msg);
		stim_error_free(err);
		return -1;
	}
	return 0;
}

static inline int fixture_rm_entry(const char *path, const struct stat *st, int flag,
				   struct FTW *ftw)
{
	return remove(path);
}

/* Closes the store and removes its directory with everything in it. */
static inline void fixture_store_close(const char *tmp, struct stim_config *cfg,
				       struct stim_ctx *ctx)
{
	stim_store_close(ctx->store);
	stim_config_fini(cfg);
	nftw(tmp, fixture_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The fixture of most service tests: a temporary store, and one project
 * in it (with what a new project gets: its default network). */
struct fixture_project {
	char tmp[FIXTURE_TMP_SIZE];
	struct stim_config cfg;
	struct stim_ctx ctx;
};

/* NULL, having said why, on failure: setup fails the test group. */
static inline struct fixture_project *fixture_project_open(const char *name, const char *project)
{
	struct fixture_project *f = calloc(1, sizeof(*f));
	stim_error_t err = NULL;

	if (f == NULL || fixture_store_open(name, f->tmp, &f->cfg, &f->ctx) < 0) {
		free(f);
		return NULL;
	}
	if (stim_project_ensure(&f->ctx, project, &err) < 0) {
		print_error("project %s: %s\n", project, err->msg);
		stim_error_free(err);
		fixture_store_close(f->tmp, &f->cfg, &f->ctx);
		free(f);
		return NULL;
	}
	return f;
}

static inline void fixture_project_close(struct fixture_project *f)
{
	fixture_store_close(f->tmp, &f->cfg, &f->ctx);
	free(f);
}
