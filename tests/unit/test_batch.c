/* Unit tests of batch request parsing (src/batch.c): gcloud's exact shape
 * (quoted boundary, bare \n), CRLF, bodies, the closing delimiter, and
 * bodies that are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/batch.h"
#include "src/cleanup.h"

/* What gcloud sent for two GETs and an insert (reference/gcloud/compute.md). */
static const char gcloud_body[] =
	"--===============7330845974216740156==\n"
	"Content-Type: application/http\n"
	"MIME-Version: 1.0\n"
	"Content-Transfer-Encoding: binary\n"
	"Content-ID: <a1b2+0>\n"
	"\n"
	"GET /compute/v1/projects/p/zones/z/instances/vm3?alt=json HTTP/1.1\n"
	"Content-Type: application/json\n"
	"MIME-Version: 1.0\n"
	"content-length: 0\n"
	"accept: application/json\n"
	"\n"
	"\n"
	"--===============7330845974216740156==\n"
	"Content-Type: application/http\n"
	"Content-ID: <a1b2+1>\n"
	"\n"
	"POST /compute/v1/projects/p/zones/z/instances?alt=json HTTP/1.1\n"
	"Content-Type: application/json\n"
	"content-length: 15\n"
	"\n"
	"{\"name\":\"vm4\"}\n"
	"--===============7330845974216740156==--\n";

static void test_gcloud_shape(void **state)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *b = stim_batch_boundary(
		"multipart/mixed; boundary=\"===============7330845974216740156==\"", &err);
	struct stim_batch_part *p;
	size_t n;

	assert_non_null(b);
	assert_string_equal(b, "===============7330845974216740156==");
	assert_int_equal(stim_batch_parse(gcloud_body, strlen(gcloud_body), b, &p, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].content_id, "<a1b2+0>");
	assert_string_equal(p[0].method, "GET");
	assert_string_equal(p[0].path, "/compute/v1/projects/p/zones/z/instances/vm3?alt=json");
	assert_string_equal(p[0].content_type, "application/json");
	/* The blank line after the headers, then an empty body (the
	 * delimiter's own line break is not part of it). */
	assert_int_equal(p[0].body_len, 0);
	assert_string_equal(p[1].method, "POST");
	assert_string_equal(p[1].body, "{\"name\":\"vm4\"}");
	assert_int_equal(p[1].body_len, 14);
	stim_batch_parts_free(p, n);
}

static void test_crlf(void **state)
{
	static const char body[] = "--B\r\nContent-ID: <x>\r\n\r\n"
				   "DELETE /compute/v1/projects/p/zones/z/instances/a HTTP/1.1\r\n"
				   "\r\n"
				   "\r\n--B--\r\n";
	cleanup_error stim_error_t err = NULL;
	struct stim_batch_part *p;
	size_t n;

	assert_int_equal(stim_batch_parse(body, strlen(body), "B", &p, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].method, "DELETE");
	assert_string_equal(p[0].path, "/compute/v1/projects/p/zones/z/instances/a");
	assert_null(p[0].content_type);
	assert_int_equal(p[0].body_len, 0);
	stim_batch_parts_free(p, n);
}

static void test_refused(void **state)
{
	static const char *const bodies[] = {
		"no delimiter at all",
		"--B\n\nnot a request line\n--B--\n",
		"--B\n\nGET nopath HTTP/1.1\n\n--B--\n",
		/* Found by fuzz_batch: a request line cut after its space, at
		 * the very end of the body, was read one byte past it. */
		"--B\n\nGET ",
	};
	static const char *const types[] = { NULL, "multipart/related; boundary=x",
					     "multipart/mixed", "multipart/mixed; boundary=\"x" };

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		cleanup_error stim_error_t err = NULL;
		struct stim_batch_part *p;
		size_t n;

		assert_int_equal(stim_batch_parse(bodies[i], strlen(bodies[i]), "B", &p, &n, &err),
				 -1);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cleanup_error stim_error_t err = NULL;

		assert_null(stim_batch_boundary(types[i], &err));
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcloud_shape),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
