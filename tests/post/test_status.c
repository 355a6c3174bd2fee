// SPDX-License-Identifier: MIT
/*
 * The error status and its chain of causes (post/status.c): codes, links
 * in order, the formatted chain, places of inputs, and the limits (text
 * cut with "...", the number of links), which never lose the root cause.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "status.h"

static void test_init_is_ok(void **state)
{
	struct qp_status s = QP_STATUS_INIT;
	char buf[16] = "garbage";

	(void)state;
	assert_true(qp_status_ok(&s));
	assert_int_equal(s.nlinks, 0);
	assert_null(qp_status_link(&s, 0));
	assert_int_equal(qp_status_format(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* wrapping a success adds nothing */
	assert_int_equal(qp_status_wrap(&s, "reading %s", "x"), 0);
	assert_int_equal(s.nlinks, 0);
	assert_string_equal(qp_code_name(QP_OK), "ok");
}

static void test_chain(void **state)
{
	struct qp_status s = QP_STATUS_INIT;
	char buf[256];

	(void)state;
	assert_int_equal(qp_fail_at(&s, QP_E_INPUT, 0, "dump.txt", 12,
				    "column %d is not a number", 3), -1);
	assert_int_equal(qp_status_wrap(&s, "merging the latency dump"), -1);
	assert_int_equal(qp_status_wrap_at(&s, "run/", 0, "reading"), -1);
	assert_int_equal(s.code, QP_E_INPUT);
	assert_int_equal(s.nlinks, 3);
	assert_string_equal(qp_status_link(&s, 0), "run/: reading");
	assert_string_equal(qp_status_link(&s, 1), "merging the latency dump");
	assert_string_equal(qp_status_link(&s, 2),
			    "dump.txt:12: column 3 is not a number");
	assert_null(qp_status_link(&s, 3));
	assert_int_equal(qp_status_format(&s, buf, sizeof(buf)),
			 strlen("run/: reading: because merging the latency dump: "
				"because dump.txt:12: column 3 is not a number"));
	assert_string_equal(buf, "run/: reading: because merging the latency dump: "
			    "because dump.txt:12: column 3 is not a number");
}

/* A new failure replaces the old chain; clear makes it a success. */
static void test_fail_replaces(void **state)
{
	struct qp_status s = QP_STATUS_INIT;
	char buf[64];

	(void)state;
	qp_fail(&s, QP_E_DECODE, 0, "first");
	qp_status_wrap(&s, "context");
	qp_fail_nomem(&s);
	assert_int_equal(s.code, QP_E_NOMEM);
	assert_int_equal(s.value, ENOMEM);
	assert_int_equal(s.nlinks, 1);
	qp_status_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "out of memory");
	qp_status_clear(&s);
	assert_true(qp_status_ok(&s));
	assert_int_equal(qp_status_format(&s, buf, sizeof(buf)), 0);
	/* QP_OK is not a failure code */
	qp_fail(&s, QP_OK, 0, "what");
	assert_false(qp_status_ok(&s));
}

/* Formatting into a small buffer: cut, terminated, full length returned. */
static void test_format_small(void **state)
{
	struct qp_status s = QP_STATUS_INIT;
	char buf[10];

	(void)state;
	qp_fail(&s, QP_E_SINK, -5, "root");
	qp_status_wrap(&s, "outer");
	assert_int_equal(s.value, -5);
	assert_int_equal(qp_status_format(&s, buf, sizeof(buf)),
			 strlen("outer: because root"));
	assert_string_equal(buf, "outer: be");
	assert_int_equal(qp_status_format(&s, NULL, 0), strlen("outer: because root"));
}

/* A huge root cause is cut at half the text, ending in "...": the
 * contexts wrapped around it still fit. */
static void test_long_text(void **state)
{
	struct qp_status s = QP_STATUS_INIT;
	char big[5000];
	const char *root;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	qp_fail(&s, QP_E_INPUT, 0, "%s", big);
	qp_status_wrap(&s, "while reading %s", "t");
	root = qp_status_link(&s, 1);
	assert_int_equal(strlen(root), QP_STATUS_TEXT / 2 - 1);
	assert_string_equal(root + strlen(root) - 3, "...");
	assert_string_equal(qp_status_link(&s, 0), "while reading t");
}

/* More links than kept: the outermost is replaced, root and first
 * contexts stay. */
static void test_many_links(void **state)
{
	struct qp_status s = QP_STATUS_INIT;
	int i;

	(void)state;
	qp_fail(&s, QP_E_SYSTEM, EIO, "root");
	for (i = 1; i <= QP_STATUS_LINKS + 3; i++)
		qp_status_wrap(&s, "ctx%d", i);
	assert_int_equal(s.nlinks, QP_STATUS_LINKS);
	assert_string_equal(qp_status_link(&s, QP_STATUS_LINKS - 1), "root");
	assert_string_equal(qp_status_link(&s, QP_STATUS_LINKS - 2), "ctx1");
	assert_string_equal(qp_status_link(&s, 0), "ctx11");
	assert_int_equal(s.code, QP_E_SYSTEM);
	assert_int_equal(s.value, EIO);
}

static void test_code_names(void **state)
{
	int c;

	(void)state;
	for (c = 0; c < QP_E__COUNT; c++)
		assert_non_null(qp_code_name((enum qp_code)c));
	assert_string_equal(qp_code_name(QP_E_NOMEM), "out of memory");
	assert_string_equal(qp_code_name(QP_E__COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_ok),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_fail_replaces),
		cmocka_unit_test(test_format_small),
		cmocka_unit_test(test_long_text),
		cmocka_unit_test(test_many_links),
		cmocka_unit_test(test_code_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
