/* Unit tests of the housekeeping chores over a temporary store: the
 * lifecycle sweeper acting on real objects (versioned and not), expired
 * upload sessions, and partial files that no session names. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "src/blobs.h"
#include "src/buckets.h"
#include "src/cleanup.h"
#include "src/housekeeping.h"
#include "src/objects.h"
#include "src/projects.h"
#include "src/upload_sessions.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

#define DAY_MS (24LL * 3600 * 1000)

struct fixture {
	char tmp[FIXTURE_TMP_SIZE];
	struct stim_config cfg;
	struct stim_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	stim_error_t err = NULL;

	if (fixture_store_open("housekeeping", f->tmp, &f->cfg, &f->ctx) < 0)
		return -1;
	f->ctx.blobs = stim_blobs_open(f->tmp, &err);
	if (f->ctx.blobs == NULL || stim_project_ensure(&f->ctx, "hk-proj", &err) < 0) {
		print_error("setup: %s\n", err->msg);
		stim_error_free(err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stim_blobs_close(f->ctx.blobs);
	fixture_store_close(f->tmp, &f->cfg, &f->ctx);
	free(f);
	return 0;
}

/* A bucket whose lifecycle is `rules` (taken). */
static void bucket(struct fixture *f, const char *name, bool versioning,
		   struct stim_lifecycle *rules)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_bucket_spec spec = { .name = name,
					 .has_versioning = true,
					 .versioning = versioning,
					 .has_lifecycle = true,
					 .lifecycle = *rules };
	struct stim_bucket b;

	assert_int_equal(stim_bucket_insert(&f->ctx, "hk-proj", &spec, &b, &err), 0);
	stim_bucket_fini(&b);
	stim_lifecycle_fini(rules);
}

static void put(struct fixture *f, const char *b, const char *name)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_upload *u = stim_upload_begin(&f->ctx, b, 0, &err);
	struct stim_object_spec spec = { .name = name };
	struct stim_object o;

	assert_non_null(u);
	assert_int_equal(stim_upload_write(u, name, strlen(name), &err), 0);
	assert_int_equal(stim_upload_commit(u, &spec, NULL, &o, &err), 0);
	stim_upload_free(u);
	stim_object_fini(&o);
}

/* The bucket's generations as "name:live:class" in listing order. */
static void listing(struct fixture *f, const char *b, char *out, size_t size)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_object_query q = { .bucket = b, .versions = true };
	struct stim_object_page p;

	out[0] = '\0';
	assert_int_equal(stim_object_list(&f->ctx, &q, &p, &err), 0);
	for (size_t i = 0; i < p.n; i++) {
		char one[128];

		snprintf(one, sizeof(one), "%s%s:%d:%s", i > 0 ? " " : "", p.items[i].name,
			 p.items[i].live, p.items[i].storage_class);
		strncat(out, one, size - strlen(out) - 1);
	}
	stim_object_page_fini(&p);
}

static void test_lifecycle_sweep(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_lifecycle plain = { 0 };
	struct stim_lifecycle versioned = { 0 };
	struct stim_lifecycle_rule *r;
	char got[512];

	/* Unversioned: tmp/ goes after a day; logs/ turn COLDLINE. */
	r = stim_lifecycle_add(&plain, STIM_LIFECYCLE_DELETE);
	r->num[STIM_LC_AGE] = 1;
	stim_strv_push(&r->list[STIM_LC_MATCHES_PREFIX], "tmp/");
	r = stim_lifecycle_add(&plain, STIM_LIFECYCLE_SET_STORAGE_CLASS);
	r->num[STIM_LC_AGE] = 1;
	r->storage_class = xstrdup("COLDLINE");
	stim_strv_push(&r->list[STIM_LC_MATCHES_PREFIX], "logs/");
	bucket(f, "hk-plain", false, &plain);
	/* Versioned: keep one noncurrent version; live ones become
	 * noncurrent at age 1 (as a user's delete would make them). */
	r = stim_lifecycle_add(&versioned, STIM_LIFECYCLE_DELETE);
	r->is_live = 0;
	r->num[STIM_LC_NUM_NEWER_VERSIONS] = 2;
	r = stim_lifecycle_add(&versioned, STIM_LIFECYCLE_DELETE);
	r->num[STIM_LC_AGE] = 1;
	r->is_live = 1;
	stim_strv_push(&r->list[STIM_LC_MATCHES_SUFFIX], ".old");
	bucket(f, "hk-versioned", true, &versioned);

	put(f, "hk-plain", "keep");
	put(f, "hk-plain", "logs/a");
	put(f, "hk-plain", "tmp/a");
	for (int i = 0; i < 4; i++)
		put(f, "hk-versioned", "v");
	put(f, "hk-versioned", "x.old");

	/* Nothing is a day old yet. Of v's four generations, the first two
	 * have two newer ones or more. */
	assert_int_equal(stim_lifecycle_sweep(&f->ctx, stim_now_ms(), &err), 2);
	listing(f, "hk-plain", got, sizeof(got));
	assert_string_equal(got, "keep:1:STANDARD logs/a:1:STANDARD tmp/a:1:STANDARD");
	listing(f, "hk-versioned", got, sizeof(got));
	assert_string_equal(got, "v:0:STANDARD v:1:STANDARD x.old:1:STANDARD");

	/* Two days on. */
	assert_int_equal(stim_lifecycle_sweep(&f->ctx, stim_now_ms() + 2 * DAY_MS, &err), 3);
	listing(f, "hk-plain", got, sizeof(got));
	assert_string_equal(got, "keep:1:STANDARD logs/a:1:COLDLINE");
	listing(f, "hk-versioned", got, sizeof(got));
	assert_string_equal(got, "v:0:STANDARD v:1:STANDARD x.old:0:STANDARD");
	/* A second pass has nothing left to do. */
	assert_int_equal(stim_lifecycle_sweep(&f->ctx, stim_now_ms() + 2 * DAY_MS, &err), 0);
	/* The deleted generations' bytes went with them. */
	assert_int_equal(stim_objects_sweep_blobs(&f->ctx, &err), 0);
}

static void test_sessions_expire(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_lifecycle none = { 0 };
	struct stim_object_spec spec = { .name = "up" };
	struct stim_upload_session s;
	struct stim_upload_session again;
	char orphan[128];
	int fd;

	bucket(f, "hk-uploads", false, &none);
	assert_int_equal(stim_session_start(&f->ctx, "hk-uploads", &spec, NULL, false, 0, &s, &err),
			 0);

	/* One writer at a time: a second open is refused while one holds it. */
	fd = stim_session_open(&f->ctx, &s, &err);
	assert_true(fd >= 0);
	assert_int_equal(stim_session_open(&f->ctx, &s, &err), -1);
	assert_int_equal(err->code, STIM_UNAVAILABLE);
	stim_error_free(steal_pointer(&err));
	close(fd);

	/* Not expired yet; then a week and a bit later, gone with its file. */
	assert_int_equal(stim_sessions_expire(&f->ctx, stim_now_ms() - 1000, &err), 0);
	assert_int_equal(stim_sessions_expire(&f->ctx, stim_now_ms() + 1000, &err), 1);
	assert_int_equal(stim_session_get(&f->ctx, s.id, &again, &err), -1);
	assert_int_equal(err->code, STIM_NOT_FOUND);
	stim_error_free(steal_pointer(&err));
	snprintf(orphan, sizeof(orphan), "%s/blobs/partial/%s", f->tmp, s.id);
	assert_int_equal(access(orphan, F_OK), -1);

	/* A partial file without its session (a crash in between) is swept;
	 * one with a session stays. */
	stim_session_fini(&s);
	assert_int_equal(stim_session_start(&f->ctx, "hk-uploads", &spec, NULL, false, 0, &s, &err),
			 0);
	snprintf(orphan, sizeof(orphan), "%s/blobs/partial/0123456789abcdef0123456789abcdef",
		 f->tmp);
	fd = open(orphan, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stim_sessions_sweep_partials(&f->ctx, &err), 1);
	assert_int_equal(access(orphan, F_OK), -1);
	assert_int_equal(stim_session_get(&f->ctx, s.id, &again, &err), 0);
	stim_session_fini(&again);
	stim_session_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifecycle_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions_expire, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
