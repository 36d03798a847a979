#pragma once
/*
 * What every libFuzzer target shares (STYLE.md rule 10, crun
 * tests/tests_libcrun_fuzzer.c): the entry point's prototype, which
 * -Wmissing-prototypes wants to see before the definition, and a NUL-safe
 * copy of the input.
 *
 * libFuzzer hands over bytes that are not NUL-terminated and may hold NULs.
 * The code under test reads C strings, so a target copies the bytes into a
 * terminated buffer of its own: ASan then catches a read past the end of
 * the copy, which a read past the fuzzer's buffer would not always show.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "src/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* [data, data+size) as a C string; an embedded NUL ends it early, as it
 * would in a request. The result is the caller's. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
