// SPDX-License-Identifier: MIT
/*
 * --html FILE (html.h, docs/REPORT-FORMATS.md "HTML report").
 *
 * The page is: a head with a Content-Security-Policy that allows inline
 * scripts and styles and nothing else (no fetch, image, font or frame
 * from anywhere), d3.js inlined, the report's data as one JSON document
 * in a <script type="application/json"> element, and the renderer
 * (html_report.js, compiled in as qp_html_js, post/html_js.h).  The data is built with
 * jansson from the model; every string from the trace goes through
 * qp_utf8_dup (valid UTF-8) and the document's '<', '>' and '&' are
 * written as \u escapes, so nothing in it can end the element; the
 * renderer writes strings with textContent only.
 *
 * What is computed here, per program, from the selected completed
 * inferences (every value from qp_metric_value / qp_part_split):
 *   - per phase: 50-bin histogram from the minimum to the p99 (values
 *     above it counted apart), the CDF at 118 probabilities (dense in the
 *     tail), p50/p90/p99/mean/max;
 *   - latency over time: every inference above the p99 of the round trip,
 *     and every k-th of the others in time order, k chosen so that at
 *     most QP_HTML_MAX_POINTS are drawn (the page says so);
 *   - the profile (findings.h): waiting/working split of the mean and of
 *     the p99 tail, findings;
 *   - the slowest QP_HTML_SLOWEST inferences.
 * And for the whole selection the --by tables (program, thread, queue,
 * call site) and the accounting.
 */
#include "devreport.h"
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytable.h"
#include "escape.h"
#include "findings.h"
#include "html.h"
#include "outfile.h"
#include "reader.h"
#include "stats.h"

#ifndef QPROF_D3_JS
#define QPROF_D3_JS "/usr/share/javascript/d3/d3.min.js"
#endif

#include "post/html_js.h"	/* qp_html_js: html_report.js (view.am) */

#define HIST_BINS 50

const char *qp_html_d3_path(void)
{
	const char *e = getenv("QPROF_D3_JS");

	return e && *e ? e : QPROF_D3_JS;
}

int qp_html_check_d3(char *err, size_t errlen)
{
	const char *p = qp_html_d3_path();
	FILE *f = fopen(p, "r");

	if (f) {
		fclose(f);
		return 0;
	}
	snprintf(err, errlen, "--html needs d3.js, from the Debian package libjs-d3: cannot read %s (%s); install it (scripts/install-deps) or name the file in QPROF_D3_JS",
		 p, strerror(errno));
	return -1;
}

/* ---- JSON helpers --------------------------------------------------------- */

static json_t *str(const char *s)
{
	char *u = qp_utf8_dup(s ? s : "");
	json_t *j = json_string(u ? u : "");

	free(u);
	return j;
}

/* A number, or null for NaN / inf (JSON has neither). */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Round to 3 decimals (µs -> ns resolution): a smaller page. */
static double r3(double v)
{
	return isfinite(v) ? round(v * 1000) / 1000 : v;
}

/* ---- per program ------------------------------------------------------------ */

/* Phases charted, in this order. */
static const enum qp_metric phases[] = {
	QP_M_ENQ, QP_M_PRE_PROC, QP_M_EXEC_TOTAL, QP_M_EXEC_TO_COMPLETE,
	QP_M_POST_PROC, QP_M_TOTAL_ROUND_TRIP,
};
#define NPHASES (sizeof(phases) / sizeof(phases[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Histogram, CDF and statistics of v[0..n) (sorted here). */
static json_t *phase_obj(double *v, size_t n)
{
	json_t *j = json_object(), *counts = json_array(), *cdf = json_array();
	double lo, hi, w;
	size_t k, c[HIST_BINS] = { 0 }, over = 0;
	int b;

	qsort(v, n, sizeof(*v), cmp_double);
	lo = v[0];
	hi = qp_quantile_sorted(v, n, 0.99);
	if (!(hi > lo))
		hi = v[n - 1] > lo ? v[n - 1] : lo + 1;
	w = (hi - lo) / HIST_BINS;
	for (k = 0; k < n; k++) {
		if (v[k] > hi) {
			over++;
			continue;
		}
		b = (int)((v[k] - lo) / w);
		c[b >= HIST_BINS ? HIST_BINS - 1 : b]++;
	}
	for (b = 0; b < HIST_BINS; b++)
		json_array_append_new(counts, json_integer((json_int_t)c[b]));
	json_object_set_new(j, "lo", num(r3(lo)));
	json_object_set_new(j, "width", num(w));
	json_object_set_new(j, "counts", counts);
	json_object_set_new(j, "above", json_integer((json_int_t)over));
	/* CDF: p = 0, 0.01 .. 0.99, then 0.991 .. 0.999, 0.9991 .. 0.9999, 1 */
	for (k = 0; k < 118; k++) {
		double p = k < 100 ? k / 100.0 : k < 109 ? 0.99 + (k - 99) / 1000.0 :
			   k < 117 ? 0.999 + (k - 108) / 10000.0 : 1.0;

		json_array_append_new(cdf, json_pack("[of]",
			num(r3(qp_quantile_sorted(v, n, p))), p));
	}
	json_object_set_new(j, "cdf", cdf);
	json_object_set_new(j, "count", json_integer((json_int_t)n));
	json_object_set_new(j, "p50", num(r3(qp_quantile_sorted(v, n, 0.5))));
	json_object_set_new(j, "p90", num(r3(qp_quantile_sorted(v, n, 0.9))));
	json_object_set_new(j, "p99", num(r3(qp_quantile_sorted(v, n, 0.99))));
	json_object_set_new(j, "max", num(r3(v[n - 1])));
	{
		double s = 0;

		for (k = 0; k < n; k++)
			s += v[k];
		json_object_set_new(j, "mean", num(r3(s / (double)n)));
	}
	return j;
}

/* The round trip the report uses: totalRoundtripTime, execTotal for kernel-only. */
static bool round_trip(const struct qp_model *m, const struct qp_inference *i,
		       double *v)
{
	return qp_metric_value(m, i, QP_M_TOTAL_ROUND_TRIP, 0, v) ||
	       qp_metric_value(m, i, QP_M_EXEC_TOTAL, 0, v);
}

/* A call site's label: the symbol, else the return address. */
static json_t *callsite_label(const struct qp_model *m, uint32_t cs)
{
	char buf[64];

	if (cs == QP_NONE || cs >= m->ncallsites)
		return json_string("(unknown call site)");
	if (m->callsites[cs].symbol)
		return str(m->callsites[cs].symbol);
	snprintf(buf, sizeof(buf), "0x%" PRIx64, m->callsites[cs].ips[0]);
	return json_string(buf);
}

static int32_t pid_of(const struct qp_model *m, const struct qp_inference *i)
{
	return i->process < m->nprocesses ? m->processes[i->process].pid : -1;
}

/*
 * One inference, for the over-time chart and the slowest list:
 * [t s, round trip µs, seq, pid, tid (enqueue), submitting tid, call
 *  site index or -1, enq, preProc, execTotal, postProc (µs or null)]
 */
static json_t *inf_row(const struct qp_model *m, size_t k, uint64_t t0, double rt)
{
	const struct qp_inference *i = &m->inf[k];
	json_t *a = json_array();
	static const enum qp_metric ph[4] = {
		QP_M_ENQ, QP_M_PRE_PROC, QP_M_EXEC_TOTAL, QP_M_POST_PROC,
	};
	int p;

	json_array_append_new(a, json_real(round((double)(i->t0 - t0) / 1e3) / 1e6));
	json_array_append_new(a, num(r3(rt)));
	json_array_append_new(a, json_integer(i->seq));
	json_array_append_new(a, json_integer(pid_of(m, i)));
	json_array_append_new(a, json_integer(i->enq_tid));
	json_array_append_new(a, json_integer(i->submit_tid));
	json_array_append_new(a, json_integer(i->callsite == QP_NONE ||
					      i->callsite >= m->ncallsites ?
					      -1 : (json_int_t)i->callsite));
	for (p = 0; p < 4; p++) {
		double v;

		json_array_append_new(a, qp_metric_value(m, i, ph[p], 0, &v) ?
				      num(r3(v)) : json_null());
	}
	return a;
}

struct rt_idx {
	double rt;
	uint32_t k;
};

static int cmp_rt_desc(const void *a, const void *b)
{
	const struct rt_idx *x = a, *y = b;

	if (x->rt != y->rt)
		return x->rt < y->rt ? 1 : -1;
	return (x->k > y->k) - (x->k < y->k);
}

/* Latency over time (reduced) and the slowest inferences. */
static int over_time(json_t *pj, const struct qp_model *m, const uint32_t *idx,
		     size_t n, uint64_t t0)
{
	struct rt_idx *r = malloc((n + 1) * sizeof(*r));
	double *s = malloc((n + 1) * sizeof(*s)), p99;
	json_t *pts = json_array(), *slow = json_array(), *red = json_object();
	size_t k, nr = 0, ntail = 0, step = 1, kept = 0, rest;

	if (!r || !s) {
		free(r);
		free(s);
		json_decref(pts);
		json_decref(slow);
		json_decref(red);
		return -1;
	}
	for (k = 0; k < n; k++) {
		double v;

		if (round_trip(m, &m->inf[idx[k]], &v)) {
			r[nr] = (struct rt_idx){ v, idx[k] };
			s[nr++] = v;
		}
	}
	qsort(s, nr, sizeof(*s), cmp_double);
	p99 = nr ? qp_quantile_sorted(s, nr, 0.99) : 0;
	for (k = 0; k < nr; k++)
		ntail += r[k].rt > p99;
	rest = nr - ntail;
	if (nr > QP_HTML_MAX_POINTS) {
		size_t room = QP_HTML_MAX_POINTS > ntail ? QP_HTML_MAX_POINTS - ntail : 1;

		step = (rest + room - 1) / room;
		if (!step)
			step = 1;
	}
	/* r is in model (time) order here */
	for (k = 0, rest = 0; k < nr; k++) {
		bool tail = r[k].rt > p99;

		if (!tail && rest++ % step)
			continue;
		json_array_append_new(pts, inf_row(m, r[k].k, t0, r[k].rt));
		kept++;
	}
	json_object_set_new(red, "inferences", json_integer((json_int_t)nr));
	json_object_set_new(red, "drawn", json_integer((json_int_t)kept));
	json_object_set_new(red, "tail_from_us", num(r3(p99)));
	json_object_set_new(red, "tail", json_integer((json_int_t)ntail));
	json_object_set_new(red, "every", json_integer((json_int_t)step));
	json_object_set_new(pj, "reduction", red);
	json_object_set_new(pj, "points", pts);
	qsort(r, nr, sizeof(*r), cmp_rt_desc);
	for (k = 0; k < nr && k < QP_HTML_SLOWEST; k++)
		json_array_append_new(slow, inf_row(m, r[k].k, t0, r[k].rt));
	json_object_set_new(pj, "slowest", slow);
	free(r);
	free(s);
	return 0;
}

static json_t *split_obj(const struct qp_profile *p)
{
	json_t *j = json_object(), *parts = json_array();
	int k;

	for (k = 0; k < QP_PART__COUNT; k++) {
		json_t *e = json_object();

		json_object_set_new(e, "name", json_string(qp_part_name(k)));
		json_object_set_new(e, "label", json_string(qp_part_label(k)));
		json_object_set_new(e, "waiting", json_boolean(qp_part_is_wait(k)));
		json_object_set_new(e, "mean_us", num(r3(p->mean_us[k])));
		json_object_set_new(e, "tail_us", num(r3(p->tail_us[k])));
		json_array_append_new(parts, e);
	}
	json_object_set_new(j, "parts", parts);
	json_object_set_new(j, "inferences", json_integer((json_int_t)p->nsplit));
	json_object_set_new(j, "mean_total_us", num(r3(p->mean_total_us)));
	json_object_set_new(j, "tail_from_us", num(r3(p->tail_from_us)));
	json_object_set_new(j, "tail_inferences", json_integer((json_int_t)p->ntail));
	json_object_set_new(j, "tail_total_us", num(r3(p->tail_total_us)));
	json_object_set_new(j, "runtime_measured", json_integer((json_int_t)p->nsplit_rt));
	json_object_set_new(j, "device_measured", json_integer((json_int_t)p->nsplit_dev));
	return j;
}

static json_t *findings_arr(const struct qp_profile *p)
{
	struct qp_finding f[QP_FIND__COUNT];
	size_t n = qp_findings(p, f), k, e;
	json_t *a = json_array();

	for (k = 0; k < n; k++) {
		json_t *j = json_object(), *ev = json_array();

		json_object_set_new(j, "kind", json_string(qp_finding_name(f[k].kind)));
		json_object_set_new(j, "score", num(f[k].score));
		json_object_set_new(j, "text", str(f[k].text));
		json_object_set_new(j, "advice", str(f[k].advice));
		for (e = 0; e < f[k].nev; e++)
			json_array_append_new(ev, json_pack("{s:s,s:o,s:s}",
				"name", f[k].ev[e].name, "value", num(f[k].ev[e].value),
				"unit", f[k].ev[e].unit ? f[k].ev[e].unit : ""));
		json_object_set_new(j, "evidence", ev);
		json_array_append_new(a, j);
	}
	return a;
}

static bool kept(const struct qp_write_opts *o, size_t k)
{
	return !o || !o->select || o->select[k];
}

static json_t *program_obj(const struct qp_model *m, const struct qp_write_opts *o,
			   uint32_t prog, uint32_t *idx, double *buf, uint64_t t0)
{
	const struct qp_program *pg = &m->programs[prog];
	json_t *j = json_object(), *ph = json_object();
	struct qp_profile prof;
	size_t n = 0, k, c;

	for (k = 0; k < m->ninf; k++)
		if (m->inf[k].program == prog && m->inf[k].state == QP_INF_OK &&
		    kept(o, k))
			idx[n++] = (uint32_t)k;
	if (!n) {
		json_decref(j);
		json_decref(ph);
		return NULL;
	}
	json_object_set_new(j, "name", str(pg->name));
	json_object_set_new(j, "pid", json_integer(pg->process < m->nprocesses ?
						   m->processes[pg->process].pid : -1));
	json_object_set_new(j, "dbc_id", pg->dbc_id == QP_NONE ? json_null() :
			    json_integer(pg->dbc_id));
	json_object_set_new(j, "completed", json_integer((json_int_t)n));
	for (c = 0; c < NPHASES; c++) {
		size_t nv = 0;

		for (k = 0; k < n; k++)
			if (qp_metric_value(m, &m->inf[idx[k]], phases[c], 0, &buf[nv]))
				nv++;
		if (nv)
			json_object_set_new(ph, qp_metric_label(phases[c]),
					    phase_obj(buf, nv));
	}
	json_object_set_new(j, "phases", ph);
	if (over_time(j, m, idx, n, t0)) {
		json_decref(j);
		return NULL;
	}
	if (!qp_profile_compute(m, idx, n, &prof)) {
		json_object_set_new(j, "throughput_per_s", num(prof.inf_per_s));
		json_object_set_new(j, "split", split_obj(&prof));
		json_object_set_new(j, "findings", findings_arr(&prof));
	}
	return j;
}

/* ---- --by tables (bytable.h: the rows qprof-report --by prints) ---------- */

/* Rows: [label, count, mean, p50, p99, max, enq, preProc, execTotal, postProc] */
static json_t *by_table(const struct qp_model *m, const struct qp_write_opts *o,
			enum qp_by_key key)
{
	struct qp_by_row *rows = NULL;
	json_t *a = json_array();
	uint8_t *all = NULL;
	const uint8_t *sel = o ? o->select : NULL;
	size_t n = 0, k;
	int p;

	if (!sel) {		/* qp_by_rows takes a selection: all */
		all = malloc(m->ninf + 1);
		if (all)
			memset(all, 1, m->ninf + 1);
		sel = all;
	}
	if (!sel || qp_by_rows(m, sel, key, &rows, &n)) {
		free(all);
		json_decref(a);
		return NULL;
	}
	free(all);
	for (k = 0; k < n; k++) {
		char label[1024];
		json_t *row;

		qp_by_label(m, &m->inf[rows[k].first], key, label, sizeof(label));
		row = json_pack("[o,I,o,o,o,o]", str(label), (json_int_t)rows[k].rt.count,
				num(r3(rows[k].rt.mean)), num(r3(rows[k].rt.pct[QP_P50])),
				num(r3(rows[k].rt.pct[QP_P99])), num(r3(rows[k].rt.max)));
		for (p = 0; p < QP_BY_PHASE__COUNT; p++)
			json_array_append_new(row, num(r3(rows[k].phase_mean_us[p])));
		json_array_append_new(a, row);
	}
	free(rows);
	return a;
}

static json_t *accounting(const struct qp_model *m, const struct qp_read_stats *st)
{
	static const char *const match[QP_MATCH__COUNT] = {
		"none", "bo_handles", "fifo_per_dbc", "kernel_only",
	};
	static const char *const state[QP_INF__COUNT] = {
		"ok", "no_completion", "lost_events", "failed", "unmatched",
	};
	json_t *j = json_object(), *mt = json_object(), *inc = json_object();
	json_t *losses = json_array();
	size_t k;

	json_object_set_new(j, "events", json_integer((json_int_t)m->events));
	json_object_set_new(j, "processes", json_integer((json_int_t)m->nprocesses));
	json_object_set_new(j, "hosts", json_integer((json_int_t)m->nhosts));
	json_object_set_new(j, "discarded_events", json_integer((json_int_t)m->discarded_events));
	json_object_set_new(j, "discarded_packets", json_integer((json_int_t)m->discarded_packets));
	for (k = 1; k < QP_MATCH__COUNT; k++)
		json_object_set_new(mt, match[k], json_integer((json_int_t)m->matched[k]));
	json_object_set_new(j, "matched", mt);
	for (k = 1; k < QP_INF__COUNT; k++)
		json_object_set_new(inc, state[k], json_integer((json_int_t)m->state_count[k]));
	json_object_set_new(j, "incomplete", inc);
	json_object_set_new(j, "shim_perf_queries", json_integer((json_int_t)m->shim_perf_queries));
	for (k = 0; st && k < st->nlosses; k++) {
		const struct qp_stream_loss *l = &st->losses[k];

		json_array_append_new(losses, json_pack("{s:o,s:o,s:i,s:I,s:I}",
			"trace", str(l->trace), "stream", str(l->stream), "pid", l->pid,
			"events", (json_int_t)l->events, "packets", (json_int_t)l->packets));
	}
	json_object_set_new(j, "losses", losses);
	return j;
}

static json_t *report_doc(const struct qp_model *m, const struct qp_write_opts *o,
			  const struct qp_read_stats *st)
{
	json_t *root = json_object(), *progs = json_array(), *by = json_object();
	json_t *cs = json_array();
	uint32_t *idx = malloc((m->ninf + 1) * sizeof(*idx));
	double *buf = malloc((m->ninf + 1) * sizeof(*buf));
	uint64_t t0 = UINT64_MAX;
	size_t k;
	int b;

	if (!idx || !buf || !root) {
		json_decref(root);
		root = NULL;
		goto out;
	}
	for (k = 0; k < m->ninf; k++)
		if (kept(o, k) && m->inf[k].state == QP_INF_OK && m->inf[k].t0 < t0)
			t0 = m->inf[k].t0;
	json_object_set_new(root, "kind", json_string("report"));
	json_object_set_new(root, "note", o && o->note ? str(o->note) : json_null());
	json_object_set_new(root, "t0_ns", json_integer((json_int_t)(t0 == UINT64_MAX ? 0 : t0)));
	json_object_set_new(root, "max_points", json_integer(QP_HTML_MAX_POINTS));
	for (k = 0; k < m->nprograms; k++) {
		json_t *p = program_obj(m, o, (uint32_t)k, idx, buf, t0);

		if (p)
			json_array_append_new(progs, p);
	}
	json_object_set_new(root, "programs", progs);
	for (k = 0; k < m->ncallsites; k++)
		json_array_append_new(cs, callsite_label(m, (uint32_t)k));
	json_object_set_new(root, "callsites", cs);
	for (b = 0; b < QP_BY__COUNT; b++) {
		json_t *t = by_table(m, o, (enum qp_by_key)b);

		if (!t) {
			json_decref(root);
			json_decref(by);
			root = NULL;
			goto out;
		}
		json_object_set_new(by, qp_by_name((enum qp_by_key)b), t);
	}
	json_object_set_new(root, "by", by);
	json_object_set_new(root, "accounting", accounting(m, st));
	/* the device level: the JSON report's "device" object (devreport.c) */
	if (o && o->device)
		json_object_set_new(root, "device", qp_devreport_json(o->device, m));
out:
	free(idx);
	free(buf);
	return root;
}

/* ---- the page ---------------------------------------------------------------------- */

/* s inside a <script> element: no "</script" (any case), no "<!--". */
static void put_script(FILE *f, const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		if (s[k] == '<' && k + 1 < n && (s[k + 1] == '/' || s[k + 1] == '!')) {
			fputs("<\\", f);	/* "<\/" and "<\!" mean the same in JS strings */
			continue;
		}
		fputc(s[k], f);
	}
}

/* JSON text inside a <script type="application/json">: <, >, & as \u. */
static void put_json(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("\\u003c", f); break;
		case '>': fputs("\\u003e", f); break;
		case '&': fputs("\\u0026", f); break;
		default: fputc(*s, f);
		}
	}
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		snprintf(err, errlen, "--html: cannot read d3.js %s: %s (Debian package libjs-d3; or set QPROF_D3_JS)",
			 path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t r;

		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 1 << 18);

			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static const char page_head[] =
"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
"script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
"<meta name=\"generator\" content=\"qprof-report " PACKAGE_VERSION "\">\n"
"<title>qprof report</title>\n<style>\n"
"body{font:14px/1.4 sans-serif;margin:1em 2em;color:#222}\n"
"h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}h3{font-size:1.05em}\n"
"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}\n"
"td.l,th.l{text-align:left}tr.marked td{background:#fde2c8}\n"
".charts{display:flex;flex-wrap:wrap;gap:12px}.chart{font:11px sans-serif}\n"
".chart .axis path,.chart .axis line{fill:none;stroke:#888;shape-rendering:crispEdges}\n"
".chart path.series{fill:none;stroke-width:1.5px}.note{color:#555;font-size:.9em}\n"
"#detail{position:fixed;right:1em;bottom:1em;background:#fff;border:1px solid #888;padding:.5em;max-width:40em;white-space:pre-wrap;font:12px monospace}\n"
"</style>\n";

static int write_page(const char *path, json_t *doc, char *err, size_t errlen)
{
	struct qp_outfile out;
	size_t d3len = 0;
	char *d3 = read_file(qp_html_d3_path(), &d3len, err, errlen);
	char *data;
	int rc = -1;

	if (!d3)
		return -1;
	data = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
	if (!data) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(d3);
		return -1;
	}
	if (qp_outfile_open(&out, path, err, errlen))
		goto out;
	fputs(page_head, out.f);
	fputs("<script>\n", out.f);
	put_script(out.f, d3, d3len);
	fputs("\n</script>\n</head>\n<body>\n<div id=\"app\"><p>qprof-report: this page needs JavaScript.</p></div>\n"
	      "<div id=\"detail\" hidden></div>\n"
	      "<script type=\"application/json\" id=\"qprof-data\">", out.f);
	put_json(out.f, data);
	fputs("</script>\n<script>\n", out.f);
	put_script(out.f, qp_html_js, strlen(qp_html_js));
	fputs("\n</script>\n</body>\n</html>\n", out.f);
	if (ferror(out.f)) {
		snprintf(err, errlen, "%s: write error", path);
		qp_outfile_abort(&out);
		goto out;
	}
	rc = qp_outfile_commit(&out, err, errlen);
out:
	free(data);
	free(d3);
	return rc;
}

int qp_write_html(const char *path, const struct qp_model *m,
		  const struct qp_write_opts *o, const struct qp_read_stats *st,
		  char *err, size_t errlen)
{
	json_t *doc = report_doc(m, o, st);
	int rc;

	if (!doc) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	rc = write_page(path, doc, err, errlen);
	json_decref(doc);
	return rc;
}

int qp_write_html_compare(const char *path, const struct qp_cmp_report *r,
			  char *err, size_t errlen)
{
	json_t *doc = qp_cmp_json(r);
	int rc;

	if (!doc) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	json_object_set_new(doc, "kind", json_string("compare"));
	rc = write_page(path, doc, err, errlen);
	json_decref(doc);
	return rc;
}
