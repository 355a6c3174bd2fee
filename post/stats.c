// SPDX-License-Identifier: MIT
/*
 * Summary statistics with pandas describe() semantics (stats.h).
 *
 * Percentiles need the values at a handful of ranks, not a sorted array.
 * Large arrays: a sample brackets every rank between two values, one
 * branch-free pass counts the values below each bracket and copies the few
 * inside, and the ranks are selected among those copies (Floyd-Rivest
 * style).  Small arrays, or a sample that missed: ranks selected in
 * increasing order with quickselect, each search starting right after the
 * previous rank.  Both give the exact order statistics.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static const double pct_fraction[QP_P__COUNT] = {
	0.50, 0.75, 0.90, 0.95, 0.99, 0.999,
};
static const char *const pct_name[QP_P__COUNT] = {
	"50%", "75%", "90%", "95%", "99%", "99.9%",
};

double qp_pct_fraction(enum qp_pct p)
{
	return p < QP_P__COUNT ? pct_fraction[p] : NAN;
}

const char *qp_pct_name(enum qp_pct p)
{
	return p < QP_P__COUNT ? pct_name[p] : "?";
}

static inline void swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

static inline double median3(double a, double b, double c)
{
	if (a < b)
		return b < c ? b : (a < c ? c : a);
	return a < c ? a : (b < c ? c : b);
}

static void insertion_sort(double *v, size_t lo, size_t hi)
{
	size_t i, j;

	for (i = lo + 1; i <= hi; i++) {
		double x = v[i];

		for (j = i; j > lo && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * Place in v[k] the value of rank k within v[lo..hi], smaller ones before,
 * larger ones after (nth_element).  Hoare partition around a ninther keeps
 * runs of equal values (integer kernel columns) balanced.
 */
static void select_rank(double *v, size_t lo, size_t hi, size_t k)
{
	while (hi - lo > 16) {
		size_t n = hi - lo, s = n / 8, mid = lo + n / 2;
		double pivot = median3(median3(v[lo], v[lo + s], v[lo + 2 * s]),
				       median3(v[mid - s], v[mid], v[mid + s]),
				       median3(v[hi - 2 * s], v[hi - s], v[hi]));
		size_t i = lo, j = hi;

		for (;;) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i >= j)
				break;
			swap(&v[i], &v[j]);
			i++;
			j--;
		}
		/* v[lo..j] <= pivot <= v[j+1..hi] */
		if (k <= j)
			hi = j;
		else
			lo = j + 1;
	}
	insertion_sort(v, lo, hi);
}

/* Smallest of v[lo..hi]. */
static double min_of(const double *v, size_t lo, size_t hi)
{
	double m = v[lo];

	for (size_t i = lo + 1; i <= hi; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

/* numpy's lerp: exact at both ends, monotonic in t. */
static double lerp(double a, double b, double t)
{
	double d = b - a;

	return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

double qp_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, fl;
	size_t lo;

	if (!n)
		return NAN;
	h = (double)(n - 1) * q;
	fl = floor(h);
	lo = (size_t)fl;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return lerp(sorted[lo], sorted[lo + 1], h - fl);
}

/*
 * numpy's pairwise summation (add.reduce over a contiguous float64 array,
 * what pandas' mean uses): 8 running sums over blocks of at most 128
 * values, halves split at a multiple of 8.  Summing in numpy's order gives
 * pandas' mean to the last bit, and fast.
 */
/* 2 doubles / 2 comparison results: one SSE2 or NEON register. */
typedef double vd2 __attribute__((vector_size(16)));
typedef int64_t vi2 __attribute__((vector_size(16)));

static double pairwise_sum(const double *a, size_t n, double div)
{
	double r[8], res;
	size_t i, j, n2;

	if (n < 8) {
		res = 0.0;
		for (i = 0; i < n; i++)
			res += a[i] / div;
		return res;
	}
	if (n > 128) {
		n2 = n / 2;
		n2 -= n2 % 8;
		return pairwise_sum(a, n2, div) +
		       pairwise_sum(a + n2, n - n2, div);
	}
	for (j = 0; j < 8; j++)
		r[j] = a[j] / div;
	for (i = 8; i < n - n % 8; i += 8)
		for (j = 0; j < 8; j++)
			r[j] += a[i + j] / div;
	res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
	for (; i < n; i++)
		res += a[i] / div;
	return res;
}

/*
 * Moments of v[k] / div (x / 1.0 == x exactly): the sum in numpy's order,
 * then one pass for the squared deviations, the min and the max (three
 * independent chains).
 */
static void moments(const double *v, size_t n, double div,
		    struct qp_stats *out)
{
	double ss = 0, mean, mn, mx;
	size_t i;

	mean = pairwise_sum(v, n, div) / (double)n;
	mn = mx = v[0] / div;
	for (i = 0; i < n; i++) {
		double x = v[i] / div, d = x - mean;

		mn = x < mn ? x : mn;
		mx = x > mx ? x : mx;
		ss += d * d;
	}
	out->mean = mean;
	out->min = mn;
	out->max = mx;
	out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
}

/* Running min and max, 2 lanes each. */
struct minmax {
	vd2 mn, mx;
};

static inline void minmax_add(struct minmax *m, vd2 x)
{
	vi2 lt = (vi2)(x < m->mn), gt = (vi2)(x > m->mx);

	m->mn = (vd2)(((vi2)x & lt) | ((vi2)m->mn & ~lt));
	m->mx = (vd2)(((vi2)x & gt) | ((vi2)m->mx & ~gt));
}

static inline vd2 load2(const double *a)
{
	vd2 x;

	memcpy(&x, a, sizeof(x));
	return x;
}

/*
 * pairwise_sum(a, n, div) to the last bit (the same 8 running sums, as 4
 * pairs), with the min and max of the divided values gathered on the way:
 * one pass instead of two.
 */
static double pairwise_minmax(const double *a, size_t n, double div,
			      struct minmax *m)
{
	vd2 dv = { div, div }, r0, r1, r2, r3, x;
	double res;
	size_t i, n2;

	if (n < 8) {
		res = 0.0;
		for (i = 0; i < n; i++) {
			double y = a[i] / div;

			res += y;
			minmax_add(m, (vd2){ y, y });
		}
		return res;
	}
	if (n > 128) {
		n2 = n / 2;
		n2 -= n2 % 8;
		res = pairwise_minmax(a, n2, div, m);
		return res + pairwise_minmax(a + n2, n - n2, div, m);
	}
	r0 = load2(a) / dv;
	r1 = load2(a + 2) / dv;
	r2 = load2(a + 4) / dv;
	r3 = load2(a + 6) / dv;
	minmax_add(m, r0);
	minmax_add(m, r1);
	minmax_add(m, r2);
	minmax_add(m, r3);
	for (i = 8; i < n - n % 8; i += 8) {
		x = load2(a + i) / dv;
		r0 += x;
		minmax_add(m, x);
		x = load2(a + i + 2) / dv;
		r1 += x;
		minmax_add(m, x);
		x = load2(a + i + 4) / dv;
		r2 += x;
		minmax_add(m, x);
		x = load2(a + i + 6) / dv;
		r3 += x;
		minmax_add(m, x);
	}
	res = ((r0[0] + r0[1]) + (r1[0] + r1[1])) +
	      ((r2[0] + r2[1]) + (r3[0] + r3[1]));
	for (; i < n; i++) {
		double y = a[i] / div;

		res += y;
		minmax_add(m, (vd2){ y, y });
	}
	return res;
}

/*
 * Mean, min and max of v[k] / div in one pass; no stddev.  Lanes cannot
 * tell 0.0 from -0.0: a zero extreme is found again by one sweep.
 */
static void moments_div(const double *v, size_t n, double div,
			struct qp_stats *out)
{
	double x0 = v[0] / div;
	struct minmax m = { { x0, x0 }, { x0, x0 } };

	out->mean = pairwise_minmax(v, n, div, &m) / (double)n;
	out->min = m.mn[1] < m.mn[0] ? m.mn[1] : m.mn[0];
	out->max = m.mx[1] > m.mx[0] ? m.mx[1] : m.mx[0];
	out->stddev = NAN;
	if (out->min == 0 || out->max == 0) {
		double mn = x0, mx = x0;

		for (size_t i = 0; i < n; i++) {
			double x = v[i] / div;

			mn = x < mn ? x : mn;
			mx = x > mx ? x : mx;
		}
		out->min = mn;
		out->max = mx;
	}
}

/* ---- sampled selection ------------------------------------------------ */

#define SAMPLE_FROM	65536	/* smaller arrays: quickselect only */
#define SAMPLE_SIZE	16384
#define MAX_RANKS	(2 * QP_P__COUNT)
#define MAX_BOUNDS	(4 * MAX_RANKS)

/*
 * A bracket [lo, hi] of values holding one or more wanted ranks.  Values
 * fall below it, equal to lo, strictly inside (copied, to select among),
 * equal to hi, or above it: ties (integer columns) need no copies.
 */
struct bracket {
	double lo, hi;
	size_t below, eq_lo, inside, eq_hi, first_copy;
};

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Sample positions bracketing rank r of n, for a sample of s values. */
static void sample_bounds(size_t r, size_t n, size_t s, size_t *lo, size_t *hi)
{
	double q = (double)r / (double)(n - 1), at = q * (double)(s - 1);
	double spread = 4.0 * sqrt((double)s * q * (1.0 - q)) + 8.0;

	*lo = at - spread <= 0 ? 0 : (size_t)(at - spread);
	*hi = at + spread >= (double)(s - 1) ? s - 1 : (size_t)(at + spread + 1);
}

/* Brackets of the wanted ranks from a sample of v; of_rank[k]: bracket of rank k. */
static size_t make_brackets(const double *v, size_t n, const size_t *ranks,
			    size_t nr, double *smp, struct bracket *br,
			    size_t *of_rank)
{
	size_t step = n / SAMPLE_SIZE, nb = 0, k, from = 0, slo, shi;
	uint64_t x = 0x2545f4914f6cdd1dull;

	/* one value from each of SAMPLE_SIZE equal strides, at random */
	for (k = 0; k < SAMPLE_SIZE; k++)
		smp[k] = v[k * step + xorshift(&x) % step];
	for (k = 0; k < nr; k++) {
		double lo, hi;

		sample_bounds(ranks[k], n, SAMPLE_SIZE, &slo, &shi);
		/* smp[from..] holds the sample's ranks from.. (in any order) */
		if (slo < from)
			from = 0;
		select_rank(smp, from, SAMPLE_SIZE - 1, slo);
		lo = smp[slo];
		from = slo;
		select_rank(smp, from, SAMPLE_SIZE - 1, shi);
		hi = smp[shi];
		if (nb && lo <= br[nb - 1].hi) {
			if (hi > br[nb - 1].hi)
				br[nb - 1].hi = hi;
		} else {
			br[nb++] = (struct bracket){ .lo = lo, .hi = hi };
		}
		of_rank[k] = nb - 1;
	}
	return nb;
}

/*
 * count[g] over v for g = 4 j + (0: in the gap below bracket j, 1: equal
 * to its lo, 2: strictly inside, 3: equal to its hi), 4 nb: above all;
 * values strictly inside a bracket copied.  g is twice the number of
 * bounds below the value (one vector compare per bracket, {lo, hi}) plus
 * whether it equals the next bound.  No data-dependent branch; two count
 * tables in turn, so that runs of one g do not wait on each other's
 * increments.
 */
static inline __attribute__((always_inline))
size_t count_values(const double *v, size_t n, const vd2 *bound, size_t nv,
		    const double *next, const uint8_t *copyable,
		    size_t (*count)[MAX_BOUNDS + 1], double *copy)
{
	size_t k, j, ncopy = 0;

	for (k = 0; k < n; k++) {
		double y = v[k];
		vd2 yy = { y, y };
		vi2 acc = { 0, 0 };
		size_t h, g;

#pragma GCC unroll 12
		for (j = 0; j < nv; j++)
			acc += (vi2)(yy > bound[j]);
		h = (size_t)-(acc[0] + acc[1]);
		g = 2 * h + (y == next[h]);
		count[k & 1][g]++;
		copy[ncopy] = y;
		ncopy += copyable[g];
	}
	return ncopy;
}

#define FEW_BRACKETS 6		/* the usual case, unrolled */

static size_t count_pass(const double *v, size_t n, const struct bracket *br,
			 size_t nb, size_t *count, double *copy)
{
	vd2 bound[MAX_RANKS];
	double *b = (double *)bound, next[2 * MAX_RANKS + 1];
	size_t two[2][MAX_BOUNDS + 1] = { { 0 } };
	uint8_t copyable[MAX_BOUNDS + 1] = { 0 };
	size_t j, g, ncopy;

	for (j = 0; j < MAX_RANKS; j++) {
		/* padding: above every value, never counted */
		b[2 * j] = j < nb ? br[j].lo : INFINITY;
		b[2 * j + 1] = j < nb ? br[j].hi : INFINITY;
		next[2 * j] = b[2 * j];
		next[2 * j + 1] = b[2 * j + 1];
		copyable[4 * j + 2] = j < nb && br[j].lo != br[j].hi;
	}
	next[2 * nb] = NAN;		/* above all: equal to nothing */
	if (nb <= FEW_BRACKETS)
		ncopy = count_values(v, n, bound, FEW_BRACKETS, next, copyable,
				     two, copy);
	else
		ncopy = count_values(v, n, bound, nb, next, copyable, two, copy);
	for (g = 0; g <= 4 * nb; g++)
		count[g] += two[0][g] + two[1][g];
	return ncopy;
}

/*
 * Values of the ascending ranks[0..nr) of v[0..n) into val[], v untouched.
 * False when the sample's brackets missed a rank (or out of memory): the
 * caller then selects by quickselect.
 */
static bool select_sampled(const double *v, size_t n, const size_t *ranks,
			   size_t nr, double *val)
{
	struct bracket br[MAX_RANKS];
	size_t of_rank[MAX_RANKS], count[MAX_BOUNDS + 1] = { 0 };
	size_t nb, k, j, ncopy, from;
	double *smp = malloc(SAMPLE_SIZE * sizeof(*smp));
	double *copy = malloc((n + 1) * sizeof(*copy));
	bool ok = false;

	if (!smp || !copy)
		goto out;
	nb = make_brackets(v, n, ranks, nr, smp, br, of_rank);
	ncopy = count_pass(v, n, br, nb, count, copy);
	/* copies of bracket j follow those of brackets before it, once sorted */
	for (j = 0, from = 0, k = 0; j < nb; j++) {
		for (; k < 4 * j + 1; k++)
			from += count[k];
		br[j].below = from;
		br[j].eq_lo = count[4 * j + 1];
		br[j].inside = count[4 * j + 2];
		br[j].eq_hi = count[4 * j + 3];
	}
	for (j = 0, from = 0; j < nb; j++) {
		br[j].first_copy = from;
		if (br[j].lo != br[j].hi)
			from += br[j].inside;
	}
	for (k = 0; k < nr; k++) {
		const struct bracket *b = &br[of_rank[k]];

		if (ranks[k] < b->below ||
		    ranks[k] >= b->below + b->eq_lo + b->inside + b->eq_hi)
			goto out;
	}
	for (k = 0, from = 0; k < nr; k++) {
		const struct bracket *b = &br[of_rank[k]];
		size_t t = ranks[k] - b->below, at;

		if (b->lo == b->hi || t < b->eq_lo) {
			val[k] = b->lo;
		} else if (t >= b->eq_lo + b->inside) {
			val[k] = b->hi;
		} else {
			/* copies ascend with ranks: each search starts past the last */
			at = b->first_copy + t - b->eq_lo;
			if (at < from)
				from = 0;
			select_rank(copy, from, ncopy - 1, at);
			val[k] = copy[at];
			from = at;
		}
	}
	ok = true;
out:
	free(smp);
	free(copy);
	return ok;
}

/*
 * Percentiles of v[k] / div from the sampled selection; false to fall
 * back.  Ranks are selected among the raw values: x -> x / div never
 * reverses an order, so the divided order statistics are the divided
 * selected values.
 */
static bool pct_sampled(const double *v, size_t n, double div,
			struct qp_stats *out)
{
	size_t ranks[MAX_RANKS], lo[QP_P__COUNT], nr = 0, k;
	double val[MAX_RANKS], h[QP_P__COUNT];
	int p;

	for (p = 0; p < QP_P__COUNT; p++) {
		h[p] = (double)(n - 1) * pct_fraction[p];
		lo[p] = (size_t)floor(h[p]);
		if (!nr || ranks[nr - 1] != lo[p])
			ranks[nr++] = lo[p];
		if (lo[p] + 1 < n && ranks[nr - 1] != lo[p] + 1)
			ranks[nr++] = lo[p] + 1;
	}
	if (!select_sampled(v, n, ranks, nr, val))
		return false;
	for (p = 0; p < QP_P__COUNT; p++) {
		double a = NAN, b = NAN;

		for (k = 0; k < nr; k++) {
			if (ranks[k] == lo[p])
				a = val[k] / div;
			if (ranks[k] == lo[p] + 1)
				b = val[k] / div;
		}
		out->pct[p] = lo[p] + 1 >= n || h[p] == floor(h[p]) ?
			      a : lerp(a, b, h[p] - floor(h[p]));
	}
	return true;
}

static void stats_empty(struct qp_stats *out)
{
	int p;

	out->count = 0;
	out->mean = out->min = out->max = out->stddev = NAN;
	for (p = 0; p < QP_P__COUNT; p++)
		out->pct[p] = NAN;
}

/* Percentiles by quickselect, v reordered. */
static void pct_select(double *v, size_t n, struct qp_stats *out)
{
	size_t from = 0;
	int p;

	/* fractions ascend, so each selection starts past the previous rank */
	for (p = 0; p < QP_P__COUNT; p++) {
		double h = (double)(n - 1) * pct_fraction[p], fl = floor(h);
		size_t lo = (size_t)fl;

		if (lo >= from) {
			select_rank(v, from, n - 1, lo);
			from = lo;
		}
		if (lo + 1 >= n || h == fl)
			out->pct[p] = v[lo];
		else
			out->pct[p] = lerp(v[lo], min_of(v, lo + 1, n - 1), h - fl);
	}
}

void qp_stats_compute(double *v, size_t n, struct qp_stats *out)
{
	if (!n) {
		stats_empty(out);
		return;
	}
	out->count = n;
	moments(v, n, 1.0, out);
	if (n >= SAMPLE_FROM && pct_sampled(v, n, 1.0, out))
		return;
	pct_select(v, n, out);
}

int qp_stats_compute_div(const double *v, size_t n, double div,
			 struct qp_stats *out)
{
	double *tmp;
	size_t k;

	if (!n) {
		stats_empty(out);
		return 0;
	}
	out->count = n;
	moments_div(v, n, div, out);
	if (n >= SAMPLE_FROM && pct_sampled(v, n, div, out))
		return 0;
	/* small, or the sample missed: select among divided copies */
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -1;
	for (k = 0; k < n; k++)
		tmp[k] = v[k] / div;
	pct_select(tmp, n, out);
	free(tmp);
	return 0;
}

void qp_keep_middle(size_t n, double pct, size_t *first, size_t *count)
{
	double prune;

	*first = 0;
	*count = n;
	if (pct <= 0 || pct >= 100)
		return;
	prune = nearbyint((double)n * (1.0 - pct / 100.0) / 2.0);
	if (prune * 2 >= (double)n) {
		*first = n;
		*count = 0;
		return;
	}
	*first = (size_t)prune;
	*count = n - 2 * (size_t)prune;
}
