/*
 * Fuzzes batch request parsing (src/batch.c): any body, split with the
 * boundary gcloud uses. Every part that parses has a method and a path
 * starting with '/', and its body lies inside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "src/batch.h"
#include "src/cleanup.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_batch_part *p = NULL;
	size_t n = 0;

	if (stim_batch_parse((const char *)data, size, "===B==", &p, &n, &err) < 0) {
		if (err == NULL)
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i].method == NULL || p[i].path == NULL || p[i].path[0] != '/' ||
		    p[i].body_len > size)
			abort();
	}
	stim_batch_parts_free(p, n);
	return 0;
}
