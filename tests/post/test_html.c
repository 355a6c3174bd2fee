// SPDX-License-Identifier: MIT
/*
 * The HTML page (post/write_html.c) without a browser: its data read back
 * with jansson against a hand-built model whose figures are known, the
 * reduction of the over-time chart recomputed here, the inlining of
 * scripts that hold "</script" or "<!--", a hostile program name kept as
 * data, and the error when d3.js is missing.  tests/post/e2e_html.sh
 * loads real pages in Chromium.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "html.h"
#include "stats.h"
#include "test_io_fixture.h"

#define N 6000
static char *dir, *fake_d3;
static const char hostile[] = "<img src=x onerror=alert(1)>\"',\377";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The page's data document. */
static json_t *page_data(const char *page)
{
	const char *tag = "<script type=\"application/json\" id=\"qprof-data\">";
	const char *b = strstr(page, tag), *e;
	json_error_t je;
	json_t *j;
	char *s;

	assert_non_null(b);
	b += strlen(tag);
	e = strstr(b, "</script>");
	assert_non_null(e);
	s = strndup(b, (size_t)(e - b));
	j = json_loads(s, 0, &je);
	if (!j)
		fail_msg("page data: %s", je.text);
	free(s);
	return j;
}

static int setup(void **state)
{
	(void)state;
	dir = fx_tmpdir();
	/* a "library" whose text would end a script element if copied raw */
	fake_d3 = fx_write(dir, "d3.js", "var d3 = { s: \"</script><!-- x\" };\n");
	setenv("QPROF_D3_JS", fake_d3, 1);
	return dir && fake_d3 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fx_rmdir(dir);
	free(dir);
	free(fake_d3);
	return 0;
}

/*
 * 6000 inferences every 100 µs, round trip 67 µs, every 50th 1000 µs
 * slower in preProc (120 of them: the p99 tail is 60 of those).
 */
static void test_report_page(void **state)
{
	struct fx_inf f[N];
	uint16_t prog[N] = { 0 };
	const char *names[1] = { hostile };
	struct qp_model m;
	char err[512], *path, *page;
	json_t *d, *p, *ph, *red;
	double rt[N], p99;
	size_t k, tail = 0, step, drawn, sum;

	(void)state;
	for (k = 0; k < N; k++) {
		f[k] = (struct fx_inf){ .t0_us = 100 * k, .enq = 2, .pre = 10,
					.submit = 3, .exec_total = 50, .post = 5,
					.vc = 4, .complete = 40, .qelems = 1 };
		if (k % 50 == 7)
			f[k].pre += 1000 + (double)k / 10;	/* distinct slow ones */
	}
	fx_model(&m, names, 1, f, prog, N);
	for (k = 0; k < N; k++)
		assert_true(qp_metric_value(&m, &m.inf[k], QP_M_TOTAL_ROUND_TRIP, 0, &rt[k]));
	assert_true(asprintf(&path, "%s/r.html", dir) > 0);
	assert_int_equal(qp_write_html(path, &m, NULL, NULL, err, sizeof(err)), 0);
	page = slurp(path);
	/* the scripts are inlined, their "</" and "<!" escaped */
	assert_non_null(strstr(page, "var d3 = { s: \"<\\/script><\\!-- x\" };"));
	assert_null(strstr(page, "</script><!--"));
	assert_non_null(strstr(page, "Content-Security-Policy"));
	/* the name is data: no markup of it anywhere in the page */
	assert_null(strstr(page, "<img"));
	d = page_data(page);
	p = json_array_get(json_object_get(d, "programs"), 0);
	assert_non_null(p);
	/* the ill-formed byte became U+FFFD, the rest is the name */
	assert_string_equal(json_string_value(json_object_get(p, "name")),
			    "<img src=x onerror=alert(1)>\"',\xef\xbf\xbd");
	assert_int_equal(json_integer_value(json_object_get(p, "completed")), N);
	/* histograms: every inference in a bin or above the p99 */
	ph = json_object_get(json_object_get(p, "phases"), "totalRoundtripTime");
	assert_non_null(ph);
	for (k = 0, sum = 0; k < json_array_size(json_object_get(ph, "counts")); k++)
		sum += (size_t)json_integer_value(json_array_get(json_object_get(ph, "counts"), k));
	assert_int_equal(json_array_size(json_object_get(ph, "counts")), 50);
	assert_int_equal(sum + (size_t)json_integer_value(json_object_get(ph, "above")), N);
	assert_int_equal(json_array_size(json_object_get(ph, "cdf")), 118);
	assert_float_equal(json_number_value(json_object_get(ph, "p50")), 67, 1e-3);
	/* the reduction, recomputed: all above the p99, every k-th of the rest */
	qsort(rt, N, sizeof(rt[0]), cmp_double);
	p99 = qp_quantile_sorted(rt, N, 0.99);
	for (k = 0; k < N; k++)
		tail += rt[k] > p99;
	step = (N - tail + (4000 - tail) - 1) / (4000 - tail);
	drawn = tail + (N - tail + step - 1) / step;
	red = json_object_get(p, "reduction");
	print_message("  reduction: %zu above the p99 %.3f, every %zu-th: %zu points\n",
		      tail, p99, step, drawn);
	assert_int_equal(json_integer_value(json_object_get(red, "tail")), tail);
	assert_int_equal(json_integer_value(json_object_get(red, "every")), step);
	assert_int_equal(json_integer_value(json_object_get(red, "drawn")), drawn);
	assert_int_equal(json_array_size(json_object_get(p, "points")), drawn);
	/* the slowest: inference 5957 (the largest extra), 20 listed */
	assert_int_equal(json_array_size(json_object_get(p, "slowest")), QP_HTML_SLOWEST);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(
		json_object_get(p, "slowest"), 0), 2)), 5957);
	/* split and by tables present; accounting counts */
	assert_non_null(json_object_get(p, "split"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(d, "by"), "program")), 1);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(
		json_object_get(json_object_get(d, "by"), "program"), 0), 1)), N);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_object_get(d, "accounting"), "matched"), "bo_handles")), N);
	json_decref(d);
	free(page);
	qp_model_free(&m);
	free(path);
}

/* No d3.js: a clear error naming the package, no page written. */
static void test_no_d3(void **state)
{
	struct qp_model m;
	struct fx_inf f = { .t0_us = 0, .enq = 2, .pre = 10, .submit = 3,
			    .exec_total = 50, .post = 5, .vc = 4, .complete = 40 };
	uint16_t prog = 0;
	const char *names[1] = { "net" };
	char err[512], *path;

	(void)state;
	fx_model(&m, names, 1, &f, &prog, 1);
	setenv("QPROF_D3_JS", "/nonexistent/d3.min.js", 1);
	assert_int_equal(qp_html_check_d3(err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, "libjs-d3"));
	assert_non_null(strstr(err, "/nonexistent/d3.min.js"));
	assert_true(asprintf(&path, "%s/none.html", dir) > 0);
	assert_int_equal(qp_write_html(path, &m, NULL, NULL, err, sizeof(err)), -1);
	assert_int_equal(access(path, F_OK), -1);
	setenv("QPROF_D3_JS", fake_d3, 1);
	assert_int_equal(qp_html_check_d3(err, sizeof(err)), 0);
	qp_model_free(&m);
	free(path);
}

/* The comparison page holds the comparison's JSON document. */
static void test_compare_page(void **state)
{
	struct qp_cmp_series sb = { .program = (char *)hostile, .count = 3 };
	struct qp_cmp_series sn = { .program = (char *)hostile, .count = 3 };
	struct qp_cmp_run base = { .source = (char *)"a", .p = &sb, .np = 1 };
	struct qp_cmp_run neu = { .source = (char *)"b", .p = &sn, .np = 1 };
	double vb[3] = { 10, 11, 12 }, vn[3] = { 30, 31, 32 };
	struct qp_cmp_report r;
	struct qp_cmp_opts o;
	char err[512], *path, *page;
	json_t *d;

	(void)state;
	sb.v[1] = vb;
	sb.n[1] = 3;
	sn.v[1] = vn;
	sn.n[1] = 3;
	qp_cmp_opts_default(&o);
	assert_int_equal(qp_compare(&base, &neu, &o, &r), 0);
	assert_true(asprintf(&path, "%s/c.html", dir) > 0);
	assert_int_equal(qp_write_html_compare(path, &r, err, sizeof(err)), 0);
	page = slurp(path);
	assert_null(strstr(page, "<img"));
	d = page_data(page);
	assert_string_equal(json_string_value(json_object_get(d, "kind")), "compare");
	assert_float_equal(json_number_value(json_object_get(json_object_get(json_object_get(
		json_object_get(json_array_get(json_object_get(d, "programs"), 0), "metrics_us"),
		"preProcTime"), "p50"), "delta")), 20, 1e-9);
	json_decref(d);
	free(page);
	free(path);
	qp_cmp_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_page),
		cmocka_unit_test(test_no_d3),
		cmocka_unit_test(test_compare_page),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
