/*
 * Fuzzes the projects.list filter (src/projects_filter.c): the parser on
 * any string, and, for what parses, matching against a fixed project. The
 * parser bounds its own depth and size for hostile filters; this is where
 * those bounds get tested.
 */
#include <stdlib.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/projects.h"
#include "src/projects_filter.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Built per input from literals: the code under test only reads it,
	 * and a project built once could hide a write through a stray
	 * pointer. Labels are kept sorted by key, as stim_labels_set does. */
	struct stim_label labels[] = {
		{ .key = "env", .value = "dev" },
		{ .key = "team", .value = "core" },
	};
	struct stim_project p = {
		.project_id = "proj-two",
		.number = 295906557676,
		.name = "Project Two",
		.state = STIM_PROJECT_ACTIVE,
		.parent_type = "folder",
		.parent_id = "1234",
		.create_time_ms = 1795359202351,
		.labels = { .n = 2, .v = labels },
	};
	struct stim_project deleted = {
		.project_id = "x-old",
		.number = 123456789012,
		.name = "x-old",
		.state = STIM_PROJECT_DELETE_REQUESTED,
	};
	cleanup_free char *s = fuzz_strndup(data, size);
	cleanup_error stim_error_t err = NULL;
	cleanup_projects_filter struct stim_projects_filter *f = NULL;
	int state;

	f = stim_projects_filter_parse(s, &err);
	if (f == NULL) {
		if (err == NULL)
			abort();
		return 0;
	}
	if (err != NULL)
		abort();
	state = stim_projects_filter_state(f);
	/* The state the store narrows on must agree with the full match: a
	 * project in another state can never match (projects.c relies on it). */
	if (stim_projects_filter_match(f, &p) && state >= 0 && state != (int)p.state)
		abort();
	if (stim_projects_filter_match(f, &deleted) && state >= 0 && state != (int)deleted.state)
		abort();
	return 0;
}
