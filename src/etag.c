/* Etags: protobuf-shaped counters in base64, compared as bytes (see etag.h). */
#include "src/etag.h"

#include <string.h>

#include "src/util.h"

/* A field is a one-byte key and a varint of at most ten bytes. */
#define FIELD_MAX  11
#define FIELDS_MAX 8
#define ETAG_BYTES (FIELD_MAX * FIELDS_MAX)

char *stim_etag_mint(const int64_t *fields, size_t n)
{
	unsigned char buf[ETAG_BYTES];
	size_t len = 0;

	STIM_ASSERT(n <= FIELDS_MAX);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = (uint64_t)fields[i];

		/* Key: field number i + 1, wire type 0 (varint). */
		buf[len++] = (unsigned char)((i + 1) << 3);
		while (v >= 0x80) {
			buf[len++] = (unsigned char)(v | 0x80);
			v >>= 7;
		}
		buf[len++] = (unsigned char)v;
	}
	return stim_base64_encode(buf, len, false);
}

bool stim_etag_equal(const char *given, const char *etag)
{
	unsigned char a[ETAG_BYTES];
	unsigned char b[ETAG_BYTES];
	int na = stim_base64_decode(given, a, sizeof(a));
	int nb = stim_base64_decode(etag, b, sizeof(b));

	return na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0;
}
