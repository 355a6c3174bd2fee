/* SPDX-License-Identifier: MIT */
/*
 * qprof-report --compare BASE NEW: did a change help?  Per program (by
 * name) and metric, the deltas NEW - BASE of p50, p90, p99 and the mean,
 * each with a 95 % bootstrap confidence interval; only the changes outside
 * the noise are marked.  Method and rule: compare.c and docs/REPORT.md,
 * "Comparing two runs".
 *
 * A run is read from a trace (the model, after selection) or from a JSON
 * report written with --per-inference (the per-inference metrics).
 */
#ifndef QPROF_POST_COMPARE_H
#define QPROF_POST_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

enum qp_cmp_stat { QP_CMP_P50, QP_CMP_P90, QP_CMP_P99, QP_CMP_MEAN, QP_CMP__COUNT };

/* "p50", "p90", "p99", "mean" */
const char *qp_cmp_stat_name(enum qp_cmp_stat s);

struct qp_cmp_opts {
	unsigned reps;		/* bootstrap replicates (default 1000) */
	unsigned blocks;	/* blocks per run (default 40; 1 value each below) */
	uint64_t seed;		/* the resampling's seed (default 1: reproducible) */
	double min_rel;		/* smallest change marked, fraction of BASE's
				 * round trip (same statistic) (0.05) */
	double min_abs_us;	/* ... and in µs (2) */
	double drift_k;		/* a change must exceed drift_k x drift (2) */
};

void qp_cmp_opts_default(struct qp_cmp_opts *o);

struct qp_cmp_value {
	double base, new_, delta;	/* statistic of BASE, of NEW, NEW - BASE */
	double lo, hi;			/* 95 % interval of the delta */
	double drift;			/* the larger of the runs' drifts: |statistic
					 * of the first half - of the second half| */
	bool marked;			/* a change outside the noise */
};

/*
 * The four statistics of a (BASE) and b (NEW), values in time order (the
 * blocks are runs of consecutive inferences).  0, or -1 when out of
 * memory; na, nb >= 1.
 */
int qp_cmp_samples(const double *a, size_t na, const double *b, size_t nb,
		   const struct qp_cmp_opts *o,
		   struct qp_cmp_value out[QP_CMP__COUNT]);

/*
 * The marking rule: the interval [lo, hi] excludes 0, |delta| is larger
 * than drift_k x the drift within either run, and at least
 * max(min_abs_us, min_rel x |ref|), ref the BASE round trip's statistic
 * (qp_cmp_samples, knowing no round trip, uses the metric's own BASE).
 */
bool qp_cmp_mark(const struct qp_cmp_value *v, double ref,
		 const struct qp_cmp_opts *o);

/* Metrics compared, in this order (latency_stats labels). */
#define QP_CMP_NMETRICS 7
extern const enum qp_metric qp_cmp_metrics[QP_CMP_NMETRICS];

/* One program of a run: each metric's values in time order. */
struct qp_cmp_series {
	char *program;
	size_t count;			/* completed inferences */
	double *v[QP_CMP_NMETRICS];
	size_t n[QP_CMP_NMETRICS];
};

struct qp_cmp_run {
	char *source;			/* the path given */
	struct qp_cmp_series *p;
	size_t np;
};

/*
 * The completed inferences of m that select keeps (NULL: all), per
 * program name (programs of one name in several processes pooled).
 * 0, or -1 when out of memory.
 */
int qp_cmp_run_from_model(struct qp_cmp_run *r, const char *source,
			  const struct qp_model *m, const uint8_t *select);
/*
 * A JSON report (schema qprof-report/1 or /2) written with --per-inference.
 * 0, or -1 with a message naming the file in err.
 */
int qp_cmp_run_from_json(struct qp_cmp_run *r, const char *path, char *err,
			 size_t errlen);
void qp_cmp_run_free(struct qp_cmp_run *r);

struct qp_cmp_row {
	const char *program;		/* points into the NEW run */
	size_t nbase, nnew;		/* completed inferences */
	bool has[QP_CMP_NMETRICS];	/* both runs have values */
	struct qp_cmp_value v[QP_CMP_NMETRICS][QP_CMP__COUNT];
};

struct qp_cmp_report {
	const struct qp_cmp_run *base, *new_;
	struct qp_cmp_opts opts;
	struct qp_cmp_row *rows;	/* programs in both runs, NEW's order */
	size_t nrows;
	size_t nmarked;
};

int qp_compare(const struct qp_cmp_run *base, const struct qp_cmp_run *new_,
	       const struct qp_cmp_opts *o, struct qp_cmp_report *out);
void qp_cmp_report_free(struct qp_cmp_report *r);

/* Outputs: text (stdout), JSON (schema qprof-compare/1), HTML (write_html.c). */
struct json_t;
/* The JSON document (a new reference; NULL when out of memory). */
struct json_t *qp_cmp_json(const struct qp_cmp_report *r);
int qp_cmp_write_text(FILE *f, const struct qp_cmp_report *r);
int qp_cmp_write_json(const char *path, const struct qp_cmp_report *r,
		      char *err, size_t errlen);

#endif /* QPROF_POST_COMPARE_H */
