/* Unit tests of Cloud Storage buckets: names, locations, etags, patch semantics, JSON, and the service on a temp DB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/storage.h"
#include "src/bucket_lifecycle.h"
#include "src/bucket_rules.h"
#include "src/buckets.h"
#include "src/cleanup.h"
#include "src/config.h"
#include "src/context.h"
#include "src/error.h"
#include "src/etag.h"
#include "src/iam_policy.h"
#include "src/json.h"
#include "src/projects.h"
#include "src/store.h"
#include "src/store_buckets.h"
#include "src/util.h"
#include "tests/unit/fixture.h"

/* Expects err set with `code` and a message holding `needle`; frees it. */
static void expect_err(stim_error_t *err, enum stim_code code, const char *needle)
{
	assert_non_null(*err);
	if ((*err)->code != code || strstr((*err)->msg, needle) == NULL)
		print_error("%s: %s\n", stim_code_name((*err)->code), (*err)->msg);
	assert_int_equal((*err)->code, code);
	assert_non_null(strstr((*err)->msg, needle));
	stim_error_free(*err);
	*err = NULL;
}

/* Pure checks */

static void test_bucket_names(void **state)
{
	static const struct {
		const char *name;
		const char *why; /* NULL: valid */
	} cases[] = {
		{ "abc", NULL },
		{ "my-bucket_1", NULL },
		{ "0starts-with-digit", NULL },
		{ "a.b.c", NULL },
		{ "example.com", NULL },
		{ "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0",
		  NULL }, /* 63 */
		{ "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01", "3 to 63" },
		{ "ab", "3 to 63" },
		{ "", "3 to 63" },
		{ "Bad_Name", "only lowercase" },
		{ "bad name", "only lowercase" },
		{ "bad/name", "only lowercase" },
		{ "caf\xc3\xa9-bucket", "only lowercase" },
		{ "-abc", "start and end" },
		{ "abc-", "start and end" },
		{ "_abc", "start and end" },
		{ ".abc", "empty dot-separated" },
		{ "abc.", "start and end" },
		{ "a..b", "empty dot-separated" },
		{ "192.168.5.4", "IP addresses" },
		{ "10.0.0.1", "IP addresses" },
		{ "1.2.3", NULL },
		{ "goog-bucket", "\"goog\" prefix" },
		{ "googbucket", "\"goog\" prefix" },
		{ "my-google-bucket", "\"google\"" },
		{ "my-g00gle-bucket", "\"google\"" },
		{ "goo-gle", NULL },
	};
	/* Dotted names: up to 222, each part at most 63. */
	char part64[65];
	char long_ok[223];
	char too_long[224];
	char dotted64[80];

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		stim_error_t err = NULL;
		int ret = stim_bucket_name_check(cases[i].name, &err);

		if (ret != (cases[i].why == NULL ? 0 : -1))
			print_error("'%s': %d\n", cases[i].name, ret);
		if (cases[i].why == NULL) {
			assert_int_equal(ret, 0);
			assert_null(err);
			continue;
		}
		assert_int_equal(ret, -1);
		assert_string_equal(err->reason, "invalid");
		expect_err(&err, STIM_INVALID_ARGUMENT, cases[i].why);
	}

	memset(part64, 'a', 64);
	part64[64] = '\0';
	snprintf(dotted64, sizeof(dotted64), "x.%s", part64);
	{
		stim_error_t err = NULL;

		assert_int_equal(stim_bucket_name_check(dotted64, &err), -1);
		expect_err(&err, STIM_INVALID_ARGUMENT, "at most 63");
	}
	/* 63 + 1 + 63 + 1 + 63 + 1 + 30 = 222 */
	memset(long_ok, 'a', 222);
	long_ok[63] = long_ok[127] = long_ok[191] = '.';
	long_ok[222] = '\0';
	{
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_bucket_name_check(long_ok, &err), 0);
	}
	memcpy(too_long, long_ok, 222);
	too_long[222] = 'a';
	too_long[223] = '\0';
	{
		stim_error_t err = NULL;

		assert_int_equal(stim_bucket_name_check(too_long, &err), -1);
		expect_err(&err, STIM_INVALID_ARGUMENT, "up to 222");
	}
}

static void test_locations(void **state)
{
	static const struct {
		const char *in;
		const char *canonical; /* NULL: refused */
		const char *type;
	} cases[] = {
		{ "US", "US", "multi-region" },
		{ "us", "US", "multi-region" },
		{ "eu", "EU", "multi-region" },
		{ "Asia", "ASIA", "multi-region" },
		{ "nam4", "NAM4", "dual-region" },
		{ "EUR4", "EUR4", "dual-region" },
		{ "asia1", "ASIA1", "dual-region" },
		{ "us-central1", "US-CENTRAL1", "region" },
		{ "europe-west10", "EUROPE-WEST10", "region" },
		{ "northamerica-northeast2", "NORTHAMERICA-NORTHEAST2", "region" },
		{ "mars", NULL, NULL },
		{ "us-central", NULL, NULL },
		{ "central1", NULL, NULL },
		{ "us-central1-a", NULL, NULL },
		{ "", NULL, NULL },
		{ "us central1", NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		stim_error_t err = NULL;
		char out[STIM_LOCATION_MAX];
		int ret = stim_bucket_location_check(cases[i].in, out, &err);

		if (cases[i].canonical == NULL) {
			assert_int_equal(ret, -1);
			expect_err(&err, STIM_INVALID_ARGUMENT, "location constraint");
			continue;
		}
		assert_int_equal(ret, 0);
		assert_string_equal(out, cases[i].canonical);
		assert_string_equal(stim_bucket_location_type(out), cases[i].type);
	}
}

static void test_storage_classes_rpo_pap(void **state)
{
	static const char *const good[] = { "STANDARD",
					    "nearline",
					    "Coldline",
					    "ARCHIVE",
					    "MULTI_REGIONAL",
					    "REGIONAL",
					    "DURABLE_REDUCED_AVAILABILITY" };
	const char *out = NULL;
	stim_error_t err = NULL;

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(good); i++) {
		assert_int_equal(stim_storage_class_check(good[i], &out, &err), 0);
		assert_true(strcasecmp(out, good[i]) == 0);
	}
	assert_int_equal(stim_storage_class_check("nearline", &out, &err), 0);
	assert_string_equal(out, "NEARLINE");
	assert_int_equal(stim_storage_class_check("GLACIER", &out, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Invalid storage class: 'GLACIER'");

	assert_int_equal(stim_bucket_rpo_check("default", "US", &out, &err), 0);
	assert_string_equal(out, "DEFAULT");
	assert_int_equal(stim_bucket_rpo_check("ASYNC_TURBO", "NAM4", &out, &err), 0);
	assert_string_equal(out, "ASYNC_TURBO");
	assert_int_equal(stim_bucket_rpo_check("ASYNC_TURBO", "US", &out, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "dual-region");
	assert_int_equal(stim_bucket_rpo_check("FAST", "NAM4", &out, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Invalid rpo");

	assert_int_equal(stim_bucket_pap_check("unspecified", &out, &err), 0);
	assert_string_equal(out, "inherited");
	assert_int_equal(stim_bucket_pap_check("enforced", &out, &err), 0);
	assert_string_equal(out, "enforced");
	assert_int_equal(stim_bucket_pap_check("ENFORCED", &out, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "publicAccessPrevention");
}

static void test_etags(void **state)
{
	const unsigned char odd[] = { 0xfb, 0xff, 0xbf };
	int64_t one = 1;
	int64_t two[] = { 1795359029151193LL, 1 };
	int64_t big = 300;
	cleanup_free char *e1 = stim_etag_mint(&one, 1);
	cleanup_free char *e2 = stim_etag_mint(two, 2);
	cleanup_free char *e3 = stim_etag_mint(&big, 1);
	cleanup_free char *std = stim_base64_encode(odd, sizeof(odd), false);
	cleanup_free char *url = stim_base64_encode(odd, sizeof(odd), true);

	(void)state;
	/* What GCS answers for a bucket at metageneration 1. */
	assert_string_equal(e1, "CAE=");
	/* Varints: 300 is AC 02. */
	assert_string_equal(e3, "CKwC");
	assert_true(stim_etag_equal("CAE=", e1));
	assert_true(stim_etag_equal("CAE", e1)); /* padding dropped */
	assert_false(stim_etag_equal("CAI=", e1));
	assert_false(stim_etag_equal("", e1));
	assert_false(stim_etag_equal("not base64!", e1));
	assert_false(stim_etag_equal(e2, e1));
	assert_true(stim_etag_equal(e2, e2));
	/* gcloud sends bytes fields back URL-safe: "+/" become "-_". */
	assert_string_equal(std, "+/+/");
	assert_string_equal(url, "-_-_");
	assert_true(stim_etag_equal(url, std));
	assert_true(stim_etag_equal(std, url));
}

static void test_cond_check(void **state)
{
	struct stim_bucket_cond none = { 0 };
	struct stim_bucket_cond match = { .has_match = true, .match = 3 };
	struct stim_bucket_cond not_match = { .has_not_match = true, .not_match = 3 };
	stim_error_t err = NULL;

	(void)state;
	assert_int_equal(stim_bucket_cond_check(NULL, 3, &err), 0);
	assert_int_equal(stim_bucket_cond_check(&none, 3, &err), 0);
	assert_int_equal(stim_bucket_cond_check(&match, 3, &err), 0);
	assert_int_equal(stim_bucket_cond_check(&not_match, 4, &err), 0);
	assert_int_equal(stim_bucket_cond_check(&match, 4, &err), -1);
	assert_string_equal(err->reason, "conditionNotMet");
	expect_err(&err, STIM_FAILED_PRECONDITION, "pre-conditions");
	assert_int_equal(stim_bucket_cond_check(&not_match, 3, &err), -1);
	expect_err(&err, STIM_FAILED_PRECONDITION, "pre-conditions");
}

/* Patch and update semantics (stim_bucket_apply) */

static void base_bucket(struct stim_bucket *b)
{
	memset(b, 0, sizeof(*b));
	b->name = xstrdup("bkt");
	b->location = xstrdup("US");
	b->storage_class = xstrdup("NEARLINE");
	b->rpo = xstrdup("DEFAULT");
	b->public_access_prevention = xstrdup("enforced");
	b->versioning = true;
	b->soft_delete_seconds = 604800;
	stim_labels_set(&b->labels, "env", "dev");
	stim_labels_set(&b->labels, "team", "core");
	stim_lifecycle_add(&b->lifecycle, STIM_LIFECYCLE_DELETE)->num[STIM_LC_AGE] = 30;
}

static void test_apply_patch(void **state)
{
	struct stim_bucket b;
	struct stim_bucket_spec spec = { 0 };
	cleanup_error stim_error_t err = NULL;

	(void)state;
	base_bucket(&b);
	/* An empty patch changes nothing. */
	assert_int_equal(stim_bucket_apply(&b, &spec, false, 1000, &err), 0);
	assert_string_equal(b.storage_class, "NEARLINE");
	assert_true(b.versioning);
	assert_int_equal(b.labels.n, 2);
	assert_int_equal(b.lifecycle.n, 1);

	/* Labels merge: set one, remove one ("team": null), keep the rest. */
	stim_labels_set(&spec.labels, "owner", "alice");
	stim_strv_push(&spec.labels_removed, "team");
	stim_strv_push(&spec.labels_removed, "absent");
	spec.storage_class = "coldline";
	spec.has_versioning = true;
	spec.versioning = false;
	assert_int_equal(stim_bucket_apply(&b, &spec, false, 1000, &err), 0);
	assert_int_equal(b.labels.n, 2);
	assert_string_equal(b.labels.v[0].key, "env");
	assert_string_equal(b.labels.v[1].key, "owner");
	assert_string_equal(b.storage_class, "COLDLINE");
	assert_false(b.versioning);
	assert_string_equal(b.public_access_prevention, "enforced");
	assert_int_equal(b.lifecycle.n, 1);
	stim_bucket_spec_fini(&spec);

	/* "labels": null clears; "lifecycle": null (no rules) clears. */
	memset(&spec, 0, sizeof(spec));
	spec.labels_clear = true;
	spec.has_lifecycle = true;
	assert_int_equal(stim_bucket_apply(&b, &spec, false, 1000, &err), 0);
	assert_int_equal(b.labels.n, 0);
	assert_int_equal(b.lifecycle.n, 0);

	/* Uniform access: the lock clock starts when it turns on. */
	spec.has_uniform_access = true;
	spec.uniform_access = true;
	assert_int_equal(stim_bucket_apply(&b, &spec, false, 5000, &err), 0);
	assert_true(b.uniform_access);
	assert_int_equal(b.uniform_access_time_ms, 5000);
	assert_int_equal(stim_bucket_apply(&b, &spec, false, 9000, &err), 0);
	assert_int_equal(b.uniform_access_time_ms, 5000);
	stim_bucket_fini(&b);
}

static void test_apply_replace(void **state)
{
	struct stim_bucket b;
	struct stim_bucket_spec spec = { 0 };
	cleanup_error stim_error_t err = NULL;

	(void)state;
	base_bucket(&b);
	stim_labels_set(&spec.labels, "new", "x");
	/* A null label in an update body means nothing (the API layer drops
	 * it); a removal list on replace removes from the empty set. */
	assert_int_equal(stim_bucket_apply(&b, &spec, true, 1000, &err), 0);
	assert_string_equal(b.storage_class, "STANDARD");
	assert_string_equal(b.public_access_prevention, "inherited");
	assert_false(b.versioning);
	assert_int_equal(b.labels.n, 1);
	assert_string_equal(b.labels.v[0].key, "new");
	assert_int_equal(b.lifecycle.n, 0);
	assert_string_equal(b.location, "US");
	stim_bucket_spec_fini(&spec);
	stim_bucket_fini(&b);
}

static void test_apply_refused(void **state)
{
	static const struct {
		struct stim_bucket_spec spec;
		const char *needle;
	} cases[] = {
		{ { .location = "EU" }, "cannot be changed" },
		{ { .location = "nowhere" }, "location constraint" },
		{ { .storage_class = "FAST" }, "Invalid storage class" },
		{ { .rpo = "ASYNC_TURBO" }, "dual-region" },
		{ { .public_access_prevention = "on" }, "publicAccessPrevention" },
		{ { .has_soft_delete = true, .soft_delete_seconds = 3600 }, "retentionDuration" },
		{ { .has_soft_delete = true, .soft_delete_seconds = 91 * 86400 },
		  "retentionDuration" },
	};
	struct stim_bucket b;

	(void)state;
	base_bucket(&b);
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		stim_error_t err = NULL;

		assert_int_equal(stim_bucket_apply(&b, &cases[i].spec, false, 1000, &err), -1);
		expect_err(&err, STIM_INVALID_ARGUMENT, cases[i].needle);
		/* A refused change leaves the bucket as it was. */
		assert_string_equal(b.storage_class, "NEARLINE");
		assert_int_equal(b.labels.n, 2);
		assert_int_equal(b.soft_delete_seconds, 604800);
	}
	{
		/* Uniform access turned on 90 days ago is locked on. */
		struct stim_bucket_spec off = { .has_uniform_access = true };
		stim_error_t err = NULL;
		int64_t day = 86400LL * 1000;

		b.uniform_access = true;
		b.uniform_access_time_ms = day;
		assert_int_equal(stim_bucket_apply(&b, &off, false, 89 * day, &err), 0);
		assert_false(b.uniform_access);
		b.uniform_access = true;
		b.uniform_access_time_ms = day;
		assert_int_equal(stim_bucket_apply(&b, &off, false, 92 * day, &err), -1);
		expect_err(&err, STIM_INVALID_ARGUMENT, "locked");
		assert_true(b.uniform_access);
	}
	{
		/* 65 labels are over the limit of 64. */
		struct stim_bucket_spec many = { 0 };
		stim_error_t err = NULL;
		char key[16];

		for (int i = 0; i < 63; i++) {
			snprintf(key, sizeof(key), "k%02d", i);
			stim_labels_set(&many.labels, key, "v");
		}
		assert_int_equal(stim_bucket_apply(&b, &many, false, 1000, &err), -1);
		expect_err(&err, STIM_INVALID_ARGUMENT, "at most 64 labels");
		stim_bucket_spec_fini(&many);
	}
	stim_bucket_fini(&b);
}

static void test_lifecycle_checks(void **state)
{
	struct stim_lifecycle l = { 0 };
	struct stim_lifecycle_rule *r;
	stim_error_t err = NULL;

	(void)state;
	r = stim_lifecycle_add(&l, STIM_LIFECYCLE_SET_STORAGE_CLASS);
	r->num[STIM_LC_AGE] = 10;
	assert_int_equal(stim_lifecycle_check(&l, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "needs action.storageClass");
	l.rules[0].storage_class = xstrdup("coldline");
	stim_strv_push(&l.rules[0].list[STIM_LC_MATCHES_STORAGE_CLASS], "standard");
	assert_int_equal(stim_lifecycle_check(&l, &err), 0);
	assert_string_equal(l.rules[0].storage_class, "COLDLINE");
	assert_string_equal(l.rules[0].list[STIM_LC_MATCHES_STORAGE_CLASS].v[0], "STANDARD");

	r = stim_lifecycle_add(&l, STIM_LIFECYCLE_DELETE);
	assert_int_equal(stim_lifecycle_check(&l, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "at least one condition");
	r->date[STIM_LC_CREATED_BEFORE] = xstrdup("2023-02-29");
	assert_int_equal(stim_lifecycle_check(&l, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "YYYY-MM-DD");
	free(r->date[STIM_LC_CREATED_BEFORE]);
	r->date[STIM_LC_CREATED_BEFORE] = xstrdup("2024-02-29");
	assert_int_equal(stim_lifecycle_check(&l, &err), 0);
	r->storage_class = xstrdup("NEARLINE");
	assert_int_equal(stim_lifecycle_check(&l, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "only for SetStorageClass");
	free(r->storage_class);
	r->storage_class = NULL;

	r = stim_lifecycle_add(&l, STIM_LIFECYCLE_ABORT_MULTIPART);
	r->is_live = 1;
	assert_int_equal(stim_lifecycle_check(&l, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "AbortIncompleteMultipartUpload takes only");
	r->is_live = -1;
	r->num[STIM_LC_AGE] = 7;
	assert_int_equal(stim_lifecycle_check(&l, &err), 0);
	stim_lifecycle_fini(&l);

	for (int i = 0; i <= STIM_LIFECYCLE_RULES_MAX; i++)
		stim_lifecycle_add(&l, STIM_LIFECYCLE_DELETE)->num[STIM_LC_AGE] = 1;
	assert_int_equal(stim_lifecycle_check(&l, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "at most 100");
	stim_lifecycle_fini(&l);
}

static void test_iam_policy_check(void **state)
{
	struct stim_iam_policy p = { 0 };
	struct stim_iam_binding *b;
	stim_error_t err = NULL;

	(void)state;
	b = stim_iam_policy_add(&p, "roles/storage.objectViewer");
	stim_strv_add_sorted(&b->members, "user:alice@example.com");
	stim_strv_add_sorted(&b->members, "allUsers");
	stim_strv_add_sorted(&b->members, "user:alice@example.com");
	assert_int_equal(b->members.n, 2);
	stim_iam_policy_add(&p, "roles/storage.admin"); /* no members: dropped */
	b = stim_iam_policy_add(&p, "projects/p1/roles/custom");
	stim_strv_add_sorted(&b->members, "projectOwner:p1");
	assert_int_equal(stim_iam_policy_check(&p, &err), 0);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.bindings[1].role, "projects/p1/roles/custom");

	b = stim_iam_policy_add(&p, "roles/x");
	stim_strv_add_sorted(&b->members, "alice@example.com");
	assert_int_equal(stim_iam_policy_check(&p, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Invalid member 'alice@example.com'");
	free(b->members.v[0]);
	b->members.v[0] = xstrdup("group:g@example.com");
	free(b->role);
	b->role = xstrdup("storage.admin");
	assert_int_equal(stim_iam_policy_check(&p, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "not a valid role");
	free(b->role);
	b->role = xstrdup("roles/storage.admin");
	b->cond_expression = xstrdup("request.time < timestamp(\"2030-01-01T00:00:00Z\")");
	assert_int_equal(stim_iam_policy_check(&p, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "version 3");
	p.version = 3;
	assert_int_equal(stim_iam_policy_check(&p, &err), 0);
	assert_true(stim_iam_policy_has_conditions(&p));
	p.version = 2;
	assert_int_equal(stim_iam_policy_check(&p, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Invalid policy version 2");
	stim_iam_policy_fini(&p);
}

/* JSON */

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (j == NULL)
		print_error("bad test JSON: %s\n", jerr.text);
	assert_non_null(j);
	return j;
}

static void test_spec_from_json(void **state)
{
	cleanup_json json_t *body = parse(
		"{\"name\": \"bkt\", \"labels\": {\"env\": \"dev\", \"gone\": null},"
		" \"versioning\": {\"enabled\": true}, \"storageClass\": \"NEARLINE\","
		" \"iamConfiguration\": {\"bucketPolicyOnly\": {\"enabled\": true},"
		"   \"publicAccessPrevention\": \"enforced\"},"
		" \"softDeletePolicy\": {\"retentionDurationSeconds\": \"0\"},"
		" \"kind\": \"storage#bucket\", \"etag\": \"CAE=\", \"metageneration\": \"4\"}");
	struct stim_bucket_spec spec;
	cleanup_error stim_error_t err = NULL;

	(void)state;
	assert_int_equal(api_storage_bucket_spec_from_json(body, true, &spec, &err), 0);
	assert_string_equal(spec.name, "bkt");
	assert_string_equal(spec.storage_class, "NEARLINE");
	assert_int_equal(spec.labels.n, 1);
	assert_int_equal(spec.labels_removed.n, 1);
	assert_string_equal(spec.labels_removed.v[0], "gone");
	assert_true(spec.has_versioning && spec.versioning);
	/* bucketPolicyOnly is uniform access under its older name. */
	assert_true(spec.has_uniform_access && spec.uniform_access);
	assert_string_equal(spec.public_access_prevention, "enforced");
	assert_true(spec.has_soft_delete);
	assert_int_equal(spec.soft_delete_seconds, 0);
	assert_false(spec.has_lifecycle);
	stim_bucket_spec_fini(&spec);

	/* Outside a patch a null label is simply absent. */
	assert_int_equal(api_storage_bucket_spec_from_json(body, false, &spec, &err), 0);
	assert_int_equal(spec.labels_removed.n, 0);
	stim_bucket_spec_fini(&spec);
}

static void test_spec_from_json_nulls(void **state)
{
	cleanup_json json_t *body =
		parse("{\"labels\": null, \"lifecycle\": null, \"versioning\": null}");
	struct stim_bucket_spec spec;
	cleanup_error stim_error_t err = NULL;

	(void)state;
	assert_int_equal(api_storage_bucket_spec_from_json(body, true, &spec, &err), 0);
	assert_true(spec.labels_clear);
	assert_true(spec.has_lifecycle);
	assert_int_equal(spec.lifecycle.n, 0);
	assert_true(spec.has_versioning);
	assert_false(spec.versioning);
	stim_bucket_spec_fini(&spec);
}

static void test_spec_from_json_refused(void **state)
{
	static const struct {
		const char *body;
		const char *needle;
	} cases[] = {
		{ "{\"colour\": \"blue\"}", "Unknown name \"colour\"" },
		{ "{\"cors\": [{\"origin\": [\"*\"]}]}", "'cors' is not supported" },
		{ "{\"name\": 3}", "Invalid value at 'name'" },
		{ "{\"labels\": [1]}", "Invalid value at 'labels'" },
		{ "{\"labels\": {\"Env\": \"x\"}}", "Label key 'Env'" },
		{ "{\"labels\": {\"env\": 3}}", "labels[env]" },
		{ "{\"versioning\": {\"enabled\": \"yes\"}}", "TYPE_BOOL" },
		{ "{\"versioning\": {\"on\": true}}", "Unknown name \"on\" at 'versioning'" },
		{ "{\"iamConfiguration\": {\"uniformBucketLevelAccess\": {\"enabled\": true},"
		  " \"bucketPolicyOnly\": {\"enabled\": false}}}",
		  "disagree" },
		{ "{\"hierarchicalNamespace\": {\"enabled\": true}}", "not supported" },
		{ "{\"lifecycle\": {\"rule\": {}}}", "lifecycle.rule" },
		{ "{\"lifecycle\": {\"rule\": [{\"condition\": {\"age\": 1}}]}}",
		  "lifecycle.rule[0].action" },
		{ "{\"lifecycle\": {\"rule\": [{\"action\": {\"type\": \"Archive\"}}]}}",
		  "Invalid lifecycle action type 'Archive'" },
		{ "{\"lifecycle\": {\"rule\": [{\"action\": {\"type\": \"Delete\"},"
		  " \"condition\": {\"age\": -1}}]}}",
		  "cannot be negative" },
		{ "{\"lifecycle\": {\"rule\": [{\"action\": {\"type\": \"Delete\"},"
		  " \"condition\": {\"age\": \"old\"}}]}}",
		  "Invalid value at 'age'" },
		{ "{\"lifecycle\": {\"rule\": [{\"action\": {\"type\": \"Delete\"},"
		  " \"condition\": {\"matchesPrefix\": \"a/\"}}]}}",
		  "matchesPrefix" },
		{ "{\"lifecycle\": {\"rule\": [{\"action\": {\"type\": \"Delete\"},"
		  " \"condition\": {\"matchesPattern\": \"a*\"}}]}}",
		  "Unknown name \"matchesPattern\"" },
	};

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		cleanup_json json_t *body = parse(cases[i].body);
		struct stim_bucket_spec spec;
		stim_error_t err = NULL;

		assert_int_equal(api_storage_bucket_spec_from_json(body, true, &spec, &err), -1);
		expect_err(&err, STIM_INVALID_ARGUMENT, cases[i].needle);
	}
}

/* Every condition survives JSON -> spec -> bucket -> JSON unchanged. */
static void test_lifecycle_round_trip(void **state)
{
	static const char rules[] =
		"[{\"action\": {\"type\": \"SetStorageClass\", \"storageClass\": \"COLDLINE\"},"
		"  \"condition\": {\"age\": 30, \"daysSinceCustomTime\": 1,"
		"   \"daysSinceNoncurrentTime\": 2, \"numNewerVersions\": 3,"
		"   \"createdBefore\": \"2024-01-31\", \"customTimeBefore\": \"2024-02-01\","
		"   \"noncurrentTimeBefore\": \"2024-03-01\", \"isLive\": false,"
		"   \"matchesPrefix\": [\"logs/\", \"tmp/\"], \"matchesSuffix\": [\".gz\"],"
		"   \"matchesStorageClass\": [\"STANDARD\", \"NEARLINE\"]}},"
		" {\"action\": {\"type\": \"Delete\"}, \"condition\": {\"isLive\": true}},"
		" {\"action\": {\"type\": \"AbortIncompleteMultipartUpload\"},"
		"  \"condition\": {\"age\": 0}}]";
	cleanup_free char *text = xasprintf("{\"lifecycle\": {\"rule\": %s}}", rules);
	cleanup_json json_t *body = parse(text);
	cleanup_json json_t *want = parse(rules);
	cleanup_json json_t *got = NULL;
	struct stim_bucket_spec spec;
	struct stim_bucket b;
	cleanup_error stim_error_t err = NULL;

	(void)state;
	base_bucket(&b);
	assert_int_equal(api_storage_bucket_spec_from_json(body, true, &spec, &err), 0);
	assert_int_equal(stim_bucket_apply(&b, &spec, false, 1000, &err), 0);
	stim_bucket_spec_fini(&spec);
	got = api_storage_bucket_to_json(&b, "http://h");
	assert_true(json_equal(json_object_get(json_object_get(got, "lifecycle"), "rule"), want));
	stim_bucket_fini(&b);
}

static void test_bucket_to_json(void **state)
{
	struct stim_bucket b;
	cleanup_json json_t *j = NULL;
	cleanup_json json_t *layout = NULL;
	json_t *iam;

	(void)state;
	base_bucket(&b);
	b.project_number = 123456789012LL;
	b.generation = 1700000000000000LL;
	b.metageneration = 2;
	b.uniform_access = true;
	b.uniform_access_time_ms = 0;
	j = api_storage_bucket_to_json(&b, "http://127.0.0.1:9");
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "storage#bucket");
	assert_string_equal(json_string_value(json_object_get(j, "selfLink")),
			    "http://127.0.0.1:9/storage/v1/b/bkt");
	assert_string_equal(json_string_value(json_object_get(j, "id")), "bkt");
	assert_string_equal(json_string_value(json_object_get(j, "projectNumber")), "123456789012");
	assert_string_equal(json_string_value(json_object_get(j, "generation")),
			    "1700000000000000");
	assert_string_equal(json_string_value(json_object_get(j, "metageneration")), "2");
	assert_string_equal(json_string_value(json_object_get(j, "etag")), "CAI=");
	assert_string_equal(json_string_value(json_object_get(j, "locationType")), "multi-region");
	assert_string_equal(json_string_value(json_object_get(j, "rpo")), "DEFAULT");
	iam = json_object_get(j, "iamConfiguration");
	assert_true(json_equal(json_object_get(iam, "bucketPolicyOnly"),
			       json_object_get(iam, "uniformBucketLevelAccess")));
	/* Locked 90 days after it was turned on. */
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(iam, "uniformBucketLevelAccess"),
						  "lockedTime")),
		"1970-04-01T00:00:00.000Z");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "softDeletePolicy"),
						  "retentionDurationSeconds")),
		"604800");
	assert_true(json_is_false(
		json_object_get(json_object_get(j, "hierarchicalNamespace"), "enabled")));

	layout = api_storage_layout_to_json(&b);
	assert_string_equal(json_string_value(json_object_get(layout, "kind")),
			    "storage#storageLayout");
	assert_string_equal(json_string_value(json_object_get(layout, "bucket")), "bkt");
	assert_string_equal(json_string_value(json_object_get(layout, "locationType")),
			    "multi-region");
	stim_bucket_fini(&b);
}

static void test_policy_json(void **state)
{
	cleanup_json json_t *body =
		parse("{\"kind\": \"storage#policy\", \"resourceId\": \"projects/_/buckets/b\","
		      " \"version\": 3, \"etag\": \"CAE=\", \"bindings\": ["
		      "  {\"role\": \"roles/storage.objectViewer\","
		      "   \"members\": [\"user:b@x.com\", \"user:a@x.com\", \"user:a@x.com\"]},"
		      "  {\"role\": \"roles/storage.admin\", \"members\": [\"group:g@x.com\"],"
		      "   \"condition\": {\"title\": \"t\", \"expression\": \"true\"}}]}");
	cleanup_json json_t *bad = parse("{\"bindings\": [{\"members\": []}]}");
	cleanup_json json_t *out = NULL;
	struct stim_iam_policy p;
	stim_error_t err = NULL;
	json_t *members;

	(void)state;
	assert_int_equal(api_storage_policy_from_json(body, &p, &err), 0);
	assert_int_equal(p.version, 3);
	assert_string_equal(p.etag, "CAE=");
	assert_int_equal(p.n, 2);
	assert_int_equal(p.bindings[0].members.n, 2);
	assert_string_equal(p.bindings[0].members.v[0], "user:a@x.com");
	assert_string_equal(p.bindings[1].cond_title, "t");
	out = api_storage_policy_to_json("b", &p);
	assert_string_equal(json_string_value(json_object_get(out, "resourceId")),
			    "projects/_/buckets/b");
	assert_string_equal(json_string_value(json_object_get(out, "kind")), "storage#policy");
	members = json_object_get(json_array_get(json_object_get(out, "bindings"), 0), "members");
	assert_int_equal(json_array_size(members), 2);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_array_get(json_object_get(out, "bindings"), 1),
					"condition"),
			"expression")),
		"true");
	stim_iam_policy_fini(&p);

	assert_int_equal(api_storage_policy_from_json(bad, &p, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "bindings[0].role");
}

/* The service over a temporary store */

struct fixture {
	char tmp[FIXTURE_TMP_SIZE];
	struct stim_config cfg;
	struct stim_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	stim_error_t err = NULL;

	if (fixture_store_open("buckets", f->tmp, &f->cfg, &f->ctx) < 0)
		return -1;
	if (stim_project_ensure(&f->ctx, "proj-one", &err) < 0 ||
	    stim_project_ensure(&f->ctx, "proj-two", &err) < 0) {
		print_error("project: %s\n", err->msg);
		stim_error_free(err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fixture_store_close(f->tmp, &f->cfg, &f->ctx);
	free(f);
	return 0;
}

static void insert(struct fixture *f, const char *project, const char *name)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_bucket_spec spec = { .name = name };
	struct stim_bucket b;

	if (stim_bucket_insert(&f->ctx, project, &spec, &b, &err) < 0)
		print_error("insert %s: %s\n", name, err->msg);
	assert_null(err);
	stim_bucket_fini(&b);
}

static void test_insert_get_delete(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_bucket_spec spec = { .name = "bkt-one", .location = "us-central1" };
	struct stim_bucket b;
	struct stim_bucket got;
	struct stim_project p;
	struct stim_bucket_cond stale = { .has_match = true, .match = 7 };
	struct stim_bucket_cond same = { .has_not_match = true, .not_match = 1 };
	struct stim_db *db;

	stim_labels_set(&spec.labels, "env", "dev");
	stim_lifecycle_add(&spec.lifecycle, STIM_LIFECYCLE_DELETE)->num[STIM_LC_AGE] = 3;
	spec.has_lifecycle = true;
	assert_int_equal(stim_bucket_insert(&f->ctx, "proj-one", &spec, &b, &err), 0);
	stim_bucket_spec_fini(&spec);
	assert_string_equal(b.location, "US-CENTRAL1");
	assert_string_equal(b.storage_class, "STANDARD");
	assert_int_equal(b.metageneration, 1);
	assert_int_equal(b.soft_delete_seconds, 604800);
	assert_int_equal(stim_project_get(&f->ctx, "proj-one", &p, &err), 0);
	assert_int_equal(b.project_number, p.number);
	stim_project_fini(&p);

	assert_int_equal(stim_bucket_get(&f->ctx, "bkt-one", NULL, &got, &err), 0);
	assert_int_equal(got.generation, b.generation);
	assert_int_equal(got.labels.n, 1);
	assert_int_equal(got.lifecycle.n, 1);
	assert_int_equal(got.lifecycle.rules[0].num[STIM_LC_AGE], 3);
	assert_int_equal(got.lifecycle.rules[0].num[STIM_LC_NUM_NEWER_VERSIONS], -1);
	assert_int_equal(got.lifecycle.rules[0].is_live, -1);
	stim_bucket_fini(&got);
	stim_bucket_fini(&b);

	/* GET: a stale Match is 412, a NotMatch naming the current one 304. */
	assert_int_equal(stim_bucket_get(&f->ctx, "bkt-one", &stale, &got, &err), -1);
	expect_err(&err, STIM_FAILED_PRECONDITION, "pre-conditions");
	assert_int_equal(stim_bucket_get(&f->ctx, "bkt-one", &same, &got, &err),
			 STIM_BUCKET_NOT_MODIFIED);
	assert_null(err);

	db = stim_store_db(f->ctx.store, &err);
	assert_int_equal(stim_store_bucket_is_empty(db, "bkt-one", &err), 1);
	stim_db_release(db);

	assert_int_equal(stim_bucket_delete(&f->ctx, "bkt-one", &stale, &err), -1);
	expect_err(&err, STIM_FAILED_PRECONDITION, "pre-conditions");
	assert_int_equal(stim_bucket_delete(&f->ctx, "bkt-one", NULL, &err), 0);
	assert_int_equal(stim_bucket_get(&f->ctx, "bkt-one", NULL, &got, &err), -1);
	expect_err(&err, STIM_NOT_FOUND, "The specified bucket does not exist.");
	assert_int_equal(stim_bucket_delete(&f->ctx, "bkt-one", NULL, &err), -1);
	expect_err(&err, STIM_NOT_FOUND, "does not exist");
	/* A deleted bucket's name is free again. */
	insert(f, "proj-two", "bkt-one");
}

static void test_insert_refused(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_bucket_spec spec = { .name = "taken" };
	struct stim_bucket_spec bad_name = { .name = "Taken" };
	struct stim_bucket_spec no_name = { 0 };
	struct stim_bucket_spec bad_class = { .name = "classy", .storage_class = "FAST" };
	struct stim_bucket b;

	insert(f, "proj-one", "taken");
	assert_int_equal(stim_bucket_insert(&f->ctx, "proj-one", &spec, &b, &err), -1);
	assert_string_equal(err->reason, "conflict");
	expect_err(&err, STIM_ALREADY_EXISTS, "you already own it");
	assert_int_equal(stim_bucket_insert(&f->ctx, "proj-two", &spec, &b, &err), -1);
	expect_err(&err, STIM_ALREADY_EXISTS, "The requested bucket name is not available");
	assert_int_equal(stim_bucket_insert(&f->ctx, "proj-one", &bad_name, &b, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Invalid bucket name");
	assert_int_equal(stim_bucket_insert(&f->ctx, "proj-one", &no_name, &b, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Required");
	assert_int_equal(stim_bucket_insert(&f->ctx, "proj-one", &bad_class, &b, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Invalid storage class");
	spec.name = "fresh-name";
	assert_int_equal(stim_bucket_insert(&f->ctx, NULL, &spec, &b, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Required parameter: project");
	assert_int_equal(stim_bucket_insert(&f->ctx, "no-such-project", &spec, &b, &err), -1);
	expect_err(&err, STIM_NOT_FOUND, "The requested project was not found.");
	assert_int_equal(stim_project_delete(&f->ctx, "proj-two", &err), 0);
	assert_int_equal(stim_bucket_insert(&f->ctx, "proj-two", &spec, &b, &err), -1);
	expect_err(&err, STIM_NOT_FOUND, "project was not found");
}

static void test_list(void **state)
{
	struct fixture *f = *state;
	static const char *const names[] = { "list-a", "list-b", "list-c",
					     "list-d", "list-e", "other-x" };
	struct stim_bucket_query q = { .project = "proj-one", .prefix = "list-", .max_results = 2 };
	struct stim_bucket_page page;
	cleanup_free char *token = NULL;
	cleanup_error stim_error_t err = NULL;
	char seen[128] = "";
	struct stim_project p;
	char number[24];

	for (size_t i = 0; i < STIM_ARRAY_SIZE(names); i++)
		insert(f, "proj-one", names[i]);
	insert(f, "proj-two", "list-z");
	for (;;) {
		q.page_token = token;
		assert_int_equal(stim_bucket_list(&f->ctx, &q, &page, &err), 0);
		for (size_t i = 0; i < page.n; i++) {
			strcat(seen, page.items[i].name);
			strcat(seen, " ");
		}
		free(token);
		token = page.next_page_token != NULL ? xstrdup(page.next_page_token) : NULL;
		stim_bucket_page_fini(&page);
		if (token == NULL)
			break;
	}
	/* By name, each once, no empty last page, only proj-one's. */
	assert_string_equal(seen, "list-a list-b list-c list-d list-e ");

	/* By project number, no prefix. */
	assert_int_equal(stim_project_get(&f->ctx, "proj-one", &p, &err), 0);
	snprintf(number, sizeof(number), "%lld", (long long)p.number);
	stim_project_fini(&p);
	q = (struct stim_bucket_query){ .project = number };
	assert_int_equal(stim_bucket_list(&f->ctx, &q, &page, &err), 0);
	assert_int_equal(page.n, 6);
	assert_null(page.next_page_token);
	stim_bucket_page_fini(&page);

	q = (struct stim_bucket_query){ .project = "proj-one", .prefix = "nothing" };
	assert_int_equal(stim_bucket_list(&f->ctx, &q, &page, &err), 0);
	assert_int_equal(page.n, 0);
	stim_bucket_page_fini(&page);

	q = (struct stim_bucket_query){ .project = "proj-one", .page_token = "!!" };
	assert_int_equal(stim_bucket_list(&f->ctx, &q, &page, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Invalid page token");
	q = (struct stim_bucket_query){ 0 };
	assert_int_equal(stim_bucket_list(&f->ctx, &q, &page, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Required parameter: project");
}

static void test_patch_update(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_bucket_spec patch = { .storage_class = "archive" };
	struct stim_bucket_spec rename = { .name = "other" };
	struct stim_bucket_spec update = { .name = "mod" };
	struct stim_bucket_cond at1 = { .has_match = true, .match = 1 };
	struct stim_bucket b;

	insert(f, "proj-one", "mod");
	stim_labels_set(&patch.labels, "a", "1");
	stim_labels_set(&patch.labels, "b", "2");
	assert_int_equal(stim_bucket_patch(&f->ctx, "mod", &at1, &patch, &b, &err), 0);
	assert_int_equal(b.metageneration, 2);
	assert_string_equal(b.storage_class, "ARCHIVE");
	assert_int_equal(b.labels.n, 2);
	assert_true(b.update_time_ms >= b.create_time_ms);
	stim_bucket_fini(&b);
	stim_bucket_spec_fini(&patch);

	/* The same precondition again is stale now. */
	memset(&patch, 0, sizeof(patch));
	stim_strv_push(&patch.labels_removed, "a");
	assert_int_equal(stim_bucket_patch(&f->ctx, "mod", &at1, &patch, &b, &err), -1);
	expect_err(&err, STIM_FAILED_PRECONDITION, "pre-conditions");
	assert_int_equal(stim_bucket_patch(&f->ctx, "mod", NULL, &patch, &b, &err), 0);
	assert_int_equal(b.labels.n, 1);
	assert_string_equal(b.labels.v[0].key, "b");
	stim_bucket_fini(&b);
	stim_bucket_spec_fini(&patch);

	assert_int_equal(stim_bucket_patch(&f->ctx, "mod", NULL, &rename, &b, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "cannot be renamed");
	assert_int_equal(stim_bucket_patch(&f->ctx, "nope", NULL, &patch, &b, &err), -1);
	expect_err(&err, STIM_NOT_FOUND, "does not exist");

	/* PUT resets what the body leaves out. */
	assert_int_equal(stim_bucket_update(&f->ctx, "mod", NULL, &update, &b, &err), 0);
	assert_int_equal(b.metageneration, 4);
	assert_string_equal(b.storage_class, "STANDARD");
	assert_int_equal(b.labels.n, 0);
	stim_bucket_fini(&b);
	assert_int_equal(stim_bucket_get(&f->ctx, "mod", NULL, &b, &err), 0);
	assert_int_equal(b.metageneration, 4);
	assert_int_equal(b.labels.n, 0);
	stim_bucket_fini(&b);
}

static void test_iam(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_iam_policy p;
	struct stim_iam_policy out;
	struct stim_iam_binding *b;
	cleanup_free char *url_etag = NULL;
	unsigned char raw[16];
	int n;

	insert(f, "proj-one", "iam-bkt");
	assert_int_equal(stim_bucket_iam_get(&f->ctx, "iam-bkt", 1, &p, &err), 0);
	assert_string_equal(p.etag, "CAE=");
	assert_int_equal(p.version, 1);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.bindings[0].role, "roles/storage.legacyBucketOwner");
	assert_string_equal(p.bindings[0].members.v[0], "projectEditor:proj-one");
	assert_string_equal(p.bindings[0].members.v[1], "projectOwner:proj-one");
	assert_string_equal(p.bindings[1].members.v[0], "projectViewer:proj-one");

	/* Read-modify-write with the etag sent back URL-safe, unpadded. */
	b = stim_iam_policy_add(&p, "roles/storage.objectViewer");
	stim_strv_add_sorted(&b->members, "user:alice@example.com");
	n = stim_base64_decode(p.etag, raw, sizeof(raw));
	url_etag = stim_base64_encode(raw, (size_t)n, true);
	free(p.etag);
	p.etag = xstrdup(url_etag);
	p.version = 3;
	assert_int_equal(stim_bucket_iam_set(&f->ctx, "iam-bkt", &p, &out, &err), 0);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.version, 3);
	assert_string_equal(out.etag, "CAI=");
	stim_iam_policy_fini(&out);

	/* The etag it was read with is stale now: 412. */
	assert_int_equal(stim_bucket_iam_set(&f->ctx, "iam-bkt", &p, &out, &err), -1);
	assert_string_equal(err->reason, "conditionNotMet");
	expect_err(&err, STIM_FAILED_PRECONDITION, "pre-conditions");
	/* So is it after a bucket patch: the two share the metageneration. */
	free(p.etag);
	p.etag = NULL;
	b = &p.bindings[2];
	b->cond_expression = xstrdup("true");
	assert_int_equal(stim_bucket_iam_set(&f->ctx, "iam-bkt", &p, &out, &err), 0);
	stim_iam_policy_fini(&out);
	stim_iam_policy_fini(&p);

	/* Conditions are not shown to a caller that asked for version 1. */
	assert_int_equal(stim_bucket_iam_get(&f->ctx, "iam-bkt", 1, &p, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "version 3");
	assert_int_equal(stim_bucket_iam_get(&f->ctx, "iam-bkt", 3, &p, &err), 0);
	assert_string_equal(p.etag, "CAM=");
	assert_string_equal(p.bindings[2].cond_expression, "true");
	stim_iam_policy_fini(&p);

	assert_int_equal(stim_bucket_iam_get(&f->ctx, "no-bkt", 3, &p, &err), -1);
	expect_err(&err, STIM_NOT_FOUND, "does not exist");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_names),
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_storage_classes_rpo_pap),
		cmocka_unit_test(test_etags),
		cmocka_unit_test(test_cond_check),
		cmocka_unit_test(test_apply_patch),
		cmocka_unit_test(test_apply_replace),
		cmocka_unit_test(test_apply_refused),
		cmocka_unit_test(test_lifecycle_checks),
		cmocka_unit_test(test_iam_policy_check),
		cmocka_unit_test(test_spec_from_json),
		cmocka_unit_test(test_spec_from_json_nulls),
		cmocka_unit_test(test_spec_from_json_refused),
		cmocka_unit_test(test_lifecycle_round_trip),
		cmocka_unit_test(test_bucket_to_json),
		cmocka_unit_test(test_policy_json),
		cmocka_unit_test_setup_teardown(test_insert_get_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patch_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iam, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
