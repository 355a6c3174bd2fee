// SPDX-License-Identifier: MIT
/*
 * --json: schema "qprof-report/1" (docs/REPORT-FORMATS.md).  Times are µs,
 * as in the runtime's latency file; statistics as in the summary.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "devreport.h"
#include "escape.h"
#include "outfile.h"
#include "stats.h"
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

/* Metrics of the completed, selected inferences of program @prog. */
static json_t *metrics_obj(const struct qp_model *m, const struct qp_write_opts *o,
			   uint32_t prog, double *buf)
{
	json_t *obj = json_object();
	int mt;

	for (mt = 0; mt < QP_M__COUNT; mt++) {
		size_t k, n = 0;

		for (k = 0; k < m->ninf; k++) {
			const struct qp_inference *i = &m->inf[k];

			if (i->program == prog && i->state == QP_INF_OK && kept(o, k) &&
			    qp_metric_value(m, i, mt, batch_of(m, i), &buf[n]))
				n++;
		}
		if (n)
			json_object_set_new(obj, qp_metric_label(mt), stats_obj(buf, n));
	}
	return obj;
}

static json_t *programs_arr(const struct qp_model *m, const struct qp_write_opts *o,
			    double *buf)
{
	json_t *a = json_array();
	uint32_t p;

	for (p = 0; p < m->nprograms; p++) {
		const struct qp_program *pg = &m->programs[p];
		json_t *j = json_object();
		uint64_t cnt[QP_INF__COUNT] = { 0 }, first = UINT64_MAX, last = 0;
		json_t *inc = json_object();
		size_t k;
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
		json_object_set_new(j, "metrics_us", metrics_obj(m, o, p, buf));
		json_array_append_new(a, j);
	}
	return a;
}

static json_t *inference_obj(const struct qp_model *m, const struct qp_inference *i)
{
	json_t *j = json_object(), *mt = json_object();
	double v;
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
			json_object_set_new(mt, qp_metric_column(k), json_real(v));
	json_object_set_new(j, "metrics", mt);
	return j;
}

static json_t *build(const struct qp_model *m, const struct qp_write_opts *o,
		     double *buf)
{
	json_t *root = json_object(), *acc = json_object(), *mt = json_object();
	json_t *inc = json_object(), *procs = json_array();
	size_t k;
	int s;

	json_object_set_new(root, "schema", json_string("qprof-report/1"));
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
	json_object_set_new(root, "programs", programs_arr(m, o, buf));
	if (o && o->device)
		json_object_set_new(root, "device", qp_devreport_json(o->device, m));
	if (o && o->per_inference) {
		json_t *a = json_array();

		for (k = 0; k < m->ninf; k++)
			if (kept(o, k))
				json_array_append_new(a, inference_obj(m, &m->inf[k]));
		json_object_set_new(root, "inferences", a);
	}
	return root;
}

int qp_write_json(const char *path, const struct qp_model *m,
		  const struct qp_write_opts *o, char *err, size_t errlen)
{
	double *buf = malloc((m->ninf ? m->ninf : 1) * sizeof(*buf));
	struct qp_outfile out;
	json_t *root;
	int rc;

	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	root = build(m, o, buf);
	free(buf);
	if (!root || qp_outfile_open(&out, path, err, errlen)) {
		json_decref(root);
		return -1;
	}
	rc = json_dumpf(root, out.f, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
	json_decref(root);
	if (rc || fputc('\n', out.f) == EOF) {
		snprintf(err, errlen, "%s: write error", path);
		qp_outfile_abort(&out);
		return -1;
	}
	return qp_outfile_commit(&out, err, errlen);
}
