// SPDX-License-Identifier: MIT
/*
 * --json: schema "qprof-report/2" (docs/REPORT-FORMATS.md).  Times are µs,
 * as in the runtime's latency file; statistics as in the summary, and
 * everything else the summary says: throughput, counts apart from times,
 * the waiting/working breakdown, the figures and findings (findings.h),
 * the all-programs section.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "devreport.h"
#include "bytable.h"
#include "escape.h"
#include "findings.h"
#include "genview.h"
#include "outfile.h"
#include "stats.h"
#include "write_multidev.h"
#include "writers.h"


/*
 * A string from the trace: jansson refuses ill-formed UTF-8 (json_string
 * returns NULL and the key would silently vanish), so such bytes become
 * U+FFFD (escape.h).
 */
static json_t *trace_string(const char *s)
{
	char *u = qp_utf8_dup(s);
	json_t *j = u ? json_string(u) : NULL;

	free(u);
	return j;
}

static const char *const state_name[QP_INF__COUNT] = {
	"ok", "no_completion", "lost_events", "failed", "unmatched",
};
static const char *const match_name[QP_MATCH__COUNT] = {
	"none", "bo", "fifo", "kernel_only",
};

static bool kept(const struct qp_write_opts *o, size_t k)
{
	return !o || !o->select || o->select[k];
}

static uint32_t batch_of(const struct qp_model *m, const struct qp_inference *i)
{
	return i->program < m->nprograms ? m->programs[i->program].batch : 0;
}

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *stats_obj(double *buf, size_t n)
{
	struct qp_stats s;
	json_t *o = json_object();
	int p;

	qp_stats_compute(buf, n, &s);
	json_object_set_new(o, "count", json_integer((json_int_t)n));
	json_object_set_new(o, "mean", num(s.mean));
	json_object_set_new(o, "min", num(s.min));
	for (p = 0; p < QP_P__COUNT; p++) {
		char key[16];

		snprintf(key, sizeof(key), "p%g", qp_pct_fraction(p) * 100);
		json_object_set_new(o, key, num(s.pct[p]));
	}
	json_object_set_new(o, "max", num(s.max));
	json_object_set_new(o, "stddev", num(s.stddev));
	return o;
}

static json_t *stats_json(const struct qp_stats *s)
{
	json_t *o = json_object();
	int p;

	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	json_object_set_new(o, "mean", num(s->mean));
	json_object_set_new(o, "min", num(s->min));
	for (p = 0; p < QP_P__COUNT; p++) {
		char key[16];

		snprintf(key, sizeof(key), "p%g", qp_pct_fraction(p) * 100);
		json_object_set_new(o, key, num(s->pct[p]));
	}
	json_object_set_new(o, "max", num(s->max));
	json_object_set_new(o, "stddev", num(s->stddev));
	return o;
}

/* The completed, selected inferences of program @prog (QP_NONE: all). */
static size_t section(const struct qp_model *m, const struct qp_write_opts *o,
		      uint32_t prog, uint32_t *idx)
{
	size_t k, n = 0;

	for (k = 0; k < m->ninf; k++) {
		const struct qp_inference *i = &m->inf[k];

		if ((prog == QP_NONE || i->program == prog) &&
		    i->state == QP_INF_OK && kept(o, k))
			idx[n++] = (uint32_t)k;
	}
	return n;
}

/*
 * Statistics of the section's metrics: times under "metrics_us" (µs),
 * counts (devInfPerSec, queueDepth, numInfInQueue) under "counts".
 */
static void metrics_objs(json_t *j, const struct qp_model *m,
			 const uint32_t *idx, size_t n, double *buf)
{
	json_t *times = json_object(), *counts = json_object();
	int mt;

	for (mt = 0; mt < QP_M__COUNT; mt++) {
		size_t k, c = 0;

		for (k = 0; k < n; k++) {
			const struct qp_inference *i = &m->inf[idx[k]];

			if (qp_metric_value(m, i, mt, batch_of(m, i), &buf[c]))
				c++;
		}
		if (c)
			json_object_set_new(qp_metric_is_time(mt) ? times : counts,
					    qp_metric_label(mt), stats_obj(buf, c));
	}
	json_object_set_new(j, "metrics_us", times);
	json_object_set_new(j, "counts", counts);
}

static json_t *parts_obj(const double us[QP_PART__COUNT], double total)
{
	json_t *o = json_object();
	int k;

	for (k = 0; k < QP_PART__COUNT; k++)
		json_object_set_new(o, qp_part_name(k), num(us[k]));
	json_object_set_new(o, "total", num(total));
	return o;
}

/* Waiting and working: mean, p99 tail, and each part's distribution. */
static json_t *breakdown_obj(const struct qp_model *m, const uint32_t *idx,
			     size_t n, double *buf, const struct qp_profile *p)
{
	struct qp_stats part[QP_PART__COUNT], total;
	json_t *b = json_object(), *kind = json_object(), *dist = json_object();
	json_t *tail;
	int k;

	if (qp_part_stats(m, idx, n, buf, part, &total)) {
		json_decref(b);
		return NULL;
	}
	json_object_set_new(b, "inferences", json_integer((json_int_t)p->nsplit));
	json_object_set_new(b, "runtime_measured", json_integer((json_int_t)p->nsplit_rt));
	json_object_set_new(b, "device_measured", json_integer((json_int_t)p->nsplit_dev));
	for (k = 0; k < QP_PART__COUNT; k++)
		json_object_set_new(kind, qp_part_name(k),
				    json_string(qp_part_is_wait(k) ? "wait" : "work"));
	json_object_set_new(b, "kind", kind);
	json_object_set_new(b, "mean_us", parts_obj(p->mean_us, p->mean_total_us));
	tail = parts_obj(p->tail_us, p->tail_total_us);
	json_object_set_new(tail, "from_us", num(p->tail_from_us));
	json_object_set_new(tail, "inferences", json_integer((json_int_t)p->ntail));
	json_object_set_new(b, "p99_tail_us", tail);
	tail = json_object();
	json_object_set_new(tail, "p50", num(p->doorbell_unc_p50_us));
	json_object_set_new(tail, "p99", num(p->doorbell_unc_p99_us));
	json_object_set_new(b, "doorbell_uncertainty_us", tail);
	for (k = 0; k < QP_PART__COUNT; k++)
		json_object_set_new(dist, qp_part_name(k), stats_json(&part[k]));
	json_object_set_new(dist, "total", stats_json(&total));
	json_object_set_new(b, "parts_us", dist);
	return b;
}

static json_t *profile_obj(const struct qp_profile *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "device_utilisation", num(p->device_util));
	json_object_set_new(o, "dbcs", json_integer(p->ndbc));
	json_object_set_new(o, "mean_devexec_us", num(p->mean_devexec_us));
	json_object_set_new(o, "mean_in_flight", num(p->mean_in_flight));
	json_object_set_new(o, "max_in_flight", json_integer(p->max_in_flight));
	json_object_set_new(o, "mean_on_device", num(p->mean_on_device));
	json_object_set_new(o, "mean_waiting_worker", num(p->mean_waiting_worker));
	json_object_set_new(o, "mean_num_inf_in_queue", num(p->mean_num_inf_in_queue));
	json_object_set_new(o, "runtime_threads", json_integer(p->runtime_threads));
	json_object_set_new(o, "app_threads", json_integer(p->app_threads));
	json_object_set_new(o, "host_gaps", json_integer((json_int_t)p->ngaps));
	json_object_set_new(o, "host_gap_mean_us", num(p->host_gap_mean_us));
	json_object_set_new(o, "host_gap_share", p->ngaps ? num(p->host_gap_share) : json_null());
	json_object_set_new(o, "mean_submit_ioctl_us", num(p->mean_submit_ioctl_us));
	json_object_set_new(o, "mean_exec_to_vc_us", num(p->mean_exec_to_vc_us));
	return o;
}

static json_t *findings_arr(const struct qp_profile *p)
{
	struct qp_finding f[QP_FIND__COUNT];
	json_t *a = json_array();
	size_t n = p->nsplit ? qp_findings(p, f) : 0, k, e;

	for (k = 0; k < n; k++) {
		json_t *j = json_object(), *ev = json_object();

		json_object_set_new(j, "kind", json_string(qp_finding_name(f[k].kind)));
		json_object_set_new(j, "rank", json_integer((json_int_t)k + 1));
		json_object_set_new(j, "score", num(f[k].score));
		for (e = 0; e < f[k].nev; e++) {
			json_t *v = json_object();

			json_object_set_new(v, "value", num(f[k].ev[e].value));
			json_object_set_new(v, "unit", json_string(f[k].ev[e].unit));
			json_object_set_new(ev, f[k].ev[e].name, v);
		}
		json_object_set_new(j, "evidence", ev);
		json_object_set_new(j, "text", json_string(f[k].text));
		json_object_set_new(j, "advice", json_string(f[k].advice));
		json_array_append_new(a, j);
	}
	return a;
}

/*
 * Everything the summary says of a section: throughput, times, counts,
 * device columns, breakdown, figures, findings; into j.  -1: out of memory.
 */
static int section_into(json_t *j, const struct qp_model *m,
			const struct qp_write_opts *o, const uint32_t *idx,
			size_t n, double *buf)
{
	struct qp_profile p;
	json_t *t = json_object(), *dc = json_object(), *b;
	const char *why;
	size_t with;

	if (qp_profile_compute(m, idx, n, &p))
		goto oom;
	json_object_set_new(t, "inferences_per_s", num(p.inf_per_s));
	json_object_set_new(t, "samples_per_s", num(p.samples_per_s));
	json_object_set_new(t, "batch", p.batch ? json_integer(p.batch) : json_null());
	json_object_set_new(t, "completed", json_integer((json_int_t)p.n));
	json_object_set_new(t, "span_s", p.span_s > 0 ? json_real(p.span_s) : json_null());
	json_object_set_new(j, "throughput", t);
	t = NULL;
	metrics_objs(j, m, idx, n, buf);
	why = qp_device_na_reason(m, idx, n, o ? o->merge : NULL, &with);
	json_object_set_new(dc, "with", json_integer((json_int_t)with));
	json_object_set_new(dc, "of", json_integer((json_int_t)n));
	json_object_set_new(dc, "na_reason", why ? json_string(why) : json_null());
	json_object_set_new(j, "device_columns", dc);
	b = breakdown_obj(m, idx, n, buf, &p);
	if (!b)
		goto oom;
	json_object_set_new(j, "breakdown", b);
	json_object_set_new(j, "profile", profile_obj(&p));
	json_object_set_new(j, "findings", findings_arr(&p));
	return 0;
oom:
	json_decref(t);
	return -1;
}

static json_t *programs_arr(const struct qp_model *m, const struct qp_write_opts *o,
			    double *buf, uint32_t *idx)
{
	json_t *a = json_array();
	uint32_t p;

	for (p = 0; p < m->nprograms; p++) {
		const struct qp_program *pg = &m->programs[p];
		json_t *j = json_object();
		uint64_t cnt[QP_INF__COUNT] = { 0 }, first = UINT64_MAX, last = 0;
		json_t *inc = json_object();
		size_t k, n;
		int s;

		for (k = 0; k < m->ninf; k++) {
			const struct qp_inference *i = &m->inf[k];
			uint64_t done = qp_inf_time(i, QP_T_DONE);

			if (i->program != p || !kept(o, k) || i->state >= QP_INF__COUNT)
				continue;
			cnt[i->state]++;
			if (i->state == QP_INF_OK) {
				first = i->t0 < first ? i->t0 : first;
				last = done > last ? done : last;
			}
		}
		json_object_set_new(j, "index", json_integer(p));
		json_object_set_new(j, "name", trace_string(pg->name ? pg->name : ""));
		if (pg->name_from_qpc)
			json_object_set_new(j, "name_from_qpc", json_true());
		json_object_set_new(j, "pid", json_integer(pg->process < m->nprocesses ?
							    m->processes[pg->process].pid : -1));
		json_object_set_new(j, "dbc_id", pg->dbc_id == QP_NONE ? json_null() :
				    json_integer(pg->dbc_id));
		json_object_set_new(j, "batch", pg->batch ? json_integer(pg->batch) : json_null());
		json_object_set_new(j, "completed", json_integer((json_int_t)cnt[QP_INF_OK]));
		for (s = 1; s < QP_INF__COUNT; s++)
			json_object_set_new(inc, state_name[s], json_integer((json_int_t)cnt[s]));
		json_object_set_new(j, "incomplete", inc);
		json_object_set_new(j, "throughput_per_s", cnt[QP_INF_OK] && last > first ?
				    json_real(cnt[QP_INF_OK] / ((last - first) / 1e9)) : json_null());
		n = section(m, o, p, idx);
		if (section_into(j, m, o, idx, n, buf) ||
		    qp_json_devices(j, m, o, p)) {
			json_decref(j);
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, j);
	}
	return a;
}

/*
 * The all-programs section: pooled (--pool-programs) like a program's;
 * by default each program's own figures side by side.
 */
static json_t *all_programs_obj(const struct qp_model *m,
				const struct qp_write_opts *o, double *buf,
				uint32_t *idx)
{
	json_t *j = json_object(), *rows;
	bool pool = o && o->pool_programs;
	size_t n, total = 0, k, c;
	uint32_t p;

	json_object_set_new(j, "pooled", json_boolean(pool));
	if (pool) {
		n = section(m, o, QP_NONE, idx);
		if (section_into(j, m, o, idx, n, buf)) {
			json_decref(j);
			return NULL;
		}
		return j;
	}
	rows = json_array();
	for (p = 0; p < m->nprograms; p++) {
		struct qp_finding f[QP_FIND__COUNT];
		struct qp_profile pr;
		struct qp_stats st;
		json_t *r;

		n = section(m, o, p, idx);
		if (!n)
			continue;
		if (qp_profile_compute(m, idx, n, &pr)) {
			json_decref(rows);
			json_decref(j);
			return NULL;
		}
		total += n;
		for (k = c = 0; k < n; k++)
			if (qp_metric_value(m, &m->inf[idx[k]], QP_M_TOTAL_ROUND_TRIP,
					    0, &buf[c]))
				c++;
		qp_stats_compute(buf, c, &st);
		r = json_object();
		json_object_set_new(r, "index", json_integer(p));
		json_object_set_new(r, "name", trace_string(m->programs[p].name ?
							     m->programs[p].name : ""));
		json_object_set_new(r, "completed", json_integer((json_int_t)n));
		json_object_set_new(r, "inferences_per_s", num(pr.inf_per_s));
		json_object_set_new(r, "samples_per_s", num(pr.samples_per_s));
		json_object_set_new(r, "round_trip_mean_us", num(st.mean));
		json_object_set_new(r, "round_trip_p99_us", num(st.pct[QP_P99]));
		json_object_set_new(r, "first_finding", pr.nsplit && qp_findings(&pr, f) ?
				    json_string(qp_finding_name(f[0].kind)) : json_null());
		json_array_append_new(rows, r);
	}
	json_object_set_new(j, "completed", json_integer((json_int_t)total));
	json_object_set_new(j, "programs", rows);
	return j;
}

/*
 * The --by tables: per key, its rows (label as in the summary, round trip
 * statistics, mean of each phase, µs).  NULL when out of memory.
 */
static json_t *by_obj(const struct qp_model *m, const struct qp_write_opts *o)
{
	static const char *const phase[QP_BY_PHASE__COUNT] = {
		[QP_BY_ENQ] = "enqTime", [QP_BY_PRE_PROC] = "preProcTime",
		[QP_BY_EXEC_TOTAL] = "execTotal", [QP_BY_POST_PROC] = "postProc",
	};
	json_t *by = json_object();
	uint8_t *all = NULL;
	const uint8_t *sel = o->select;
	size_t t, r;
	int k;

	if (!sel) {
		all = malloc(m->ninf ? m->ninf : 1);
		if (!all)
			goto oom;
		memset(all, 1, m->ninf);
		sel = all;
	}
	for (t = 0; t < o->nby; t++) {
		struct qp_by_row *rows;
		size_t nrows;
		json_t *a;

		if (o->by[t] < 0 || o->by[t] >= QP_BY__COUNT)
			continue;
		if (qp_by_rows(m, sel, o->by[t], &rows, &nrows))
			goto oom;
		a = json_array();
		for (r = 0; r < nrows; r++) {
			json_t *j = json_object(), *ph = json_object();
			char label[1024];

			qp_by_label(m, &m->inf[rows[r].first], o->by[t], label,
				    sizeof(label));
			json_object_set_new(j, "label", trace_string(label));
			json_object_set_new(j, "round_trip_us", stats_json(&rows[r].rt));
			for (k = 0; k < QP_BY_PHASE__COUNT; k++)
				json_object_set_new(ph, phase[k], num(rows[r].phase_mean_us[k]));
			json_object_set_new(j, "phase_mean_us", ph);
			json_array_append_new(a, j);
		}
		free(rows);
		json_object_set_new(by, qp_by_name(o->by[t]), a);
	}
	free(all);
	return by;
oom:
	free(all);
	json_decref(by);
	return NULL;
}

static bool api_inference(const struct qp_inference *i)
{
	return i->match != QP_MATCH_KERNEL_ONLY && i->done_kind != QP_DONE_KERNEL;
}

/*
 * Kernel-only inferences (no QAic API events), per process and DBC, as
 * the summary's sections: the kernel-visible times and counts, the host
 * side of the kernel (execTotal - execToComplete) and the gap between
 * submissions.  NULL when out of memory.
 */
static json_t *kernel_only_arr(const struct qp_model *m,
			       const struct qp_write_opts *o, double *buf,
			       uint32_t *idx)
{
	json_t *a = json_array();
	uint8_t *dbcs = malloc(UINT16_MAX + 1);
	size_t p, k, n, c;
	uint32_t d;

	if (!dbcs) {
		json_decref(a);
		return NULL;
	}
	for (p = 0; p < m->nprocesses; p++) {
		memset(dbcs, 0, UINT16_MAX + 1);
		for (k = 0; k < m->ninf; k++)
			if (m->inf[k].process == p && !api_inference(&m->inf[k]))
				dbcs[m->inf[k].dbc_id] = 1;
		for (d = 0; d <= UINT16_MAX; d++) {
			json_t *j, *ex;
			uint64_t prev = 0;

			if (!dbcs[d])
				continue;
			for (k = n = 0; k < m->ninf; k++) {
				const struct qp_inference *i = &m->inf[k];

				if (i->process == p && i->dbc_id == d &&
				    !api_inference(i) && i->state == QP_INF_OK &&
				    kept(o, k))
					idx[n++] = (uint32_t)k;
			}
			if (!n)
				continue;
			j = json_object();
			json_object_set_new(j, "pid", json_integer(m->processes[p].pid));
			json_object_set_new(j, "dbc_id", json_integer(d));
			json_object_set_new(j, "completed", json_integer((json_int_t)n));
			metrics_objs(j, m, idx, n, buf);
			ex = json_object_get(j, "metrics_us");
			for (k = c = 0; k < n; k++) {
				double e, v;

				if (qp_metric_value(m, &m->inf[idx[k]], QP_M_EXEC_TOTAL, 0, &e) &&
				    qp_metric_value(m, &m->inf[idx[k]], QP_M_EXEC_TO_COMPLETE, 0, &v))
					buf[c++] = e - v;
			}
			if (c)
				json_object_set_new(ex, "kernelHostSide", stats_obj(buf, c));
			/* idx is in model order: one DBC's executions in order */
			for (k = c = 0; k < n; k++) {
				const struct qp_inference *i = &m->inf[idx[k]];
				uint64_t t = qp_inf_time(i, QP_T_EXEC_BEGIN);

				if (!t)
					t = i->t0;
				if (prev && t >= prev)
					buf[c++] = (double)(t - prev) / 1000.0;
				prev = t;
			}
			if (c)
				json_object_set_new(ex, "gapBetweenSubmits", stats_obj(buf, c));
			json_array_append_new(a, j);
		}
	}
	free(dbcs);
	return a;
}

static json_t *inference_obj(const struct qp_model *m,
			     const struct qp_inference *i, size_t idx)
{
	json_t *j = json_object(), *mt = json_object(), *cn = json_object();
	double v, us[QP_PART__COUNT];
	int k;

	json_object_set_new(j, "pid", json_integer(i->process < m->nprocesses ?
						    m->processes[i->process].pid : -1));
	json_object_set_new(j, "program", i->program == QP_NONE16 ? json_null() :
			    json_integer(i->program));
	json_object_set_new(j, "seq", json_integer(i->seq));
	json_object_set_new(j, "t0_ns", json_integer((json_int_t)i->t0));
	json_object_set_new(j, "enq_tid", json_integer(i->enq_tid));
	json_object_set_new(j, "done_tid", json_integer(i->done_tid));
	json_object_set_new(j, "dbc_id", json_integer(i->dbc_id));
	json_object_set_new(j, "state", json_string(i->state < QP_INF__COUNT ?
						     state_name[i->state] : "?"));
	json_object_set_new(j, "match", json_string(i->match < QP_MATCH__COUNT ?
						     match_name[i->match] : "?"));
	json_object_set_new(j, "exec_retries", json_integer(i->exec_retries));
	for (k = 0; k < QP_M__COUNT; k++)
		if (qp_metric_value(m, i, k, batch_of(m, i), &v))
			json_object_set_new(qp_metric_is_time(k) ? mt : cn,
					    qp_metric_column(k), json_real(v));
	json_object_set_new(j, "metrics", mt);
	json_object_set_new(j, "counts", cn);
	if (i->state == QP_INF_OK && qp_part_split(m, i, us, NULL)) {
		double t = 0;

		for (k = 0; k < QP_PART__COUNT; k++)
			t += us[k];
		json_object_set_new(j, "parts_us", parts_obj(us, t));
	}
	qp_json_inf_devices(j, m, idx);
	return j;
}

static json_t *build(const struct qp_model *m, const struct qp_write_opts *o,
		     double *buf, uint32_t *idx)
{
	json_t *progs, *all;
	json_t *root = json_object(), *acc = json_object(), *mt = json_object();
	json_t *inc = json_object(), *procs = json_array();
	size_t k;
	int s;

	json_object_set_new(root, "schema", json_string("qprof-report/2"));
	json_object_set_new(acc, "events", json_integer((json_int_t)m->events));
	json_object_set_new(acc, "discarded_events", json_integer((json_int_t)m->discarded_events));
	json_object_set_new(acc, "discarded_packets", json_integer((json_int_t)m->discarded_packets));
	for (s = 1; s < QP_MATCH__COUNT; s++)
		json_object_set_new(mt, match_name[s], json_integer((json_int_t)m->matched[s]));
	json_object_set_new(acc, "matched", mt);
	for (s = 1; s < QP_INF__COUNT; s++)
		json_object_set_new(inc, state_name[s], json_integer((json_int_t)m->state_count[s]));
	json_object_set_new(acc, "incomplete", inc);
	json_object_set_new(acc, "shim_perf_queries", json_integer((json_int_t)m->shim_perf_queries));
	qp_json_failures(acc, m);
	json_object_set_new(root, "accounting", acc);
	for (k = 0; k < m->nprocesses; k++) {
		const struct qp_process *p = &m->processes[k];
		json_t *j = json_object();

		json_object_set_new(j, "pid", json_integer(p->pid));
		json_object_set_new(j, "host", p->host < m->nhosts ?
				    trace_string(m->hosts[p->host]) : json_null());
		json_object_set_new(j, "runtime_path", p->runtime_path ?
				    trace_string(p->runtime_path) : json_null());
		json_object_set_new(j, "discarded_events", json_integer((json_int_t)p->discarded_events));
		json_object_set_new(j, "kernel_only", json_boolean(p->kernel_only));
		json_array_append_new(procs, j);
	}
	json_object_set_new(root, "processes", procs);
	progs = programs_arr(m, o, buf, idx);
	all = progs ? all_programs_obj(m, o, buf, idx) : NULL;
	if (!all) {
		json_decref(progs);
		json_decref(root);
		return NULL;
	}
	json_object_set_new(root, "programs", progs);
	json_object_set_new(root, "all_programs", all);
	{
		json_t *ko = kernel_only_arr(m, o, buf, idx);

		if (!ko) {
			json_decref(root);
			return NULL;
		}
		json_object_set_new(root, "kernel_only", ko);
	}
	if (o && o->nby) {
		json_t *by = by_obj(m, o);

		if (!by) {
			json_decref(root);
			return NULL;
		}
		json_object_set_new(root, "by", by);
	}
	if (o && o->device)
		json_object_set_new(root, "device", qp_devreport_json(o->device, m));
	/* present when the trace has Python steps: a C program's JSON is as it was */
	if (o && qp_genview_nstreams(o->genview)) {
		json_t *g = qp_genview_json(o->genview);

		if (!g) {
			json_decref(root);
			return NULL;
		}
		json_object_set_new(root, "generation", g);
	}
	if (o && o->per_inference) {
		json_t *a = json_array();

		for (k = 0; k < m->ninf; k++)
			if (kept(o, k))
				json_array_append_new(a, inference_obj(m, &m->inf[k], k));
		json_object_set_new(root, "inferences", a);
	}
	return root;
}

int qp_write_json(const char *path, const struct qp_model *m,
		  const struct qp_write_opts *o, char *err, size_t errlen)
{
	double *buf = malloc((m->ninf ? m->ninf : 1) * sizeof(*buf));
	uint32_t *idx = malloc((m->ninf ? m->ninf : 1) * sizeof(*idx));
	struct qp_outfile out;
	json_t *root = NULL;
	int rc;

	if (buf && idx)
		root = build(m, o, buf, idx);
	free(buf);
	free(idx);
	if (!root) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (qp_outfile_open(&out, path, err, errlen)) {
		json_decref(root);
		return -1;
	}
	rc = json_dumpf(root, out.f, QP_GENVIEW_JSON_FLAGS);	/* the same as genview.c's */
	json_decref(root);
	if (rc || fputc('\n', out.f) == EOF) {
		snprintf(err, errlen, "%s: write error", path);
		qp_outfile_abort(&out);
		return -1;
	}
	return qp_outfile_commit(&out, err, errlen);
}
