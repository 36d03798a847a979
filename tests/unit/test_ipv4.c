/* IPv4 addresses and CIDR ranges: GCE's spelling, overlaps, containment,
 * and the four addresses GCE reserves in a subnet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "src/cleanup.h"
#include "src/ipv4.h"

static struct stim_cidr cidr(const char *s)
{
	cleanup_error stim_error_t err = NULL;
	struct stim_cidr c = { 0 };

	if (stim_cidr_parse(s, "f", &c, &err) < 0)
		fail_msg("%s: %s", s, err->msg);
	return c;
}

static void test_parse(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0",
		"10.0.0.0/",
		"10.0.0.0/33",
		"10.0.0/24",
		"10.0.0.0.0/24",
		"256.0.0.0/8",
		"01.0.0.0/8",
		"10.0.0.1/24",
		"a.b.c.d/24",
		"10.0.0.0/2x",
		"",
		"/24",
	};
	char buf[STIM_CIDR_BUFSZ];
	uint32_t a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_error stim_error_t err = NULL;
		struct stim_cidr c;

		if (stim_cidr_parse(bad[i], "resource.ipCidrRange", &c, &err) == 0)
			fail_msg("%s parsed", bad[i]);
		assert_int_equal(err->code, STIM_INVALID_ARGUMENT);
	}
	assert_string_equal(stim_cidr_format(&(struct stim_cidr){ 0x0a800000, 20 }, buf),
			    "10.128.0.0/20");
	assert_int_equal(cidr("10.128.0.0/20").addr, 0x0a800000);
	assert_int_equal(cidr("0.0.0.0/0").prefix, 0);
	assert_int_equal(stim_ipv4_parse("192.168.1.254", &a), 0);
	assert_int_equal(a, 0xc0a801fe);
}

static void test_ranges(void **state)
{
	struct stim_cidr s24 = cidr("10.0.0.0/24");
	struct stim_cidr s25 = cidr("10.0.0.128/25");
	struct stim_cidr s20 = cidr("10.0.0.0/20");
	struct stim_cidr other = cidr("10.0.1.0/24");

	assert_true(stim_cidr_overlaps(&s24, &s25));
	assert_true(stim_cidr_overlaps(&s25, &s24));
	assert_false(stim_cidr_overlaps(&s24, &other));
	assert_true(stim_cidr_within(&s20, &s24));
	assert_false(stim_cidr_within(&s24, &s20));
	assert_int_equal(stim_cidr_size(&s24), 256);
	assert_int_equal(stim_cidr_last(&s24), 0x0a0000ff);
	assert_int_equal(stim_cidr_gateway(&s24), 0x0a000001);
	/* GCE's four: network, gateway, second-to-last, broadcast. */
	assert_true(stim_cidr_reserved(&s24, 0x0a000000));
	assert_true(stim_cidr_reserved(&s24, 0x0a000001));
	assert_false(stim_cidr_reserved(&s24, 0x0a000002));
	assert_false(stim_cidr_reserved(&s24, 0x0a0000fd));
	assert_true(stim_cidr_reserved(&s24, 0x0a0000fe));
	assert_true(stim_cidr_reserved(&s24, 0x0a0000ff));
}

static void test_first_free(void **state)
{
	struct stim_cidr s29 = cidr("10.0.0.0/29");
	const uint32_t used[] = { 0x09000005, 0x0a000002, 0x0a000004 };
	uint32_t a = 0;

	/* .0 network, .1 gateway, .6 and .7 reserved: .2 to .5 are GCE's. */
	assert_int_equal(stim_cidr_first_free(&s29, NULL, 0, &a), 0);
	assert_int_equal(a, 0x0a000002);
	assert_int_equal(stim_cidr_first_free(&s29, used, 3, &a), 0);
	assert_int_equal(a, 0x0a000003);
	{
		const uint32_t full[] = { 0x0a000002, 0x0a000003, 0x0a000004, 0x0a000005 };

		assert_int_equal(stim_cidr_first_free(&s29, full, 4, &a), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_first_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
