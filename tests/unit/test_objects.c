/* Unit tests of the objects service over a temporary store: uploads,
 * preconditions, versions, deletes, and listings checked against a
 * brute-force model for many prefixes, delimiters, globs and page sizes. */
#include <fnmatch.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/blobs.h"
#include "src/buckets.h"
#include "src/cleanup.h"
#include "src/config.h"
#include "src/context.h"
#include "src/error.h"
#include "src/objects.h"
#include "src/projects.h"
#include "src/store.h"
#include "src/util.h"

struct fixture {
	char tmp[64];
	struct stim_config cfg;
	struct stim_ctx ctx;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void bucket(struct fixture *f, const char *name, bool versioning)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_bucket_spec spec = { .name = name,
					 .has_versioning = true,
					 .versioning = versioning };
	struct stim_bucket b;

	assert_int_equal(stim_bucket_insert(&f->ctx, "obj-proj", &spec, &b, &err), 0);
	stim_bucket_fini(&b);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	stim_error_t err = NULL;
	char *argv[] = { "stimulator", NULL };

	snprintf(f->tmp, sizeof(f->tmp), "/tmp/stim-unit-objects-XXXXXX");
	if (mkdtemp(f->tmp) == NULL || stim_config_parse(&f->cfg, 1, argv, &err) != 0)
		return -1;
	f->ctx.cfg = &f->cfg;
	f->ctx.store = stim_store_open(f->tmp, &err);
	f->ctx.blobs = stim_blobs_open(f->tmp, &err);
	if (f->ctx.store == NULL || f->ctx.blobs == NULL ||
	    stim_project_ensure(&f->ctx, "obj-proj", &err) < 0) {
		print_error("setup: %s\n", err->msg);
		stim_error_free(err);
		return -1;
	}
	bucket(f, "plain-bucket", false);
	bucket(f, "versioned-bucket", true);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stim_blobs_close(f->ctx.blobs);
	stim_store_close(f->ctx.store);
	stim_config_fini(&f->cfg);
	nftw(f->tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Uploads data under name; returns the generation (fails the test on error
 * unless expect_err says which code to expect, then returns -code). */
static int64_t put(struct fixture *f, const char *b, const char *name, const char *data,
		   const struct stim_object_cond *cond, enum stim_code expect_err)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_upload *u = stim_upload_begin(&f->ctx, b, 0, &err);
	struct stim_object_spec spec = { .name = name };
	struct stim_object o;
	int64_t gen;

	assert_non_null(u);
	assert_int_equal(stim_upload_write(u, data, strlen(data), &err), 0);
	if (stim_upload_commit(u, &spec, cond, &o, &err) < 0) {
		stim_upload_free(u);
		assert_int_equal(err->code, expect_err);
		return -(int64_t)err->code;
	}
	stim_upload_free(u);
	assert_int_equal(expect_err, STIM_OK);
	assert_int_equal(o.size, strlen(data));
	gen = o.generation;
	stim_object_fini(&o);
	return gen;
}

static void test_names(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char long_name[1100];

	(void)state;
	assert_int_equal(stim_object_name_check("a/b c%ü", &err), 0);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(stim_object_name_check(long_name, &err), -1);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_object_name_check("a\nb", &err), -1);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_object_name_check("..", &err), -1);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(stim_object_name_check("\xff\xfe", &err), -1);
}

static void test_preconditions(void **state)
{
	struct fixture *f = *state;
	struct stim_object_cond absent = { .has_gen_match = true, .gen_match = 0 };
	struct stim_object_cond cond = { 0 };
	int64_t g1;
	int64_t g2;

	g1 = put(f, "plain-bucket", "o", "one", &absent, STIM_OK);
	assert_true(g1 > 0);
	/* ifGenerationMatch=0 means "only if absent". */
	assert_int_equal(put(f, "plain-bucket", "o", "two", &absent, STIM_FAILED_PRECONDITION),
			 -STIM_FAILED_PRECONDITION);
	cond.has_gen_match = true;
	cond.gen_match = g1;
	g2 = put(f, "plain-bucket", "o", "two", &cond, STIM_OK);
	assert_true(g2 > g1);
	/* The stale generation no longer matches. */
	assert_int_equal(put(f, "plain-bucket", "o", "three", &cond, STIM_FAILED_PRECONDITION),
			 -STIM_FAILED_PRECONDITION);
	memset(&cond, 0, sizeof(cond));
	cond.has_meta_match = true;
	cond.meta_match = 2;
	assert_int_equal(put(f, "plain-bucket", "o", "x", &cond, STIM_FAILED_PRECONDITION),
			 -STIM_FAILED_PRECONDITION);
	/* Distinct generations even for back-to-back writes. */
	for (int i = 0; i < 20; i++) {
		int64_t g = put(f, "plain-bucket", "o", "again", NULL, STIM_OK);

		assert_true(g > g2);
		g2 = g;
	}
	/* A missing bucket refuses before a byte. */
	{
		cleanup_error stim_error_t err = NULL;

		assert_null(stim_upload_begin(&f->ctx, "no-such-bucket", 0, &err));
		assert_int_equal(err->code, STIM_NOT_FOUND);
	}
}

static void test_get_not_modified(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	int64_t g = put(f, "plain-bucket", "n", "data", NULL, STIM_OK);
	struct stim_object_cond cond = { .has_gen_not_match = true, .gen_not_match = g };
	struct stim_object o;

	assert_int_equal(stim_object_get(&f->ctx, "plain-bucket", "n", 0, &cond, &o, NULL, &err),
			 STIM_OBJECT_NOT_MODIFIED);
	cond.gen_not_match = g + 1;
	assert_int_equal(stim_object_get(&f->ctx, "plain-bucket", "n", 0, &cond, &o, NULL, &err),
			 0);
	stim_object_fini(&o);
}

/* A reader that got the object's descriptor keeps reading those bytes even
 * when a writer replaces the object and unlinks the old blob right after
 * (found by tests/bench/storage as 500 DATA_LOSS under concurrent writes). */
static void test_reader_survives_replace(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_object o;
	char buf[8] = "";
	int fd = -1;

	put(f, "plain-bucket", "r", "old", NULL, STIM_OK);
	assert_int_equal(stim_object_get(&f->ctx, "plain-bucket", "r", 0, NULL, &o, &fd, &err), 0);
	stim_object_fini(&o);
	put(f, "plain-bucket", "r", "new", NULL, STIM_OK);
	assert_int_equal(pread(fd, buf, sizeof(buf) - 1, 0), 3);
	assert_string_equal(buf, "old");
	close(fd);
}

static void test_versions_and_deletes(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	int64_t g1 = put(f, "versioned-bucket", "v", "one", NULL, STIM_OK);
	int64_t g2 = put(f, "versioned-bucket", "v", "two", NULL, STIM_OK);
	struct stim_object o;

	assert_int_equal(
		stim_object_get(&f->ctx, "versioned-bucket", "v", g1, NULL, &o, NULL, &err), 0);
	assert_false(o.live);
	assert_true(o.noncurrent_time_ms > 0);
	stim_object_fini(&o);
	assert_int_equal(stim_object_delete(&f->ctx, "versioned-bucket", "v", 0, NULL, &err), 0);
	assert_int_equal(stim_object_get(&f->ctx, "versioned-bucket", "v", 0, NULL, &o, NULL, &err),
			 -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(steal_pointer(&err));
	/* Still there as a version, until deleted by generation. */
	assert_int_equal(
		stim_object_get(&f->ctx, "versioned-bucket", "v", g2, NULL, &o, NULL, &err), 0);
	stim_object_fini(&o);
	assert_int_equal(stim_object_delete(&f->ctx, "versioned-bucket", "v", g2, NULL, &err), 0);
	assert_int_equal(stim_object_delete(&f->ctx, "versioned-bucket", "v", g1, NULL, &err), 0);
	assert_int_equal(
		stim_object_get(&f->ctx, "versioned-bucket", "v", g1, NULL, &o, NULL, &err), -1);
	stim_error_free(steal_pointer(&err));

	/* Unversioned: a delete is final, and its blob goes too. */
	put(f, "plain-bucket", "d", "bytes", NULL, STIM_OK);
	assert_int_equal(stim_object_delete(&f->ctx, "plain-bucket", "d", 0, NULL, &err), 0);
	assert_int_equal(stim_objects_sweep_blobs(&f->ctx, &err), 0);
}

/* What one listing asks for, beyond the bucket. */
struct list_case {
	const char *prefix;
	const char *delim;
	const char *glob; /* fnmatch(FNM_PATHNAME) reads these the same way */
	bool trailing;	  /* includeTrailingDelimiter */
	int budget;	  /* rows a page may look at (0: the default) */
};

static void append(char *out, size_t size, const char *tag, const char *s)
{
	strncat(out, tag, size - strlen(out) - 1);
	strncat(out, s, size - strlen(out) - 1);
	strncat(out, " ", size - strlen(out) - 1);
}

/* The names listed, by brute force: what a listing must return. */
static void model(const char *const *names, size_t n, const struct list_case *lc, char *out,
		  size_t size)
{
	char last_dir[64] = "";

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *rest;
		const char *d;

		if (strncmp(names[i], lc->prefix, strlen(lc->prefix)) != 0)
			continue;
		if (lc->glob != NULL && fnmatch(lc->glob, names[i], FNM_PATHNAME) != 0)
			continue;
		rest = names[i] + strlen(lc->prefix);
		d = lc->delim != NULL ? strstr(rest, lc->delim) : NULL;
		if (d != NULL) {
			char dir[64];
			bool trailing = lc->trailing && d[strlen(lc->delim)] == '\0';

			snprintf(dir, sizeof(dir), "%.*s", (int)(d - names[i] + strlen(lc->delim)),
				 names[i]);
			if (strcmp(dir, last_dir) != 0)
				append(out, size, "D:", dir);
			snprintf(last_dir, sizeof(last_dir), "%s", dir);
			if (trailing)
				append(out, size, "", names[i]);
		} else {
			append(out, size, "", names[i]);
		}
	}
}

/* Lists through every page; prefixes marked "D:", in name order. */
static void listed_case(struct fixture *f, const char *b, const struct list_case *lc, int max,
			bool versions, char *out, size_t size)
{
	cleanup_free char *token = NULL;

	out[0] = '\0';
	for (int pages = 0;; pages++) {
		cleanup_error stim_error_t err = NULL;
		struct stim_object_query q = { .bucket = b,
					       .prefix = lc->prefix,
					       .delimiter = lc->delim,
					       .match_glob = lc->glob,
					       .include_trailing_delimiter = lc->trailing,
					       .scan_budget = lc->budget,
					       .versions = versions,
					       .max_results = max,
					       .page_token = token };
		struct stim_object_page p;
		size_t i = 0;
		size_t j = 0;

		assert_true(pages < 200);
		assert_int_equal(stim_object_list(&f->ctx, &q, &p, &err), 0);
		/* A page is full at max, but an item and its own new
		 * prefix (includeTrailingDelimiter) are never split. */
		assert_true(p.n + p.nprefixes <= (size_t)max ||
			    (lc->trailing && p.n + p.nprefixes == 2));
		/* Merge items and prefixes back into name order; a prefix
		 * comes before the object named like it. */
		while (i < p.n || j < p.nprefixes) {
			if (j == p.nprefixes ||
			    (i < p.n && strcmp(p.items[i].name, p.prefixes[j]) < 0))
				append(out, size, "", p.items[i++].name);
			else
				append(out, size, "D:", p.prefixes[j++]);
		}
		free(token);
		token = p.next_page_token != NULL ? xstrdup(p.next_page_token) : NULL;
		stim_object_page_fini(&p);
		if (token == NULL)
			break;
	}
}

static void listed(struct fixture *f, const char *b, const char *prefix, const char *delim, int max,
		   bool versions, char *out, size_t size)
{
	struct list_case lc = { .prefix = prefix, .delim = delim };

	listed_case(f, b, &lc, max, versions, out, size);
}

static void test_list_matches_model(void **state)
{
	static const char *const names[] = {
		"a", "a/1",   "a/2",   "a/b/1", "a/b/2", "a/c",	 "a0", "ab/x",
		"b", "b/1/x", "b/2/x", "b/3",	"c/",	 "c//d", "z",  "zz/x/y",
	};
	static const char *const prefixes[] = { "", "a", "a/", "a/b", "b/", "c/", "q", "zz/" };
	static const char *const delims[] = { NULL, "/", "//", "b" };
	static const char *const globs[] = { NULL, "a*", "*/*", "a/?", "[ab]*/*", "c/*", "*[!/]" };
	struct fixture *f = *state;
	char want[1024];
	char got[1024];

	for (size_t i = STIM_ARRAY_SIZE(names); i > 0; i--) /* any insertion order */
		put(f, "plain-bucket", names[i - 1], "x", NULL, STIM_OK);
	for (size_t p = 0; p < STIM_ARRAY_SIZE(prefixes); p++) {
		for (size_t d = 0; d < STIM_ARRAY_SIZE(delims); d++) {
			for (size_t g = 0; g < STIM_ARRAY_SIZE(globs) * 4; g++) {
				/* A budget of 2 rows ends most pages early. */
				struct list_case lc = { .prefix = prefixes[p],
							.delim = delims[d],
							.glob = globs[g / 4],
							.trailing = g % 2 == 1,
							.budget = g % 4 >= 2 ? 2 : 0 };

				model(names, STIM_ARRAY_SIZE(names), &lc, want, sizeof(want));
				for (int max = 1; max <= 5; max++) {
					listed_case(f, "plain-bucket", &lc, max, false, got,
						    sizeof(got));
					if (strcmp(want, got) != 0)
						fail_msg("prefix '%s' delim '%s' glob '%s' "
							 "trailing %d budget %d max %d:\n want "
							 "%s\n got  %s",
							 lc.prefix, lc.delim ? lc.delim : "(none)",
							 lc.glob ? lc.glob : "(none)", lc.trailing,
							 lc.budget, max, want, got);
				}
			}
		}
	}
}

/* Versions of one name split across pages: each generation exactly once. */
static void test_list_versions_pages(void **state)
{
	struct fixture *f = *state;
	char got[1024];

	for (int i = 0; i < 3; i++) {
		put(f, "versioned-bucket", "k", "x", NULL, STIM_OK);
		put(f, "versioned-bucket", "m", "x", NULL, STIM_OK);
	}
	for (int max = 1; max <= 7; max++) {
		listed(f, "versioned-bucket", NULL, NULL, max, true, got, sizeof(got));
		assert_string_equal(got, "k k k m m m ");
	}
	listed(f, "versioned-bucket", NULL, NULL, 1000, false, got, sizeof(got));
	assert_string_equal(got, "k m ");
}

/* startOffset and endOffset bound the listing like a prefix does, across
 * pages, alone or with a prefix and a delimiter. */
static void test_list_offsets(void **state)
{
	static const char *const names[] = { "a", "b/1", "b/2", "c", "d", "e" };
	struct fixture *f = *state;

	for (size_t i = 0; i < STIM_ARRAY_SIZE(names); i++)
		put(f, "plain-bucket", names[i], "x", NULL, STIM_OK);
	for (int max = 1; max <= 4; max++) {
		cleanup_free char *token = NULL;
		char got[256] = "";

		for (;;) {
			cleanup_error stim_error_t err = NULL;
			struct stim_object_query q = { .bucket = "plain-bucket",
						       .delimiter = "/",
						       .start_offset = "b",
						       .end_offset = "d",
						       .max_results = max,
						       .page_token = token };
			struct stim_object_page p;

			assert_int_equal(stim_object_list(&f->ctx, &q, &p, &err), 0);
			for (size_t i = 0; i < p.nprefixes; i++) {
				strcat(got, "D:");
				strcat(got, p.prefixes[i]);
				strcat(got, " ");
			}
			for (size_t i = 0; i < p.n; i++) {
				strcat(got, p.items[i].name);
				strcat(got, " ");
			}
			free(token);
			token = p.next_page_token != NULL ? xstrdup(p.next_page_token) : NULL;
			stim_object_page_fini(&p);
			if (token == NULL)
				break;
		}
		assert_string_equal(got, "D:b/ c ");
	}
}

/* Uploads with one custom metadata pair. */
static void put_meta(struct fixture *f, const char *name, const char *value)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_upload *u = stim_upload_begin(&f->ctx, "versioned-bucket", 0, &err);
	struct stim_object_spec spec = { .name = name, .has_metadata = value != NULL };
	struct stim_object o;

	if (value != NULL)
		stim_labels_set(&spec.metadata, "k", value);
	assert_int_equal(stim_upload_commit(u, &spec, NULL, &o, &err), 0);
	stim_upload_free(u);
	stim_object_spec_fini(&spec);
	stim_object_fini(&o);
}

/* A listing reads every row's metadata in one range query: each generation
 * must still get its own, and rows without any get none. */
static void test_list_metadata(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_object_query q = { .bucket = "versioned-bucket", .versions = true };
	struct stim_object_page p;

	put_meta(f, "a", "first");
	put_meta(f, "a", "second");
	put_meta(f, "b", NULL);
	put_meta(f, "c", "third");
	assert_int_equal(stim_object_list(&f->ctx, &q, &p, &err), 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.items[0].metadata.v[0].value, "first");
	assert_string_equal(p.items[1].metadata.v[0].value, "second");
	assert_int_equal(p.items[2].metadata.n, 0);
	assert_string_equal(p.items[3].metadata.v[0].value, "third");
	stim_object_page_fini(&p);

	q.versions = false; /* live only: "a" at its second generation */
	assert_int_equal(stim_object_list(&f->ctx, &q, &p, &err), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.items[0].metadata.n, 1);
	assert_string_equal(p.items[0].metadata.v[0].value, "second");
	assert_string_equal(p.items[2].metadata.v[0].value, "third");
	stim_object_page_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_preconditions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_not_modified, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_survives_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions_and_deletes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_matches_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_versions_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_metadata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_offsets, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
