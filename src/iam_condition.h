#pragma once
/*
 * IAM Conditions, the part of CEL that real policies mostly use, evaluated
 * under enforcement: request.time against timestamp("RFC 3339"), and
 * resource.name and resource.type compared (==, !=) or tested with
 * startsWith/endsWith, joined by &&, || and !, with parentheses. An
 * expression outside that subset is not understood, and a binding under
 * it grants nothing (it fails closed, never open).
 */

#include <stdint.h>

struct stim_iam_request {
	int64_t now_ms;
	const char *resource_name; /* "projects/_/buckets/B/objects/O", ... */
	const char *resource_type; /* "storage.googleapis.com/Object", ... */
};

enum stim_condition_result {
	STIM_CONDITION_FALSE = 0,
	STIM_CONDITION_TRUE = 1,
	STIM_CONDITION_UNSUPPORTED = -1,
};

enum stim_condition_result stim_iam_condition_eval(const char *expr,
						   const struct stim_iam_request *req);
