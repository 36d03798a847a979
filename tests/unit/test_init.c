/* Unit tests of stim-init's configuration (sandbox/init.c) and of its
 * reading of the metadata server's answers (sandbox/init_metadata.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sandbox/init.h"

static void test_config(void **state)
{
	struct stim_init_config c;
	char why[128];

	assert_int_equal(stim_init_config_parse("{\"hostname\":\"vm\",\"startupScript\":\"echo "
						"hi\",\"shutdownGraceSeconds\":5}",
						&c, why, sizeof(why)),
			 0);
	assert_string_equal(c.hostname, "vm");
	assert_string_equal(c.startup_script, "echo hi");
	assert_null(c.shutdown_script);
	assert_int_equal(c.shutdown_grace_seconds, 5);
	stim_init_config_fini(&c);

	/* GCE's default grace period for shutdown scripts. */
	assert_int_equal(stim_init_config_parse("{}", &c, why, sizeof(why)), 0);
	assert_int_equal(c.shutdown_grace_seconds, 90);
	assert_false(c.metadata_server);
	stim_init_config_fini(&c);
	assert_int_equal(stim_init_config_parse("{\"metadataServer\":true}", &c, why, sizeof(why)),
			 0);
	assert_true(c.metadata_server);
	stim_init_config_fini(&c);

	assert_int_equal(stim_init_config_parse("[", &c, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "config:"));
	assert_int_equal(stim_init_config_parse("[]", &c, why, sizeof(why)), -1);
	assert_int_equal(
		stim_init_config_parse("{\"shutdownGraceSeconds\":-1}", &c, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "out of range"));
}

static void test_http(void **state)
{
	static const char ok[] = "HTTP/1.0 200 OK\r\nMetadata-Flavor: Google\r\n"
				 "Content-Length: 8\r\n\r\necho hi\n";
	static const char missing[] = "HTTP/1.1 404 Not Found\r\n\r\n";
	const char *body;
	size_t len;
	int status;

	assert_int_equal(stim_init_http_parse(ok, strlen(ok), &status, &body, &len), 0);
	assert_int_equal(status, 200);
	assert_int_equal(len, 8);
	assert_memory_equal(body, "echo hi\n", 8);
	assert_int_equal(stim_init_http_parse(missing, strlen(missing), &status, &body, &len), 0);
	assert_int_equal(status, 404);
	assert_int_equal(len, 0);
	/* Cut before the headers end, or not HTTP at all. */
	assert_int_equal(stim_init_http_parse(ok, 20, &status, &body, &len), -1);
	assert_int_equal(stim_init_http_parse("SSH-2.0\r\n\r\n", 11, &status, &body, &len), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
