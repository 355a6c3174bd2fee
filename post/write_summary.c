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
#include "findings.h"
#include "stats.h"
#include "write_multidev.h"
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

/* The times among ms[] (ms), one table. */
static void time_table(struct ctx *c, const enum qp_metric *ms, size_t nm)
{
	size_t k;

	table_head(c, "metric (ms)");
	for (k = 0; k < nm; k++)
		if (qp_metric_is_time(ms[k]))
			table_row(c, qp_metric_label(ms[k]), metric_values(c, ms[k]),
				  1000.0, 4);
}

/* The counts among ms[] (devInfPerSec, queue levels): a table of their own. */
static void count_table(struct ctx *c, const enum qp_metric *ms, size_t nm)
{
	static const char *const count_label[QP_M__COUNT] = {
		[QP_M_DEV_INF_PER_SEC] = "devInfPerSec (inf/s)",
		[QP_M_QUEUE_DEPTH] = "queueDepth (elem.)",
		[QP_M_NUM_INF_IN_QUEUE] = "numInfInQueue (inf.)",
	};
	size_t k, n;
	bool head = false;

	for (k = 0; k < nm; k++) {
		if (qp_metric_is_time(ms[k]) || !(n = metric_values(c, ms[k])))
			continue;
		if (!head)
			table_head(c, "count (not a time)");
		head = true;
		table_row(c, count_label[ms[k]] ? count_label[ms[k]] :
			  qp_metric_label(ms[k]), n, 1.0, 2);
	}
}

/* Why devExec & co. are missing from the tables above, when they are. */
static void device_na_line(struct ctx *c)
{
	size_t with;
	const char *why = qp_device_na_reason(c->m, c->idx, c->n,
					      c->o ? c->o->merge : NULL, &with);

	if (!why)
		return;
	if (with)
		fprintf(c->f, "  device columns (devExec, devInWaitTime, devOutWaitTime, devInfPerSec) for %zu of %zu inferences, N/A for the others: %s\n",
			with, c->n, why);
	else
		fprintf(c->f, "  device columns (devExec, devInWaitTime, devOutWaitTime, devInfPerSec) N/A: %s\n",
			why);
}

static double pct_of(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0.0;
}

/* "Where the time goes": the waiting/working split, mean and p99 tail. */
static void where_time_goes(struct ctx *c, const struct qp_profile *p)
{
	double wait[2] = { 0 }, work[2] = { 0 };
	int k;

	if (!p->nsplit)
		return;
	fprintf(c->f, "  where the time goes (waiting and working; mean of %zu inferences %.4f ms, "
		"p99 tail: the %zu at or above %.4f ms, %.4f ms):\n",
		p->nsplit, p->mean_total_us / 1e3, p->ntail, p->tail_from_us / 1e3,
		p->tail_total_us / 1e3);
	fprintf(c->f, "    %-30s %-4s %11s %6s %13s %6s\n", "part", "", "mean (ms)",
		"%", "p99 tail (ms)", "%");
	for (k = 0; k < QP_PART__COUNT; k++) {
		bool w = qp_part_is_wait(k);

		fprintf(c->f, "    %-30s %-4s %11.4f %5.1f%% %13.4f %5.1f%%\n",
			qp_part_label(k), w ? "wait" : "work", p->mean_us[k] / 1e3,
			pct_of(p->mean_us[k], p->mean_total_us), p->tail_us[k] / 1e3,
			pct_of(p->tail_us[k], p->tail_total_us));
		(w ? wait : work)[0] += p->mean_us[k];
		(w ? wait : work)[1] += p->tail_us[k];
	}
	fprintf(c->f, "    %-30s %-4s %11.4f %5.1f%% %13.4f %5.1f%%\n", "waiting", "",
		wait[0] / 1e3, pct_of(wait[0], p->mean_total_us), wait[1] / 1e3,
		pct_of(wait[1], p->tail_total_us));
	fprintf(c->f, "    %-30s %-4s %11.4f %5.1f%% %13.4f %5.1f%%\n", "working", "",
		work[0] / 1e3, pct_of(work[0], p->mean_total_us), work[1] / 1e3,
		pct_of(work[1], p->tail_total_us));
	fprintf(c->f, "    (runtime wait/work from the runtime's dump for %zu of %zu, else from the worker's previous inference; "
		"device work is devExec for %zu, else the kernel's completion; docs/MATCHING.md)\n",
		p->nsplit_rt, p->nsplit, p->nsplit_dev);
	if (!isnan(p->doorbell_unc_p50_us))
		fprintf(c->f, "    (the doorbell, between kernel submit and the device, is known within +-%.4f ms at p50, "
			"+-%.4f ms at p99: half the EXECUTE ioctl beyond the kernel's own submit latency)\n",
			p->doorbell_unc_p50_us / 1e3, p->doorbell_unc_p99_us / 1e3);
}

static void throughput(struct ctx *c, const struct qp_profile *p)
{
	if (isnan(p->inf_per_s))
		return;
	fprintf(c->f, "  throughput: %.1f inferences/s, ", p->inf_per_s);
	if (isnan(p->samples_per_s))
		fprintf(c->f, "samples/s unknown (batch size unknown: it comes from a merged runtime dump)");
	else
		fprintf(c->f, "%.1f samples/s (batch %" PRIu32 ")", p->samples_per_s, p->batch);
	fprintf(c->f, " (%zu completed in %.6f s, first enqueue to last completion)\n",
		p->n, p->span_s);
}

static void figures(struct ctx *c, const struct qp_profile *p)
{
	if (!p->nsplit)
		return;
	fprintf(c->f, "  figures: device utilisation ");
	if (isnan(p->device_util))
		fprintf(c->f, "unknown");
	else
		fprintf(c->f, "%.1f %% (%u DBC%s)", 100 * p->device_util, p->ndbc,
			p->ndbc == 1 ? "" : "s");
	fprintf(c->f, "; in flight %.2f (Little), at most %u; on the device %.2f; waiting for a worker %.2f",
		p->mean_in_flight, p->max_in_flight, p->mean_on_device,
		p->mean_waiting_worker);
	if (!isnan(p->mean_num_inf_in_queue))
		fprintf(c->f, "; numInfInQueue %.2f", p->mean_num_inf_in_queue);
	fprintf(c->f, "; %u app thread%s, %u submitting thread%s",
		p->app_threads, p->app_threads == 1 ? "" : "s",
		p->runtime_threads, p->runtime_threads == 1 ? "" : "s");
	if (p->ngaps)
		fprintf(c->f, "; host gap %.4f ms (%.1f %% of the app threads' time)",
			p->host_gap_mean_us / 1e3, 100 * p->host_gap_share);
	fputc('\n', c->f);
}

static void findings(struct ctx *c, const struct qp_profile *p)
{
	struct qp_finding f[QP_FIND__COUNT];
	size_t n, k;

	if (!p->nsplit)
		return;
	n = qp_findings(p, f);
	if (!n) {
		fprintf(c->f, "  findings: none applies (no limit stands out: docs/REPORT.md, \"Findings\")\n");
		return;
	}
	fprintf(c->f, "  findings (most explaining first):\n");
	for (k = 0; k < n; k++) {
		fprintf(c->f, "    %zu. %s: %s\n", k + 1, qp_finding_name(f[k].kind),
			f[k].text);
		fprintf(c->f, "       advice: %s\n", f[k].advice);
	}
}

static const enum qp_metric api_metrics[] = {
	QP_M_DEV_INF_PER_SEC, QP_M_DEV_EXEC, QP_M_DEV_IN_WAIT,
	QP_M_DEV_OUT_WAIT, QP_M_HOST_ROUND_TRIP, QP_M_ENQ, QP_M_PRE_PROC,
	QP_M_SUBMIT, QP_M_EXEC_TOTAL, QP_M_EXEC_TO_VC, QP_M_EXEC_TO_COMPLETE,
	QP_M_POST_PROC, QP_M_TOTAL_ROUND_TRIP, QP_M_QUEUE_DEPTH,
	QP_M_NUM_INF_IN_QUEUE,
};
#define NAPI (sizeof(api_metrics) / sizeof(api_metrics[0]))

static int api_section(struct ctx *c)
{
	struct qp_profile p;

	if (qp_profile_compute(c->m, c->idx, c->n, &p))
		return -1;
	throughput(c, &p);
	time_table(c, api_metrics, NAPI);
	count_table(c, api_metrics, NAPI);
	device_na_line(c);
	where_time_goes(c, &p);
	figures(c, &p);
	findings(c, &p);
	return 0;
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

/* The number of programs with completed API inferences, -1: out of memory. */
static long program_sections(struct ctx *c)
{
	long napi = 0;
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
		if (api_section(c))
			return -1;
		incomplete_line(c, p);
		if (qp_summary_devices(c->f, c->m, c->o, p))
			return -1;
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
	size_t nk = sizeof(kernel_metrics) / sizeof(kernel_metrics[0]);

	time_table(c, kernel_metrics, nk);
	kernel_extra_rows(c);
	count_table(c, kernel_metrics, nk);
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
	qp_summary_failures(c->f, m);
	if (c->o && c->o->merge) {
		const struct qp_merge_result *r = c->o->merge;

		fprintf(c->f, "  device dumps: %" PRIu64 " rows, %" PRIu64 " matched, %" PRIu64
			" contradicted by kernel perf stats, %" PRIu64 " without a recorded inference, %" PRIu64
			" matched without device columns (N/A)\n",
			r->rows, r->matched, r->mismatched, r->unmatched, r->no_device);
	}
}

/*
 * --pool-programs: the inferences of every program as one set.  Different
 * programs' latencies mixed in one distribution describe none of them,
 * hence only on request.
 */
static int pooled_section(struct ctx *c)
{
	collect(c, false, QP_NONE, QP_NONE, 0);
	if (!c->n)
		return 0;
	fprintf(c->f, "\n== all programs, pooled (--pool-programs: the statistics mix different programs) ==\n");
	if (api_section(c))
		return -1;
	incomplete_line(c, QP_NONE);
	return 0;
}

/* A number right-aligned in width w, "-" when unknown, then a blank. */
static void num_cell(FILE *f, int w, int decimals, double v)
{
	if (isnan(v))
		fprintf(f, "%*s ", w, "-");
	else
		fprintf(f, "%*.*f ", w, decimals, v);
}

/* By default: each program's own figures side by side, nothing pooled. */
static int side_by_side(struct ctx *c)
{
	struct qp_finding f[QP_FIND__COUNT];
	struct qp_profile p;
	struct qp_stats st;
	size_t total = 0, n, k;
	uint32_t prog;

	fprintf(c->f, "\n== all programs (each program's own figures; --pool-programs pools their inferences) ==\n");
	fprintf(c->f, "  %7s %9s %12s %12s %11s %11s  %-16s %s\n", "program",
		"completed", "inf/s", "samples/s", "mean (ms)", "p99 (ms)",
		"first finding", "name");
	for (prog = 0; prog < c->m->nprograms; prog++) {
		collect(c, false, prog, QP_NONE, 0);
		if (!c->n)
			continue;
		if (qp_profile_compute(c->m, c->idx, c->n, &p))
			return -1;
		total += c->n;
		for (k = n = 0; k < c->n; k++)
			if (qp_metric_value(c->m, &c->m->inf[c->idx[k]],
					    QP_M_TOTAL_ROUND_TRIP, 0, &c->buf[n]))
				n++;
		qp_stats_compute(c->buf, n, &st);
		fprintf(c->f, "  %7" PRIu32 " %9zu ", prog, c->n);
		num_cell(c->f, 12, 1, p.inf_per_s);
		num_cell(c->f, 12, 1, p.samples_per_s);
		num_cell(c->f, 11, 4, st.mean / 1e3);
		num_cell(c->f, 11, 4, st.pct[QP_P99] / 1e3);
		fprintf(c->f, " %-16s '",
			p.nsplit && qp_findings(&p, f) ? qp_finding_name(f[0].kind) :
			p.nsplit ? "none" : "-");
		/* names come from the trace: escaped, they cannot forge a line */
		qp_text_fputs(c->m->programs[prog].name ? c->m->programs[prog].name : "?",
			      c->f);
		fputs("'\n", c->f);
	}
	fprintf(c->f, "  %zu inferences completed in all programs; per-program statistics are not pooled\n",
		total);
	return 0;
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
	long napi;
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
	if (napi < 0)
		goto out;
	/* one program: its section already is the whole */
	if (napi > 1 && (o && o->pool_programs ? pooled_section(&c) :
			 side_by_side(&c)))
		goto out;
	if (kernel_only_sections(&c))
		goto out;
	accounting(&c);
	rc = ferror(f) ? -1 : 0;
out:
	free(c.buf);
	free(c.idx);
	return rc;
}
