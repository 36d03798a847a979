#pragma once
/*
 * The `filter` of projects.list, in Resource Manager v1's syntax: terms
 * FIELD:VALUE, FIELD=VALUE or FIELD!=VALUE, where FIELD is id (or
 * projectId), name, lifecycleState, projectNumber, parent.type, parent.id or
 * labels.KEY; combined with AND (or plain juxtaposition), OR, NOT (or a
 * leading '-') and parentheses, OR binding more loosely than AND. A VALUE
 * may be quoted, may end in '*' (prefix match), and is '*' alone for "has
 * any value". Names and lifecycle states match case-insensitively.
 *
 * gcloud always sends `lifecycleState:ACTIVE`, and pushes a --filter down as
 * `lifecycleState:ACTIVE AND (labels.env=dev OR NOT name:"x*")`
 * (reference/gcloud/iam.md; seen with --log-http).
 */

#include <stdbool.h>

#include "src/error.h"
#include "src/projects.h"

struct stim_projects_filter;

/* An empty string is the filter that matches everything. */
struct stim_projects_filter *stim_projects_filter_parse(const char *s, stim_error_t *err);
void stim_projects_filter_free(struct stim_projects_filter *f);
void stim_cleanup_projects_filter(struct stim_projects_filter **f);
#define cleanup_projects_filter __attribute__((cleanup(stim_cleanup_projects_filter)))

bool stim_projects_filter_match(const struct stim_projects_filter *f, const struct stim_project *p);
/* The lifecycle state every match must have, or -1 (lets the store narrow). */
int stim_projects_filter_state(const struct stim_projects_filter *f);
