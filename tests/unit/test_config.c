/* Unit tests of `stimulator serve` flag parsing: defaults, each flag, errors, --listen forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/config.h"
#include "src/error.h"

/* getopt permutes argv, so every call gets a fresh writable copy. */
#define PARSE(cfg, err, ...)                                                                       \
	({                                                                                         \
		char *argv_[] = { "stimulator", __VA_ARGS__, NULL };                               \
		stim_config_parse((cfg), (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_,       \
				  (err));                                                          \
	})

/* Expects parsing to fail with INVALID_ARGUMENT and a message naming `needle`. */
static void expect_bad(int ret, struct stim_config *cfg, stim_error_t *err, const char *needle)
{
	assert_int_equal(ret, -1);
	assert_non_null(*err);
	assert_int_equal((*err)->code, STIM_INVALID_ARGUMENT);
	assert_non_null(strstr((*err)->msg, needle));
	stim_error_free(*err);
	*err = NULL;
	stim_config_fini(cfg);
}

static void test_defaults(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char *argv[] = { "stimulator", NULL };
	struct stim_config cfg;

	(void)state;
	assert_int_equal(stim_config_parse(&cfg, 1, argv, &err), 0);
	assert_null(err);
	assert_string_equal(cfg.listen_host, "127.0.0.1");
	assert_int_equal(cfg.listen_port, 8080);
	assert_string_equal(cfg.data_dir, "/var/lib/stimulator");
	assert_int_equal(cfg.auth, STIM_AUTH_OFF);
	assert_int_equal(cfg.log_format, STIM_LOG_TEXT);
	assert_int_equal(cfg.log_level, STIM_LOG_INFO);
	assert_null(cfg.images_dir);
	assert_string_equal(cfg.default_project, "stimulator-project");
	assert_null(cfg.ready_file);
	assert_int_equal(cfg.threads, 0);
	assert_true(cfg.max_object_size == (UINT64_C(5) << 40));
	assert_int_equal(cfg.housekeeping_seconds, 3600);
	assert_int_equal(cfg.instance_quota, 1000);
	assert_int_equal(cfg.userns_base, 0);
	stim_config_fini(&cfg);
	assert_null(cfg.listen_host);
	assert_null(cfg.data_dir);
}

static void test_every_flag(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--listen", "[::1]:9090", "--data-dir", "/tmp/d",
			       "--auth", "enforce", "--log", "json", "--log-level", "debug",
			       "--images", "/tmp/img", "--default-project", "my-project",
			       "--ready-file", "/tmp/ready", "--threads", "4", "--max-object-size",
			       "100MiB", "--housekeeping-interval", "2", "--instance-quota", "3",
			       "--userns"),
			 0);
	assert_null(err);
	assert_string_equal(cfg.listen_host, "::1");
	assert_int_equal(cfg.listen_port, 9090);
	assert_string_equal(cfg.data_dir, "/tmp/d");
	assert_int_equal(cfg.auth, STIM_AUTH_ENFORCE);
	assert_int_equal(cfg.log_format, STIM_LOG_JSON);
	assert_int_equal(cfg.log_level, STIM_LOG_DEBUG);
	assert_string_equal(cfg.images_dir, "/tmp/img");
	assert_string_equal(cfg.default_project, "my-project");
	assert_string_equal(cfg.ready_file, "/tmp/ready");
	assert_int_equal(cfg.threads, 4);
	assert_true(cfg.max_object_size == 100 * 1024 * 1024);
	assert_int_equal(cfg.housekeeping_seconds, 2);
	assert_int_equal(cfg.instance_quota, 3);
	assert_int_equal(cfg.userns_base, STIM_USERNS_BASE);
	stim_config_fini(&cfg);
}

static void test_size_parse(void **state)
{
	static const struct {
		const char *s;
		uint64_t want; /* 0: refused */
	} cases[] = {
		{ "1", 1 },
		{ "1048576", 1048576 },
		{ "512K", 512 * 1024 },
		{ "512KiB", 512 * 1024 },
		{ "3M", 3 << 20 },
		{ "5GiB", UINT64_C(5) << 30 },
		{ "5TiB", UINT64_C(5) << 40 },
		{ "0", 0 },
		{ "", 0 },
		{ "-1", 0 },
		{ " 1", 0 },
		{ "1X", 0 },
		{ "1KB", 0 },
		{ "1Ki", 0 },
		{ "99999999999999999999", 0 },
		{ "16777216T", 0 }, /* 2^64 bytes */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = 0;
		int ret = stim_size_parse(cases[i].s, &got);

		if (cases[i].want == 0) {
			assert_int_equal(ret, -1);
		} else {
			assert_int_equal(ret, 0);
			assert_true(got == cases[i].want);
		}
	}
}

static void test_flag_forms(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_config cfg;

	(void)state;
	/* --flag=value, and a flag given twice: the last one wins. */
	assert_int_equal(PARSE(&cfg, &err, "--listen=10.0.0.1:0", "--auth=off", "--data-dir=/a",
			       "--data-dir", "/b", "--log-level", "error", "--log", "text",
			       "--threads", "256"),
			 0);
	assert_string_equal(cfg.listen_host, "10.0.0.1");
	assert_int_equal(cfg.listen_port, 0);
	assert_int_equal(cfg.auth, STIM_AUTH_OFF);
	assert_string_equal(cfg.data_dir, "/b");
	assert_int_equal(cfg.log_level, STIM_LOG_ERROR);
	assert_int_equal(cfg.log_format, STIM_LOG_TEXT);
	assert_int_equal(cfg.threads, 256);
	stim_config_fini(&cfg);
}

static void test_help(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--help"), 1);
	assert_null(err);
	stim_config_fini(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "-h"), 1);
	assert_null(err);
	stim_config_fini(&cfg);
	/* Help wins even after other flags. */
	assert_int_equal(PARSE(&cfg, &err, "--auth", "enforce", "--help"), 1);
	assert_null(err);
	stim_config_fini(&cfg);
}

static void test_bad_flags(void **state)
{
	stim_error_t err = NULL;
	struct stim_config cfg;

	(void)state;
	expect_bad(PARSE(&cfg, &err, "--bogus"), &cfg, &err, "unknown option --bogus");
	expect_bad(PARSE(&cfg, &err, "-x"), &cfg, &err, "unknown option");
	expect_bad(PARSE(&cfg, &err, "--listen"), &cfg, &err, "--listen needs a value");
	expect_bad(PARSE(&cfg, &err, "--data-dir"), &cfg, &err, "needs a value");
	expect_bad(PARSE(&cfg, &err, "--auth", "maybe"), &cfg, &err, "--auth maybe");
	expect_bad(PARSE(&cfg, &err, "--auth", "ENFORCE"), &cfg, &err, "--auth");
	expect_bad(PARSE(&cfg, &err, "--listen", "localhost"), &cfg, &err, "HOST:PORT");
	expect_bad(PARSE(&cfg, &err, "--listen", "127.0.0.1:99999"), &cfg, &err, "bad port");
	expect_bad(PARSE(&cfg, &err, "--log", "xml"), &cfg, &err, "--log xml");
	expect_bad(PARSE(&cfg, &err, "--log-level", "trace"), &cfg, &err, "--log-level trace");
	expect_bad(PARSE(&cfg, &err, "--threads", "0"), &cfg, &err, "--threads 0");
	expect_bad(PARSE(&cfg, &err, "--threads", "257"), &cfg, &err, "--threads 257");
	expect_bad(PARSE(&cfg, &err, "--threads", "4x"), &cfg, &err, "--threads 4x");
	expect_bad(PARSE(&cfg, &err, "--threads", ""), &cfg, &err, "--threads");
	expect_bad(PARSE(&cfg, &err, "--threads", "-1"), &cfg, &err, "--threads -1");
	expect_bad(PARSE(&cfg, &err, "--max-object-size", "lots"), &cfg, &err,
		   "--max-object-size lots");
	expect_bad(PARSE(&cfg, &err, "--housekeeping-interval", "0"), &cfg, &err,
		   "--housekeeping-interval 0");
	expect_bad(PARSE(&cfg, &err, "--instance-quota", "many"), &cfg, &err,
		   "--instance-quota many");
	expect_bad(PARSE(&cfg, &err, "stray"), &cfg, &err, "unexpected argument stray");
	expect_bad(PARSE(&cfg, &err, "--auth", "off", "stray"), &cfg, &err,
		   "unexpected argument stray");
	assert_null(err);
}

static void test_parse_twice(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_config cfg;

	(void)state;
	/* getopt keeps global state: a second parse must start over. */
	assert_int_equal(PARSE(&cfg, &err, "--listen", "127.0.0.1:1", "--auth", "enforce"), 0);
	assert_int_equal(cfg.listen_port, 1);
	stim_config_fini(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--listen", "127.0.0.1:2"), 0);
	assert_int_equal(cfg.listen_port, 2);
	/* Defaults come back: nothing leaks over from the first parse. */
	assert_int_equal(cfg.auth, STIM_AUTH_OFF);
	stim_config_fini(&cfg);

	/* After a failure half way through argv, too. */
	assert_int_equal(PARSE(&cfg, &err, "--bogus", "--threads", "3"), -1);
	stim_error_free(err);
	err = NULL;
	stim_config_fini(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--threads", "5"), 0);
	assert_null(err);
	assert_int_equal(cfg.threads, 5);
	stim_config_fini(&cfg);
}

static void test_parse_twice_after_short_cluster(void **state)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_config cfg;
	char *first[] = { "stimulator", "-hx", NULL };
	char *second[] = { "stimulator", "--threads", "2", NULL };
	unsigned threads;
	int ret;

	(void)state;
	/* "-hx" returns at 'h' with getopt still inside the cluster. Resetting
	 * only optind = 1 keeps glibc's private "next char" pointer at "x", so
	 * the next parse reads a stale argv; optind = 0 reinitialises fully. */
	assert_int_equal(stim_config_parse(&cfg, 2, first, &err), 1);
	stim_config_fini(&cfg);
	ret = stim_config_parse(&cfg, 3, second, &err);
	threads = cfg.threads;
	stim_config_fini(&cfg);
	if (err != NULL)
		print_error("second parse: %s\n", err->msg);
	stim_error_free(steal_pointer(&err));
	assert_int_equal(ret, 0);
	assert_int_equal(threads, 2);
}

static void test_listen_parse(void **state)
{
	cleanup_error stim_error_t err = NULL;
	char *host = NULL;
	uint16_t port = 1;

	(void)state;
	assert_int_equal(stim_listen_parse("127.0.0.1:0", &host, &port, &err), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 0);
	free(host);
	host = NULL;

	assert_int_equal(stim_listen_parse("[::1]:8080", &host, &port, &err), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 8080);
	free(host);
	host = NULL;

	assert_int_equal(stim_listen_parse("0.0.0.0:65535", &host, &port, &err), 0);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 65535);
	free(host);
	host = NULL;
	assert_null(err);
}

static void test_listen_parse_errors(void **state)
{
	static const char *const bad[] = {
		"host",		   /* no port */
		"127.0.0.1:65536", /* too big */
		"127.0.0.1:",	   /* empty port */
		"127.0.0.1:80x",   /* junk after the port */
		"127.0.0.1:-1",	   /* negative */
		":8080",	   /* no host */
		"[::1]",	   /* v6 without port */
		"[::1:8080",	   /* unclosed bracket */
		"[]:8080",	   /* empty v6 host */
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		stim_error_t err = NULL;
		char *host = NULL;
		uint16_t port = 7;

		assert_int_equal(stim_listen_parse(bad[i], &host, &port, &err), -1);
		assert_non_null(err);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
		assert_non_null(strstr(err->msg, "--listen"));
		/* Nothing is written on failure. */
		assert_null(host);
		assert_int_equal(port, 7);
		stim_error_free(err);
	}
}

static void test_auth_mode(void **state)
{
	enum stim_auth_mode mode = STIM_AUTH_OFF;

	(void)state;
	assert_int_equal(stim_auth_mode_parse("enforce", &mode), 0);
	assert_int_equal(mode, STIM_AUTH_ENFORCE);
	assert_string_equal(stim_auth_mode_name(mode), "enforce");
	assert_int_equal(stim_auth_mode_parse("off", &mode), 0);
	assert_int_equal(mode, STIM_AUTH_OFF);
	assert_string_equal(stim_auth_mode_name(mode), "off");
	assert_int_equal(stim_auth_mode_parse("on", &mode), -1);
	assert_int_equal(stim_auth_mode_parse("", &mode), -1);
	assert_int_equal(mode, STIM_AUTH_OFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_flag),
		cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_flag_forms),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_bad_flags),
		cmocka_unit_test(test_parse_twice),
		cmocka_unit_test(test_parse_twice_after_short_cluster),
		cmocka_unit_test(test_listen_parse),
		cmocka_unit_test(test_listen_parse_errors),
		cmocka_unit_test(test_auth_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
