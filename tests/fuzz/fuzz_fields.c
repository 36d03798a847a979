/*
 * Fuzzes partial-response selections (src/fields.c): any string is parsed,
 * and what parses is applied to a page shaped like an objects.list answer.
 * A selection applied to its own result changes nothing more.
 */
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/fields.h"
#include "tests/fuzz/fuzz.h"

static const char page[] =
	"{\"kind\":\"storage#objects\",\"nextPageToken\":\"t\",\"prefixes\":[\"d/\"],"
	"\"items\":[{\"name\":\"a\",\"size\":\"1\",\"metadata\":{\"k\":\"v\"}},{\"name\":\"b\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_free char *s = fuzz_strndup(data, size);
	cleanup_error stim_error_t err = NULL;
	cleanup_fields struct stim_fields *f = stim_fields_parse(s, &err);
	json_t *in;
	json_t *once;
	json_t *twice;

	if (f == NULL) {
		if (err == NULL)
			abort();
		return 0;
	}
	in = json_loads(page, 0, NULL);
	once = stim_fields_apply(f, in);
	twice = stim_fields_apply(f, once);
	if (!json_equal(once, twice))
		abort();
	json_decref(in);
	json_decref(once);
	json_decref(twice);
	return 0;
}
