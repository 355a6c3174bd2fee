// SPDX-License-Identifier: MIT
/*
 * `qprof-report --latency-stats`: the summary of runtime latency files as
 * Qualcomm's latency_stats_python3.py prints it (pandas describe), the 13
 * columns' statistics on two threads.  Parsing: devdump.c.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devdump.h"
#include "stats.h"

#define NSUM 8			/* mean min 50% 75% 90% 95% 99% max */
#define CELLW 48
static const char *const sum_head[NSUM] = {
	"mean", "min", "50%", "75%", "90%", "95%", "99%", "max",
};

static bool is_plain_decimal(const char *s)
{
	const char *p = s;

	while (*p == ' ')
		p++;
	if (*p == '-' || *p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != '.')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0';
}

/*
 * pandas' FloatArrayFormatter at display.precision 6: "% .6f", trailing
 * zeros common to every value trimmed (keeping one decimal), "% .6e" when a
 * value is below 1e-6 or when values above 1e6 make a cell too long.
 */
static void pandas_format(const double *v, size_t n, char (*out)[CELLW])
{
	bool small = false, large = false, trim_more = true;
	size_t k, maxlen = 0;

	for (k = 0; k < n; k++) {
		double a = fabs(v[k]);

		snprintf(out[k], CELLW, "% .6f", v[k]);
		maxlen = strlen(out[k]) > maxlen ? strlen(out[k]) : maxlen;
		small |= a > 0 && a < 1e-6;
		large |= a > 1e6;
	}
	if (small || (large && maxlen > 12)) {
		for (k = 0; k < n; k++)
			snprintf(out[k], CELLW, "% .6e", v[k]);
		return;
	}
	while (trim_more) {
		size_t nums = 0;

		for (k = 0; k < n; k++) {
			if (!is_plain_decimal(out[k]))
				continue;
			nums++;
			if (out[k][strlen(out[k]) - 1] != '0')
				trim_more = false;
		}
		if (!nums)
			break;
		if (trim_more)
			for (k = 0; k < n; k++)
				if (is_plain_decimal(out[k]))
					out[k][strlen(out[k]) - 1] = '\0';
	}
	for (k = 0; k < n; k++) {
		size_t l = strlen(out[k]);

		if (is_plain_decimal(out[k]) && out[k][l - 1] == '.' &&
		    l + 1 < CELLW) {
			out[k][l] = '0';
			out[k][l + 1] = '\0';
		}
	}
}

/*
 * The summary's statistics, one metric (row) at a time, taken in turn by
 * two threads: 13 columns of 1 M values take ~100 ms of CPU.
 */
#define SUM_PARALLEL_FROM 65536	/* values: fewer are summarised in one thread */

struct sum_job {
	const struct qp_dump *const *dumps;
	size_t n, total;		/* files, rows of all files */
	double keep;
	const enum qp_metric *rows;
	size_t nrows;
	struct qp_stats *st;		/* per row */
	size_t next;			/* next row to take (atomic) */
	int failed;			/* out of memory (atomic) */
};

/* Column m of the combined files, in ms for µs columns, -k applied. */
static size_t gather(const struct qp_dump *const *dumps, size_t n,
		     enum qp_metric m, double keep, double *buf)
{
	double scale = qp_metric_is_time(m) ? 1000.0 : 1.0;
	size_t k, r, first, count, out = 0;

	for (k = 0; k < n; k++) {
		if (!dumps[k]->col[m])
			continue;
		qp_keep_middle(dumps[k]->nrows, keep, &first, &count);
		for (r = first; r < first + count; r++)
			buf[out++] = dumps[k]->col[m][r] / scale;
	}
	return out;
}

/*
 * Statistics of metric m.  A column held by one file (the usual case) is
 * summarised in place, divided on the fly; several are gathered into *buf
 * first.  0, or -1 when out of memory.
 */
static int metric_stats(const struct sum_job *j, enum qp_metric m,
			double **buf, struct qp_stats *st)
{
	const struct qp_dump *only = NULL;
	size_t k, holders = 0, first, count;

	for (k = 0; k < j->n; k++) {
		if (j->dumps[k]->col[m]) {
			only = j->dumps[k];
			holders++;
		}
	}
	if (holders == 1) {
		qp_keep_middle(only->nrows, j->keep, &first, &count);
		return qp_stats_compute_div(only->col[m] + first, count,
					    qp_metric_is_time(m) ? 1000.0 : 1.0,
					    st);
	}
	if (!*buf)
		*buf = malloc((j->total ? j->total : 1) * sizeof(**buf));
	if (!*buf)
		return -1;
	qp_stats_compute(*buf, gather(j->dumps, j->n, m, j->keep, *buf), st);
	return 0;
}

static void *sum_worker(void *arg)
{
	struct sum_job *j = arg;
	double *buf = NULL;
	size_t r;

	while ((r = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) <
	       j->nrows)
		if (metric_stats(j, j->rows[r], &buf, &j->st[r]))
			__atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
	free(buf);
	return NULL;
}

/* Every row's statistics into j->st; 0, or -1 when out of memory. */
static int summary_stats(struct sum_job *j)
{
	pthread_t t;
	bool two = j->total >= SUM_PARALLEL_FROM && j->nrows > 1 &&
		   !pthread_create(&t, NULL, sum_worker, j);

	sum_worker(j);
	if (two)
		pthread_join(t, NULL);
	return j->failed ? -1 : 0;
}

int qp_dump_summary_print(FILE *f, const struct qp_dump *const *dumps,
			  size_t n, double keep_middle_pct)
{
	double (*cells)[NSUM] = NULL, trt_mean = NAN;
	struct qp_stats *st = NULL;
	struct sum_job job;
	char (*txt)[NSUM][CELLW] = NULL;
	enum qp_metric rows[QP_M__COUNT];
	size_t nrows = 0, total = 0, k, c, r, width[NSUM], labw = 0;
	int rc = -1;

	if (!n)
		return -1;
	/* metrics in the first file's column order; N/A anywhere drops one */
	for (k = 0; k < dumps[0]->ncols; k++) {
		enum qp_metric m = dumps[0]->order[k];
		bool ok = m != QP_M_QUEUE_DEPTH && m != QP_M_NUM_INF_IN_QUEUE;

		for (c = 0; c < n && ok; c++)
			ok = !dumps[c]->col[m] || !dumps[c]->na[m];
		if (ok)
			rows[nrows++] = m;
	}
	for (k = 0; k < n; k++)
		total += dumps[k]->nrows;
	if (!nrows || !total)
		return -1;
	st = malloc(nrows * sizeof(*st));
	cells = malloc(nrows * sizeof(*cells));
	txt = malloc(nrows * sizeof(*txt));
	if (!st || !cells || !txt)
		goto out;
	job = (struct sum_job){ .dumps = dumps, .n = n, .total = total,
				.keep = keep_middle_pct, .rows = rows,
				.nrows = nrows, .st = st };
	if (summary_stats(&job))
		goto out;
	for (r = 0; r < nrows; r++) {
		cells[r][0] = st[r].mean;
		cells[r][1] = st[r].min;
		for (c = 0; c < 5; c++)
			cells[r][2 + c] = st[r].pct[QP_P50 + c];
		cells[r][7] = st[r].max;
		if (rows[r] == QP_M_TOTAL_ROUND_TRIP)
			trt_mean = st[r].mean;
		if (strlen(qp_metric_label(rows[r])) > labw)
			labw = strlen(qp_metric_label(rows[r]));
	}
	/* format column by column, as pandas does */
	for (c = 0; c < NSUM; c++) {
		double col[QP_M__COUNT];
		char tmp[QP_M__COUNT][CELLW];

		for (r = 0; r < nrows; r++)
			col[r] = cells[r][c];
		pandas_format(col, nrows, tmp);
		width[c] = strlen(sum_head[c]);
		for (r = 0; r < nrows; r++) {
			if (strlen(tmp[r]) > width[c])
				width[c] = strlen(tmp[r]);
			memcpy(txt[r][c], tmp[r], CELLW);
		}
	}
	fprintf(f, "All activations combined:\n%*s", (int)labw, "");
	for (c = 0; c < NSUM; c++)
		fprintf(f, " %*s", (int)width[c], sum_head[c]);
	fputc('\n', f);
	for (r = 0; r < nrows; r++) {
		fprintf(f, "%-*s", (int)labw, qp_metric_label(rows[r]));
		for (c = 0; c < NSUM; c++)
			fprintf(f, " %*s", (int)width[c], txt[r][c]);
		fputc('\n', f);
	}
	if (!isnan(trt_mean))
		fprintf(f, "totalRoundtripTime: percentile(mean) = %.3f ms\n",
			trt_mean);
	rc = 0;
out:
	free(st);
	free(cells);
	free(txt);
	return rc;
}
