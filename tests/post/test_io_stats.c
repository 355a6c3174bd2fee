// SPDX-License-Identifier: MIT
/*
 * stats.c against hand-computed values (numpy "linear" percentiles, sample
 * standard deviation) and against a full sort on 1 M values.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "stats.h"

#define EPS 1e-12

static void test_four_values(void **state)
{
	double v[] = { 3, 1, 4, 2 };	/* shuffled 1..4 */
	struct qp_stats s;

	(void)state;
	qp_stats_compute(v, 4, &s);
	assert_int_equal(s.count, 4);
	assert_float_equal(s.mean, 2.5, EPS);
	assert_float_equal(s.min, 1, EPS);
	assert_float_equal(s.max, 4, EPS);
	/* sum of squared deviations 5, ddof 1 */
	assert_float_equal(s.stddev, sqrt(5.0 / 3.0), EPS);
	/* h = 3q: 1.5, 2.25, 2.7, 2.85, 2.97, 2.997 */
	assert_float_equal(s.pct[QP_P50], 2.5, EPS);
	assert_float_equal(s.pct[QP_P75], 3.25, EPS);
	assert_float_equal(s.pct[QP_P90], 3.7, EPS);
	assert_float_equal(s.pct[QP_P95], 3.85, EPS);
	assert_float_equal(s.pct[QP_P99], 3.97, EPS);
	assert_float_equal(s.pct[QP_P999], 3.997, EPS);
}

static void test_duplicates(void **state)
{
	double v[] = { 5, 9, 5, 1, 5 };	/* sorted 1 5 5 5 9, h = 4q */
	struct qp_stats s;

	(void)state;
	qp_stats_compute(v, 5, &s);
	assert_float_equal(s.mean, 5, EPS);
	assert_float_equal(s.stddev, sqrt(32.0 / 4.0), EPS);
	assert_float_equal(s.pct[QP_P50], 5, EPS);
	assert_float_equal(s.pct[QP_P75], 5, EPS);
	assert_float_equal(s.pct[QP_P90], 5 + 0.6 * 4, EPS);	/* h 3.6 */
	assert_float_equal(s.pct[QP_P95], 5 + 0.8 * 4, EPS);	/* h 3.8 */
	assert_float_equal(s.pct[QP_P99], 5 + 0.96 * 4, EPS);	/* h 3.96 */
}

static void test_edge_sizes(void **state)
{
	double one = 7.5, none = 0;
	struct qp_stats s;
	int p;

	(void)state;
	qp_stats_compute(&one, 1, &s);
	assert_int_equal(s.count, 1);
	assert_float_equal(s.mean, 7.5, EPS);
	assert_true(isnan(s.stddev));
	for (p = 0; p < QP_P__COUNT; p++)
		assert_float_equal(s.pct[p], 7.5, EPS);
	qp_stats_compute(&none, 0, &s);
	assert_int_equal(s.count, 0);
	assert_true(isnan(s.mean) && isnan(s.pct[QP_P50]));
}

static void test_quantile_sorted(void **state)
{
	const double v[] = { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110 };

	(void)state;
	/* h = 10q */
	assert_float_equal(qp_quantile_sorted(v, 11, 0.5), 60, EPS);
	assert_float_equal(qp_quantile_sorted(v, 11, 0.95), 105, EPS);
	assert_float_equal(qp_quantile_sorted(v, 11, 0.99), 109, 1e-9);
	assert_float_equal(qp_quantile_sorted(v, 11, 1.0), 110, EPS);
	assert_float_equal(qp_quantile_sorted(v, 11, 0.0), 10, EPS);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* 1 M values: selection equals a full sort, and is fast. */
static void test_million(void **state)
{
	size_t n = 1000000, k;
	double *v = malloc(n * sizeof(*v)), *w = malloc(n * sizeof(*w));
	struct timespec a, b;
	struct qp_stats s;
	uint64_t x = 88172645463325252ull;
	double ms;
	int p;

	(void)state;
	assert_non_null(v);
	assert_non_null(w);
	for (k = 0; k < n; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* a latency-like mix with many exact repeats */
		v[k] = k % 3 ? (double)(x % 1000) : 20000.0 + (x % 100000) / 1000.0;
		w[k] = v[k];
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	qp_stats_compute(v, n, &s);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("qp_stats_compute, 1 M values: %.1f ms\n", ms);
	qsort(w, n, sizeof(*w), cmp);
	assert_float_equal(s.min, w[0], 0);
	assert_float_equal(s.max, w[n - 1], 0);
	for (p = 0; p < QP_P__COUNT; p++)
		assert_float_equal(s.pct[p],
				   qp_quantile_sorted(w, n, qp_pct_fraction(p)), 0);
	/* generous bound: sanitizer builds are several times slower */
	assert_true(ms < 1000);
	free(v);
	free(w);
}

/*
 * Large arrays take the sampled selection: it must give the exact order
 * statistics whatever the data's shape (ties, sorted, periodic with the
 * sampling stride, outliers), falling back when its sample misleads.
 */
static void check_against_sort(double *v, size_t n, const char *what)
{
	double *w = malloc(n * sizeof(*w));
	long double sum = 0;
	struct qp_stats s;
	size_t k;
	int p;

	assert_non_null(w);
	for (k = 0; k < n; k++) {
		w[k] = v[k];
		sum += v[k];
	}
	qp_stats_compute(v, n, &s);
	qsort(w, n, sizeof(*w), cmp);
	assert_int_equal(s.count, n);
	assert_true(s.min == w[0] && s.max == w[n - 1]);
	assert_float_equal(s.mean, (double)(sum / n), 1e-9 * fabs((double)(sum / n)) + 1e-12);
	for (p = 0; p < QP_P__COUNT; p++) {
		double want = qp_quantile_sorted(w, n, qp_pct_fraction(p));

		if (memcmp(&s.pct[p], &want, sizeof(want)))
			fail_msg("%s: %s %a, sorted %a", what, qp_pct_name(p),
				 s.pct[p], want);
	}
	free(w);
}

static void test_sampled_shapes(void **state)
{
	size_t n = 300007, k;
	double *v = malloc(n * sizeof(*v));
	uint64_t x = 0x853c49e6748fea9bull;
	int shape;

	(void)state;
	assert_non_null(v);
	for (shape = 0; shape < 8; shape++) {
		for (k = 0; k < n; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			switch (shape) {
			case 0: v[k] = (double)(x % 1000000) / 1000.0; break;	/* uniform */
			case 1: v[k] = (double)(3 + x % 4); break;		/* exectoVc-like ties */
			case 2: v[k] = (double)k; break;			/* ascending */
			case 3: v[k] = (double)(n - k); break;			/* descending */
			case 4: v[k] = 1.5; break;				/* constant */
			case 5: v[k] = (double)(k % 18); break;			/* period = sampling stride */
			case 6: v[k] = x % 1000 ? 450.0 + (x % 997) / 100.0 : 1e9; break; /* outliers */
			default: v[k] = x % 2 ? 1.0 : 2.0; break;		/* two values */
			}
		}
		check_against_sort(v, n, (const char *[]){ "uniform", "ties",
			"ascending", "descending", "constant", "periodic",
			"outliers", "two values" }[shape]);
	}
	free(v);
}

/*
 * qp_stats_compute_div(v, 1000) is qp_stats_compute of the divided copy,
 * bit for bit (what the ms summary needs to stay byte-identical), with v
 * untouched: small arrays (quickselect on a copy) and large (sampled
 * selection on the raw values), latency-like decimals, ties, outliers.
 */
static void test_divided(void **state)
{
	static const size_t sizes[] = { 1, 2, 7, 1000, 65535, 65536, 200003 };
	size_t si, k;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int shape;

	(void)state;
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		size_t n = sizes[si];
		double *v = malloc(n * sizeof(*v)), *keep = malloc(n * sizeof(*v));
		double *w = malloc(n * sizeof(*w));

		assert_true(v && keep && w);
		for (shape = 0; shape < 4; shape++) {
			struct qp_stats a, b;

			for (k = 0; k < n; k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				v[k] = shape == 0 ? 440.0 + (double)(x % 40000) / 1000.0 :
				       shape == 1 ? (double)(3 + x % 4) :
				       shape == 2 ? (x % 500 ? 459.123 + (double)(x % 7) : 1e7 / 3) :
				       /* zero extremes: which of 0.0, -0.0 comes first */
				       x % 3 == 0 ? 0.0 : x % 3 == 1 ? -0.0 : 2.5;
				keep[k] = v[k];
				w[k] = v[k] / 1000.0;
			}
			assert_int_equal(qp_stats_compute_div(v, n, 1000.0, &a), 0);
			qp_stats_compute(w, n, &b);
			assert_memory_equal(v, keep, n * sizeof(*v));
			assert_int_equal(a.count, n);
			assert_memory_equal(&a.mean, &b.mean, sizeof(double));
			assert_memory_equal(&a.min, &b.min, sizeof(double));
			assert_memory_equal(&a.max, &b.max, sizeof(double));
			assert_true(isnan(a.stddev));
			assert_memory_equal(a.pct, b.pct, sizeof(a.pct));
		}
		free(v);
		free(keep);
		free(w);
	}
}

static void test_keep_middle(void **state)
{
	size_t first, count;

	(void)state;
	qp_keep_middle(10, 50, &first, &count);	/* round(2.5) = 2 */
	assert_int_equal(first, 2);
	assert_int_equal(count, 6);
	qp_keep_middle(14, 50, &first, &count);	/* round(3.5) = 4 */
	assert_int_equal(first, 4);
	assert_int_equal(count, 6);
	qp_keep_middle(100, 90, &first, &count);	/* round(5.0) = 5 */
	assert_int_equal(first, 5);
	assert_int_equal(count, 90);
	qp_keep_middle(3, 99, &first, &count);	/* prune 0: all kept */
	assert_int_equal(first, 0);
	assert_int_equal(count, 3);
	qp_keep_middle(7, 0, &first, &count);
	assert_int_equal(count, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_values),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_edge_sizes),
		cmocka_unit_test(test_quantile_sorted),
		cmocka_unit_test(test_million),
		cmocka_unit_test(test_sampled_shapes),
		cmocka_unit_test(test_divided),
		cmocka_unit_test(test_keep_middle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
