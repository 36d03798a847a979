/*
 * Fuzzes matchGlob (src/glob.c): "pattern\nname" compiles the pattern and,
 * when it compiles, matches the name. The listing narrows its index range
 * to the glob's literal prefix, so a name that matches must start with it.
 */
#include <stdlib.h>
#include <string.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/glob.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_free char *s = fuzz_strndup(data, size);
	cleanup_error stim_error_t err = NULL;
	cleanup_glob struct stim_glob *g = NULL;
	char *name = strchr(s, '\n');
	const char *prefix;

	if (name == NULL)
		return 0;
	*name++ = '\0';
	g = stim_glob_compile(s, &err);
	if (g == NULL) {
		if (err == NULL)
			abort();
		return 0;
	}
	prefix = stim_glob_literal_prefix(g);
	if (stim_glob_match(g, name) && strncmp(name, prefix, strlen(prefix)) != 0)
		abort();
	return 0;
}
