// SPDX-License-Identifier: MIT
/*
 * Breakdown tables (bytable.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytable.h"
#include "escape.h"

static const char *const by_names[QP_BY__COUNT] = {
	"program", "thread", "queue", "callsite",
};

static const enum qp_metric phase_metric[QP_BY_PHASE__COUNT] = {
	QP_M_ENQ, QP_M_PRE_PROC, QP_M_EXEC_TOTAL, QP_M_POST_PROC,
};

const char *qp_by_name(enum qp_by_key key)
{
	return (unsigned)key < QP_BY__COUNT ? by_names[key] : "?";
}

int qp_by_parse(const char *s)
{
	int i;

	for (i = 0; i < QP_BY__COUNT; i++)
		if (!strcmp(s, by_names[i]))
			return i;
	return -1;
}

/* Group key of the program table: the program, else (process, dbc). */
static uint64_t group_of(const struct qp_inference *inf)
{
	if (inf->program != QP_NONE16)
		return inf->program;
	return (1ull << 40) | ((uint64_t)inf->process << 16) | inf->dbc_id;
}

static uint64_t key_of(const struct qp_inference *inf, enum qp_by_key by)
{
	switch (by) {
	case QP_BY_PROGRAM: return group_of(inf);
	case QP_BY_THREAD: return ((uint64_t)inf->process << 32) | (uint32_t)inf->enq_tid;
	case QP_BY_QUEUE: return inf->queue;
	default: return inf->callsite;
	}
}

void qp_by_label(const struct qp_model *m, const struct qp_inference *inf,
		 enum qp_by_key by, char *buf, size_t len)
{
	int32_t pid = inf->process < m->nprocesses ? m->processes[inf->process].pid : -1;

	switch (by) {
	case QP_BY_PROGRAM:
		if (inf->program != QP_NONE16 && inf->program < m->nprograms) {
			size_t n = qp_text_escape(buf, len,
						  m->programs[inf->program].name);

			if (n < len)
				snprintf(buf + n, len - n, " (pid %d)", pid);
		} else
			snprintf(buf, len, "dbc%u (pid %d, kernel-only)", inf->dbc_id, pid);
		break;
	case QP_BY_THREAD:
		snprintf(buf, len, "pid %d tid %d", pid, inf->enq_tid);
		break;
	case QP_BY_QUEUE:
		if (inf->queue != QP_NONE16 && inf->queue < m->nqueues)
			snprintf(buf, len, "queue 0x%" PRIx64 " (pid %d)",
				 m->queues[inf->queue].handle, pid);
		else
			snprintf(buf, len, "(no queue, pid %d)", pid);
		break;
	default:
		if (inf->callsite == QP_NONE || inf->callsite >= m->ncallsites)
			snprintf(buf, len, "(unknown call site)");
		else if (m->callsites[inf->callsite].symbol)
			qp_text_escape(buf, len, m->callsites[inf->callsite].symbol);
		else
			snprintf(buf, len, "0x%" PRIx64 " (pid %d)",
				 m->callsites[inf->callsite].ips[0], pid);
		break;
	}
}

/* A row while it is filled: its values share one pool. */
struct acc {
	size_t n;
	double *rt;
	double sum[QP_BY_PHASE__COUNT];
	size_t cnt[QP_BY_PHASE__COUNT];
};

int qp_by_rows(const struct qp_model *m, const uint8_t *sel,
	       enum qp_by_key by, struct qp_by_row **rowsp, size_t *nrowsp)
{
	struct qp_by_row *rows = NULL;
	struct acc *acc = NULL;
	size_t nrows = 0, i, r, k, used = 0;
	double *pool = malloc((m->ninf ? m->ninf : 1) * sizeof(*pool));

	*rowsp = NULL;
	*nrowsp = 0;
	if (!pool)
		return -1;
	/* pass 1: rows and their sizes; pass 2: values.  Linear search
	 * over rows: a report has few programs/threads/queues. */
	for (i = 0; i < m->ninf; i++) {
		uint64_t key;

		if ((sel && !sel[i]) || m->inf[i].state != QP_INF_OK)
			continue;
		key = key_of(&m->inf[i], by);
		for (r = 0; r < nrows && rows[r].key != key; r++)
			;
		if (r == nrows) {
			struct qp_by_row *nr = realloc(rows, (nrows + 1) * sizeof(*rows));
			struct acc *na;

			if (!nr)
				goto fail;
			rows = nr;
			na = realloc(acc, (nrows + 1) * sizeof(*acc));
			if (!na)
				goto fail;
			acc = na;
			memset(&rows[nrows], 0, sizeof(*rows));
			memset(&acc[nrows], 0, sizeof(*acc));
			nrows++;
			rows[r].key = key;
			rows[r].first = i;
		}
		acc[r].n++;
	}
	for (r = 0; r < nrows; r++) {
		acc[r].rt = pool + used;
		used += acc[r].n;
		acc[r].n = 0;
	}
	for (r = 0; r < nrows; r++) {
		for (i = rows[r].first; i < m->ninf; i++) {
			const struct qp_inference *inf = &m->inf[i];
			double v;

			if ((sel && !sel[i]) || inf->state != QP_INF_OK ||
			    key_of(inf, by) != rows[r].key)
				continue;
			if (qp_metric_value(m, inf, QP_M_TOTAL_ROUND_TRIP, 0, &v) ||
			    qp_metric_value(m, inf, QP_M_EXEC_TOTAL, 0, &v))
				acc[r].rt[acc[r].n++] = v;
			for (k = 0; k < QP_BY_PHASE__COUNT; k++) {
				if (qp_metric_value(m, inf, phase_metric[k], 0, &v)) {
					acc[r].sum[k] += v;
					acc[r].cnt[k]++;
				}
			}
		}
		qp_stats_compute(acc[r].rt, acc[r].n, &rows[r].rt);
		for (k = 0; k < QP_BY_PHASE__COUNT; k++)
			rows[r].phase_mean_us[k] = acc[r].cnt[k] ?
				acc[r].sum[k] / acc[r].cnt[k] : NAN;
	}
	free(acc);
	free(pool);
	*rowsp = rows;
	*nrowsp = nrows;
	return 0;
fail:
	free(rows);
	free(acc);
	free(pool);
	return -1;
}

int qp_by_table_print(FILE *f, const struct qp_model *m, const uint8_t *sel,
		      enum qp_by_key by)
{
	struct qp_by_row *rows;
	size_t nrows, r;

	if (qp_by_rows(m, sel, by, &rows, &nrows))
		return -1;
	fprintf(f, "\nBreakdown by %s (ms; round trip = totalRoundtripTime, execTotal for kernel-only):\n",
		qp_by_name(by));
	fprintf(f, "%-44s %9s %9s %9s %9s %9s | %9s %9s %9s %9s\n", qp_by_name(by),
		"count", "mean", "p50", "p99", "max", "enq", "preProc", "execTotal", "postProc");
	for (r = 0; r < nrows; r++) {
		const struct qp_stats *s = &rows[r].rt;
		const double *ph = rows[r].phase_mean_us;
		char label[1024];

		qp_by_label(m, &m->inf[rows[r].first], by, label, sizeof(label));
		/* a long label (a symbolised call site: function, module,
		 * file:line) gets a line of its own, never truncated */
		if (strlen(label) > 44)
			fprintf(f, "%s\n%-44s", label, "");
		else
			fprintf(f, "%-44s", label);
		fprintf(f, " %9zu %9.3f %9.3f %9.3f %9.3f | %9.3f %9.3f %9.3f %9.3f\n",
			s->count, s->mean / 1e3, s->pct[QP_P50] / 1e3,
			s->pct[QP_P99] / 1e3, s->max / 1e3, ph[0] / 1e3,
			ph[1] / 1e3, ph[2] / 1e3, ph[3] / 1e3);
	}
	free(rows);
	return 0;
}
