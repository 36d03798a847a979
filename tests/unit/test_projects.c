/* Unit tests of projects (ids, filters, lifecycle), Service Usage and operations on a temp DB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/config.h"
#include "src/context.h"
#include "src/error.h"
#include "src/lro.h"
#include "src/projects.h"
#include "src/projects_filter.h"
#include "src/services.h"
#include "src/store.h"
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

static void test_project_id_check(void **state)
{
	static const struct {
		const char *id;
		bool ok;
	} cases[] = {
		{ "proj-two", true },
		{ "abcdef", true },
		{ "a12345", true },
		{ "a-b-c-d", true },
		{ "abcdefghijklmnopqrstuvwxyz0123", true },   /* 30 */
		{ "abcdefghijklmnopqrstuvwxyz01234", false }, /* 31 */
		{ "p2", false },
		{ "abcde", false },
		{ "", false },
		{ "Bad_Id", false },
		{ "bad_id", false },
		{ "Abcdef", false },
		{ "abcDef", false },
		{ "1abcdef", false },
		{ "-abcdef", false },
		{ "abcdef-", false },
		{ "abc def", false },
		{ "abc.def", false },
		{ "abc\xc3\xa9"
		  "def",
		  false },
	};

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		stim_error_t err = NULL;
		int ret = stim_project_id_check(cases[i].id, &err);

		if (ret != (cases[i].ok ? 0 : -1))
			print_error("'%s': %d\n", cases[i].id, ret);
		assert_int_equal(ret, cases[i].ok ? 0 : -1);
		if (cases[i].ok)
			assert_null(err);
		else
			expect_err(&err, STIM_INVALID_ARGUMENT, "Project ID");
	}
}

static void test_project_name_check(void **state)
{
	static const char *const good[] = { "My Project", "abcd", "It's \"quoted\"!", "x-y-z 123",
					    "abcdefghijklmnopqrstuvwxyz0123" };
	static const char *const bad[] = { "abc",
					   "",
					   "abcdefghijklmnopqrstuvwxyz01234",
					   "semi;colon",
					   "under_score",
					   "tab\there",
					   "dot.dot" };

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(good); i++) {
		cleanup_error stim_error_t err = NULL;

		assert_int_equal(stim_project_name_check(good[i], &err), 0);
	}
	for (size_t i = 0; i < STIM_ARRAY_SIZE(bad); i++) {
		stim_error_t err = NULL;

		assert_int_equal(stim_project_name_check(bad[i], &err), -1);
		expect_err(&err, STIM_INVALID_ARGUMENT, "Project name");
	}
	assert_string_equal(stim_project_state_name(STIM_PROJECT_ACTIVE), "ACTIVE");
	assert_string_equal(stim_project_state_name(STIM_PROJECT_DELETE_REQUESTED),
			    "DELETE_REQUESTED");
}

/* Filters */

static bool filter_matches(const char *filter, const struct stim_project *p)
{
	cleanup_error stim_error_t err = NULL;
	cleanup_projects_filter struct stim_projects_filter *f =
		stim_projects_filter_parse(filter, &err);

	if (f == NULL)
		print_error("filter '%s': %s\n", filter, err->msg);
	assert_non_null(f);
	return stim_projects_filter_match(f, p);
}

static void test_filter_match(void **state)
{
	struct stim_project p = {
		.project_id = "proj-two",
		.number = 123456789012LL,
		.name = "Production Two",
		.state = STIM_PROJECT_ACTIVE,
		.parent_type = "folder",
		.parent_id = "42",
	};

	(void)state;
	stim_labels_set(&p.labels, "env", "dev");
	stim_labels_set(&p.labels, "team", "blue");

	assert_true(filter_matches("", &p));
	assert_true(filter_matches("   ", &p));
	assert_true(filter_matches("lifecycleState:ACTIVE", &p));
	assert_true(filter_matches("lifecycleState:active", &p));
	assert_true(filter_matches("lifecycleState=Active", &p));
	assert_false(filter_matches("lifecycleState:DELETE_REQUESTED", &p));
	assert_true(filter_matches("id:proj-two", &p));
	assert_true(filter_matches("projectId:proj-two", &p));
	assert_false(filter_matches("id:proj", &p));
	assert_false(filter_matches("id:PROJ-TWO", &p)); /* ids are case-sensitive */
	assert_true(filter_matches("id:proj*", &p));
	assert_true(filter_matches("labels.env:dev", &p));
	assert_false(filter_matches("labels.env:prod", &p));
	assert_true(filter_matches("labels.env:*", &p));
	assert_false(filter_matches("labels.missing:*", &p));
	assert_false(filter_matches("labels.missing:dev", &p));
	assert_true(filter_matches("name:Pro*", &p));
	assert_true(filter_matches("name:pro*", &p));
	assert_true(filter_matches("name:\"production two\"", &p));
	assert_false(filter_matches("name:Production", &p));
	assert_true(filter_matches("projectNumber:123456789012", &p));
	assert_false(filter_matches("projectNumber:1234", &p));
	assert_true(filter_matches("parent.type:folder parent.id:42", &p));
	assert_false(filter_matches("parent.type:organization", &p));
	/* Terms AND together, by whitespace or by AND. */
	assert_true(filter_matches("lifecycleState:ACTIVE AND labels.env:dev", &p));
	assert_true(filter_matches("lifecycleState:ACTIVE labels.team:blue id:proj-two", &p));
	assert_false(filter_matches("lifecycleState:ACTIVE AND labels.env:prod", &p));
	assert_false(filter_matches("labels.env:dev AND labels.team:red", &p));
	assert_true(filter_matches("labels.team:\"blue\" AND name:\"Prod*\"", &p));
	/* OR, NOT, '-', !=, parentheses; OR binds more loosely than AND. */
	assert_true(filter_matches("labels.env:prod OR labels.team:blue", &p));
	assert_false(filter_matches("labels.env:prod OR labels.team:red", &p));
	assert_true(filter_matches("NOT labels.env:prod", &p));
	assert_false(filter_matches("NOT labels.env:dev", &p));
	assert_true(filter_matches("-labels.env:prod", &p));
	assert_true(filter_matches("labels.env!=prod", &p));
	assert_false(filter_matches("labels.env!=dev", &p));
	assert_true(filter_matches("id:nope labels.env:prod OR id:proj-two", &p));
	assert_false(filter_matches("id:nope AND (labels.env:prod OR id:proj-two)", &p));
	assert_true(filter_matches("lifecycleState:ACTIVE AND (labels.env=dev OR NOT "
				   "name:\"x*\")",
				   &p));
	assert_true(filter_matches("(id:proj-two)", &p));
	assert_true(filter_matches("((id:proj-two) AND (NOT (id:x)))", &p));
	assert_true(filter_matches("NOT NOT id:proj-two", &p));

	p.state = STIM_PROJECT_DELETE_REQUESTED;
	assert_false(filter_matches("lifecycleState:ACTIVE", &p));
	assert_true(filter_matches("lifecycleState:delete_requested", &p));
	stim_labels_fini(&p.labels);
}

static void test_filter_state_hint(void **state)
{
	static const struct {
		const char *filter;
		int state;
	} cases[] = {
		{ "", -1 },
		{ "lifecycleState:ACTIVE", STIM_PROJECT_ACTIVE },
		{ "id:x lifecycleState:active", STIM_PROJECT_ACTIVE },
		{ "lifecycleState:DELETE_REQUESTED", STIM_PROJECT_DELETE_REQUESTED },
		{ "lifecycleState:*", -1 },
		{ "lifecycleState:ACT*", -1 },
		{ "labels.env:dev", -1 },
		{ "lifecycleState:ACTIVE AND (id:a OR id:b)", STIM_PROJECT_ACTIVE },
		{ "(id:a OR id:b) lifecycleState:ACTIVE", STIM_PROJECT_ACTIVE },
		{ "lifecycleState:ACTIVE OR id:a", -1 },
		{ "NOT lifecycleState:ACTIVE", -1 },
		{ "lifecycleState!=ACTIVE", -1 },
	};

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		cleanup_error stim_error_t err = NULL;
		cleanup_projects_filter struct stim_projects_filter *f =
			stim_projects_filter_parse(cases[i].filter, &err);

		assert_non_null(f);
		assert_int_equal(stim_projects_filter_state(f), cases[i].state);
	}
}

/* "((...(id:x)...))" with n pairs. */
static void nest(char *buf, int n)
{
	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		strcat(buf, "(");
	strcat(buf, "id:x");
	for (int i = 0; i < n; i++)
		strcat(buf, ")");
}

static void test_filter_errors(void **state)
{
	static const struct {
		const char *filter;
		const char *needle;
	} cases[] = {
		{ "colour:red", "unknown field 'colour'" },
		{ "labels.:x", "unknown field 'labels.'" },
		{ "justaword", "unknown field 'justaword'" },
		{ "id:x AND", "expected FIELD:VALUE" },
		{ "id:x OR", "expected FIELD:VALUE" },
		{ "id:", "no value" },
		{ "id<3", "expected ':', '=' or '!='" },
		{ "name:\"open", "unterminated quote" },
		{ "(id:x", "not closed" },
		{ "id:x)", "unexpected ')'" },
		{ "()", "expected FIELD:VALUE" },
		{ "NOT", "expected FIELD:VALUE" },
		{ "id:x and id:y", "unknown field 'and'" },
	};
	char deep[256] = "";
	char *many;

	(void)state;
	for (size_t i = 0; i < STIM_ARRAY_SIZE(cases); i++) {
		stim_error_t err = NULL;

		assert_null(stim_projects_filter_parse(cases[i].filter, &err));
		expect_err(&err, STIM_INVALID_ARGUMENT, cases[i].needle);
	}

	/* Parentheses nest at most 32 deep. */
	{
		stim_error_t err = NULL;
		struct stim_project x = { .project_id = "x" };

		nest(deep, 33);
		assert_null(stim_projects_filter_parse(deep, &err));
		expect_err(&err, STIM_INVALID_ARGUMENT, "deeper than 32");
		nest(deep, 32);
		assert_true(filter_matches(deep, &x));
	}

	/* A bounded number of terms and operators. */
	many = xcalloc(300, 8);
	for (int i = 0; i < 300; i++)
		strcat(many, "id:x ");
	{
		stim_error_t err = NULL;

		assert_null(stim_projects_filter_parse(many, &err));
		expect_err(&err, STIM_INVALID_ARGUMENT, "more than 256");
	}
	free(many);
	stim_projects_filter_free(NULL);
}

static void test_filter_negation_chain_is_bounded(void **state)
{
	/* A hostile chain of '-' (NOT) recurses once per character; MAX_DEPTH
	 * bounds parentheses only, so a long chain runs off the stack. Run it
	 * in a child so a crash fails this test instead of the whole file. */
	enum { CHAIN = 400000 };
	pid_t pid;
	int status = 0;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *s = malloc(CHAIN + 8);
		stim_error_t err = NULL;
		struct stim_projects_filter *f;

		/* No core file from the crash this test looks for. */
		setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
		memset(s, '-', CHAIN);
		strcpy(s + CHAIN, "id:x");
		f = stim_projects_filter_parse(s, &err);
		/* Refused (too deep or too many nodes) is the right answer. */
		_exit(f == NULL && err != NULL && err->code == STIM_INVALID_ARGUMENT ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		print_error("filter parse of %d '-' died of signal %d\n", CHAIN, WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Services over a temporary store */

struct fixture {
	char tmp[FIXTURE_TMP_SIZE];
	struct stim_config cfg;
	struct stim_ctx ctx;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	if (fixture_store_open("projects", f->tmp, &f->cfg, &f->ctx) < 0)
		return -1;
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

/* Creates a project and checks the operation it returns. */
static void create(struct stim_ctx *ctx, const char *id, const char *label_env)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_project_spec spec = { .project_id = id };
	struct stim_lro op;

	if (label_env != NULL) {
		stim_labels_set(&spec.labels, "env", label_env);
		spec.has_labels = true;
	}
	if (stim_project_create(ctx, &spec, &op, &err) < 0)
		print_error("create %s: %s\n", id, err->msg);
	assert_null(err);
	stim_labels_fini(&spec.labels);
	assert_true(op.done);
	assert_true(stim_str_has_prefix(op.name, "operations/cp."));
	assert_string_equal(op.kind, "project.create");
	assert_string_equal(op.project.project_id, id);
	stim_lro_fini(&op);
}

static void test_create_and_get(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	struct stim_project_spec spec = {
		.project_id = "proj-one",
		.name = "Project One",
		.parent_type = "organization",
		.parent_id = "1234",
		.has_labels = true,
	};
	struct stim_lro op;
	struct stim_project p;
	char number[24];
	int64_t before = stim_now_ms();

	stim_labels_set(&spec.labels, "env", "dev");
	assert_int_equal(stim_project_create(&f->ctx, &spec, &op, &err), 0);
	stim_labels_fini(&spec.labels);
	assert_true(op.done);
	assert_string_equal(op.target, "proj-one");
	assert_null(op.services);
	assert_string_equal(op.project.project_id, "proj-one");
	assert_string_equal(op.project.name, "Project One");
	assert_int_equal(op.project.state, STIM_PROJECT_ACTIVE);
	/* Twelve digits, as Google's numbers are. */
	assert_true(op.project.number >= 100000000000LL && op.project.number <= 999999999999LL);
	assert_true(op.project.create_time_ms >= before);
	assert_string_equal(op.project.parent_type, "organization");
	assert_string_equal(op.project.parent_id, "1234");
	assert_int_equal(op.project.labels.n, 1);

	/* By id, and by number. */
	assert_int_equal(stim_project_get(&f->ctx, "proj-one", &p, &err), 0);
	assert_int_equal(p.number, op.project.number);
	assert_string_equal(p.labels.v[0].key, "env");
	stim_project_fini(&p);
	snprintf(number, sizeof(number), "%lld", (long long)op.project.number);
	assert_int_equal(stim_project_get(&f->ctx, number, &p, &err), 0);
	assert_string_equal(p.project_id, "proj-one");
	stim_project_fini(&p);
	stim_lro_fini(&op);

	/* The name defaults to the id. */
	create(&f->ctx, "proj-two", NULL);
	assert_int_equal(stim_project_get(&f->ctx, "proj-two", &p, &err), 0);
	assert_string_equal(p.name, "proj-two");
	assert_int_equal(p.labels.n, 0);
	assert_null(p.parent_type);
	stim_project_fini(&p);
}

static void test_create_refused(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_lro op;
	struct stim_project_spec dup = { .project_id = "proj-dup" };
	struct stim_project_spec no_id = { .name = "Nameless" };
	struct stim_project_spec empty_id = { .project_id = "" };
	struct stim_project_spec bad_id = { .project_id = "Bad_Id" };
	struct stim_project_spec bad_name = { .project_id = "proj-name", .name = "x;" };
	struct stim_project_spec half_parent = { .project_id = "proj-parent", .parent_id = "1" };
	struct stim_project_spec bad_parent = { .project_id = "proj-parent",
						.parent_type = "team",
						.parent_id = "1" };

	create(&f->ctx, "proj-dup", NULL);
	assert_int_equal(stim_project_create(&f->ctx, &dup, &op, &err), -1);
	assert_string_equal(err->reason, "alreadyExists");
	expect_err(&err, STIM_ALREADY_EXISTS, "proj-dup");
	assert_int_equal(stim_project_create(&f->ctx, &no_id, &op, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "projectId");
	assert_int_equal(stim_project_create(&f->ctx, &empty_id, &op, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "projectId");
	assert_int_equal(stim_project_create(&f->ctx, &bad_id, &op, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Project ID 'Bad_Id'");
	assert_int_equal(stim_project_create(&f->ctx, &bad_name, &op, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Project name");
	assert_int_equal(stim_project_create(&f->ctx, &half_parent, &op, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "parent");
	assert_int_equal(stim_project_create(&f->ctx, &bad_parent, &op, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "parent.type 'team'");

	/* None of the refusals left a row behind. */
	{
		struct stim_project_query q = { 0 };
		struct stim_project_page page;

		assert_int_equal(stim_project_list(&f->ctx, &q, &page, &err), 0);
		assert_int_equal(page.n, 1);
		stim_project_page_fini(&page);
	}
}

/* Tries to create spec n times, expecting ALREADY_EXISTS each time. */
static void refuse_creates(struct stim_ctx *ctx, const struct stim_project_spec *spec, int n)
{
	for (int i = 0; i < n; i++) {
		stim_error_t err = NULL;
		struct stim_lro op;

		assert_int_equal(stim_project_create(ctx, spec, &op, &err), -1);
		assert_int_equal(err->code, STIM_ALREADY_EXISTS);
		stim_error_free(err);
	}
}

static void test_create_duplicate_does_not_leak(void **state)
{
	struct fixture *f = *state;
	struct stim_project_spec spec = { .project_id = "leak-proj", .has_labels = true };
	struct mallinfo2 before;
	struct mallinfo2 after;

	/* insert_new() fills a struct stim_project before the INSERT; a refused
	 * duplicate must free it. 2000 refusals of a labelled project would
	 * leak ~200 KB if it does not (LeakSanitizer names the same place). */
	stim_labels_set(&spec.labels, "env", "dev");
	create(&f->ctx, "leak-proj", NULL);
	refuse_creates(&f->ctx, &spec, 50); /* warms SQLite's caches */
	before = mallinfo2();
	refuse_creates(&f->ctx, &spec, 2000);
	after = mallinfo2();
	stim_labels_fini(&spec.labels);
	if (after.uordblks > before.uordblks + 32 * 1024)
		print_error("heap grew by %zu bytes over 2000 refused creates\n",
			    after.uordblks - before.uordblks);
	assert_true(after.uordblks <= before.uordblks + 32 * 1024);
}

static void test_get_unknown(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_project p;

	/* Absent and not-yours answer alike: PERMISSION_DENIED. */
	assert_int_equal(stim_project_get(&f->ctx, "no-such-proj", &p, &err), -1);
	assert_string_equal(err->reason, "forbidden");
	expect_err(&err, STIM_PERMISSION_DENIED, "no-such-proj");
	assert_int_equal(stim_project_get(&f->ctx, "123456789012", &p, &err), -1);
	expect_err(&err, STIM_PERMISSION_DENIED, "123456789012");
	assert_int_equal(stim_project_delete(&f->ctx, "no-such-proj", &err), -1);
	expect_err(&err, STIM_PERMISSION_DENIED, "no-such-proj");
	assert_int_equal(stim_project_undelete(&f->ctx, "no-such-proj", &err), -1);
	expect_err(&err, STIM_PERMISSION_DENIED, "no-such-proj");
}

static void test_list_pagination(void **state)
{
	static const char *const ids[] = { "page-g", "page-c", "page-a", "page-f",
					   "page-b", "page-e", "page-d" };
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *token = NULL;
	int seen[STIM_ARRAY_SIZE(ids)] = { 0 };
	char last[64] = "";
	int pages = 0;

	for (size_t i = 0; i < STIM_ARRAY_SIZE(ids); i++)
		create(&f->ctx, ids[i], i % 2 == 0 ? "dev" : "prod");

	do {
		struct stim_project_query q = { .page_size = 3, .page_token = token };
		struct stim_project_page page;

		assert_int_equal(stim_project_list(&f->ctx, &q, &page, &err), 0);
		pages++;
		assert_true(page.n <= 3);
		for (size_t i = 0; i < page.n; i++) {
			const char *id = page.items[i].project_id;

			/* In id order, across pages too. */
			assert_true(strcmp(last, id) < 0);
			snprintf(last, sizeof(last), "%s", id);
			for (size_t j = 0; j < STIM_ARRAY_SIZE(ids); j++) {
				if (strcmp(ids[j], id) == 0)
					seen[j]++;
			}
			assert_int_equal(page.items[i].labels.n, 1);
		}
		free(token);
		token = page.next_page_token != NULL ? xstrdup(page.next_page_token) : NULL;
		stim_project_page_fini(&page);
		assert_true(pages <= 4);
	} while (token != NULL);
	assert_int_equal(pages, 3);
	for (size_t j = 0; j < STIM_ARRAY_SIZE(ids); j++)
		assert_int_equal(seen[j], 1);
}

static void test_list_filtered_pages(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	cleanup_free char *token = NULL;
	char got[256] = "";
	int pages = 0;

	/* dev: flt-0, flt-2, flt-4, flt-6, flt-8; prod: the odd ones. */
	for (int i = 0; i < 9; i++) {
		char id[16];

		snprintf(id, sizeof(id), "flt-%d-x", i);
		create(&f->ctx, id, i % 2 == 0 ? "dev" : "prod");
	}
	do {
		struct stim_project_query q = {
			.filter = "labels.env:dev lifecycleState:ACTIVE",
			.page_size = 2,
			.page_token = token,
		};
		struct stim_project_page page;

		assert_int_equal(stim_project_list(&f->ctx, &q, &page, &err), 0);
		pages++;
		for (size_t i = 0; i < page.n; i++) {
			strcat(got, page.items[i].project_id);
			strcat(got, " ");
		}
		free(token);
		token = page.next_page_token != NULL ? xstrdup(page.next_page_token) : NULL;
		stim_project_page_fini(&page);
		assert_true(pages <= 4);
	} while (token != NULL);
	assert_string_equal(got, "flt-0-x flt-2-x flt-4-x flt-6-x flt-8-x ");
}

static void test_list_errors(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_project_page page;
	struct stim_project_query bad_filter = { .filter = "colour:red" };
	struct stim_project_query bad_token = { .page_token = "!!!" };
	struct stim_project_query empty = { .filter = "id:nothing-here" };

	assert_int_equal(stim_project_list(&f->ctx, &bad_filter, &page, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "colour");
	assert_int_equal(stim_project_list(&f->ctx, &bad_token, &page, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "page token");
	assert_int_equal(stim_project_list(&f->ctx, &empty, &page, &err), 0);
	assert_int_equal(page.n, 0);
	assert_null(page.next_page_token);
	stim_project_page_fini(&page);
}

static void test_update(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_project_spec spec = { .name = "Renamed Project", .has_labels = true };
	struct stim_project_spec keep = { .name = "Again Renamed" };
	struct stim_project_spec wrong_id = { .project_id = "other-proj" };
	struct stim_project_spec parent = { .parent_type = "folder", .parent_id = "7" };
	struct stim_project_spec move = { .parent_type = "folder", .parent_id = "8" };
	struct stim_project p;
	struct stim_project got;

	create(&f->ctx, "upd-proj", "dev");
	stim_labels_set(&spec.labels, "team", "red");
	stim_labels_set(&spec.labels, "tier", "1");
	assert_int_equal(stim_project_update(&f->ctx, "upd-proj", &spec, &p, &err), 0);
	stim_labels_fini(&spec.labels);
	assert_string_equal(p.name, "Renamed Project");
	/* Labels are replaced as a whole. */
	assert_int_equal(p.labels.n, 2);
	assert_string_equal(p.labels.v[0].key, "team");
	assert_string_equal(p.labels.v[1].key, "tier");
	stim_project_fini(&p);
	assert_int_equal(stim_project_get(&f->ctx, "upd-proj", &got, &err), 0);
	assert_string_equal(got.name, "Renamed Project");
	assert_int_equal(got.labels.n, 2);
	stim_project_fini(&got);

	/* has_labels false leaves labels alone. */
	assert_int_equal(stim_project_update(&f->ctx, "upd-proj", &keep, &p, &err), 0);
	assert_string_equal(p.name, "Again Renamed");
	assert_int_equal(p.labels.n, 2);
	stim_project_fini(&p);

	assert_int_equal(stim_project_update(&f->ctx, "upd-proj", &wrong_id, &p, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "does not match");
	/* The parent may be set once, and not moved by update. */
	assert_int_equal(stim_project_update(&f->ctx, "upd-proj", &parent, &p, &err), 0);
	assert_string_equal(p.parent_type, "folder");
	assert_string_equal(p.parent_id, "7");
	stim_project_fini(&p);
	assert_int_equal(stim_project_update(&f->ctx, "upd-proj", &parent, &p, &err), 0);
	stim_project_fini(&p);
	assert_int_equal(stim_project_update(&f->ctx, "upd-proj", &move, &p, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "cannot be changed");
	assert_int_equal(stim_project_update(&f->ctx, "not-a-proj", &keep, &p, &err), -1);
	expect_err(&err, STIM_PERMISSION_DENIED, "not-a-proj");
}

static void test_lifecycle(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_project_spec spec = { .name = "Too Late" };
	struct stim_project p;

	create(&f->ctx, "life-proj", NULL);
	create(&f->ctx, "life-other", NULL);
	assert_int_equal(stim_project_delete(&f->ctx, "life-proj", &err), 0);
	assert_int_equal(stim_project_get(&f->ctx, "life-proj", &p, &err), 0);
	assert_int_equal(p.state, STIM_PROJECT_DELETE_REQUESTED);
	stim_project_fini(&p);

	assert_int_equal(stim_project_delete(&f->ctx, "life-proj", &err), -1);
	assert_string_equal(err->reason, "failedPrecondition");
	expect_err(&err, STIM_FAILED_PRECONDITION, "DELETE_REQUESTED");
	assert_int_equal(stim_project_update(&f->ctx, "life-proj", &spec, &p, &err), -1);
	expect_err(&err, STIM_FAILED_PRECONDITION, "not active");
	assert_int_equal(stim_project_undelete(&f->ctx, "life-other", &err), -1);
	expect_err(&err, STIM_FAILED_PRECONDITION, "ACTIVE");

	/* A deleted project keeps its id. */
	{
		struct stim_project_spec again = { .project_id = "life-proj" };
		struct stim_lro op;

		assert_int_equal(stim_project_create(&f->ctx, &again, &op, &err), -1);
		expect_err(&err, STIM_ALREADY_EXISTS, "life-proj");
	}
	/* gcloud's list sends lifecycleState:ACTIVE. */
	{
		struct stim_project_query q = { .filter = "lifecycleState:ACTIVE" };
		struct stim_project_query all = { 0 };
		struct stim_project_page page;

		assert_int_equal(stim_project_list(&f->ctx, &q, &page, &err), 0);
		assert_int_equal(page.n, 1);
		assert_string_equal(page.items[0].project_id, "life-other");
		stim_project_page_fini(&page);
		assert_int_equal(stim_project_list(&f->ctx, &all, &page, &err), 0);
		assert_int_equal(page.n, 2);
		stim_project_page_fini(&page);
	}

	assert_int_equal(stim_project_undelete(&f->ctx, "life-proj", &err), 0);
	assert_int_equal(stim_project_get(&f->ctx, "life-proj", &p, &err), 0);
	assert_int_equal(p.state, STIM_PROJECT_ACTIVE);
	stim_project_fini(&p);
	assert_null(err);
}

static void test_ensure_idempotent(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_project p;
	int64_t number;

	assert_int_equal(stim_project_ensure(&f->ctx, "stimulator-project", &err), 0);
	assert_int_equal(stim_project_get(&f->ctx, "stimulator-project", &p, &err), 0);
	number = p.number;
	assert_string_equal(p.name, "stimulator-project");
	stim_project_fini(&p);
	assert_int_equal(stim_project_ensure(&f->ctx, "stimulator-project", &err), 0);
	assert_int_equal(stim_project_get(&f->ctx, "stimulator-project", &p, &err), 0);
	assert_int_equal(p.number, number);
	stim_project_fini(&p);
	{
		struct stim_project_query q = { 0 };
		struct stim_project_page page;

		assert_int_equal(stim_project_list(&f->ctx, &q, &page, &err), 0);
		assert_int_equal(page.n, 1);
		stim_project_page_fini(&page);
	}
	assert_int_equal(stim_project_ensure(&f->ctx, "Bad_Id", &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "--default-project");
}

static void test_services(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	const char *compute = "compute.googleapis.com";
	const char *storage = "storage.googleapis.com";
	struct stim_lro op;
	struct stim_project owner;
	struct stim_service s;
	struct stim_service *v = NULL;
	size_t n = 0;
	cleanup_free char *number = NULL;

	create(&f->ctx, "svc-proj", NULL);
	assert_int_equal(stim_services_enable(&f->ctx, "svc-proj", &compute, 1, &op, &err), 0);
	assert_true(op.done);
	assert_true(stim_str_has_prefix(op.name, "operations/acf."));
	assert_string_equal(op.kind, "service.enable");
	assert_string_equal(op.services, "compute.googleapis.com");
	assert_string_equal(op.project.project_id, "svc-proj");
	number = xasprintf("%lld", (long long)op.project.number);
	stim_lro_fini(&op);

	assert_int_equal(stim_service_get(&f->ctx, "svc-proj", compute, &owner, &s, &err), 0);
	assert_string_equal(s.name, compute);
	assert_true(s.enabled);
	assert_string_equal(owner.project_id, "svc-proj");
	stim_service_fini(&s);
	stim_project_fini(&owner);
	/* By project number too; never enabled is simply disabled. */
	assert_int_equal(stim_service_get(&f->ctx, number, storage, &owner, &s, &err), 0);
	assert_false(s.enabled);
	stim_service_fini(&s);
	stim_project_fini(&owner);

	assert_int_equal(stim_services_enable(&f->ctx, "svc-proj", &storage, 1, &op, &err), 0);
	stim_lro_fini(&op);
	assert_int_equal(stim_services_list(&f->ctx, "svc-proj", NULL, &owner, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, compute);
	assert_string_equal(v[1].name, storage);
	stim_services_free(v, n);
	stim_project_fini(&owner);

	assert_int_equal(stim_service_disable(&f->ctx, "svc-proj", compute, &op, &err), 0);
	assert_string_equal(op.kind, "service.disable");
	assert_string_equal(op.services, compute);
	stim_lro_fini(&op);
	assert_int_equal(stim_service_get(&f->ctx, "svc-proj", compute, &owner, &s, &err), 0);
	assert_false(s.enabled);
	stim_service_fini(&s);
	stim_project_fini(&owner);
	assert_int_equal(stim_services_list(&f->ctx, "svc-proj", "ENABLED", &owner, &v, &n, &err),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, storage);
	stim_services_free(v, n);
	stim_project_fini(&owner);
	assert_int_equal(stim_services_list(&f->ctx, "svc-proj", "DISABLED", &owner, &v, &n, &err),
			 0);
	assert_int_equal(n, 0);
	stim_services_free(v, n);
	stim_project_fini(&owner);
	assert_null(err);
}

static void test_services_batch(void **state)
{
	struct fixture *f = *state;
	cleanup_error stim_error_t err = NULL;
	const char *const both[] = { "pubsub.googleapis.com", "iam.googleapis.com" };
	struct stim_lro op;

	create(&f->ctx, "batch-proj", NULL);
	assert_int_equal(stim_services_enable(&f->ctx, "batch-proj", both, 2, &op, &err), 0);
	assert_string_equal(op.kind, "service.batchEnable");
	assert_string_equal(op.services, "pubsub.googleapis.com,iam.googleapis.com");
	assert_string_equal(op.target, "batch-proj/pubsub.googleapis.com,iam.googleapis.com");
	stim_lro_fini(&op);
}

static void test_services_refused(void **state)
{
	static const char *const bad[] = { "compute",
					   "Compute.googleapis.com",
					   ".googleapis.com",
					   "1compute.googleapis.com",
					   "com_pute.googleapis.com",
					   "compute.googleapis.org",
					   "" };
	struct fixture *f = *state;
	stim_error_t err = NULL;
	const char *compute = "compute.googleapis.com";
	const char *many[21];
	struct stim_lro op;
	struct stim_project owner;
	struct stim_service s;
	struct stim_service *v = NULL;
	size_t n = 0;

	create(&f->ctx, "ref-proj", NULL);
	for (size_t i = 0; i < STIM_ARRAY_SIZE(bad); i++) {
		assert_int_equal(stim_service_name_check(bad[i], &err), -1);
		assert_string_equal(err->reason, "forbidden");
		expect_err(&err, STIM_PERMISSION_DENIED, "Not found or permission denied");
		assert_int_equal(stim_services_enable(&f->ctx, "ref-proj", &bad[i], 1, &op, &err),
				 -1);
		expect_err(&err, STIM_PERMISSION_DENIED, "Not found or permission denied");
	}
	assert_int_equal(stim_service_get(&f->ctx, "ref-proj", "nope", &owner, &s, &err), -1);
	expect_err(&err, STIM_PERMISSION_DENIED, "nope");

	/* 0 or more than 20 services at once. */
	for (size_t i = 0; i < STIM_ARRAY_SIZE(many); i++)
		many[i] = compute;
	assert_int_equal(stim_services_enable(&f->ctx, "ref-proj", many, 0, &op, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Between 1 and 20");
	assert_int_equal(stim_services_enable(&f->ctx, "ref-proj", many, 21, &op, &err), -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "Between 1 and 20");

	/* Unknown and deleted projects. */
	assert_int_equal(stim_services_enable(&f->ctx, "ghost-proj", &compute, 1, &op, &err), -1);
	expect_err(&err, STIM_PERMISSION_DENIED, "ghost-proj");
	assert_int_equal(stim_project_delete(&f->ctx, "ref-proj", &err), 0);
	assert_int_equal(stim_services_enable(&f->ctx, "ref-proj", &compute, 1, &op, &err), -1);
	expect_err(&err, STIM_FAILED_PRECONDITION, "not active");
	assert_int_equal(stim_services_list(&f->ctx, "ref-proj", "BOGUS", &owner, &v, &n, &err),
			 -1);
	expect_err(&err, STIM_INVALID_ARGUMENT, "state:ENABLED");
}

static void test_lro_get(void **state)
{
	struct fixture *f = *state;
	stim_error_t err = NULL;
	struct stim_project_spec spec = { .project_id = "lro-proj" };
	const char *compute = "compute.googleapis.com";
	struct stim_lro created;
	struct stim_lro enabled;
	struct stim_lro got;

	assert_int_equal(stim_project_create(&f->ctx, &spec, &created, &err), 0);
	assert_int_equal(stim_services_enable(&f->ctx, "lro-proj", &compute, 1, &enabled, &err), 0);

	/* With the "operations/" prefix... */
	assert_int_equal(stim_lro_get(&f->ctx, created.name, &got, &err), 0);
	assert_string_equal(got.name, created.name);
	assert_string_equal(got.kind, "project.create");
	assert_true(got.done);
	assert_string_equal(got.project.project_id, "lro-proj");
	stim_lro_fini(&got);
	/* ...and without, as in /v1/operations/{name}. */
	assert_int_equal(stim_lro_get(&f->ctx, created.name + strlen("operations/"), &got, &err),
			 0);
	assert_string_equal(got.name, created.name);
	stim_lro_fini(&got);
	assert_int_equal(stim_lro_get(&f->ctx, enabled.name + strlen("operations/"), &got, &err),
			 0);
	assert_string_equal(got.kind, "service.enable");
	assert_string_equal(got.services, compute);
	assert_int_equal(got.project.number, created.project.number);
	stim_lro_fini(&got);
	/* Two operations never share a name. */
	assert_string_not_equal(created.name, enabled.name);

	assert_int_equal(stim_lro_get(&f->ctx, "operations/cp.0000000000000000", &got, &err), -1);
	expect_err(&err, STIM_NOT_FOUND, "operations/cp.0000000000000000");
	assert_int_equal(stim_lro_get(&f->ctx, "acf.nothing", &got, &err), -1);
	expect_err(&err, STIM_NOT_FOUND, "operations/acf.nothing");
	stim_lro_fini(&created);
	stim_lro_fini(&enabled);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_id_check),
		cmocka_unit_test(test_project_name_check),
		cmocka_unit_test(test_filter_match),
		cmocka_unit_test(test_filter_state_hint),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_filter_negation_chain_is_bounded),
		cmocka_unit_test_setup_teardown(test_create_and_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_duplicate_does_not_leak, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_get_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_pagination, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_filtered_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ensure_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_services, setup, teardown),
		cmocka_unit_test_setup_teardown(test_services_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_services_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lro_get, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
