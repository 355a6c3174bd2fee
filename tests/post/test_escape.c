// SPDX-License-Identifier: MIT
/*
 * post/escape.c against hand-written expectations: the text escape of
 * every kind of byte sequence, its inverse on random bytes, truncation,
 * the JSON forms; and post/progname.c's labels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"
#include "progname.h"

static void expect_text(const char *in, const char *want)
{
	char *got = qp_text_dup(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(qp_text_is_plain(in), !strcmp(in, want));
	assert_int_equal(qp_text_unescape(got), 0);
	assert_string_equal(got, in);
	free(got);
}

static void test_text_rules(void **state)
{
	(void)state;
	expect_text("resnet50", "resnet50");
	expect_text("a b,c'd\"e<f>", "a b,c'd\"e<f>");
	expect_text("a\\b", "a\\\\b");
	expect_text("l1\nl2\rl3\tl4", "l1\\nl2\\rl3\\tl4");
	expect_text("\033[1m\x7f\x01", "\\x1b[1m\\x7f\\x01");
	/* well-formed UTF-8 kept: é, €, U+1F600 */
	expect_text("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
		    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* ill-formed: lone bytes, overlong, surrogate, > U+10FFFF, cut */
	expect_text("\xff\xfe", "\\xff\\xfe");
	expect_text("\xc0\xaf", "\\xc0\\xaf");
	expect_text("\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect_text("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	expect_text("\xe2\x82", "\\xe2\\x82");
	/* C1 control CSI, bidi override, line separator */
	expect_text("\xc2\x9b" "2J", "\\xc2\\x9b2J");
	expect_text("\xe2\x80\xae", "\\xe2\\x80\\xae");
	expect_text("\xe2\x80\xa8", "\\xe2\\x80\\xa8");
}

static void test_text_truncation(void **state)
{
	char buf[8];

	(void)state;
	/* "ab\x1b..." : "ab" fits, the 4-byte escape does not: never cut */
	assert_int_equal(qp_text_escape(buf, 6, "ab\033cd"), 8);
	assert_string_equal(buf, "ab");
	assert_int_equal(qp_text_escape(buf, sizeof(buf), "abc"), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(qp_text_escape(NULL, 0, "\n"), 2);
}

static void test_text_random_roundtrip(void **state)
{
	unsigned int seed = 12345, i, k;
	char in[64], *esc;

	(void)state;
	for (i = 0; i < 20000; i++) {
		unsigned int n = rand_r(&seed) % 40;

		for (k = 0; k < n; k++)
			in[k] = (char)(1 + rand_r(&seed) % 255);
		in[n] = '\0';
		esc = qp_text_dup(in);
		assert_non_null(esc);
		/* nothing a terminal acts on survives */
		for (k = 0; esc[k]; k++)
			assert_true((unsigned char)esc[k] >= 0x20 &&
				    (unsigned char)esc[k] != 0x7f);
		assert_int_equal(qp_text_unescape(esc), 0);
		assert_memory_equal(esc, in, n + 1);
		free(esc);
	}
}

static void test_unescape_malformed(void **state)
{
	char a[] = "x\\q", b[] = "x\\x0", c[] = "x\\x00", d[] = "x\\";

	(void)state;
	assert_int_equal(qp_text_unescape(a), -1);
	assert_int_equal(qp_text_unescape(b), -1);
	assert_int_equal(qp_text_unescape(c), -1);
	assert_int_equal(qp_text_unescape(d), -1);
}

static void test_json_forms(void **state)
{
	char *u = qp_utf8_dup("a\xff\xc3\xa9" "b\xe2\x82");
	char *j = qp_json_dup("q\"b\\n\nt\x01<i>&\xe2\x80\xa8\xfe");

	(void)state;
	assert_string_equal(u, "a\xef\xbf\xbd\xc3\xa9" "b\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(j, "\"q\\\"b\\\\n\\u000at\\u0001\\u003ci\\u003e\\u0026\\u2028\xef\xbf\xbd\"");
	free(u);
	free(j);
}

static void expect_label(const char *path, const char *want)
{
	char *l = qp_program_label(path);

	if (!want) {
		assert_null(l);
		return;
	}
	assert_non_null(l);
	assert_string_equal(l, want);
	free(l);
}

static void test_program_label(void **state)
{
	(void)state;
	expect_label("tiny", "tiny");
	expect_label("/m/resnet50.desc", "resnet50");
	expect_label("/m/bert.v2.desc", "bert.v2");
	expect_label("/m/resnet50/programqpc.bin", "resnet50");
	expect_label("models/r50//programqpc.bin", "r50");
	expect_label("programqpc.bin", NULL);
	expect_label("/m/.hidden", ".hidden");
	expect_label("/m/dir/", "dir");
	expect_label("", NULL);
	expect_label(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_rules),
		cmocka_unit_test(test_text_truncation),
		cmocka_unit_test(test_text_random_roundtrip),
		cmocka_unit_test(test_unescape_malformed),
		cmocka_unit_test(test_json_forms),
		cmocka_unit_test(test_program_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
