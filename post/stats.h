/* SPDX-License-Identifier: MIT */
/*
 * Summary statistics of a set of doubles, computed the way pandas
 * DataFrame.describe() does (what Qualcomm's latency_stats_python3.py
 * prints): arithmetic mean, sample standard deviation (ddof = 1) and
 * percentiles by linear interpolation between closest ranks (numpy's
 * default "linear" method: h = (n - 1) q, v[floor h] + frac(h) * (v[floor h + 1] - v[floor h])).
 */
#ifndef QPROF_POST_STATS_H
#define QPROF_POST_STATS_H

#include <stddef.h>

/* Percentiles reported everywhere, in this order. */
enum qp_pct {
	QP_P50,
	QP_P75,
	QP_P90,
	QP_P95,
	QP_P99,
	QP_P999,
	QP_P__COUNT
};

struct qp_stats {
	size_t count;
	double mean, min, max;
	double stddev;			/* NaN when count < 2 */
	double pct[QP_P__COUNT];	/* indexed by enum qp_pct */
};

/* 0.5, 0.75, ..., 0.999 for enum qp_pct; "50%", ..., "99.9%" as pandas names them. */
double qp_pct_fraction(enum qp_pct p);
const char *qp_pct_name(enum qp_pct p);

/*
 * Summarise v[0..n).  The array is REORDERED (partial selection, no full
 * sort): 1 M values take a few ms.  With n == 0 every field is NaN and
 * count is 0.  NaN values must not be passed (callers skip missing data).
 */
void qp_stats_compute(double *v, size_t n, struct qp_stats *out);

/*
 * The statistics of v[k] / div for k < n, bit for bit what
 * qp_stats_compute gives on an array of the divided values (µs columns
 * summarised in ms; a tie of 0.0 and -0.0 may pick either) without
 * writing one: v is left untouched.  No stddev (NaN): the latency_stats
 * summary does not show it, and it would take a pass of its own.  0, or -1
 * when out of memory (small arrays, or a rare sampled-selection miss, need
 * a scratch copy).
 */
int qp_stats_compute_div(const double *v, size_t n, double div,
			 struct qp_stats *out);

/* Quantile q in [0, 1] of an ascending array, numpy "linear" method. */
double qp_quantile_sorted(const double *sorted, size_t n, double q);

/*
 * The slice latency_stats -k PCT keeps: prune = round((n * (1 - pct/100)) / 2)
 * (round half to even, like Python's round), rows [prune, n - prune).
 * Unlike the script (whose df[0:-0] is empty), pruning 0 keeps everything.
 */
void qp_keep_middle(size_t n, double pct, size_t *first, size_t *count);

#endif /* QPROF_POST_STATS_H */
