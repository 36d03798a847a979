/* Unit tests of stim-init's configuration (sandbox/init.c). */
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
	stim_init_config_fini(&c);

	assert_int_equal(stim_init_config_parse("[", &c, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "config:"));
	assert_int_equal(stim_init_config_parse("[]", &c, why, sizeof(why)), -1);
	assert_int_equal(
		stim_init_config_parse("{\"shutdownGraceSeconds\":-1}", &c, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "out of range"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
