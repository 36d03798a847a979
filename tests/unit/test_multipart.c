/* Unit tests of the streaming multipart/related parser: gcloud's exact body,
 * CRLF bodies, every split of the input, delimiter look-alikes, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/error.h"
#include "src/multipart.h"
#include "src/util.h"

struct got {
	char meta[256];
	size_t meta_len;
	char meta_type[64];
	char media[4096];
	size_t media_len;
	char media_type[64];
	int metas;
	int media_before_meta;
};

static int on_meta(void *arg, const char *json, size_t len, const char *ct, stim_error_t *err)
{
	struct got *g = arg;

	g->metas++;
	memcpy(g->meta, json, len);
	g->meta_len = len;
	snprintf(g->meta_type, sizeof(g->meta_type), "%s", ct != NULL ? ct : "");
	return 0;
}

static int on_media(void *arg, const char *buf, size_t len, const char *ct, stim_error_t *err)
{
	struct got *g = arg;

	if (g->metas == 0)
		g->media_before_meta = 1;
	snprintf(g->media_type, sizeof(g->media_type), "%s", ct != NULL ? ct : "");
	if (g->media_len + len > sizeof(g->media))
		return stim_err(err, STIM_RESOURCE_EXHAUSTED, "test buffer full");
	memcpy(g->media + g->media_len, buf, len);
	g->media_len += len;
	return 0;
}

static const struct stim_multipart_sink sink = { on_meta, on_media };

/* Parses body fed in pieces of `step` bytes (0: all at once). */
static int parse(const char *boundary, const char *body, size_t len, size_t step, struct got *g,
		 stim_error_t *err)
{
	cleanup_multipart struct stim_multipart *m = stim_multipart_new(boundary, 200, &sink, g);
	size_t off = 0;

	memset(g, 0, sizeof(*g));
	if (step == 0)
		step = len;
	while (off < len) {
		size_t n = len - off < step ? len - off : step;

		if (stim_multipart_feed(m, body + off, n, err) < 0)
			return -1;
		off += n;
	}
	return stim_multipart_finish(m, err);
}

/* What gcloud sends (reference/gcloud/storage.md), bare "\n" throughout. */
static const char gcloud_body[] =
	"--===============123==\n"
	"Content-Type: application/json\n"
	"MIME-Version: 1.0\n"
	"\n"
	"{\"bucket\": \"b1\", \"contentType\": \"text/plain\", \"name\": \"small.txt\"}\n"
	"--===============123==\n"
	"Content-Type: text/plain\n"
	"MIME-Version: 1.0\n"
	"Content-Transfer-Encoding: binary\n"
	"\n"
	"hello\nworld\n\n" /* the data ends in "\n"; the next one is the delimiter's */
	"--===============123==--\n";

static void test_boundary_forms(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char *b;

	(void)state;
	b = stim_multipart_boundary("multipart/related; boundary='===============123=='", &err);
	assert_string_equal(b, "===============123==");
	free(b);
	b = stim_multipart_boundary("multipart/related; boundary=\"abc def\"", &err);
	assert_string_equal(b, "abc def");
	free(b);
	b = stim_multipart_boundary("Multipart/Related; charset=x; boundary=xyz; a=b", &err);
	assert_string_equal(b, "xyz");
	free(b);
	assert_null(stim_multipart_boundary("application/json", &err));
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
}

static void test_gcloud_body_every_split(void **state)
{
	struct got g;

	(void)state;
	for (size_t step = 0; step <= sizeof(gcloud_body); step++) {
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(parse("===============123==", gcloud_body, sizeof(gcloud_body) - 1,
				       step, &g, &err),
				 0);
		assert_int_equal(g.metas, 1);
		assert_false(g.media_before_meta);
		assert_int_equal(g.meta_len, 66);
		assert_memory_equal(g.meta, "{\"bucket\": \"b1\", \"contentType\"", 30);
		assert_string_equal(g.meta_type, "application/json");
		/* One line break before the delimiter belongs to it: the data
		 * keeps its own trailing "\n" but not that one. */
		assert_int_equal(g.media_len, 12);
		assert_memory_equal(g.media, "hello\nworld\n", 12);
		assert_string_equal(g.media_type, "text/plain");
	}
}

static void test_crlf_body(void **state)
{
	static const char body[] = "--xyz\r\n"
				   "Content-Type: application/json; charset=UTF-8\r\n"
				   "\r\n"
				   "{\"name\":\"a\"}\r\n"
				   "--xyz\r\n"
				   "Content-Type: image/png\r\n"
				   "\r\n"
				   "\x89PNG\r\n\x1a\n\r\n"
				   "--xyz--\r\n";
	cleanup_error stim_error_t err = NULL;
	struct got g;

	(void)state;
	for (size_t step = 0; step < 20; step++) {
		assert_int_equal(parse("xyz", body, sizeof(body) - 1, step, &g, &err), 0);
		assert_int_equal(g.meta_len, 12);
		assert_string_equal(g.meta_type, "application/json; charset=UTF-8");
		assert_int_equal(g.media_len, 8);
		assert_memory_equal(g.media, "\x89PNG\r\n\x1a\n", 8);
	}
}

/* Media that contains the boundary's prefix but not a delimiter, and an
 * empty media part (gcloud uploads empty files as multipart too). */
static void test_lookalikes_and_empty(void **state)
{
	static const char body[] = "--b0\n\n{}\n--b0\n\n--b\n--b0x\n-b0\n--b0--";
	static const char empty[] = "--b0\n\n{}\n--b0\n\n\n--b0--\n";
	cleanup_error stim_error_t err = NULL;
	struct got g;

	(void)state;
	for (size_t step = 0; step < 8; step++) {
		assert_int_equal(parse("b0", body, sizeof(body) - 1, step, &g, &err), 0);
		assert_int_equal(g.media_len, 13);
		assert_memory_equal(g.media, "--b\n--b0x\n-b0", 13);
	}
	assert_int_equal(parse("b0", empty, sizeof(empty) - 1, 0, &g, &err), 0);
	assert_int_equal(g.metas, 1);
	assert_int_equal(g.media_len, 0);
}

static void expect_refused(const char *body, const char *why)
{
	cleanup_error stim_error_t err = NULL;
	struct got g;

	assert_int_equal(parse("b", body, strlen(body), 0, &g, &err), -1);
	assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	if (strstr(err->msg, why) == NULL)
		fail_msg("'%s' does not say '%s'", err->msg, why);
}

static void test_refusals(void **state)
{
	char big[512];

	(void)state;
	expect_refused("hello", "closing boundary");
	expect_refused("--x\n\n{}\n--b--", "start with the boundary");
	expect_refused("--b\n\n{}\n--b\n\nmedia\n", "closing boundary");
	expect_refused("--b\n\n{}\n--b--", "two parts");
	expect_refused("--b\n\n{}\n--b\n\nm\n--b\n\nmore\n--b--", "more than two parts");
	snprintf(big, sizeof(big), "--b\n\n%0400d\n--b\n\nm\n--b--", 0);
	expect_refused(big, "metadata part is too large");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary_forms),
		cmocka_unit_test(test_gcloud_body_every_split),
		cmocka_unit_test(test_crlf_body),
		cmocka_unit_test(test_lookalikes_and_empty),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
