#pragma once
/*
 * IAM policies (src/iam_policy.h) as Google's APIs write them:
 * {"version", "etag", "bindings": [{"role", "members", "condition":
 * {"title", "description", "expression"}}]}, shared by Resource Manager,
 * IAM and, with its kind and resourceId added, Cloud Storage.
 */

#include <jansson.h>

#include "src/error.h"
#include "src/iam_policy.h"

/* The policy (new reference); no "bindings" when there are none, as
 * Google omits empty lists. */
json_t *api_iam_policy_to_json(const struct stim_iam_policy *p);

/* A policy from body, whose members must be among fields (NULL-ended).
 * Checks the shape only; stim_iam_policy_check() checks the content. */
int api_iam_policy_from_json(json_t *body, const char *const *fields, struct stim_iam_policy *p,
			     stim_error_t *err);
