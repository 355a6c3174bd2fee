// SPDX-License-Identifier: MIT
/*
 * Summary statistics with pandas describe() semantics (stats.h).
 *
 * Percentiles need the values at a handful of ranks, not a sorted array:
 * ranks are selected in increasing order with quickselect, each search
 * starting right after the previous rank, so a summary costs a few linear
 * passes instead of a sort (1 M values: a few ms).
 */
#include <math.h>
#include <stdbool.h>

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

static void moments(const double *v, size_t n, struct qp_stats *out)
{
	double sum = 0, c = 0, ss = 0, mn = v[0], mx = v[0];
	size_t i;

	/* Neumaier summation: the mean of 1 M µs values keeps all digits. */
	for (i = 0; i < n; i++) {
		double x = v[i], t = sum + x;

		c += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum;
		sum = t;
		if (x < mn)
			mn = x;
		if (x > mx)
			mx = x;
	}
	out->mean = (sum + c) / (double)n;
	out->min = mn;
	out->max = mx;
	for (i = 0; i < n; i++) {
		double d = v[i] - out->mean;

		ss += d * d;
	}
	out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
}

void qp_stats_compute(double *v, size_t n, struct qp_stats *out)
{
	size_t from = 0;
	int p;

	out->count = n;
	if (!n) {
		out->mean = out->min = out->max = out->stddev = NAN;
		for (p = 0; p < QP_P__COUNT; p++)
			out->pct[p] = NAN;
		return;
	}
	moments(v, n, out);
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
