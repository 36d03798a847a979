/*
 * Fuzzes the request-body parsers: stim_json_parse_body, then the
 * Resource Manager project spec and the labels map read from the result,
 * and stim_base64_decode (page tokens and etags come back from clients) on
 * the same bytes as a string.
 */
#include <stdlib.h>
#include <string.h>

#include "api/crm.h"
#include "src/cleanup.h"
#include "src/error.h"
#include "src/json.h"
#include "src/labels.h"
#include "src/projects.h"
#include "tests/fuzz/fuzz.h"

static void spec(json_t *body)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_project_spec s;

	/* The spec's labels are ours whatever the outcome (crm.h), as the
	 * handlers treat them. */
	if (api_crm_project_spec_from_json(body, &s, &err) < 0 && err == NULL)
		abort();
	stim_labels_fini(&s.labels);
}

static void labels(json_t *obj)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_labels l = { 0 };

	if (stim_labels_from_json(obj, &l, &err) < 0) {
		if (err == NULL || l.n != 0)
			abort();
		return;
	}
	/* Accepted labels are sorted by unique key (labels.h). */
	for (size_t i = 1; i < l.n; i++) {
		if (strcmp(l.v[i - 1].key, l.v[i].key) >= 0)
			abort();
	}
	stim_labels_fini(&l);
}

static void base64(const uint8_t *data, size_t size)
{
	cleanup_free char *s = fuzz_strndup(data, size);
	/* Exactly outsz bytes, so ASan sees any write past them. Decoding
	 * never yields more bytes than it reads. */
	cleanup_free unsigned char *out = xmalloc(size > 0 ? size : 1);
	int n = stim_base64_decode(s, out, size);

	if (n < -1 || n > (int)size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_json json_t *body = stim_json_parse_body((const char *)data, size, &err);

	if (body == NULL) {
		if (err == NULL)
			abort();
	} else {
		spec(body);
		labels(body);
		/* And the labels member itself, as the spec reads it. */
		if (json_object_get(body, "labels") != NULL)
			labels(json_object_get(body, "labels"));
	}
	base64(data, size);
	return 0;
}
