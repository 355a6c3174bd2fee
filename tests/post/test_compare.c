// SPDX-License-Identifier: MIT
/*
 * The comparison's statistics (post/compare.c) on synthetic samples whose
 * truth is known: no shift, a known shift of the whole distribution, a
 * shift of the tail only, a burst that an inference-level bootstrap would
 * take for a change, the calibration of the interval over many seeds, and
 * the marking rule on its edges.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compare.h"
#include "stats.h"

static uint64_t rs;

static double unif(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

/* A latency-like sample: 100 µs + lognormal(3, 0.5) (median ~20 µs). */
static double *latencies(size_t n, uint64_t seed, double shift)
{
	double *v = malloc(n * sizeof(*v));
	size_t k;

	rs = seed;
	for (k = 0; k < n; k++) {
		double z = sqrt(-2 * log(unif())) * cos(2 * M_PI * unif());

		v[k] = 100 + exp(3 + 0.5 * z) + shift;
	}
	return v;
}

static struct qp_cmp_opts opts(void)
{
	struct qp_cmp_opts o;

	qp_cmp_opts_default(&o);
	return o;
}

/* The point estimates are the plain statistics of each sample. */
static void test_point_estimates(void **state)
{
	double a[5] = { 5, 1, 4, 2, 3 }, b[4] = { 10, 20, 30, 40 }, s[5];
	struct qp_cmp_value v[QP_CMP__COUNT];
	struct qp_cmp_opts o = opts();

	(void)state;
	assert_int_equal(qp_cmp_samples(a, 5, b, 4, &o, v), 0);
	assert_float_equal(v[QP_CMP_P50].base, 3, 1e-12);
	assert_float_equal(v[QP_CMP_P50].new_, 25, 1e-12);
	assert_float_equal(v[QP_CMP_P90].base, 4.6, 1e-12);	/* numpy linear */
	assert_float_equal(v[QP_CMP_P90].new_, 37, 1e-12);
	assert_float_equal(v[QP_CMP_MEAN].base, 3, 1e-12);
	assert_float_equal(v[QP_CMP_MEAN].delta, 22, 1e-12);
	/* the replicates' deltas bracket the point delta here */
	assert_true(v[QP_CMP_MEAN].lo <= 22 && 22 <= v[QP_CMP_MEAN].hi);
	/* the inputs are not touched */
	memcpy(s, (double[5]){ 5, 1, 4, 2, 3 }, sizeof(s));
	assert_memory_equal(a, s, sizeof(s));
}

/* Two samples of one distribution: nothing marked, every interval holds 0. */
static void test_no_shift(void **state)
{
	struct qp_cmp_value v[QP_CMP__COUNT];
	struct qp_cmp_opts o = opts();
	double *a = latencies(5000, 11, 0), *b = latencies(5000, 12, 0);
	int s;

	(void)state;
	assert_int_equal(qp_cmp_samples(a, 5000, b, 5000, &o, v), 0);
	for (s = 0; s < QP_CMP__COUNT; s++) {
		print_message("  no shift %s: %+.3f [%+.3f, %+.3f]\n",
			      qp_cmp_stat_name(s), v[s].delta, v[s].lo, v[s].hi);
		assert_true(v[s].lo <= 0 && 0 <= v[s].hi);
		assert_false(v[s].marked);
	}
	free(a);
	free(b);
}

/*
 * NEW = another sample + 20 µs: every statistic moves by 20 µs, within
 * its interval, and is marked (20 µs is more than 10 % of ~120 µs).
 */
static void test_known_shift(void **state)
{
	struct qp_cmp_value v[QP_CMP__COUNT];
	struct qp_cmp_opts o = opts();
	double *a = latencies(5000, 21, 0), *b = latencies(5000, 22, 20);
	int s;

	(void)state;
	assert_int_equal(qp_cmp_samples(a, 5000, b, 5000, &o, v), 0);
	for (s = 0; s < QP_CMP__COUNT; s++) {
		print_message("  +20 µs %s: %+.3f [%+.3f, %+.3f]\n",
			      qp_cmp_stat_name(s), v[s].delta, v[s].lo, v[s].hi);
		assert_true(v[s].lo <= 20 && 20 <= v[s].hi);
		assert_true(v[s].lo > 0);
		assert_true(v[s].marked);
	}
	/* a shift below the floor (2 µs, 10 % of BASE) is not marked, however
	 * sure: +5 µs on ~120 µs */
	free(b);
	b = latencies(5000, 22, 5);
	assert_int_equal(qp_cmp_samples(a, 5000, b, 5000, &o, v), 0);
	assert_true(v[QP_CMP_P50].lo > 0);
	assert_false(v[QP_CMP_P50].marked);
	free(a);
	free(b);
}

/*
 * Only the slowest 5 % slower, by 400 µs: p99 (+400) and the mean (+20)
 * move, p50 and p90 not.
 */
static void test_tail_shift(void **state)
{
	struct qp_cmp_value v[QP_CMP__COUNT];
	struct qp_cmp_opts o = opts();
	double *a = latencies(20000, 31, 0), *b = latencies(20000, 32, 0);
	double *s = malloc(20000 * sizeof(*s)), cut;
	struct qp_stats st;
	size_t k;

	(void)state;
	memcpy(s, b, 20000 * sizeof(*s));
	qp_stats_compute(s, 20000, &st);
	cut = st.pct[QP_P95];
	for (k = 0; k < 20000; k++)
		if (b[k] > cut)
			b[k] += 400;
	assert_int_equal(qp_cmp_samples(a, 20000, b, 20000, &o, v), 0);
	assert_false(v[QP_CMP_P50].marked);
	assert_false(v[QP_CMP_P90].marked);
	assert_true(v[QP_CMP_P99].marked);
	assert_true(v[QP_CMP_P99].lo <= 400 && 400 <= v[QP_CMP_P99].hi);
	assert_true(v[QP_CMP_MEAN].marked);
	assert_true(v[QP_CMP_MEAN].lo <= 20 && 20 <= v[QP_CMP_MEAN].hi);
	free(a);
	free(b);
	free(s);
}

/*
 * BASE with a burst: 5 % of its inferences, consecutive, 200 µs slower
 * (interference).  NEW from the same distribution without the burst.  Its
 * mean differs by ~10 µs, a change an inference-level bootstrap (one
 * value per block) calls sure; the block bootstrap sees that the burst
 * is one event and its interval holds 0.
 */
static void test_burst_is_noise(void **state)
{
	struct qp_cmp_value v[QP_CMP__COUNT];
	struct qp_cmp_opts o = opts();
	double *a = latencies(8000, 41, 0), *b = latencies(8000, 42, 0);
	size_t k;

	(void)state;
	for (k = 4000; k < 4400; k++)
		a[k] += 200;
	o.min_rel = 0;
	o.min_abs_us = 0;
	assert_int_equal(qp_cmp_samples(a, 8000, b, 8000, &o, v), 0);
	print_message("  burst, blocks: mean %+.3f [%+.3f, %+.3f]\n",
		      v[QP_CMP_MEAN].delta, v[QP_CMP_MEAN].lo, v[QP_CMP_MEAN].hi);
	assert_true(v[QP_CMP_MEAN].lo <= 0 && 0 <= v[QP_CMP_MEAN].hi);
	o.blocks = 8000;	/* one inference per block */
	assert_int_equal(qp_cmp_samples(a, 8000, b, 8000, &o, v), 0);
	print_message("  burst, single values: mean %+.3f [%+.3f, %+.3f]\n",
		      v[QP_CMP_MEAN].delta, v[QP_CMP_MEAN].lo, v[QP_CMP_MEAN].hi);
	assert_true(v[QP_CMP_MEAN].hi < 0);
	free(a);
	free(b);
}

/*
 * Calibration: over 100 pairs of samples of one distribution, the 95 %
 * interval of the mean's delta misses 0 about 5 times (binomial: more
 * than 13 happens with probability < 0.001; blocks of 25 iid values
 * make it a little narrower).  Marks are rarer still.
 */
static void test_calibration(void **state)
{
	struct qp_cmp_value v[QP_CMP__COUNT];
	struct qp_cmp_opts o = opts();
	unsigned miss = 0, miss50 = 0, marked = 0, k;

	(void)state;
	o.reps = 400;
	for (k = 0; k < 100; k++) {
		double *a = latencies(1000, 1000 + 2 * k, 0);
		double *b = latencies(1000, 1001 + 2 * k, 0);

		o.seed = k + 1;
		assert_int_equal(qp_cmp_samples(a, 1000, b, 1000, &o, v), 0);
		miss += v[QP_CMP_MEAN].lo > 0 || v[QP_CMP_MEAN].hi < 0;
		miss50 += v[QP_CMP_P50].lo > 0 || v[QP_CMP_P50].hi < 0;
		for (int s = 0; s < QP_CMP__COUNT; s++)
			marked += v[s].marked;
		free(a);
		free(b);
	}
	print_message("  calibration: mean missed 0 in %u/100, p50 in %u/100, %u marked\n",
		      miss, miss50, marked);
	assert_true(miss <= 13);
	assert_true(miss50 <= 13);
	assert_true(miss + miss50 >= 1);	/* an interval is not [-inf, inf] */
	/* the floor and the drift keep false marks rare: <= 1 % of 400 */
	assert_true(marked <= 4);
}

static bool mark(double base, double delta, double lo, double hi,
		 double drift, double ref)
{
	struct qp_cmp_opts o;
	struct qp_cmp_value v = { .base = base, .new_ = base + delta,
				  .delta = delta, .lo = lo, .hi = hi,
				  .drift = drift };

	qp_cmp_opts_default(&o);
	return qp_cmp_mark(&v, ref, &o);
}

/* The rule itself: sure, beyond 2 x the drift, >= max(2 µs, 5 % of ref). */
static void test_mark_rule(void **state)
{
	(void)state;
	/* sure, large, no drift */
	assert_true(mark(100, 20, 15, 25, 0, 100));
	assert_true(mark(100, -20, -25, -15, 0, 100));
	/* large but not sure; an interval touching 0 is not sure */
	assert_false(mark(100, 20, -1, 40, 0, 100));
	assert_false(mark(100, 20, 0, 40, 0, 100));
	/* sure, but within 2 x the drift of a run */
	assert_false(mark(100, 20, 15, 25, 10, 100));
	assert_true(mark(100, 20, 15, 25, 9.9, 100));
	/* sure but small: below 5 % of the round trip (ref) */
	assert_false(mark(10, 4.9, 4, 6, 0, 100));
	assert_true(mark(10, 5, 4, 6, 0, 100));
	/* below the 2 µs floor whatever the round trip */
	assert_false(mark(3, 1.5, 1, 2, 0, 10));
	assert_true(mark(3, 2.5, 2, 3, 0, 10));
}

/* Runs from a model: per program name, pooled over processes. */
static void test_run_from_model(void **state)
{
	struct qp_model m;
	struct qp_cmp_run r;
	struct qp_inference *i;
	int k;

	(void)state;
	qp_model_init(&m);
	m.programs = calloc(3, sizeof(*m.programs));
	m.programs[0].name = strdup("a");
	m.programs[1].name = strdup("b");
	m.programs[2].name = strdup("a");	/* another process's "a" */
	m.nprograms = 3;
	for (k = 0; k < 6; k++) {
		i = qp_model_add_inference(&m);
		i->t0 = 1000000 + (uint64_t)k * 1000;
		i->program = (uint16_t)(k % 3);
		i->flags = QP_F_HAS_ENQ;
		i->state = k == 5 ? QP_INF_NO_COMPLETION : QP_INF_OK;
		qp_inf_set_time(i, QP_T_ENQ_END, i->t0 + 1000);
		qp_inf_set_time(i, QP_T_EXEC_BEGIN, i->t0 + 3000 + (uint64_t)k * 1000);
		qp_inf_set_time(i, QP_T_EXEC_END, i->t0 + 20000);
		qp_inf_set_time(i, QP_T_WAIT_END, i->t0 + 50000);
		qp_inf_set_time(i, QP_T_DONE, i->t0 + 60000);
		i->done_kind = QP_DONE_WAIT;
	}
	assert_int_equal(qp_cmp_run_from_model(&r, "x", &m, NULL), 0);
	assert_int_equal(r.np, 2);
	assert_string_equal(r.p[0].program, "a");
	/* "a": inferences 0, 2, 3 (5 is incomplete); "b": 1, 4 */
	assert_int_equal(r.p[0].count, 3);
	assert_int_equal(r.p[1].count, 2);
	/* preProc (metric 1) = 2 + k µs, in model order */
	assert_int_equal(qp_cmp_metrics[1], QP_M_PRE_PROC);
	assert_int_equal(r.p[0].n[1], 3);
	assert_float_equal(r.p[0].v[1][0], 2, 1e-9);
	assert_float_equal(r.p[0].v[1][1], 4, 1e-9);
	assert_float_equal(r.p[0].v[1][2], 5, 1e-9);
	qp_cmp_run_free(&r);
	qp_model_free(&m);
}

/*
 * A bimodal metric, like enqTime on a shared CPU (docs/REPORT.md,
 * "Comparing two runs"): a fraction `up` of the values at ~11 µs
 * (+ upper_shift), the rest at ~3 µs, in random order.
 */
static double *bimodal(size_t n, uint64_t seed, double up, double upper_shift)
{
	double *v = malloc(n * sizeof(*v));
	size_t k;

	rs = seed;
	for (k = 0; k < n; k++) {
		double u = unif(), w = unif();

		v[k] = u < up ? 11 + upper_shift + w : 3 + 0.5 * w;
	}
	return v;
}

/*
 * The marking rule on a bimodal metric.  Two samples of one 50/50
 * mixture: the p50 lies between the modes and each sample's falls in one
 * or the other, but its interval spans that and nothing is marked.  The
 * upper mode 20 µs slower (its share 45 %): the p90, p99 and mean move
 * and are marked, the p50 (in the lower mode) is not: a change of the
 * upper mode is a change of the metric, which the rule must report.
 */
static void test_bimodal(void **state)
{
	struct qp_cmp_value v[QP_CMP__COUNT];
	struct qp_cmp_opts o = opts();
	double *a = bimodal(5000, 71, 0.5, 0), *b = bimodal(5000, 72, 0.5, 0);
	int s;

	(void)state;
	assert_int_equal(qp_cmp_samples(a, 5000, b, 5000, &o, v), 0);
	for (s = 0; s < QP_CMP__COUNT; s++) {
		print_message("  bimodal, no shift %s: %+.3f [%+.3f, %+.3f] drift %.3f\n",
			      qp_cmp_stat_name(s), v[s].delta, v[s].lo, v[s].hi, v[s].drift);
		assert_true(v[s].lo <= 0 && 0 <= v[s].hi);
		assert_false(v[s].marked);
	}
	free(a);
	free(b);
	a = bimodal(5000, 73, 0.45, 0);
	b = bimodal(5000, 74, 0.45, 20);
	assert_int_equal(qp_cmp_samples(a, 5000, b, 5000, &o, v), 0);
	for (s = 0; s < QP_CMP__COUNT; s++)
		print_message("  bimodal, upper mode +20 µs %s: %+.3f [%+.3f, %+.3f]\n",
			      qp_cmp_stat_name(s), v[s].delta, v[s].lo, v[s].hi);
	assert_false(v[QP_CMP_P50].marked);
	assert_true(v[QP_CMP_P90].marked && v[QP_CMP_P90].lo <= 20 && 20 <= v[QP_CMP_P90].hi);
	assert_true(v[QP_CMP_P99].marked && v[QP_CMP_P99].lo <= 20 && 20 <= v[QP_CMP_P99].hi);
	/* the mean moves by the share times the shift: 0.45 x 20 = 9 µs */
	assert_true(v[QP_CMP_MEAN].marked && v[QP_CMP_MEAN].lo <= 9 && 9 <= v[QP_CMP_MEAN].hi);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_point_estimates),
		cmocka_unit_test(test_no_shift),
		cmocka_unit_test(test_known_shift),
		cmocka_unit_test(test_tail_shift),
		cmocka_unit_test(test_burst_is_noise),
		cmocka_unit_test(test_bimodal),
		cmocka_unit_test(test_calibration),
		cmocka_unit_test(test_mark_rule),
		cmocka_unit_test(test_run_from_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
