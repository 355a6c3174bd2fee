// SPDX-License-Identifier: MIT
/*
 * The default report: per program and overall, latency_stats-style
 * statistics of every metric (ms), throughput, queueing, accounting of
 * matching and lost data, and "where the time goes".  Layout:
 * docs/REPORT-FORMATS.md "Summary".
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "devdump.h"
#include "escape.h"
#include "stats.h"
#include "writers.h"

struct ctx {
	FILE *f;
	const struct qp_model *m;
	const struct qp_write_opts *o;
	double *buf;		/* scratch, m->ninf values */
	uint32_t *idx;		/* scratch: the inferences of a section */
	size_t n;
};

static bool kept(const struct qp_write_opts *o, size_t k)
{
	return !o || !o->select || o->select[k];
}

static bool api_inference(const struct qp_inference *i)
{
	return i->match != QP_MATCH_KERNEL_ONLY && i->done_kind != QP_DONE_KERNEL;
}

static uint32_t batch_of(const struct qp_model *m, const struct qp_inference *i)
{
	return i->program < m->nprograms ? m->programs[i->program].batch : 0;
}

/* Completed inferences passing @want (program index or all). */
static void collect(struct ctx *c, bool kernel_only, uint32_t prog,
		    uint32_t process, uint32_t dbc)
{
	size_t k;

	c->n = 0;
	for (k = 0; k < c->m->ninf; k++) {
		const struct qp_inference *i = &c->m->inf[k];

		if (i->state != QP_INF_OK || !kept(c->o, k) ||
		    api_inference(i) == kernel_only)
			continue;
		if (prog != QP_NONE && i->program != prog)
			continue;
		if (process != QP_NONE && (i->process != process || i->dbc_id != dbc))
			continue;
		c->idx[c->n++] = (uint32_t)k;
	}
}

static const char *const heads[] = {
	"count", "mean", "min", "50%", "75%", "90%", "95%", "99%", "99.9%",
	"max", "stddev",
};

static void table_head(struct ctx *c, const char *unit)
{
	size_t k;

	fprintf(c->f, "  %-20s %8s", unit, heads[0]);
	for (k = 1; k < sizeof(heads) / sizeof(heads[0]); k++)
		fprintf(c->f, " %11s", heads[k]);
	fputc('\n', c->f);
}

/* One row from c->buf[0..n): values in the metric's unit, shown / scale. */
static void table_row(struct ctx *c, const char *label, size_t n, double scale,
		      int decimals)
{
	struct qp_stats st;
	double v[10];
	int k;

	if (!n)
		return;
	qp_stats_compute(c->buf, n, &st);
	v[0] = st.mean;
	v[1] = st.min;
	for (k = 0; k < QP_P__COUNT; k++)
		v[2 + k] = st.pct[k];
	v[8] = st.max;
	v[9] = st.stddev;
	fprintf(c->f, "  %-20s %8zu", label, n);
	for (k = 0; k < 10; k++) {
		if (isnan(v[k]))
			fprintf(c->f, " %11s", "-");
		else
			fprintf(c->f, " %11.*f", decimals, v[k] / scale);
	}
	fputc('\n', c->f);
}

static size_t metric_values(struct ctx *c, enum qp_metric m)
{
	size_t k, n = 0;

	for (k = 0; k < c->n; k++) {
		const struct qp_inference *i = &c->m->inf[c->idx[k]];

		if (qp_metric_value(c->m, i, m, batch_of(c->m, i), &c->buf[n]))
			n++;
	}
	return n;
}

static void metric_table(struct ctx *c, const enum qp_metric *ms, size_t nm)
{
	size_t k;

	table_head(c, "metric (ms)");
	for (k = 0; k < nm; k++) {
		enum qp_metric m = ms[k];
		bool t = qp_metric_is_time(m);

		table_row(c, qp_metric_label(m), metric_values(c, m),
			  t ? 1000.0 : 1.0, t ? 4 : 2);
	}
}

/* application, runtime, kernel, device: they add up to totalRoundtripTime */
enum { W_APP, W_RT, W_KERNEL, W_DEV, W__COUNT };

static bool attribution(const struct qp_model *m, const struct qp_inference *i,
			uint32_t batch,
			double w[W__COUNT], double *total)
{
	double enq, pre, post, exec, dev;

	if (!qp_metric_value(m, i, QP_M_ENQ, batch, &enq) ||
	    !qp_metric_value(m, i, QP_M_PRE_PROC, batch, &pre) ||
	    !qp_metric_value(m, i, QP_M_POST_PROC, batch, &post) ||
	    !qp_metric_value(m, i, QP_M_EXEC_TOTAL, batch, &exec) ||
	    !qp_metric_value(m, i, QP_M_EXEC_TO_COMPLETE, batch, &dev))
		return false;
	w[W_APP] = enq;
	w[W_RT] = pre + post;
	w[W_KERNEL] = exec - dev;
	w[W_DEV] = dev;
	*total = enq + pre + exec + post;
	return true;
}

static void where_line(struct ctx *c, const char *what, const double sum[W__COUNT],
		       size_t n)
{
	static const char *const names[W__COUNT] = {
		"application", "runtime", "kernel", "device",
	};
	double total = 0;
	int k;

	for (k = 0; k < W__COUNT; k++)
		total += sum[k];
	fprintf(c->f, "  where the time goes (%s, %.4f ms over %zu inferences):",
		what, total / n / 1000.0, n);
	for (k = 0; k < W__COUNT; k++)
		fprintf(c->f, " %s %.4f ms (%.1f%%)%s", names[k],
			sum[k] / n / 1000.0, total > 0 ? 100.0 * sum[k] / total : 0.0,
			k + 1 < W__COUNT ? "," : "\n");
}

static void where_time_goes(struct ctx *c)
{
	double sum[W__COUNT] = { 0 }, tail[W__COUNT] = { 0 }, w[W__COUNT], t;
	struct qp_stats st;
	size_t k, n = 0, ntail = 0;
	int j;

	for (k = 0; k < c->n; k++) {
		const struct qp_inference *i = &c->m->inf[c->idx[k]];

		if (!attribution(c->m, i, batch_of(c->m, i), w, &t))
			continue;
		for (j = 0; j < W__COUNT; j++)
			sum[j] += w[j];
		c->buf[n++] = t;
	}
	if (!n)
		return;
	where_line(c, "mean", sum, n);
	qp_stats_compute(c->buf, n, &st);
	/* the p99 tail: phase means over inferences at or above p99 */
	for (k = 0; k < c->n; k++) {
		const struct qp_inference *i = &c->m->inf[c->idx[k]];

		if (!attribution(c->m, i, batch_of(c->m, i), w, &t) || t < st.pct[QP_P99])
			continue;
		for (j = 0; j < W__COUNT; j++)
			tail[j] += w[j];
		ntail++;
	}
	if (ntail)
		where_line(c, "p99 tail", tail, ntail);
}

static void throughput(struct ctx *c)
{
	uint64_t first = UINT64_MAX, last = 0;
	size_t k;

	for (k = 0; k < c->n; k++) {
		const struct qp_inference *i = &c->m->inf[c->idx[k]];
		uint64_t done = qp_inf_time(i, QP_T_DONE);

		if (!done)
			done = qp_inf_time(i, QP_T_WAIT_END);
		if (i->t0 < first)
			first = i->t0;
		if (done > last)
			last = done;
	}
	if (c->n && last > first)
		fprintf(c->f, "  throughput: %.1f inferences/s (%zu completed in %.6f s, first enqueue to last completion)\n",
			c->n / ((last - first) / 1e9), c->n, (last - first) / 1e9);
}

static const enum qp_metric api_metrics[] = {
	QP_M_DEV_INF_PER_SEC, QP_M_DEV_EXEC, QP_M_DEV_IN_WAIT,
	QP_M_DEV_OUT_WAIT, QP_M_HOST_ROUND_TRIP, QP_M_ENQ, QP_M_PRE_PROC,
	QP_M_SUBMIT, QP_M_EXEC_TOTAL, QP_M_EXEC_TO_VC, QP_M_EXEC_TO_COMPLETE,
	QP_M_POST_PROC, QP_M_TOTAL_ROUND_TRIP, QP_M_QUEUE_DEPTH,
	QP_M_NUM_INF_IN_QUEUE,
};
#define NAPI (sizeof(api_metrics) / sizeof(api_metrics[0]))

static void api_section(struct ctx *c)
{
	throughput(c);
	metric_table(c, api_metrics, NAPI);
	where_time_goes(c);
}

/* Incomplete inferences of a section, by reason. */
static void incomplete_line(struct ctx *c, uint32_t prog)
{
	static const char *const why[QP_INF__COUNT] = {
		"ok", "no completion", "lost events", "failed", "unmatched",
	};
	uint64_t cnt[QP_INF__COUNT] = { 0 }, bad = 0;
	size_t k;
	int s;

	for (k = 0; k < c->m->ninf; k++) {
		const struct qp_inference *i = &c->m->inf[k];

		if ((prog != QP_NONE && i->program != prog) || !kept(c->o, k) ||
		    i->state >= QP_INF__COUNT)
			continue;
		cnt[i->state]++;
	}
	for (s = 1; s < QP_INF__COUNT; s++)
		bad += cnt[s];
	fprintf(c->f, "  incomplete (excluded from statistics): %" PRIu64, bad);
	for (s = 1; s < QP_INF__COUNT && bad; s++)
		fprintf(c->f, "%s%s %" PRIu64, s == 1 ? " (" : ", ", why[s], cnt[s]);
	fprintf(c->f, "%s\n", bad ? ")" : "");
}

/* Returns the number of programs with completed API inferences. */
static size_t program_sections(struct ctx *c)
{
	size_t napi = 0;
	uint32_t p;

	for (p = 0; p < c->m->nprograms; p++) {
		const struct qp_program *pg = &c->m->programs[p];
		const struct qp_process *pr = pg->process < c->m->nprocesses ?
					      &c->m->processes[pg->process] : NULL;

		collect(c, false, p, QP_NONE, 0);
		if (!c->n)
			continue;
		napi++;
		/* names come from the trace: escaped, they cannot forge a line */
		fprintf(c->f, "\n== program %" PRIu32 " '", p);
		qp_text_fputs(pg->name ? pg->name : "?", c->f);
		fprintf(c->f, "'%s (pid %d", pg->name_from_qpc ?
			" (created without a name: named after its QPC)" : "",
			pr ? pr->pid : -1);
		if (pr && pr->host < c->m->nhosts && c->m->nhosts > 1) {
			fputs(", host ", c->f);
			qp_text_fputs(c->m->hosts[pr->host], c->f);
		}
		if (pg->dbc_id != QP_NONE)
			fprintf(c->f, ", dbc %" PRIu32, pg->dbc_id);
		if (pg->batch)
			fprintf(c->f, ", batch %" PRIu32, pg->batch);
		fprintf(c->f, ") ==\n");
		api_section(c);
		incomplete_line(c, p);
	}
	return napi;
}

static const enum qp_metric kernel_metrics[] = {
	QP_M_SUBMIT, QP_M_EXEC_TOTAL, QP_M_EXEC_TO_VC, QP_M_EXEC_TO_COMPLETE,
	QP_M_HOST_ROUND_TRIP, QP_M_QUEUE_DEPTH, QP_M_NUM_INF_IN_QUEUE,
};

/* kernel = execTotal - execToComplete; gap = between consecutive submissions */
static void kernel_extra_rows(struct ctx *c)
{
	size_t k, n = 0;
	uint64_t prev = 0;

	for (k = 0; k < c->n; k++) {
		const struct qp_inference *i = &c->m->inf[c->idx[k]];
		double e, d;

		if (qp_metric_value(c->m, i, QP_M_EXEC_TOTAL, 0, &e) &&
		    qp_metric_value(c->m, i, QP_M_EXEC_TO_COMPLETE, 0, &d))
			c->buf[n++] = e - d;
	}
	table_row(c, "kernel (host side)", n, 1000.0, 4);
	n = 0;
	/* idx is in model order: executions on one dbc in submission order */
	for (k = 0; k < c->n; k++) {
		uint64_t t = qp_inf_time(&c->m->inf[c->idx[k]], QP_T_EXEC_BEGIN);

		if (!t)
			t = c->m->inf[c->idx[k]].t0;
		if (prev && t >= prev)
			c->buf[n++] = (t - prev) / 1000.0;
		prev = t;
	}
	table_row(c, "gap between submits", n, 1000.0, 4);
}

static void kernel_only_table(struct ctx *c)
{
	size_t j;

	table_head(c, "metric (ms)");
	for (j = 0; j < sizeof(kernel_metrics) / sizeof(kernel_metrics[0]); j++) {
		enum qp_metric m = kernel_metrics[j];
		bool t = qp_metric_is_time(m);

		table_row(c, qp_metric_label(m), metric_values(c, m),
			  t ? 1000.0 : 1.0, t ? 4 : 2);
	}
	kernel_extra_rows(c);
}

static int kernel_only_sections(struct ctx *c)
{
	uint8_t *dbcs = malloc(UINT16_MAX + 1);
	size_t k, i;
	uint32_t d;

	if (!dbcs)
		return -1;
	for (k = 0; k < c->m->nprocesses; k++) {
		memset(dbcs, 0, UINT16_MAX + 1);
		for (i = 0; i < c->m->ninf; i++)
			if (c->m->inf[i].process == k && !api_inference(&c->m->inf[i]))
				dbcs[c->m->inf[i].dbc_id] = 1;
		for (d = 0; d <= UINT16_MAX; d++) {
			if (!dbcs[d])
				continue;
			collect(c, true, QP_NONE, (uint32_t)k, d);
			if (!c->n)
				continue;
			fprintf(c->f, "\n== kernel-only inferences, pid %d, dbc %" PRIu32 " ==\n",
				c->m->processes[k].pid, d);
			fprintf(c->f, "  no QAic API events (the application uses the C++ or Python bindings):\n"
				"  only kernel-visible phases are measured; enqueue, pre- and post-processing are unknown\n");
			kernel_only_table(c);
		}
	}
	free(dbcs);
	return 0;
}

static void accounting(struct ctx *c)
{
	static const char *const how[QP_MATCH__COUNT] = {
		"none", "BO handles", "FIFO per DBC", "kernel-only",
	};
	const struct qp_model *m = c->m;
	size_t k;
	int j;

	fprintf(c->f, "\n== accounting ==\n");
	fprintf(c->f, "  events: %" PRIu64 " qprof events read, %zu processes, %zu hosts\n",
		m->events, m->nprocesses, m->nhosts);
	fprintf(c->f, "  lost: %" PRIu64 " discarded events, %" PRIu64 " discarded packets\n",
		m->discarded_events, m->discarded_packets);
	for (k = 0; k < m->nprocesses; k++)
		if (m->processes[k].discarded_events)
			fprintf(c->f, "    pid %d: %" PRIu64 " events lost\n",
				m->processes[k].pid, m->processes[k].discarded_events);
	fprintf(c->f, "  matching (completed inferences):");
	for (j = 1; j < QP_MATCH__COUNT; j++)
		fprintf(c->f, " %s %" PRIu64 "%s", how[j], m->matched[j],
			j + 1 < QP_MATCH__COUNT ? "," : "\n");
	fprintf(c->f, "  incomplete (all programs, excluded from statistics): no completion %" PRIu64
		", lost events %" PRIu64 ", failed %" PRIu64 ", unmatched %" PRIu64 "\n",
		m->state_count[QP_INF_NO_COMPLETION], m->state_count[QP_INF_LOST_EVENTS],
		m->state_count[QP_INF_FAILED], m->state_count[QP_INF_UNMATCHED]);
	fprintf(c->f, "  shim cost: %" PRIu64 " PERF_STATS_BO queries issued by the shim itself\n",
		m->shim_perf_queries);
	if (c->o && c->o->merge) {
		const struct qp_merge_result *r = c->o->merge;

		fprintf(c->f, "  device dumps: %" PRIu64 " rows, %" PRIu64 " matched, %" PRIu64
			" contradicted by kernel perf stats, %" PRIu64 " without a recorded inference, %" PRIu64
			" matched without device columns (N/A)\n",
			r->rows, r->matched, r->mismatched, r->unmatched, r->no_device);
	}
}

/* The title counts what the selection's process (--pid) recorded. */
static void title(FILE *f, const struct qp_model *m,
		  const struct qp_write_opts *o)
{
	int32_t pid = o ? o->pid : 0;
	size_t ninf = 0, nproc = 0, k;

	for (k = 0; k < m->nprocesses; k++)
		nproc += !pid || m->processes[k].pid == pid;
	for (k = 0; k < m->ninf; k++)
		ninf += !pid || (m->inf[k].process < m->nprocesses &&
				 m->processes[m->inf[k].process].pid == pid);
	fprintf(f, "qprof-report summary: %zu inferences recorded in %zu process%s%s; times in ms\n",
		ninf, nproc, nproc == 1 ? "" : "es",
		pid ? " (--pid)" : "");
}

int qp_write_summary(FILE *f, const struct qp_model *m,
		     const struct qp_write_opts *o)
{
	struct ctx c = { .f = f, .m = m, .o = o };
	size_t napi;
	int rc = -1;

	c.buf = malloc((m->ninf ? m->ninf : 1) * sizeof(*c.buf));
	c.idx = malloc((m->ninf ? m->ninf : 1) * sizeof(*c.idx));
	if (!c.buf || !c.idx)
		goto out;
	title(f, m, o);
	if (o && o->note) {
		qp_text_fputs(o->note, f);
		fputc('\n', f);
	}
	fprintf(f, "qprof's phases are boundary phases (enq + preProc + execTotal + postProc = totalRoundtripTime);\n"
		"they contain the runtime's internal phases of the same names plus thread hand-offs.\n");
	napi = program_sections(&c);
	/* one program: its section already is the whole */
	if (napi != 1) {
		collect(&c, false, QP_NONE, QP_NONE, 0);
		if (c.n) {
			fprintf(f, "\n== all programs ==\n");
			api_section(&c);
			incomplete_line(&c, QP_NONE);
		}
	}
	if (kernel_only_sections(&c))
		goto out;
	accounting(&c);
	rc = ferror(f) ? -1 : 0;
out:
	free(c.buf);
	free(c.idx);
	return rc;
}
