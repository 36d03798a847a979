/*
 * Fuzzes the IAM Conditions evaluator (src/iam_condition.c): any
 * expression, which a caller can put in a policy. Every input gives one
 * of the three answers, without reading past its end or leaking.
 */
#include <stdlib.h>
#include <string.h>

#include "src/iam_condition.h"
#include "src/util.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *expr = xstrndup((const char *)data, size);
	const struct stim_iam_request req = {
		.now_ms = 1795435200000LL,
		.resource_name = "projects/_/buckets/b/objects/o",
		.resource_type = "storage.googleapis.com/Object",
	};
	enum stim_condition_result r = stim_iam_condition_eval(expr, &req);

	if (r != STIM_CONDITION_TRUE && r != STIM_CONDITION_FALSE &&
	    r != STIM_CONDITION_UNSUPPORTED)
		abort();
	free(expr);
	return 0;
}
