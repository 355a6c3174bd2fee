// SPDX-License-Identifier: MIT
/*
 * The device-level part of a report (devreport.h): the opstats summaries,
 * the compile perf-metrics, the device operator trace aligned to the
 * host's clock and the recorded device environment, in the summary, the
 * JSON and the Chrome trace.  Layouts: docs/REPORT.md ("Device level") and
 * docs/REPORT-FORMATS.md.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "devreport.h"
#include "escape.h"
#include "outfile.h"

#define CHROME_DEV_PID 2000000000	/* + core: the device's processes */
#define CHROME_SPAN_TID 99		/* the inferences' device spans */

/* ---- loading -------------------------------------------------------------- */

static int load_env(struct qp_devreport *d, const struct qp_devreport_opts *o,
		    char *err, size_t errlen)
{
	size_t k;

	for (k = 0; k < o->ntrace_dirs; k++) {
		int rc = qp_env_load_dir(o->trace_dirs[k], &d->env, err, errlen);

		/* a damaged environment file costs the header, not the report */
		if (rc < 0) {
			fprintf(stderr, "qprof-report: warning: %s: the device environment is left out\n",
				err);
			continue;
		}
		if (!rc) {
			d->has_env = true;
			return 0;
		}
	}
	return 0;
}

int qp_devreport_load(struct qp_devreport *d, const struct qp_devreport_opts *o,
		      char *err, size_t errlen)
{
	size_t k;

	memset(d, 0, sizeof(*d));
	for (k = 0; k < o->nopstats; k++)
		if (qp_opstats_set_add(&d->ops, o->opstats[k], err, errlen))
			return -1;
	if (o->nopstats && !d->ops.n) {
		snprintf(err, errlen, "%s: no opstats summary (aic-profiling-program-<P>-activation-<A>-inf-<I>.txt) found",
			 o->opstats[0]);
		return -1;
	}
	if (d->ops.n) {
		d->views = calloc(d->ops.n, sizeof(*d->views));
		if (!d->views)
			goto oom;
		for (k = 0; k < d->ops.n; k++)
			if (qp_opstats_analyze(&d->ops.v[k], QP_DEVREPORT_TOPN,
					       &d->views[k]))
				goto oom;
	}
	if (o->compile_metrics) {
		if (qp_compile_metrics_load(o->compile_metrics, &d->cm, err, errlen))
			return -1;
		d->has_cm = true;
		if (qp_cm_analyze(&d->cm, &d->cmv))
			goto oom;
	}
	if (o->device_trace) {
		if (qp_devtrace_load(o->device_trace, &d->dt, err, errlen))
			return -1;
		d->has_dt = true;
		d->align_note = strdup("no host trace given: device clock only");
	}
	return load_env(d, o, err, errlen);
oom:
	snprintf(err, errlen, "out of memory analysing the device inputs");
	return -1;
}

int qp_devreport_align(struct qp_devreport *d, const struct qp_model *m,
		       int32_t pid, char *err, size_t errlen)
{
	struct qp_devalign_opts ao = { .pid = pid };

	if (!d->has_dt)
		return 0;
	if (qp_devtrace_align(m, &d->dt, &ao, &d->al, err, errlen))
		return -1;
	d->aligned = true;
	free(d->align_note);
	d->align_note = NULL;
	return 0;
}

bool qp_devreport_any(const struct qp_devreport *d)
{
	return d->ops.n || d->has_cm || d->has_dt || d->has_env;
}

void qp_devreport_free(struct qp_devreport *d)
{
	size_t k;

	for (k = 0; d->views && k < d->ops.n; k++)
		qp_opstats_view_free(&d->views[k]);
	free(d->views);
	qp_opstats_set_free(&d->ops);
	if (d->has_cm) {
		qp_cm_view_free(&d->cmv);
		qp_compile_metrics_free(&d->cm);
	}
	if (d->aligned)
		qp_devalign_free(&d->al);
	if (d->has_dt)
		qp_devtrace_free(&d->dt);
	if (d->has_env)
		qp_env_free(&d->env);
	free(d->align_note);
	memset(d, 0, sizeof(*d));
}

/* ---- summary --------------------------------------------------------------- */

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

int qp_devreport_env_summary(FILE *f, const struct qp_devreport *d)
{
	const struct qp_env *e = &d->env;
	const char *how, *tool;
	size_t k, bad;

	if (!d->has_env)
		return 0;
	how = qp_env_info(e, "qaic-util");
	tool = qp_env_info(e, "host");
	fprintf(f, "Device environment (recorded with the trace%s%s; qaic-util: %s):\n",
		tool ? " on " : "", tool ? tool : "", how ? how : "output present");
	if (!e->ndev && !e->runtime_version) {
		fprintf(f, "  no device status: %s\n", how ? how : "no qaic-util output recorded");
	} else {
		fprintf(f, "  runtime %s, %zu device(s)\n",
			or_dash(e->runtime_version), e->ndev);
		fprintf(f, "  %-5s %-12s %-14s %-22s %-14s %s\n", "QID", "Status",
			"FW Version", "FW image", "NSP Version", "PCI Address");
		for (k = 0; k < e->ndev; k++) {
			const struct qp_env_device *v = &e->devices[k];

			fprintf(f, "  %-5" PRIu32 " %-12s %-14s %-22s %-14s %s\n",
				v->qid, or_dash(v->status), or_dash(v->fw_version),
				or_dash(v->fw_image), or_dash(v->nsp_version),
				or_dash(v->pci_address));
		}
	}
	bad = qp_env_not_ready(e);
	if (bad) {
		fprintf(f, "  WARNING: %zu device(s) not Ready:", bad);
		for (k = 0; k < e->ndev; k++)
			if (!e->devices[k].status ||
			    strcmp(e->devices[k].status, "Ready"))
				fprintf(f, " QID %" PRIu32 " (%s)", e->devices[k].qid,
					or_dash(e->devices[k].status));
		fputc('\n', f);
	}
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

static void pct_cell(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, " %8s", "-");
	else
		fprintf(f, " %7.1f%%", v);
}

static void opstats_section(FILE *f, const struct qp_opstats *o,
			    const struct qp_opstats_view *v, bool brief)
{
	size_t k;

	fprintf(f, "Device opstats: %s", o->path);
	if (o->has_ids)
		fprintf(f, " (program %" PRIu32 ", activation %" PRIu32
			", inference %" PRIu64 ")", o->program, o->activation,
			o->inference);
	fputc('\n', f);
	fprintf(f, "  %zu core(s)", v->ncores);
	if (!isnan(v->batch_ms))
		fprintf(f, ", batch %.3f ms on the device", v->batch_ms);
	if (o->has_inf_rate)
		fprintf(f, ", %.1f inf/s (batch %" PRIu32 ")", o->inf_per_s,
			o->batch_size);
	fputc('\n', f);
	fprintf(f, "  engine use, %% of the core's cycles (engines run in parallel: busy = its\n"
		"  operators, sync = waiting for another engine, DDR = operators on DDR,\n"
		"  util = the thread lines' utilization):\n");
	fprintf(f, "  %-4s %12s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n",
		"core", "ucycles", "HMX", "HVX", "DMA", "syncHMX", "syncHVX",
		"syncDMA", "DDR", "utilHMX", "utilHVX", "utilDMA", "MHz");
	for (k = 0; k < v->ncores; k++) {
		const struct qp_core_usage *u = &v->cores[k];

		fprintf(f, "  c%-3" PRIu32 " %12" PRIu64, u->core, u->total_ucycles);
		pct_cell(f, u->busy_pct[QP_ENG_HMX]);
		pct_cell(f, u->busy_pct[QP_ENG_HVX]);
		pct_cell(f, u->busy_pct[QP_ENG_DMA]);
		pct_cell(f, u->sync_pct[QP_ENG_HMX]);
		pct_cell(f, u->sync_pct[QP_ENG_HVX]);
		pct_cell(f, u->sync_pct[QP_ENG_DMA]);
		pct_cell(f, u->ddr_pct);
		pct_cell(f, u->util_pct[QP_ENG_HMX]);
		pct_cell(f, u->util_pct[QP_ENG_HVX]);
		pct_cell(f, u->util_pct[QP_ENG_DMA]);
		if (isnan(u->eff_mhz))
			fprintf(f, " %8s\n", "-");
		else
			fprintf(f, " %8.2f\n", u->eff_mhz);
	}
	if (!brief && v->ntop) {
		fprintf(f, "  top operators by cycles:\n");
		fprintf(f, "  %-4s %10s %7s %7s  %-8s %-4s %s\n", "core", "ucycles",
			"%", "count", "engine", "mem", "operator");
		for (k = 0; k < v->ntop; k++) {
			const struct qp_top_op *t = &v->top[k];

			fprintf(f, "  c%-3" PRIu32 " %10" PRIu64 " %6.1f%% %7" PRIu64
				"  %-8s %-4s %s%s%s%s\n", t->core, t->ucycles, t->pct,
				t->count, or_dash(t->row->engine_name),
				or_dash(t->row->mem), t->row->name,
				t->row->dtypes ? " (" : "",
				t->row->dtypes ? t->row->dtypes : "",
				t->row->dtypes ? ")" : "");
		}
	}
	for (k = 0; k < v->nfindings; k++)
		fprintf(f, "  finding: %s\n", v->findings[k].text);
	fputc('\n', f);
}

static void kb_cell(FILE *f, bool has, uint64_t v)
{
	if (has)
		fprintf(f, " %12" PRIu64, v);
	else
		fprintf(f, " %12s", "-");
}

static void cm_section(FILE *f, const struct qp_compile_metrics *m,
		       const struct qp_cm_view *v)
{
	size_t k;

	fprintf(f, "Compile perf-metrics: %s\n", m->path);
	if (m->model)
		fprintf(f, "  model %s%s%s\n", m->model,
			m->precision ? ", precision " : "",
			m->precision ? m->precision : "");
	if (m->has_mac)
		fprintf(f, "  MAC estimate %" PRIu64 " (HMX %" PRIu64 ", non-HMX %" PRIu64 ")%s\n",
			m->mac, m->hmx_mac, m->nonhmx_mac,
			m->mac >> 63 || m->hmx_mac >> 63 ?
			" as printed: above 2^63, the compiler's estimate wrapped around" : "");
	if (m->vtcm_max.has)
		fprintf(f, "  VTCM max %" PRIu64 " %s\n", m->vtcm_max.value,
			m->vtcm_max.unit);
	fprintf(f, "  estimated traffic per inference, KB (DDR vs VTCM; multicast = VTCM to VTCM):\n");
	fprintf(f, "  %-6s %12s %12s %12s %12s %12s %12s %12s %s\n", "core",
		"DDR read", "const read", "DDR write", "MC read", "MC write",
		"VTCM size", "spill", "");
	for (k = 0; k < v->ncores; k++) {
		const struct qp_cm_core *c = &v->cores[k];

		fprintf(f, "  c%-5" PRId32, c->core);
		kb_cell(f, c->t->has_ddr_read, c->t->ddr_read_kb);
		kb_cell(f, c->t->has_const_read, c->t->const_read_kb);
		kb_cell(f, c->t->has_ddr_write, c->t->ddr_write_kb);
		kb_cell(f, c->t->has_mc_read, c->t->mc_read_kb);
		kb_cell(f, c->t->has_mc_write, c->t->mc_write_kb);
		if (c->vtcm && c->vtcm->has)
			fprintf(f, " %9" PRIu64 " %-2.2s", c->vtcm->value, c->vtcm->unit);
		else
			fprintf(f, " %12s", "-");
		if (c->has_spill)
			fprintf(f, " %12" PRId64 " %s\n", c->spill_kb,
				c->spill_kb > 0 ? "SPILL" : "");
		else
			fprintf(f, " %12s\n", "-");
	}
	if (v->total) {
		fprintf(f, "  %-6s", "total");
		kb_cell(f, v->total->has_ddr_read, v->total->ddr_read_kb);
		kb_cell(f, v->total->has_const_read, v->total->const_read_kb);
		kb_cell(f, v->total->has_ddr_write, v->total->ddr_write_kb);
		kb_cell(f, v->total->has_mc_read, v->total->mc_read_kb);
		kb_cell(f, v->total->has_mc_write, v->total->mc_write_kb);
		fputc('\n', f);
	}
	for (k = 0; k < v->nfindings; k++)
		fprintf(f, "  finding: %s\n", v->findings[k]);
	fputc('\n', f);
}

static void dt_section(FILE *f, const struct qp_devreport *d, bool brief)
{
	const struct qp_devtrace *t = &d->dt;
	const struct qp_devalign *a = &d->al;
	size_t k;

	fprintf(f, "Device trace: %s (program %s): %zu operators of %zu profiled inference(s) on %" PRIu32 " core(s)\n",
		t->path, or_dash(t->program_name), t->nops, t->ninfs, t->ncores);
	if (!d->aligned) {
		fprintf(f, "  not aligned: %s\n", or_dash(d->align_note));
		for (k = 0; k < t->ninfs && !brief; k++)
			fprintf(f, "  inference %" PRId64 ": %zu operators over %.3f us (device clock)\n",
				t->infs[k].inference, t->infs[k].nops,
				t->infs[k].last_us - t->infs[k].first_us);
		fputc('\n', f);
		return;
	}
	fprintf(f, "  aligned to the host clock: %zu of %zu inference(s) matched; alignment error <= %.3f us%s\n",
		a->matched, a->ninfs, a->error_ns / 1000.0,
		a->joint ? " (one clock offset fits all)" :
		" (no single clock offset fits: device clock drift?)");
	fprintf(f, "  operators outside their inference's device span: %zu; of unmatched inferences: %zu\n",
		a->ops_outside, a->ops_unmatched);
	if (!brief) {
		fprintf(f, "  %-10s %-10s %10s %12s %12s %10s %s\n", "inference",
			"host inf", "operators", "device us", "span us",
			"error us", "devExec");
		for (k = 0; k < a->ninfs; k++) {
			const struct qp_devalign_inf *r = &a->infs[k];

			if (r->inf == QP_NONE) {
				fprintf(f, "  %-10" PRId64 " %-10s\n", r->inference, "not found");
				continue;
			}
			fprintf(f, "  %-10" PRId64 " %-10" PRIu32 " %10zu %12.3f %12.3f %10.3f %s\n",
				r->inference, r->inf, t->infs[k].nops,
				r->dev_last_us - r->dev_first_us,
				(double)(r->span_e - r->span_b) / 1000.0,
				r->error_ns / 1000.0,
				r->devexec_confirmed ? "confirmed" : "-");
		}
	}
	fputc('\n', f);
}

int qp_devreport_summary(FILE *f, const struct qp_devreport *d, bool brief)
{
	size_t k;

	for (k = 0; k < d->ops.n; k++)
		opstats_section(f, &d->ops.v[k], &d->views[k], brief);
	if (d->has_cm)
		cm_section(f, &d->cm, &d->cmv);
	if (d->has_dt)
		dt_section(f, d, brief);
	return ferror(f) ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *jnum(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

/* Strings from input files may be any bytes: escaped to valid UTF-8. */
static json_t *jtext(const char *s)
{
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (!j) {
		char *q = qp_json_dup(s);	/* "\"...\"" with escapes */

		j = q ? json_loads(q, JSON_DECODE_ANY, NULL) : NULL;
		free(q);
	}
	return j ? j : json_null();
}

static json_t *jns(double ns)
{
	return isnan(ns) || isinf(ns) || fabs(ns) > 9e18 ? json_null() :
	       json_integer((json_int_t)llround(ns));
}

static json_t *eng_obj(const double *v)
{
	json_t *o = json_object();

	json_object_set_new(o, "HMX", jnum(v[QP_ENG_HMX]));
	json_object_set_new(o, "HVX", jnum(v[QP_ENG_HVX]));
	json_object_set_new(o, "DMA", jnum(v[QP_ENG_DMA]));
	json_object_set_new(o, "other", jnum(v[QP_ENG_OTHER]));
	return o;
}

static json_t *env_json(const struct qp_env *e)
{
	json_t *o = json_object(), *devs = json_array(), *info = json_object();
	size_t k, j;

	json_object_set_new(o, "source", jtext(e->path));
	json_object_set_new(o, "runtime_version", jtext(e->runtime_version));
	json_object_set_new(o, "devices_reported", e->has_ndevices ?
			    json_integer(e->ndevices) : json_null());
	for (k = 0; k < e->ndev; k++) {
		const struct qp_env_device *v = &e->devices[k];
		json_t *dj = json_object(), *fj = json_object();

		json_object_set_new(dj, "qid", json_integer(v->qid));
		json_object_set_new(dj, "status", jtext(v->status));
		json_object_set_new(dj, "ready", json_boolean(v->status &&
				    !strcmp(v->status, "Ready")));
		json_object_set_new(dj, "fw_version", jtext(v->fw_version));
		json_object_set_new(dj, "fw_image", jtext(v->fw_image));
		json_object_set_new(dj, "nsp_version", jtext(v->nsp_version));
		json_object_set_new(dj, "pci_address", jtext(v->pci_address));
		for (j = 0; j < v->nfields; j++)
			json_object_set_new(fj, v->fields[j].key,
					    jtext(v->fields[j].value));
		json_object_set_new(dj, "fields", fj);
		json_array_append_new(devs, dj);
	}
	json_object_set_new(o, "devices", devs);
	json_object_set_new(o, "not_ready", json_integer((json_int_t)qp_env_not_ready(e)));
	for (k = 0; k < e->ninfo; k++)
		json_object_set_new(info, e->info[k].key, jtext(e->info[k].value));
	json_object_set_new(o, "record", info);
	return o;
}

static json_t *opstats_json(const struct qp_opstats *o,
			    const struct qp_opstats_view *v)
{
	json_t *j = json_object(), *cores = json_array(), *top = json_array();
	json_t *fnd = json_array();
	size_t k;

	json_object_set_new(j, "file", jtext(o->path));
	json_object_set_new(j, "program", o->has_ids ? json_integer(o->program) : json_null());
	json_object_set_new(j, "activation", o->has_ids ? json_integer(o->activation) : json_null());
	json_object_set_new(j, "inference", o->has_ids ? json_integer((json_int_t)o->inference) : json_null());
	json_object_set_new(j, "batch_ms", jnum(v->batch_ms));
	json_object_set_new(j, "inf_per_s", o->has_inf_rate ? jnum(o->inf_per_s) : json_null());
	json_object_set_new(j, "batch_size", o->has_inf_rate ? json_integer(o->batch_size) : json_null());
	json_object_set_new(j, "max_input_wait_ucycles", o->has_max_in ? json_integer((json_int_t)o->max_in_wait) : json_null());
	json_object_set_new(j, "max_output_wait_ucycles", o->has_max_out ? json_integer((json_int_t)o->max_out_wait) : json_null());
	for (k = 0; k < v->ncores; k++) {
		const struct qp_core_usage *u = &v->cores[k];
		json_t *c = json_object();

		json_object_set_new(c, "core", json_integer(u->core));
		json_object_set_new(c, "total_ucycles", json_integer((json_int_t)u->total_ucycles));
		json_object_set_new(c, "busy_pct", eng_obj(u->busy_pct));
		json_object_set_new(c, "sync_pct", eng_obj(u->sync_pct));
		json_object_set_new(c, "barrier_pct", eng_obj(u->barrier_pct));
		json_object_set_new(c, "utilization_pct", eng_obj(u->util_pct));
		json_object_set_new(c, "ddr_pct", jnum(u->ddr_pct));
		json_object_set_new(c, "input_wait_ucycles", json_integer((json_int_t)u->in_wait_ucycles));
		json_object_set_new(c, "output_wait_ucycles", json_integer((json_int_t)u->out_wait_ucycles));
		json_object_set_new(c, "effective_mhz", jnum(u->eff_mhz));
		json_object_set_new(c, "verdict", jtext(u->verdict));
		json_array_append_new(cores, c);
	}
	for (k = 0; k < v->ntop; k++) {
		const struct qp_top_op *t = &v->top[k];
		json_t *r = json_object();

		json_object_set_new(r, "core", json_integer(t->core));
		json_object_set_new(r, "operator", jtext(t->row->name));
		json_object_set_new(r, "details", jtext(t->row->details));
		json_object_set_new(r, "engine", jtext(t->row->engine_name));
		json_object_set_new(r, "mem", jtext(t->row->mem));
		json_object_set_new(r, "ucycles", json_integer((json_int_t)t->ucycles));
		json_object_set_new(r, "count", json_integer((json_int_t)t->count));
		json_object_set_new(r, "pct", jnum(t->pct));
		json_array_append_new(top, r);
	}
	for (k = 0; k < v->nfindings; k++) {
		json_t *r = json_object();

		json_object_set_new(r, "core", v->findings[k].core < 0 ? json_null() :
				    json_integer(v->findings[k].core));
		json_object_set_new(r, "text", jtext(v->findings[k].text));
		json_array_append_new(fnd, r);
	}
	json_object_set_new(j, "cores", cores);
	json_object_set_new(j, "top_operators", top);
	json_object_set_new(j, "findings", fnd);
	return j;
}

static json_t *opt_kb(bool has, uint64_t v)
{
	return has ? json_integer((json_int_t)v) : json_null();
}

static json_t *traffic_json(const struct qp_cm_traffic *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", jtext(t->name));
	json_object_set_new(o, "ddr_read_kb", opt_kb(t->has_ddr_read, t->ddr_read_kb));
	json_object_set_new(o, "ddr_read_first_kb", opt_kb(t->has_ddr_read_first, t->ddr_read_first_kb));
	json_object_set_new(o, "const_read_kb", opt_kb(t->has_const_read, t->const_read_kb));
	json_object_set_new(o, "ddr_write_kb", opt_kb(t->has_ddr_write, t->ddr_write_kb));
	json_object_set_new(o, "mc_read_kb", opt_kb(t->has_mc_read, t->mc_read_kb));
	json_object_set_new(o, "mc_write_kb", opt_kb(t->has_mc_write, t->mc_write_kb));
	return o;
}

static json_t *cm_json(const struct qp_compile_metrics *m,
		       const struct qp_cm_view *v)
{
	json_t *j = json_object(), *cores = json_array(), *fnd = json_array();
	size_t k;

	json_object_set_new(j, "file", jtext(m->path));
	json_object_set_new(j, "model", jtext(m->model));
	json_object_set_new(j, "precision", jtext(m->precision));
	json_object_set_new(j, "mac", m->has_mac ? json_integer((json_int_t)m->mac) : json_null());
	json_object_set_new(j, "vtcm_max_bytes", m->vtcm_max.has ?
			    json_integer((json_int_t)m->vtcm_max.bytes) : json_null());
	for (k = 0; k < v->ncores; k++) {
		const struct qp_cm_core *c = &v->cores[k];
		json_t *o = traffic_json(c->t);

		json_object_set_new(o, "core", json_integer(c->core));
		json_object_set_new(o, "vtcm_bytes", c->vtcm && c->vtcm->has ?
				    json_integer((json_int_t)c->vtcm->bytes) : json_null());
		json_object_set_new(o, "spill_kb", c->has_spill ? json_integer(c->spill_kb) : json_null());
		json_object_set_new(o, "spill_first_kb", c->has_spill ? json_integer(c->spill_first_kb) : json_null());
		json_object_set_new(o, "spill_pct", c->has_spill ? jnum(c->spill_pct) : json_null());
		json_object_set_new(o, "spilling", json_boolean(c->has_spill && c->spill_kb > 0));
		json_array_append_new(cores, o);
	}
	json_object_set_new(j, "cores", cores);
	json_object_set_new(j, "total", v->total ? traffic_json(v->total) : json_null());
	json_object_set_new(j, "spill_kb", json_integer(v->spill_kb));
	json_object_set_new(j, "spilling_cores", json_integer((json_int_t)v->nspilling));
	for (k = 0; k < v->nfindings; k++)
		json_array_append_new(fnd, jtext(v->findings[k]));
	json_object_set_new(j, "findings", fnd);
	return j;
}

static json_t *dt_json(const struct qp_devreport *d, const struct qp_model *m)
{
	const struct qp_devtrace *t = &d->dt;
	const struct qp_devalign *a = &d->al;
	json_t *j = json_object(), *infs = json_array();
	size_t k;

	json_object_set_new(j, "file", jtext(t->path));
	json_object_set_new(j, "program", jtext(t->program_name));
	json_object_set_new(j, "operators", json_integer((json_int_t)t->nops));
	json_object_set_new(j, "cores", json_integer(t->ncores));
	json_object_set_new(j, "aligned", json_boolean(d->aligned));
	if (!d->aligned) {
		json_object_set_new(j, "note", jtext(d->align_note));
	} else {
		json_object_set_new(j, "matched", json_integer((json_int_t)a->matched));
		json_object_set_new(j, "joint_offset", json_boolean(a->joint));
		json_object_set_new(j, "alignment_error_us", jnum(a->error_ns / 1000.0));
		json_object_set_new(j, "offset_spread_us", jnum(a->spread_ns / 1000.0));
		json_object_set_new(j, "ops_outside_span", json_integer((json_int_t)a->ops_outside));
		json_object_set_new(j, "ops_unmatched", json_integer((json_int_t)a->ops_unmatched));
	}
	for (k = 0; k < t->ninfs; k++) {
		json_t *o = json_object();

		json_object_set_new(o, "inference", json_integer(t->infs[k].inference));
		json_object_set_new(o, "operators", json_integer((json_int_t)t->infs[k].nops));
		/* absolute times as integer ns: a double printed with 12
		 * digits would lose them */
		json_object_set_new(o, "device_first_ns", jns(t->infs[k].first_us * 1000.0));
		json_object_set_new(o, "device_last_ns", jns(t->infs[k].last_us * 1000.0));
		if (d->aligned && k < a->ninfs && a->infs[k].inf != QP_NONE) {
			const struct qp_devalign_inf *r = &a->infs[k];
			const struct qp_inference *i = &m->inf[r->inf];

			json_object_set_new(o, "host_inference", json_integer(r->inf));
			json_object_set_new(o, "pid", i->process < m->nprocesses ?
					    json_integer(m->processes[i->process].pid) : json_null());
			json_object_set_new(o, "span_begin_ns", json_integer((json_int_t)r->span_b));
			json_object_set_new(o, "span_end_ns", json_integer((json_int_t)r->span_e));
			json_object_set_new(o, "offset_ns", jns(r->offset_ns));
			json_object_set_new(o, "error_us", jnum(r->error_ns / 1000.0));
			json_object_set_new(o, "ops_begin_ns", jns(qp_devalign_host_ns(r, r->dev_first_us)));
			json_object_set_new(o, "ops_end_ns", jns(qp_devalign_host_ns(r, r->dev_last_us)));
			json_object_set_new(o, "devexec_confirmed", json_boolean(r->devexec_confirmed));
		} else if (d->aligned) {
			json_object_set_new(o, "host_inference", json_null());
		}
		json_array_append_new(infs, o);
	}
	json_object_set_new(j, "inferences", infs);
	return j;
}

json_t *qp_devreport_json(const struct qp_devreport *d, const struct qp_model *m)
{
	json_t *j = json_object(), *ops = json_array();
	size_t k;

	if (!j || !ops) {
		json_decref(j);
		json_decref(ops);
		return NULL;
	}
	json_object_set_new(j, "environment", d->has_env ? env_json(&d->env) : json_null());
	for (k = 0; k < d->ops.n; k++)
		json_array_append_new(ops, opstats_json(&d->ops.v[k], &d->views[k]));
	json_object_set_new(j, "opstats", ops);
	json_object_set_new(j, "compile_metrics", d->has_cm ? cm_json(&d->cm, &d->cmv) : json_null());
	json_object_set_new(j, "device_trace", d->has_dt ? dt_json(d, m) : json_null());
	return j;
}

/* ---- Chrome trace ---------------------------------------------------------- */

static void sep(FILE *f, bool *first)
{
	fputs(*first ? "\n" : ",\n", f);
	*first = false;
}

static double rel_us(double ns)
{
	return ns / 1000.0;
}

int qp_devreport_chrome(FILE *f, const struct qp_devreport *d,
			const uint8_t *drawn, bool *first)
{
	const struct qp_devtrace *t = &d->dt;
	const struct qp_devalign *a = &d->al;
	const char *prog = t->program_name ? t->program_name : "program";
	size_t k;
	uint32_t c;

	if (!d->has_dt || !d->aligned)
		return 0;
	for (c = 0; c < t->ncores; c++) {
		char name[320];

		snprintf(name, sizeof(name), "device %s core %" PRIu32, prog, c);
		sep(f, first);
		fprintf(f, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":",
			CHROME_DEV_PID + (int)c);
		qp_json_fputs(name, f);
		fputs("}}", f);
		sep(f, first);
		fprintf(f, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"inference device span\"}}",
			CHROME_DEV_PID + (int)c, CHROME_SPAN_TID);
	}
	for (k = 0; k < t->nthreads; k++) {
		if (!t->threads[k].name)
			continue;
		sep(f, first);
		fprintf(f, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%" PRIu32 ",\"args\":{\"name\":",
			CHROME_DEV_PID + (int)t->threads[k].core, t->threads[k].tid);
		qp_json_fputs(t->threads[k].name, f);
		fputs("}}", f);
	}
	/* each matched inference's device span, on every core's span track */
	for (k = 0; k < a->ninfs; k++) {
		const struct qp_devalign_inf *r = &a->infs[k];

		if (r->inf == QP_NONE || (drawn && !drawn[r->inf]))
			continue;
		for (c = 0; c < t->ncores; c++) {
			sep(f, first);
			fprintf(f, "{\"ph\":\"X\",\"cat\":\"device\",\"name\":\"inference %" PRId64
				" device span\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,"
				"\"args\":{\"host_inference\":%" PRIu32 ",\"alignment_error_us\":%.3f}}",
				r->inference, CHROME_DEV_PID + (int)c, CHROME_SPAN_TID,
				rel_us((double)r->span_b),
				(double)(r->span_e - r->span_b) / 1000.0, r->inf,
				r->error_ns / 1000.0);
		}
	}
	for (k = 0; k < t->nops; k++) {
		const struct qp_devop *op = &t->ops[k];
		const struct qp_devalign_inf *r = qp_devalign_find(a, op->inference);
		const char *args = qp_devtrace_str(t, op->args);

		if (!r || (drawn && !drawn[r->inf]))
			continue;
		sep(f, first);
		fputs("{\"ph\":\"X\",\"cat\":\"device\",\"name\":", f);
		qp_json_fputs(qp_devtrace_str(t, op->name), f);
		fprintf(f, ",\"pid\":%d,\"tid\":%" PRIu32 ",\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"inference\":%" PRId64
			",\"device_ts_us\":%.3f",
			CHROME_DEV_PID + (int)op->core, op->tid,
			rel_us(qp_devalign_host_ns(r, op->ts_us)), op->dur_us,
			op->inference, op->ts_us);
		if (*args) {
			fputs(",\"device_args\":", f);
			fputs(args, f);
		}
		fputs("}}", f);
	}
	return ferror(f) ? -1 : 0;
}

/* ---- without a host trace --------------------------------------------------- */

int qp_devreport_standalone(const struct qp_devreport_opts *o, const char *json,
			    bool quiet, bool brief, char *err, size_t errlen)
{
	struct qp_devreport d;
	struct qp_outfile out;
	json_t *root = NULL;
	int rc = -1;

	if (qp_devreport_load(&d, o, err, errlen)) {
		qp_devreport_free(&d);
		return -1;
	}
	if (json) {
		root = json_object();
		if (!root)
			goto oom;
		json_object_set_new(root, "schema", json_string("qprof-report/2"));
		json_object_set_new(root, "device", qp_devreport_json(&d, NULL));
		if (qp_outfile_open(&out, json, err, errlen))
			goto out;
		if (json_dumpf(root, out.f, JSON_INDENT(1) | JSON_REAL_PRECISION(12)) ||
		    fputc('\n', out.f) == EOF) {
			snprintf(err, errlen, "%s: write error", json);
			qp_outfile_abort(&out);
			goto out;
		}
		if (qp_outfile_commit(&out, err, errlen))
			goto out;
	}
	if (!quiet && (qp_devreport_env_summary(stdout, &d) ||
		       qp_devreport_summary(stdout, &d, brief) || fflush(stdout))) {
		snprintf(err, errlen, "stdout: write error");
		goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	json_decref(root);
	qp_devreport_free(&d);
	return rc;
}
