/* SPDX-License-Identifier: MIT */
/* Unit tests of the QPROF_* settings parser (preload/config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shim.h"

static void test_defaults(void **state)
{
	struct qp_config c;

	(void)state;
	qp_config_parse(&c, NULL, NULL, NULL, NULL);
	assert_int_equal(c.kmd_stats, QP_KMD_STATS_AUTO);
	assert_false(c.kernel_only);
	assert_false(c.debug);
	assert_int_equal(c.callstack, 0);
	assert_string_equal(c.settings,
			    "kmd_stats=auto kernel_only=0 callstack=0 debug=0");
}

static void test_values(void **state)
{
	struct qp_config c;

	(void)state;
	qp_config_parse(&c, "0", "1", "8", "yes");
	assert_int_equal(c.kmd_stats, QP_KMD_STATS_OFF);
	assert_true(c.kernel_only);
	assert_true(c.debug);
	assert_int_equal(c.callstack, 8);
	assert_string_equal(c.settings,
			    "kmd_stats=off kernel_only=1 callstack=8 debug=1");
	qp_config_parse(&c, "always", "0", "1000", "0");
	assert_int_equal(c.kmd_stats, QP_KMD_STATS_ALWAYS);
	assert_false(c.kernel_only);
	assert_int_equal(c.callstack, 64);	/* clamped */
	qp_config_parse(&c, "off", NULL, NULL, NULL);
	assert_int_equal(c.kmd_stats, QP_KMD_STATS_OFF);
}

static void test_malformed(void **state)
{
	struct qp_config c;

	(void)state;
	qp_config_parse(&c, "bogus", "maybe", "-3", "");
	assert_int_equal(c.kmd_stats, QP_KMD_STATS_AUTO);
	assert_false(c.kernel_only);
	assert_int_equal(c.callstack, 0);
	qp_config_parse(&c, NULL, NULL, "12abc", NULL);
	assert_int_equal(c.callstack, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
