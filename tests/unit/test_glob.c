/* Unit tests of matchGlob patterns: a table of Cloud Storage's documented
 * cases, refused patterns, literal prefixes, and random patterns without
 * "**" or braces checked against fnmatch(FNM_PATHNAME), which reads *, ?
 * and [...] the same way. */
#include <fnmatch.h>
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
#include "src/glob.h"

struct glob_case {
	const char *pattern;
	const char *name;
	bool match;
};

static void test_glob_table(void **state)
{
	static const struct glob_case cases[] = {
		{ "a.txt", "a.txt", true },
		{ "a.txt", "a.txtx", false },
		{ "*.txt", "a.txt", true },
		{ "*.txt", "dir/a.txt", false },
		{ "*", "", true },
		{ "**", "a/b/c", true },
		{ "**.txt", "a/b/c.txt", true },
		{ "**/*.txt", "c.txt", true },
		{ "**/*.txt", "a/b/c.txt", true },
		{ "**/*.txt", "a/b/c.js", false },
		{ "a/**/b", "a/b", true },
		{ "a/**/b", "a/x/y/b", true },
		{ "a/**/b", "ab", false },
		{ "a/**/b", "a/xb", false },
		{ "a/**", "a/", true },
		{ "a/**", "a", false },
		{ "a**b", "a/x/b", true },
		{ "?.txt", "a.txt", true },
		{ "?.txt", "/.txt", false },
		{ "?.txt", "ab.txt", false },
		{ "[abc].txt", "b.txt", true },
		{ "[abc].txt", "d.txt", false },
		{ "[a-c]x", "cx", true },
		{ "[!a-c]x", "dx", true },
		{ "[!a-c]x", "ax", false },
		{ "[!a-c]x", "/x", false },
		{ "[]]", "]", true },
		{ "{a,b}.txt", "b.txt", true },
		{ "{a,b}.txt", "c.txt", false },
		{ "x{a,{b,c}d}y", "xcdy", true },
		{ "x{a,{b,c}d}y", "xcy", false },
		{ "x{,s}", "x", true },
		{ "x{,s}", "xs", true },
		{ "\\*", "*", true },
		{ "\\*", "a", false },
		{ "[{]a", "{a", true },
		{ "*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cleanup_error stim_error_t err = NULL;
		cleanup_glob struct stim_glob *g = stim_glob_compile(cases[i].pattern, &err);

		assert_non_null(g);
		if (stim_glob_match(g, cases[i].name) != cases[i].match)
			fail_msg("'%s' against '%s': expected %s", cases[i].pattern, cases[i].name,
				 cases[i].match ? "a match" : "no match");
	}
}

static void test_glob_refused(void **state)
{
	static const char *const bad[] = { "[abc", "a{b,c", "x\\", "{{a}" };
	char longer[1100];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_error stim_error_t err = NULL;

		assert_null(stim_glob_compile(bad[i], &err));
		assert_non_null(err);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
		assert_non_null(strstr(err->msg, "matchGlob"));
	}
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	{
		cleanup_error stim_error_t err = NULL;

		assert_null(stim_glob_compile(longer, &err));
	}
	{
		/* 2^7 alternatives: more than a listing should expand. */
		cleanup_error stim_error_t err = NULL;

		assert_null(stim_glob_compile("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}", &err));
		assert_non_null(strstr(err->msg, "alternatives"));
	}
}

static void test_glob_literal_prefix(void **state)
{
	static const char *const cases[][2] = {
		{ "logs/2026/*.gz", "logs/2026/" },
		{ "logs/{a,b}/x", "logs/" },
		{ "logs/{ab,ac}x", "logs/a" },
		{ "a\\*b*", "a*b" },
		{ "*", "" },
		{ "plain", "plain" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cleanup_error stim_error_t err = NULL;
		cleanup_glob struct stim_glob *g = stim_glob_compile(cases[i][0], &err);

		assert_non_null(g);
		assert_string_equal(stim_glob_literal_prefix(g), cases[i][1]);
	}
}

/* Random strings over a small alphabet, so that matches are common. */
static void random_text(char *out, size_t max, const char *alphabet)
{
	size_t n = (size_t)rand() % max;
	size_t k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[(size_t)rand() % k];
	out[n] = '\0';
}

static void test_glob_against_fnmatch(void **state)
{
	srand(7);
	for (int round = 0; round < 20000; round++) {
		cleanup_error stim_error_t err = NULL;
		cleanup_glob struct stim_glob *g = NULL;
		char pattern[16];
		char name[16];
		bool want;

		random_text(pattern, 8, "ab/*?");
		if (rand() % 4 == 0)
			strcat(pattern, "[!a]");
		else if (rand() % 4 == 0)
			strcat(pattern, "[ab]*");
		random_text(name, 10, "ab/c");
		/* "**" means something else to fnmatch. */
		if (strstr(pattern, "**") != NULL)
			continue;
		g = stim_glob_compile(pattern, &err);
		assert_non_null(g);
		want = fnmatch(pattern, name, FNM_PATHNAME) == 0;
		if (stim_glob_match(g, name) != want)
			fail_msg("'%s' against '%s': fnmatch says %d", pattern, name, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob_table),
		cmocka_unit_test(test_glob_refused),
		cmocka_unit_test(test_glob_literal_prefix),
		cmocka_unit_test(test_glob_against_fnmatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
