// SPDX-License-Identifier: MIT
/*
 * --csv-dir: one aic-profiling-program-<P>-latency.txt per program, in the
 * runtime's exact layout (FACTS.md §3.1) so that latency_stats_python3.py
 * and other scripts read it unchanged.  The columns carry qprof's boundary
 * definitions (docs/REPORT-FORMATS.md).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "devdump.h"
#include "outfile.h"
#include "writers.h"

static const enum qp_metric csv_cols[] = {
	QP_M_DEV_INF_PER_SEC, QP_M_DEV_EXEC, QP_M_DEV_IN_WAIT,
	QP_M_DEV_OUT_WAIT, QP_M_HOST_ROUND_TRIP, QP_M_ENQ, QP_M_PRE_PROC,
	QP_M_SUBMIT, QP_M_EXEC_TOTAL, QP_M_EXEC_TO_VC, QP_M_EXEC_TO_COMPLETE,
	QP_M_POST_PROC, QP_M_TOTAL_ROUND_TRIP, QP_M_QUEUE_DEPTH,
	QP_M_NUM_INF_IN_QUEUE,
};
#define NCSV (sizeof(csv_cols) / sizeof(csv_cols[0]))

/* Every cell is "%-12s  ", then "," except after the last one. */
static void cell(FILE *f, const char *s, bool last)
{
	fprintf(f, "%-12s  %s", s, last ? "\n" : ",");
}

static bool integer_column(enum qp_metric m)
{
	return m == QP_M_HOST_ROUND_TRIP || m == QP_M_EXEC_TO_VC ||
	       m == QP_M_EXEC_TO_COMPLETE || m == QP_M_QUEUE_DEPTH ||
	       m == QP_M_NUM_INF_IN_QUEUE;
}

static bool kept(const struct qp_write_opts *o, size_t k)
{
	return !o || !o->select || o->select[k];
}

static void put_row(FILE *f, const struct qp_inference *i, uint64_t sample,
		    uint32_t batch)
{
	char s[40];
	size_t c;

	snprintf(s, sizeof(s), "%" PRIu64, sample);
	cell(f, s, false);
	for (c = 0; c < NCSV; c++) {
		double v;

		if (!qp_metric_value(i, csv_cols[c], batch, &v))
			strcpy(s, "N/A");
		else if (integer_column(csv_cols[c]))
			snprintf(s, sizeof(s), "%.0f", v);
		else
			snprintf(s, sizeof(s), "%.3f", v);
		cell(f, s, c + 1 == NCSV);
	}
}

int qp_write_csv(FILE *f, const struct qp_model *m, uint32_t prog,
		 const struct qp_write_opts *o)
{
	const struct qp_program *p = &m->programs[prog];
	uint32_t *v;
	size_t n, k, rows = 0;

	v = qp_program_samples(m, prog, &n);
	if (!v)
		return -1;
	for (k = 0; k < n; k++)
		rows += m->inf[v[k]].state == QP_INF_OK && kept(o, v[k]);
	fprintf(f, "Profiling Data\nProgramId:%" PRIu32 "\nProgramName: %s\n",
		prog, p->name ? p->name : "");
	fprintf(f, "NumSamples collected: %zu Num Requested: %zu\n", rows, rows);
	cell(f, "Sample", false);
	for (k = 0; k < NCSV; k++)
		cell(f, qp_metric_column(csv_cols[k]), k + 1 == NCSV);
	for (k = 0; k < n; k++) {
		const struct qp_inference *i = &m->inf[v[k]];

		if (i->state == QP_INF_OK && kept(o, v[k]))
			put_row(f, i, k, p->batch);
	}
	free(v);
	return ferror(f) ? -1 : 0;
}

static bool has_rows(const struct qp_model *m, uint32_t prog,
		     const struct qp_write_opts *o)
{
	size_t k;

	for (k = 0; k < m->ninf; k++)
		if (m->inf[k].program == prog &&
		    m->inf[k].state == QP_INF_OK && kept(o, k))
			return true;
	return false;
}

int qp_write_csv_dir(const char *dir, const struct qp_model *m,
		     const struct qp_write_opts *o, char *err, size_t errlen)
{
	uint32_t p;
	size_t written = 0;

	for (p = 0; p < m->nprograms; p++) {
		struct qp_outfile out;
		char *path;

		if (!has_rows(m, p, o))
			continue;
		if (asprintf(&path, "%s/aic-profiling-program-%" PRIu32 "-latency.txt",
			     dir, p) < 0) {
			snprintf(err, errlen, "%s: out of memory", dir);
			return -1;
		}
		if (qp_outfile_open(&out, path, err, errlen)) {
			free(path);
			return -1;
		}
		if (qp_write_csv(out.f, m, p, o)) {
			snprintf(err, errlen, "%s: write error", path);
			qp_outfile_abort(&out);
			free(path);
			return -1;
		}
		free(path);
		if (qp_outfile_commit(&out, err, errlen))
			return -1;
		written++;
	}
	if (!written) {
		snprintf(err, errlen, "%s: no completed inference of any program to write", dir);
		return -1;
	}
	return 0;
}
